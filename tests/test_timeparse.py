"""One duration grammar for search dates, alert windows and backtests: `m` is minutes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from econsec.alerts.conditions import parse_duration as rule_duration
from econsec.timeparse import format_duration, parse_duration, parse_when

NOW = datetime(2024, 6, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("30m", timedelta(minutes=30)),
        ("6h", timedelta(hours=6)),
        ("6H", timedelta(hours=6)),
        ("7d", timedelta(days=7)),
        ("2w", timedelta(weeks=2)),
        ("6mo", timedelta(days=180)),
        ("6MO", timedelta(days=180)),
        ("6M", timedelta(days=180)),
        ("1y", timedelta(days=365)),
        (" 12 h ", timedelta(hours=12)),
    ],
)
def test_one_grammar(text: str, value: timedelta) -> None:
    assert parse_duration(text) == value
    assert rule_duration(text) == value  # the alert rules read the same grammar
    assert parse_when(text, now=NOW) == NOW - value


@pytest.mark.parametrize("text", ["30", "7 days", "1.5y", "2mon", "-3d", "3x", ""])
def test_what_is_not_a_duration(text: str) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text)


def test_a_relative_date_that_is_not_a_duration_says_what_to_write() -> None:
    with pytest.raises(ValueError, match=r"30m \(minutes\).*6mo \(months"):
        parse_when("30 minutes")


def test_too_long() -> None:
    with pytest.raises(ValueError, match="at most 100y"):
        parse_duration("101y")
    with pytest.raises(ValueError, match="before year 1"):
        parse_when("99999999999999999999d")
    with pytest.raises(ValueError, match="1025-01-30 is out of range"):
        parse_when("1000y", now=NOW)  # a date, not a window: as far as the stores reach


@pytest.mark.parametrize("value", [timedelta(minutes=30), timedelta(days=14), timedelta(days=730)])
def test_formatted_durations_read_back(value: timedelta) -> None:
    assert parse_duration(format_duration(value)) == value
