"""What the Airflow tasks call: small functions that pass ids and counts, never bodies.

Kept out of the DAG file so that the DAG stays a wiring diagram and this
logic is tested without a scheduler.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from econsec.config import Settings, load_settings
from econsec.errors import ConfigError
from econsec.ingest import cycle
from econsec.ingest.feedfile import limited, load_feeds
from econsec.models import FeedResult, FeedSpec, IndexReport, TagReport
from econsec.orchestration.names import INGEST_DAG_ID, ONLY_FEEDS_PARAM, URLS_PARAM
from econsec.store.backend import open_store
from econsec.store.protocols import Store

DAG_ID = INGEST_DAG_ID
ES_CONNECTION_ID = "econsec_elasticsearch"


def settings_for(params: dict[str, Any] | None) -> Settings:
    """Settings from the environment; then the Airflow Connection `econsec_elasticsearch`
    when it exists (store URL and credentials); then the DAG run's `store` / `feeds` params."""
    params = params or {}
    run = {"store": params.get("store") or None, "feeds": params.get("feeds") or None}
    return load_settings(**{**elastic_connection(), **{k: v for k, v in run.items() if v}})


def elastic_connection(conn_id: str = ES_CONNECTION_ID) -> dict[str, Any]:
    """Settings from an Airflow Connection, looked up only now; {} when it is not defined."""
    try:
        from airflow.sdk import Connection
        from airflow.sdk.exceptions import AirflowNotFoundException
    except ImportError:  # econsec used without Airflow
        return {}
    try:
        connection = Connection.get(conn_id)
    except AirflowNotFoundException:
        return {}
    return connection_settings(connection)


def connection_settings(connection: Any) -> dict[str, Any]:
    """host / port / schema (http or https) / login / password, and in `extra`:
    `api_key`, `ca_certs`, `verify_certs`, `index_prefix`."""
    extra = connection.extra_dejson or {}
    host = connection.host or "localhost"
    if "://" not in host:
        scheme = connection.schema or extra.get("scheme") or "http"
        host = f"{scheme}://{host}:{connection.port or 9200}"
    values = {
        "store": host,
        "es_username": connection.login or None,
        "es_password": connection.password or None,
        "es_api_key": extra.get("api_key"),
        "es_ca_certs": extra.get("ca_certs"),
        "es_verify_certs": extra.get("verify_certs"),
        "es_index_prefix": extra.get("index_prefix"),
    }
    return {key: value for key, value in values.items() if value is not None}


def list_feeds(params: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The feeds of the feeds file; for a run given `only_feeds` or `urls`, only those named
    and one per URL (a listed feed's URL is that feed, another is read as submitted). An
    unknown name or a URL that is not http(s) is a `ConfigError`: the run fails at once."""
    params = params or {}
    settings = settings_for(params)
    specs = limited(
        load_feeds(settings.feeds),
        _strings(params, ONLY_FEEDS_PARAM),
        _strings(params, URLS_PARAM),
    )
    return [spec.model_dump() for spec in specs]


def _strings(params: dict[str, Any], name: str) -> list[str]:
    """A list param as strings; Airflow has checked its type when the run was triggered
    (`airflow dags test` has not)."""
    value = params.get(name) or []
    if isinstance(value, str) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"expected a list of strings, not {value!r}", field=name)
    return list(value)


@contextmanager
def _opened(params: dict[str, Any] | None) -> Iterator[tuple[Store, Settings]]:
    """Each task opens the store itself and closes it before returning (tasks may be processes)."""
    settings = settings_for(params)
    store = open_store(settings.store, settings)
    try:
        yield store, settings
    finally:
        store.close()


def fetch(feed: dict[str, Any], params: dict[str, Any] | None) -> dict[str, Any]:
    with _opened(params) as (store, settings):
        result = cycle.fetch_feed(FeedSpec.model_validate(feed), store, settings)
    return result.model_dump(mode="json")


def tag(params: dict[str, Any] | None) -> dict[str, Any]:
    with _opened(params) as (store, settings):
        report = cycle.tag_pending(store, None, settings)
    return report.model_dump(mode="json")


def index(params: dict[str, Any] | None) -> dict[str, Any]:
    with _opened(params) as (store, _):
        report = cycle.index_pending(store)
    return report.model_dump(mode="json")


def record_cycle(
    params: dict[str, Any] | None,
    run_id: str,
    started: datetime,
    fetched: list[dict[str, Any]],
    tagged: dict[str, Any] | None,
    indexed: dict[str, Any] | None,
) -> dict[str, Any]:
    """Record the run as one cycle; the summary `econsec run` prints comes from here."""
    report = cycle.cycle_from_parts(
        run_id,
        started,
        [FeedResult.model_validate(f) for f in fetched if f],
        TagReport.model_validate(tagged or {}),
        IndexReport.model_validate(indexed or {}),
    )
    with _opened(params) as (store, _):
        store.record_cycle(report)
    summary = report.summary()
    keys = ("feeds_ok", "feeds_failed", "new_articles", "new_events", "no_feed_read")
    return {k: summary[k] for k in keys}


def event_extra(
    params: dict[str, Any] | None, run_id: str, summary: dict[str, Any]
) -> dict[str, Any]:
    """The `extra` of the events Asset event: the run, its counts and the store it wrote, so
    that the alerts run it triggers reads that store even when the run was given
    `params.store`. The store is shown without credentials (asset events are kept in
    Airflow's database and shown in its UI); the consumer takes them from its own settings."""
    from econsec.store.elastic.client import redact

    return {"run_id": run_id, "store": redact(settings_for(params).store), **summary}
