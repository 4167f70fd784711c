"""The `cardinality` and `flatline` conditions on both backends (embedded, osmem-server)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from econsec.alerts.backtest import backtest
from econsec.alerts.engine import run_rules
from econsec.alerts.notify import Outcome
from tests.support.alerts import add_events, now, story, write_rule

SILENT = lambda url, title, body: Outcome(True)  # noqa: E731
BAN = "export_control.ban"
DISTINCT = {"type": "cardinality", "field": "initiator", "min_distinct": 3, "window": "30d"}


def run(store, rule, state):  # type: ignore[no-untyped-def]
    return run_rules(store, [rule], state, now=now(), sender=SILENT).alerts


def test_cardinality_counts_distinct_values_in_the_window(store, state, tmp_path) -> None:  # type: ignore[no-untyped-def]
    rule = write_rule(tmp_path, condition=DISTINCT, filters={"types": [BAN]})
    add_events(
        store,
        *story(1, BAN, day=1, initiator=["CN"]),
        *story(2, BAN, day=5, initiator=["US"]),
        *story(3, BAN, day=6, initiator=["US"], copies=3),
    )
    assert run(store, rule, state) == []  # 3 stories, 2 countries
    add_events(store, *story(4, BAN, day=10, initiator=["JP"]))
    [alert] = run(store, rule, state)
    assert alert.title == "3 distinct initiator within 30d" and alert.count == 4
    assert alert.summary == "CN, JP, US (at least 3)"


def test_cardinality_ignores_values_outside_the_window(store, state, tmp_path) -> None:  # type: ignore[no-untyped-def]
    rule = write_rule(tmp_path, condition=DISTINCT)
    add_events(
        store,
        *story(1, BAN, day=1, initiator=["CN"]),
        *story(2, BAN, day=28, initiator=["US"]),
        *story(3, BAN, day=31, initiator=["JP"]),
    )
    assert run(store, rule, state) == []


def test_cardinality_per_group(store, state, tmp_path) -> None:  # type: ignore[no-untyped-def]
    two = {**DISTINCT, "min_distinct": 2}
    rule = write_rule(tmp_path, condition=two, group_by="type")
    add_events(
        store,
        *story(1, BAN, day=1, initiator=["CN"]),
        *story(2, BAN, day=2, initiator=["US"]),
        *story(3, "export_control.restriction", day=3, initiator=["JP"]),
    )
    assert [a.group for a in run(store, rule, state)] == [f"type={BAN}"]


QUIET = {"type": "flatline", "threshold": 1, "window": "7d"}
MAY_15 = datetime(2024, 5, 15, 12, tzinfo=UTC)  # the stories of `story(day=…)` are in May 2024


def test_flatline_tells_which_group_went_quiet(store, state, tmp_path) -> None:  # type: ignore[no-untyped-def]
    rule = write_rule(tmp_path, condition=QUIET, group_by="initiator", realert="1d")
    add_events(
        store,
        *story(1, day=2, initiator=["CN"]),
        *story(2, day=5, initiator=["CN"]),
        *story(3, day=3, initiator=["JP"]),
        *story(4, day=10, initiator=["JP"]),
        *story(5, day=12, initiator=["US"]),  # never heard of before: not watched
    )
    report = run_rules(store, [rule], state, now=MAY_15, sender=SILENT)
    [alert] = report.alerts
    assert alert.group == "initiator=CN" and alert.title == "quiet for 1w"
    assert alert.summary == "fewer than 1; 2 in the 1w before"
    assert alert.evidence[0]["title"] == "Story 2 about chips"  # the last heard of it
    later = run_rules(store, [rule], state, now=MAY_15 + timedelta(hours=1), sender=SILENT)
    assert later.alerts == [] and later.rules[0].suppressed == 1  # realert, no new event
    week = run_rules(store, [rule], state, now=MAY_15 + timedelta(days=7), sender=SILENT)
    quiet = sorted(a.group for a in week.alerts)  # CN is no longer watched; US is now
    assert quiet == ["initiator=JP", "initiator=US"]


def test_flatline_ungrouped_counts_stories(store, state, tmp_path) -> None:  # type: ignore[no-untyped-def]
    rule = write_rule(tmp_path, condition={**QUIET, "threshold": 3})
    add_events(store, *story(1, day=2), *story(2, day=3, copies=2), *story(3, day=4))
    add_events(store, *story(4, day=10, copies=4))
    [alert] = run_rules(store, [rule], state, now=MAY_15, sender=SILENT).alerts
    assert alert.group == "all" and alert.title == "1 story within 1w"
    assert alert.summary == "fewer than 3; 3 in the 1w before"


def test_flatline_fires_in_a_backtest_without_new_events(store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    rule = write_rule(tmp_path, condition=QUIET, realert="30d")
    add_events(store, *story(1, day=2))
    result = backtest(store, rule, timedelta(days=20), now=MAY_15 + timedelta(days=5))
    assert [a.title for a in result.alerts] == ["quiet for 1w"]
    assert result.alerts[0].fired_at == datetime(2024, 5, 9, 12, tzinfo=UTC)  # a week after
