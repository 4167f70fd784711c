"""Alert rules, run whenever the ingest DAG announces new events.

Scheduled on the `econsec_events` Asset that `econsec_ingest` emits, so rules
run right after new events reach the index and never on an idle store. Thin
by design: one task calling `econsec.orchestration.alerts.run_task`, which passes
alert ids and counts through XCom; the task code is imported inside the task, so
parsing this file stays light. A rule that errors fails the task (so it is
retried and visible) after every other rule has run and delivered.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import Param, dag, get_current_context, task
from airflow.sdk.exceptions import AirflowException

from econsec.orchestration.assets import EVENTS
from econsec.orchestration.names import ALERTS_DAG_ID


@dag(
    dag_id=ALERTS_DAG_ID,
    schedule=[EVENTS],
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

        result = alerts.run_task(get_current_context()["params"])
        if result["errors"]:
            raise AirflowException(f"rules failed: {result['errors']}")
        return result

    run_rules()


econsec_alerts()
