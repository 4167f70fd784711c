"""What the alerts DAG calls: one function, ids and counts out, never bodies."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from econsec.alerts.engine import run_folder
from econsec.config import Settings
from econsec.orchestration.names import ALERTS_DAG_ID
from econsec.store.backend import open_store
from econsec.store.elastic.client import redact

DAG_ID = ALERTS_DAG_ID


def run_task(
    params: dict[str, Any] | None, triggered_by: Iterable[Mapping[str, Any]] = ()
) -> dict[str, Any]:
    """Run every rule against the store the ingest run wrote. `triggered_by` holds the
    `extra` of the asset events that started this run: the rules run once per store they
    name. A run started by the clock or by hand has none and reads `params.store` or the
    settings, as ingest does. A bad rule file is reported under `errors` by its path, and
    the good rules still run."""
    params = params or {}
    stores: list[str | None] = [None]
    if not params.get("store"):  # a store given by hand wins
        stores = [*_event_stores(triggered_by)] or [None]
    merged: dict[str, Any] = {
        "alerts": [],
        "by_rule": Counter(),
        "deliveries": Counter(),
        "errors": {},
    }
    for store in stores:
        settings = _settings(params, store)
        result = _run_on(settings, params)
        merged["alerts"] += result["alerts"]
        merged["by_rule"].update(result["by_rule"])
        merged["deliveries"].update(result["deliveries"])
        merged["errors"].update(result["errors"])
    return {**merged, "by_rule": dict(merged["by_rule"]), "deliveries": dict(merged["deliveries"])}


def _event_stores(extras: Iterable[Mapping[str, Any]]) -> list[str]:
    """The distinct stores the triggering events name, in order (several ingest runs may
    be consumed by one alerts run)."""
    return list(dict.fromkeys(str(e["store"]) for e in extras if e.get("store")))


def _settings(params: dict[str, Any], store: str | None) -> Settings:
    """Own settings when the event names the store they already point at (they keep its
    credentials, which the event does not carry); else that store."""
    from econsec.orchestration.ingest import settings_for

    own = settings_for(params)
    if store is None or redact(own.store) == store:
        return own
    return settings_for({**params, "store": store})


def _run_on(settings: Settings, params: dict[str, Any]) -> dict[str, Any]:
    store = open_store(settings.store, settings)
    try:
        ran = run_folder(store, Path(params.get("rules") or settings.rules))
    finally:
        store.close()
    rules, report = ran.rules, ran.report
    return {
        "alerts": [alert.id for alert in report.alerts],
        "by_rule": {run.rule: len(run.fired) for run in report.rules},
        "deliveries": dict(report.deliveries),
        "errors": {**{str(e.file): str(e) for e in rules.errors}, **report.errors},
    }
