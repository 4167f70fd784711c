# The Airflow image with econsec installed: the image every econsec service of
# docker-compose.yml runs (tagged econsec:0.1.0 there). DAGs are mounted, not baked in.
#
# Stage 1 builds econsec's wheel (index templates inside) and exports the locked
# requirements (uv.lock, with hashes); stage 2 installs exactly those, then the wheel.
ARG AIRFLOW_IMAGE=apache/airflow:3.3.2-python3.11

FROM ${AIRFLOW_IMAGE} AS build
ENV UV_PYTHON_DOWNLOADS=never
RUN pip install --no-cache-dir uv==0.13.8
COPY --chown=airflow:root pyproject.toml uv.lock README.md /tmp/src/
COPY --chown=airflow:root econsec /tmp/src/econsec
COPY --chown=airflow:root extractors /tmp/src/extractors
COPY --chown=airflow:root mappings /tmp/src/mappings
COPY --chown=airflow:root dags /tmp/src/dags
WORKDIR /tmp/src
RUN python -m uv build --wheel --out-dir /tmp/dist \
    && python -m uv export --frozen --no-dev --no-emit-project --extra airflow \
        --output-file /tmp/dist/requirements.txt

FROM ${AIRFLOW_IMAGE}
COPY --from=build --chown=airflow:root /tmp/dist /tmp/dist
# The locked set, Airflow included at the base image's version, then econsec alone.
RUN pip install --no-cache-dir --require-hashes -r /tmp/dist/requirements.txt \
    && pip install --no-cache-dir --no-deps /tmp/dist/econsec-*.whl \
    && rm -rf /tmp/dist
# Airflow's passwords file lives on the compose volume mounted here; made now, as the
# image's user, so that the new volume is writable by it.
RUN mkdir -p /opt/airflow/auth
