"""What only the Elasticsearch alert state has to guarantee, on osmem-server: runners
racing on one rule, a crash between the rule's commit and its alerts, idempotent writes,
and the indices set up like every other kind."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from econsec.alerts.engine import run_rules
from econsec.alerts.notify import Outcome
from econsec.errors import QueryError, StoreError
from econsec.store import Learned, Silence
from econsec.store.elastic import templates
from econsec.store.elastic.alert_state import ElasticAlertState
from econsec.store.elastic.store import ElasticStore
from tests.support.alerts import add_events, now, story, write_rule
from tests.support.backends import Backend
from tests.support.fault_proxy import FaultProxy

SILENT = lambda url, title, body: Outcome(True)  # noqa: E731


def test_racing_runners_commit_a_rule_once(es: ElasticStore) -> None:
    first, second = ElasticAlertState(es), ElasticAlertState(es)
    assert first.checkpoint("r") is None and second.checkpoint("r") is None
    moment = now()
    warm = {"initiator": Learned({"CN"}, moment)}
    first.commit(
        "r", alerts=[], processed=["e1"], checkpoint=moment, learned=warm, forget_before=moment
    )
    with pytest.raises(StoreError, match="committed by another run"):
        second.commit(
            "r", alerts=[], processed=["e2"], checkpoint=moment, learned={}, forget_before=moment
        )
    assert second.checkpoint("r") == moment and second.processed("r", ["e1", "e2"]) == {"e1"}
    assert second.learned("r", "initiator") == Learned({"CN"}, moment)
    later = moment + timedelta(minutes=5)  # read again, then commit: accepted
    second.commit(
        "r", alerts=[], processed=["e2"], checkpoint=later, learned={}, forget_before=moment
    )
    assert first.checkpoint("r") == later and first.processed("r", ["e1", "e2"]) == {"e1", "e2"}


def test_alerts_of_a_commit_survive_a_crash_before_they_are_written(
    es: ElasticStore, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    add_events(es, *story(1))
    rule = write_rule(tmp_path, notify=["json://localhost/hook"])
    crashing = ElasticAlertState(es)
    monkeypatch.setattr(crashing, "_create", lambda alerts: None)  # dies after the rule doc
    sent: list[str] = []
    sender = lambda url, title, body: sent.append(title) or Outcome(True)  # noqa: E731
    report = run_rules(es, [rule], crashing, now=now(), sender=sender)
    assert len(report.alerts) == 1
    monkeypatch.undo()
    fresh = ElasticAlertState(es)
    assert len(fresh.undelivered()) == 1  # replayed from the outbox before anything is sent
    second = run_rules(es, [rule], fresh, now=now(), sender=sender)
    assert second.alerts == [] and second.deliveries["delivered"] == 1 and len(sent) == 1
    [alert] = fresh.history()
    assert alert.deliveries[0].status == "delivered"
    assert fresh.undelivered() == []  # a later replay keeps the delivery results


def test_history_search_by_rule_group_event_and_evidence(es: ElasticStore, tmp_path) -> None:  # type: ignore[no-untyped-def]
    events = [*story(1, initiator=["JP"]), *story(2)]
    add_events(es, *events)
    state = ElasticAlertState(es)
    run_rules(es, [write_rule(tmp_path, group_by="initiator")], state, now=now(), sender=SILENT)
    assert {a.group for a in state.history(rule="test-rule")} == {"initiator=JP", "initiator=CN"}
    assert [a.group for a in state.history(text='group:"initiator=JP"')] == ["initiator=JP"]
    assert len(state.history(text=events[0].id)) == 1
    assert len(state.history(text="chips")) == 2
    assert len(state.history(limit=1)) == 1 and len(state.history(limit=0)) == 2


def test_init_sets_up_the_alert_state_index_like_the_others(es: ElasticStore) -> None:
    report = es.init()
    alias = f"{es.names.prefix}-alert-state"
    assert report["aliases"][alias] in ("exists", f"created on {alias}-v1")
    found = es.calls.client.indices.get_alias(name=alias).body
    assert found == {f"{alias}-v1": {"aliases": {alias: {"is_write_index": True}}}}


def test_a_crashed_runs_alerts_survive_a_next_run_that_fires_again(
    es: ElasticStore, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The next run recovers the outbox before its own commit replaces it."""
    add_events(es, *story(1))
    rule = write_rule(tmp_path, realert="30m")
    crashing = ElasticAlertState(es)
    monkeypatch.setattr(crashing, "_create", lambda alerts: None)  # dies after the rule doc
    monkeypatch.setattr(crashing, "undelivered", lambda rule=None: [])  # and before recovery
    first = run_rules(es, [rule], crashing, now=now(), sender=SILENT)
    monkeypatch.undo()
    add_events(es, *story(2))
    second = run_rules(es, [rule], ElasticAlertState(es), now=now(), sender=SILENT)
    assert len(first.alerts) == 1 and len(second.alerts) == 1
    history = {alert.id for alert in ElasticAlertState(es).history()}
    assert history == {first.alerts[0].id, second.alerts[0].id}


def test_history_text_nested_too_deep_is_refused(es: ElasticStore) -> None:
    with pytest.raises(QueryError, match="nested 5000 parentheses deep"):
        ElasticAlertState(es).history(text="(" * 5_000 + "chips" + ")" * 5_000)


def test_a_state_index_older_than_silences_learns_the_field(es: ElasticStore) -> None:
    """A cluster set up before silences: its strict state index has no `silence` field, and
    nothing re-applies the templates (every alias exists), so the first silence adds it."""
    es.init()
    alias = f"{es.names.prefix}-alert-state"
    old = json.loads((templates.mappings_dir() / "alert-state.json").read_text())
    del old["template"]["mappings"]["properties"]["silence"]
    admin = es.calls.client
    admin.indices.delete(index=f"{alias}-v1")
    admin.indices.create(  # a name the new template's pattern does not reach
        index=f"{alias}-old",
        mappings=old["template"]["mappings"],
        aliases={alias: {"is_write_index": True}},
    )
    moment = now()
    state = ElasticAlertState(es)
    state.silence(Silence("r", "initiator=CN", moment + timedelta(days=2), moment))
    [silence] = ElasticAlertState(es).silences(moment)
    assert (silence.rule, silence.group) == ("r", "initiator=CN")
    assert silence.until == moment + timedelta(days=2)


def test_silencing_on_a_state_index_made_from_the_template_puts_no_mapping(
    osmem: Backend, proxy: FaultProxy
) -> None:
    """The least-privileged writer has no `manage`: a silence must not need it."""
    osmem.open().init()
    store = osmem.behind(proxy).open()
    proxy.fail(5, 403, f"PUT /{osmem.prefix}-alert-state/_mapping")
    state = store.alert_state()
    moment = now()
    try:
        state.silence(Silence("r", "", moment + timedelta(hours=1), moment))
        assert [s.rule for s in state.silences(moment)] == ["r"]
    finally:
        state.close()
        store.close()
    assert proxy.count("_mapping -> fail") == 0
