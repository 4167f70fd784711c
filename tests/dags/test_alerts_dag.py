"""The alerts DAG is scheduled on the ingest DAG's Asset or the clock, reads the store the
ingest run named, and runs the rules end to end."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from econsec.orchestration import alerts
from econsec.orchestration.ingest import event_extra
from econsec.store.embedded.alert_state import SqliteAlertState
from econsec.store.embedded.store import EmbeddedStore
from tests.support.alerts import add_events, story, write_rule

DAGS = Path(__file__).resolve().parents[2] / "dags"


def test_scheduled_on_the_events_asset_or_every_hour() -> None:
    """Digests and delivery retries must not wait for a cycle that brings new events."""
    import pendulum
    from airflow.dag_processing.dagbag import DagBag
    from airflow.serialization.encoders import coerce_to_core_timetable
    from airflow.timetables.base import TimeRestriction

    dag = DagBag(dag_folder=str(DAGS / "econsec_alerts.py")).dags["econsec_alerts"]
    assets = [(a.name, a.uri) for a in dag.timetable.asset_condition.objects]
    assert assets == [("econsec_events", "econsec://events/")]
    assert dag.tags and all(t.retries >= 1 for t in dag.tasks)
    timetable = coerce_to_core_timetable(dag.timetable)
    since = TimeRestriction(earliest=pendulum.datetime(2026, 1, 1), latest=None, catchup=True)
    first = timetable.next_dagrun_info(last_automated_data_interval=None, restriction=since)
    second = timetable.next_dagrun_info(
        last_automated_data_interval=first.data_interval, restriction=since
    )
    assert second.run_after - first.run_after <= pendulum.duration(hours=1)


def _stores_with_events(tmp_path: Path, *names: str) -> list[Path]:
    for name in names:
        store = EmbeddedStore(tmp_path / name)
        add_events(store, *story(1), *story(2))
        store.close()
    write_rule(tmp_path / "rules")
    return [tmp_path / name for name in names]


def _fired(store: Path) -> int:
    state = SqliteAlertState(store / "state.sqlite3")
    try:
        return len(state.history())
    finally:
        state.close()


def test_rules_run_on_the_store_the_triggering_ingest_run_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own, ingested = _stores_with_events(tmp_path, "own", "ingested")
    monkeypatch.setenv("ECONSEC_STORE", str(own))
    params = {"rules": str(tmp_path / "rules")}
    extra = event_extra({"store": str(ingested)}, "manual__1", {"new_events": 2})
    assert extra["store"] == str(ingested) and extra["run_id"] == "manual__1"
    result = alerts.run_task(params, [extra, extra])  # two ingest runs, one store
    assert len(result["alerts"]) == 2
    assert (_fired(ingested), _fired(own)) == (2, 0)


def test_a_run_by_the_clock_or_by_hand_reads_the_settings_or_its_params(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own, given = _stores_with_events(tmp_path, "own", "given")
    monkeypatch.setenv("ECONSEC_STORE", str(own))
    alerts.run_task({"rules": str(tmp_path / "rules")})
    assert (_fired(own), _fired(given)) == (2, 0)
    by_hand = {"rules": str(tmp_path / "rules"), "store": str(given)}
    alerts.run_task(by_hand, [{"store": str(own)}])
    assert (_fired(own), _fired(given)) == (2, 2)


def test_the_asset_event_names_the_store_without_credentials(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Asset events are shown in Airflow's UI; the consumer keeps its own credentials for
    the store it already points at."""
    monkeypatch.delenv("AIRFLOW_CONN_ECONSEC_ELASTICSEARCH", raising=False)
    monkeypatch.setenv("ECONSEC_STORE", "https://econsec:secret@es01:9200")
    extra = event_extra({}, "scheduled__1", {})
    assert extra["store"] == "https://es01:9200"
    assert alerts._settings({}, extra["store"]).store == "https://econsec:secret@es01:9200"
    other = alerts._settings({}, "https://es02:9200")
    assert other.store == "https://es02:9200"


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
