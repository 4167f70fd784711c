# The Airflow image with econsec installed: the image every Airflow service of
# docker-compose.yml runs (tagged econsec:0.1.0 there). DAGs are mounted, not baked in.
FROM apache/airflow:3.3.2-python3.11

COPY --chown=airflow:root . /opt/econsec
# Editable, so that the package finds mappings/ (the index templates) beside it.
# Airflow stays pinned at the base image's version.
RUN pip install --no-cache-dir "apache-airflow==3.3.2" -e /opt/econsec
