"""The `cardinality` and `flatline` conditions on both backends (embedded, osmem-server)."""

from __future__ import annotations

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
