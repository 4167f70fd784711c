"""What the Airflow tasks call: small functions that pass ids and counts, never bodies.

Kept out of the DAG file so that the DAG stays a wiring diagram and this
logic is tested without a scheduler.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from econsec import pipeline
from econsec.config import Settings, load_settings
from econsec.feeds import load_feeds
from econsec.models import FeedResult, FeedSpec, IndexReport, TagReport
from econsec.store import open_store

EVENTS_ASSET_NAME = "econsec_events"
EVENTS_ASSET_URI = "econsec://events/"
DAG_ID = "econsec_ingest"


def settings_for(params: dict[str, Any] | None) -> Settings:
    """Settings from the environment, with the DAG run's `store` / `feeds` params on top."""
    params = params or {}
    return load_settings(store=params.get("store") or None, feeds=params.get("feeds") or None)


def list_feeds(params: dict[str, Any] | None) -> list[dict[str, Any]]:
    settings = settings_for(params)
    return [spec.model_dump() for spec in load_feeds(settings.feeds)]


def fetch(feed: dict[str, Any], params: dict[str, Any] | None) -> dict[str, Any]:
    settings = settings_for(params)
    store = open_store(settings.store)
    try:
        result = pipeline.fetch_feed(FeedSpec.model_validate(feed), store, settings)
    finally:
        store.close()
    return result.model_dump(mode="json")


def tag(params: dict[str, Any] | None) -> dict[str, Any]:
    settings = settings_for(params)
    store = open_store(settings.store)
    try:
        report = pipeline.tag_pending(store, pipeline.load_tagger(settings), settings)
    finally:
        store.close()
    return report.model_dump(mode="json")


def index(params: dict[str, Any] | None) -> dict[str, Any]:
    settings = settings_for(params)
    store = open_store(settings.store)
    try:
        report = pipeline.index_pending(store)
    finally:
        store.close()
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
    settings = settings_for(params)
    report = pipeline.cycle_from_parts(
        run_id,
        started,
        [FeedResult.model_validate(f) for f in fetched if f],
        TagReport.model_validate(tagged or {}),
        IndexReport.model_validate(indexed or {}),
    )
    store = open_store(settings.store)
    try:
        store.record_cycle(report)
    finally:
        store.close()
    summary = report.summary()
    return {k: summary[k] for k in ("feeds_ok", "feeds_failed", "new_articles", "new_events")}
