"""Silences on both backends (embedded, osmem-server): a silenced rule or group records and
delivers nothing, as ElastAlert's --silence; the rest of the rule still fires."""

from __future__ import annotations

from datetime import timedelta

from econsec.alerts.engine import run_rules
from econsec.store import Silence
from tests.support.alerts import add_events, now, story, write_rule


def test_a_silenced_rule_records_and_sends_nothing(store, state, tmp_path, receiver) -> None:  # type: ignore[no-untyped-def]
    rule = write_rule(tmp_path, notify=[receiver.url])
    add_events(store, *story(1), *story(2))
    start = now()
    state.silence(Silence(rule.name, "", start + timedelta(days=2), start))
    report = run_rules(store, [rule], state, now=start)
    assert report.alerts == [] and report.rules[0].silenced == 2
    assert state.history() == [] and receiver.posts == []
    assert state.unsilence(rule.name) == 1 and state.silences(start) == []
    add_events(store, *story(3))
    later = run_rules(store, [rule], state, now=start + timedelta(minutes=5))
    assert [a.evidence[0]["title"] for a in later.alerts] == ["Story 3 about chips"]
    assert len(receiver.posts) == 1  # the silenced stories were evaluated, not kept for later


def test_a_silenced_group_leaves_the_others(store, state, tmp_path) -> None:  # type: ignore[no-untyped-def]
    rule = write_rule(tmp_path, group_by="initiator")
    add_events(store, *story(1, initiator=["CN"]), *story(2, initiator=["JP"]))
    start = now()
    state.silence(Silence(rule.name, rule.group_label("CN"), start + timedelta(hours=1), start))
    report = run_rules(store, [rule], state, now=start)
    assert [a.group for a in report.alerts] == ["initiator=JP"]
    assert report.rules[0].silenced == 1


def test_a_silence_runs_out_and_can_be_replaced(store, state, tmp_path) -> None:  # type: ignore[no-untyped-def]
    rule = write_rule(tmp_path)
    start = now()
    state.silence(Silence(rule.name, "", start + timedelta(hours=1), start))
    state.silence(Silence(rule.name, "", start + timedelta(hours=3), start))  # replaces it
    [running] = state.silences(start + timedelta(hours=2))
    assert running.until == start + timedelta(hours=3) and running.group == ""
    assert state.silences(start + timedelta(hours=4)) == []
    add_events(store, *story(1))
    assert len(run_rules(store, [rule], state, now=start + timedelta(hours=4)).alerts) == 1


def test_unsilence_one_group_of_several(state) -> None:  # type: ignore[no-untyped-def]
    start = now()
    for group in ("initiator=CN", "initiator=JP"):
        state.silence(Silence("r", group, start + timedelta(days=1), start))
    state.silence(Silence("other", "", start + timedelta(days=1), start))
    assert state.unsilence("r", "initiator=CN") == 1
    assert [(s.rule, s.group) for s in state.silences(start)] == [
        ("other", ""),
        ("r", "initiator=JP"),
    ]
    assert state.unsilence("r", "initiator=CN") == 0
