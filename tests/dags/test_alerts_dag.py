"""The alerts DAG is scheduled on the ingest DAG's Asset and runs the rules end to end."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from econsec.store.embedded.alert_state import SqliteAlertState
from econsec.store.embedded.store import EmbeddedStore
from tests.support.alerts import add_events, story, write_rule

DAGS = Path(__file__).resolve().parents[2] / "dags"


def test_scheduled_on_the_events_asset() -> None:
    from airflow.dag_processing.dagbag import DagBag

    dag = DagBag(dag_folder=str(DAGS / "econsec_alerts.py")).dags["econsec_alerts"]
    assets = [(a.name, a.uri) for a in dag.timetable.asset_condition.objects]
    assert assets == [("econsec_events", "econsec://events/")]
    assert dag.tags and all(t.retries >= 1 for t in dag.tasks)


@pytest.mark.slow
def test_dag_test_runs_the_rules(tmp_path: Path) -> None:
    subprocess.run(
        [str(Path(sys.executable).with_name("airflow")), "db", "migrate"],
        check=True,
        capture_output=True,
    )
    from airflow.dag_processing.dagbag import DagBag

    store = EmbeddedStore(tmp_path / "store")
    add_events(store, *story(1), *story(2))
    store.close()
    write_rule(tmp_path / "rules")
    dag = DagBag(dag_folder=str(DAGS / "econsec_alerts.py")).dags["econsec_alerts"]
    run = dag.test(run_conf={"store": str(tmp_path / "store"), "rules": str(tmp_path / "rules")})
    assert run.state == "success"
    state = SqliteAlertState(tmp_path / "store" / "state.sqlite3")
    try:
        assert len(state.history()) == 2
    finally:
        state.close()
