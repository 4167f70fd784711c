"""The Asset the ingest DAG emits and the alerts DAG is scheduled on, defined once for both."""

from __future__ import annotations

from airflow.sdk import Asset

from econsec.orchestration.names import EVENTS_ASSET_EXTRA, EVENTS_ASSET_NAME, EVENTS_ASSET_URI

EVENTS = Asset(name=EVENTS_ASSET_NAME, uri=EVENTS_ASSET_URI, extra=dict(EVENTS_ASSET_EXTRA))
