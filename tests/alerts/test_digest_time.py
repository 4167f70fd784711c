"""Daily digests at a local time in a named time zone: when the period begins (DST
included), and delivery on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from econsec.alerts.engine import period_start, run_rules
from econsec.alerts.notify import Outcome
from tests.support.alerts import add_events, now, story, write_rule

BERLIN, TOKYO = ZoneInfo("Europe/Berlin"), ZoneInfo("Asia/Tokyo")


@pytest.mark.parametrize(
    ("moment", "began"),
    [
        ("2024-03-31T06:30+00:00", "2024-03-31T06:00+00:00"),  # 08:00 CEST, the first day of DST
        ("2024-03-31T05:30+00:00", "2024-03-30T07:00+00:00"),  # before it: yesterday's 08:00 CET
        ("2024-10-27T07:00+00:00", "2024-10-27T07:00+00:00"),  # 08:00 CET, the last day of DST
        ("2024-10-27T06:59+00:00", "2024-10-26T06:00+00:00"),
    ],
)
def test_a_daily_period_begins_at_the_local_time(moment: str, began: str) -> None:
    start = period_start(datetime.fromisoformat(moment), "daily", BERLIN, time(8))
    assert start == datetime.fromisoformat(began)


def test_periods_default_to_utc_midnight_and_local_hours() -> None:
    moment = datetime(2024, 5, 10, 20, 45, tzinfo=UTC)
    assert period_start(moment, "daily") == datetime(2024, 5, 10, tzinfo=UTC)
    india = period_start(moment, "hourly", ZoneInfo("Asia/Kolkata"))
    assert india == datetime(2024, 5, 10, 20, 30, tzinfo=UTC)  # 02:00 IST


def test_a_daily_digest_goes_out_at_eight_in_tokyo(store, state, tmp_path) -> None:  # type: ignore[no-untyped-def]
    sent: list[str] = []
    sender = lambda url, title, body: sent.append(title) or Outcome(True)  # noqa: E731
    rule = write_rule(
        tmp_path,
        digest="daily",
        digest_at="08:00",
        timezone="Asia/Tokyo",
        notify=["json://localhost/hook"],
    )
    add_events(store, *story(1), *story(2))
    start = now()
    assert len(run_rules(store, [rule], state, now=start, sender=sender).alerts) == 2
    eight = period_start(start, "daily", TOKYO, time(8)) + timedelta(days=1)  # the next one
    run_rules(store, [rule], state, now=eight - timedelta(minutes=1), sender=sender)
    assert sent == []
    run_rules(store, [rule], state, now=eight, sender=sender)
    assert sent == ["[econsec] test-rule: 2 alerts (daily digest)"]
