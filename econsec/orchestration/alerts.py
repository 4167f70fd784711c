"""What the alerts DAG calls: one function, ids and counts out, never bodies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from econsec.alerts.engine import run_rules
from econsec.alerts.rules import read_rules
from econsec.orchestration.names import ALERTS_DAG_ID
from econsec.store.backend import open_store

DAG_ID = ALERTS_DAG_ID


def run_task(params: dict[str, Any] | None) -> dict[str, Any]:
    """Run every rule against the store the ingest DAG writes (same settings, same
    `store` param); `params.rules` or the `rules` setting names the rules folder. A bad
    rule file is reported under `errors` by its path, and the good rules still run."""
    from econsec.orchestration.ingest import settings_for

    params = params or {}
    settings = settings_for(params)
    store = open_store(settings.store, settings)
    try:
        rules = read_rules(Path(params.get("rules") or settings.rules), store)
        state = store.alert_state()
        try:
            report = run_rules(store, rules.rules, state)
        finally:
            state.close()
    finally:
        store.close()
    return {
        "alerts": [alert.id for alert in report.alerts],
        "by_rule": {run.rule: len(run.fired) for run in report.rules},
        "deliveries": dict(report.deliveries),
        "errors": {**{str(e.file): str(e) for e in rules.errors}, **report.errors},
    }
