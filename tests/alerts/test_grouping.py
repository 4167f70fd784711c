"""Grouping on several fields (`group_by: [initiator, type]`), on both backends."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from econsec.alerts.engine import run_rules
from econsec.alerts.notify import Outcome
from econsec.errors import ConfigError
from econsec.store import Silence
from tests.support.alerts import add_events, now, story, write_rule

SILENT = lambda url, title, body: Outcome(True)  # noqa: E731
BAN, CURB = "export_control.ban", "export_control.restriction"


def test_frequency_per_initiator_and_type(store, state, tmp_path) -> None:  # type: ignore[no-untyped-def]
    twice = {"type": "frequency", "count": 2, "window": "7d"}
    rule = write_rule(tmp_path, condition=twice, group_by=["initiator", "type"])
    add_events(
        store,
        *story(1, BAN, day=1, initiator=["CN"]),
        *story(2, BAN, day=2, initiator=["CN"]),
        *story(3, CURB, day=2, initiator=["CN"]),
        *story(4, BAN, day=3, initiator=["JP"]),
        *story(5, BAN, day=4, initiator=["JP", "CN"]),
    )
    alerts = run_rules(store, [rule], state, now=now(), sender=SILENT).alerts
    assert sorted((a.group, a.count) for a in alerts) == [
        (f"initiator=CN,type={BAN}", 3),
        (f"initiator=JP,type={BAN}", 2),
    ]


def test_a_combined_group_can_be_silenced(store, state, tmp_path) -> None:  # type: ignore[no-untyped-def]
    rule = write_rule(tmp_path, group_by=["initiator", "type"])
    add_events(store, *story(1, BAN, initiator=["CN"]), *story(2, CURB, initiator=["CN"]))
    start = now()
    label = rule.group_label(f"CN,{BAN}")
    assert label == f"initiator=CN,type={BAN}"
    state.silence(Silence(rule.name, label, start + timedelta(days=1), start))
    report = run_rules(store, [rule], state, now=start, sender=SILENT)
    assert [a.group for a in report.alerts] == [f"initiator=CN,type={CURB}"]


def test_group_labels_name_every_field(tmp_path: Path) -> None:
    rule = write_rule(tmp_path, group_by=["initiator", "type"])
    assert rule.grouping == "initiator, type"
    assert rule.group_label(f"initiator=CN,type={BAN}") == f"initiator=CN,type={BAN}"
    with pytest.raises(ConfigError, match="give one value each"):
        rule.group_label("CN")
