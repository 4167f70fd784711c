"""`AirflowTrigger` against an HTTP server on loopback that answers as Airflow's API does:
the token flow, idempotent run ids (409 is "already queued"), and each failure named."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from econsec.config import Settings
from econsec.errors import (
    ConfigError,
    TransientTriggerError,
    TriggerAuthError,
    TriggerError,
)
from econsec.orchestration.push import PushRunner, make_runner
from econsec.orchestration.trigger import AirflowTrigger, run_conf, run_id_for
from econsec.store.embedded.store import EmbeddedStore
from tests.support.airflow_api import PASSWORD, USER, AirflowApi

NOW = datetime(2026, 12, 7, 14, 0, 10, tzinfo=UTC)


@pytest.fixture
def api() -> Iterator[AirflowApi]:
    server = AirflowApi().start()
    yield server
    server.stop()


def trigger_for(
    url: str, clock: list[datetime] | None = None, **settings: object
) -> AirflowTrigger:
    given: dict[str, object] = {"airflow_username": USER, "airflow_password": PASSWORD}
    times = clock or [NOW]
    return AirflowTrigger(
        Settings(airflow_url=url, **{**given, **settings}),  # type: ignore[arg-type]
        clock=lambda: times[-1],
    )


def test_a_user_gets_a_token_once_and_triggers_a_limited_run(api: AirflowApi) -> None:
    with trigger_for(api.base) as trigger:
        run_id = trigger.trigger(feeds=["gov-cn", "wire"], urls=["https://x.test/a"], reason="r")
        trigger.trigger(feeds=["other"])
    [login] = api.sent("POST", "/auth/token")
    assert login == {"username": USER, "password": PASSWORD}
    [first, _] = api.sent("POST", "/api/v2/dags/econsec_ingest/dagRuns")
    assert first == {
        "dag_run_id": run_id,
        "logical_date": None,
        "conf": {"only_feeds": ["gov-cn", "wire"], "urls": ["https://x.test/a"]},
        "note": "r",
    }
    assert all(auth and auth.startswith("Bearer ") for m, p, _, auth in api.requests if "v2" in p)
    assert run_id.startswith("submitted__20261207T140000Z__")


def test_a_configured_token_is_used_as_it_is(api: AirflowApi) -> None:
    token = api.issue_token()
    with trigger_for(api.base, airflow_username=None, airflow_token=token) as trigger:
        trigger.run(["wire"])
    assert api.sent("POST", "/auth/token") == []
    assert {auth for _, _, _, auth in api.requests} == {f"Bearer {token}"}


def test_the_same_submission_within_the_window_is_one_run(api: AirflowApi) -> None:
    clock = [NOW]
    with trigger_for(api.base, clock) as trigger:
        first = trigger.submit(feeds=["a", "b"], urls=["https://x.test/1"])
        clock.append(NOW + timedelta(seconds=30))
        again = trigger.submit(urls=["https://x.test/1"], feeds=["b", "a"])  # another order
        clock.append(NOW + timedelta(seconds=60))
        later = trigger.submit(feeds=["a", "b"], urls=["https://x.test/1"])
    assert first.queued and not again.queued and later.queued
    assert again.run_id == first.run_id != later.run_id
    assert list(api.runs) == [first.run_id, later.run_id]


def test_run_ids_differ_by_what_is_submitted() -> None:
    ids = {
        run_id_for(run_conf(feeds, urls), NOW, 60)
        for feeds, urls in [(["a"], []), (["b"], []), ([], ["a"]), (["a"], ["https://x.test/"])]
    }
    assert len(ids) == 4
    assert run_id_for(run_conf(["a", "a"]), NOW, 60) == run_id_for(run_conf(["a"]), NOW, 60)


def test_an_expired_token_is_renewed_once(api: AirflowApi) -> None:
    with trigger_for(api.base) as trigger:
        trigger.run(["a"])
        api.behaviour.tokens.clear()  # every token it gave has expired
        trigger.run(["b"])
    assert len(api.sent("POST", "/auth/token")) == 2
    assert len(api.runs) == 2


def test_a_refused_password_is_an_auth_error(api: AirflowApi) -> None:
    with (
        trigger_for(api.base, airflow_password="wrong") as trigger,
        pytest.raises(TriggerAuthError, match=f"user '{USER}' was refused a token"),
    ):
        trigger.run(["a"])


def test_no_credentials_says_which_settings_to_give(api: AirflowApi) -> None:
    with (
        trigger_for(api.base, airflow_username=None) as trigger,
        pytest.raises(TriggerAuthError, match="HTTP 401.*ECONSEC_AIRFLOW_TOKEN"),
    ):
        trigger.run(["a"])


def test_a_refused_token_is_not_retried(api: AirflowApi) -> None:
    with (
        trigger_for(api.base, airflow_username=None, airflow_token="stale") as trigger,
        pytest.raises(TriggerAuthError, match="credentials were refused"),
    ):
        trigger.run(["a"])
    assert len(api.requests) == 1


def test_a_missing_dag_is_named(api: AirflowApi) -> None:
    api.behaviour.dags = {}
    with trigger_for(api.base) as trigger, pytest.raises(TriggerError) as raised:
        trigger.run(["a"])
    assert "econsec_ingest" in str(raised.value) and "no such DAG" in str(raised.value)
    assert raised.value.airflow == api.base and not isinstance(raised.value, TriggerAuthError)


def test_a_paused_dag_is_refused_before_a_run_is_queued(api: AirflowApi) -> None:
    api.behaviour.dags["econsec_ingest"] = True
    with trigger_for(api.base) as trigger, pytest.raises(TriggerError, match="paused"):
        trigger.run(["a"])
    assert api.runs == {}


def test_what_airflow_refuses_carries_its_detail(api: AirflowApi) -> None:
    api.behaviour.fail_trigger = (400, "Invalid input for param urls: 'ftp://x'")
    with trigger_for(api.base) as trigger, pytest.raises(TriggerError, match="HTTP 400.*ftp://x"):
        trigger.trigger(urls=["ftp://x"])


def test_a_server_error_is_transient(api: AirflowApi) -> None:
    api.behaviour.fail_trigger = (503, "database is locked")
    with trigger_for(api.base) as trigger, pytest.raises(TransientTriggerError, match="503"):
        trigger.run(["a"])


def test_a_refused_connection_is_transient() -> None:
    with socket.socket() as sock:  # a port that was free a moment ago: nobody listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with (
        trigger_for(f"http://127.0.0.1:{port}") as trigger,
        pytest.raises(TransientTriggerError, match="cannot reach Airflow"),
    ):
        trigger.run(["a"])


def test_wait_polls_until_the_run_finishes_and_reads_its_counts(api: AirflowApi) -> None:
    with trigger_for(api.base) as trigger:
        run_id = trigger.trigger(urls=["https://x.test/a"])
        outcome = trigger.wait(run_id, timeout=60, poll=0.01)
    assert outcome.state == "success" and outcome.summary["new_articles"] == 3
    assert api.runs[run_id]["polls"] == 3


def test_wait_gives_up_at_its_timeout(api: AirflowApi) -> None:
    api.behaviour.states = ["running"]
    with trigger_for(api.base) as trigger:
        run_id = trigger.trigger(feeds=["a"])
        with pytest.raises(TriggerError, match="still running"):
            trigger.wait(run_id, timeout=0.05, poll=0.01)


def test_a_run_that_recorded_no_counts_has_an_empty_summary(api: AirflowApi) -> None:
    api.behaviour.summary = None
    with trigger_for(api.base) as trigger:
        assert trigger.wait(trigger.trigger(feeds=["a"]), timeout=60, poll=0.01).summary == {}


def test_it_is_the_push_runner_of_push_runner_airflow(tmp_path: Path) -> None:
    settings = Settings(airflow_url="http://127.0.0.1:9", push_runner="airflow")
    runner: PushRunner = make_runner(settings, EmbeddedStore(tmp_path / "s"), tmp_path)
    assert isinstance(runner, AirflowTrigger) and runner.base == "http://127.0.0.1:9"
    runner.close()


def test_it_needs_an_airflow_url() -> None:
    with pytest.raises(ConfigError, match="ECONSEC_AIRFLOW_URL"):
        AirflowTrigger(Settings())
    with trigger_for("http://127.0.0.1:9") as trigger, pytest.raises(ConfigError):
        trigger.trigger()
