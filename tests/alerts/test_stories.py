"""Alerts count stories, once: an article tagged with two types is one story (two
clusters, one per type), on both backends (embedded, osmem-server)."""

from __future__ import annotations

from datetime import timedelta

from econsec.alerts.backtest import backtest
from econsec.alerts.engine import run_rules
from econsec.alerts.notify import Outcome
from tests.support.alerts import Receiver, add_events, now, story, two_types, write_rule

SILENT = lambda url, title, body: Outcome(True)  # noqa: E731
TYPES = ("investment_screening.decision", "investment_screening.review")


def test_an_article_of_two_types_notifies_once(store, state, tmp_path, receiver: Receiver) -> None:  # type: ignore[no-untyped-def]
    events = two_types(1, *TYPES)
    assert events[0].cluster_id != events[1].cluster_id  # one cluster per type
    add_events(store, *events)
    rule = write_rule(tmp_path, notify=[receiver.url])
    report = run_rules(store, [rule], state, now=now())
    [alert] = report.alerts
    assert alert.group == f"story_id={events[0].story_id}"
    assert sorted(alert.event_ids) == sorted(e.id for e in events) and alert.count == 1
    assert alert.summary == "1 story in 1 report"
    assert len(receiver.posts) == 1


def test_per_type_grouping_stays_available(store, state, tmp_path) -> None:  # type: ignore[no-untyped-def]
    events = two_types(1, *TYPES)
    add_events(store, *events)
    rule = write_rule(tmp_path, group_by="cluster_id")
    alerts = run_rules(store, [rule], state, now=now(), sender=SILENT).alerts
    assert sorted(a.group for a in alerts) == sorted(f"cluster_id={e.cluster_id}" for e in events)


def test_frequency_counts_an_article_of_two_types_once(store, state, tmp_path) -> None:  # type: ignore[no-untyped-def]
    rule = write_rule(tmp_path, condition={"type": "frequency", "count": 3, "window": "6w"})
    add_events(store, *story(1, day=1), *two_types(2, *TYPES, day=3))
    assert run_rules(store, [rule], state, now=now(), sender=SILENT).alerts == []
    add_events(store, *story(3, day=5))
    [alert] = run_rules(store, [rule], state, now=now(), sender=SILENT).alerts
    assert alert.count == 3 and alert.title == "3 stories within 6w"


def test_backtest_counts_stories_not_types(store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    add_events(store, *story(1, copies=2), *two_types(2, *TYPES))
    rule = write_rule(tmp_path)
    moment = max(e.published for e in story(1)) + timedelta(days=1)
    result = backtest(store, rule, timedelta(days=30), now=moment)
    assert (result.events, result.stories, len(result.alerts)) == (4, 2, 2)
