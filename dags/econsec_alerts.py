"""Alert rules, run whenever the ingest DAG announces new events, and at least hourly.

Scheduled on the `econsec_events` Asset that `econsec_ingest` emits, so rules
run right after new events reach the index, against the store that ingest run
wrote (named in the asset event's `extra`). Also at half past every hour
(asset-or-time), so daily digests and failed deliveries do not wait for a cycle
that brings events; such a run reads `params.store` or the settings. Thin by
design: one task calling `econsec.orchestration.alerts.run_task`, which passes
alert ids and counts through XCom; the task code is imported inside the task, so
parsing this file stays light. A rule that errors fails the task (so it is
retried and visible) after every other rule has run and delivered.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import (
    AssetOrTimeSchedule,
    CronTriggerTimetable,
    Param,
    dag,
    get_current_context,
    task,
)
from airflow.sdk.exceptions import AirflowException

from econsec.orchestration.assets import EVENTS
from econsec.orchestration.names import ALERTS_CRON, ALERTS_DAG_ID


@dag(
    dag_id=ALERTS_DAG_ID,
    schedule=AssetOrTimeSchedule(
        timetable=CronTriggerTimetable(ALERTS_CRON, timezone="UTC"), assets=[EVENTS]
    ),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["econsec", "alerts"],
    default_args={
        "owner": "econsec",
        "retries": 2,
        "retry_delay": timedelta(minutes=1),
        "retry_exponential_backoff": True,
    },
    params={
        "store": Param(None, type=["null", "string"], description="Store path or URL"),
        "rules": Param(None, type=["null", "string"], description="Rules folder"),
    },
    doc_md=__doc__,
)
def econsec_alerts() -> None:
    @task
    def run_rules() -> dict[str, Any]:
        from econsec.orchestration import alerts  # at run time: parsing stays light

        context = get_current_context()
        events = context.get("triggering_asset_events") or {}
        extras = [event.extra for event in events.get(EVENTS, ())]
        result = alerts.run_task(context["params"], extras)
        if result["errors"]:
            raise AirflowException(f"rules failed: {result['errors']}")
        return result

    run_rules()


econsec_alerts()
