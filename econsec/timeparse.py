"""Dates and durations as analysts type them: `2024-06-01`, `2024-06-01T08:00`, `30m`,
`12h`, `2w`, `6mo`.

One duration grammar for every command, page and rule, as in Elasticsearch and Kibana
date math: `m` is minutes, months are `mo` (or `M`), then `h`, `d`, `w`, `y`."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

DURATION = re.compile(r"^\s*(\d+)\s*(mo|[mhdwyM])\s*$", re.IGNORECASE)
UNITS = {
    "m": timedelta(minutes=1),
    "h": timedelta(hours=1),
    "d": timedelta(days=1),
    "w": timedelta(weeks=1),
    "mo": timedelta(days=30),
    "y": timedelta(days=365),
}
DURATION_HELP = "30m (minutes), 6h, 7d, 2w, 6mo (months; also 6M), 1y"
LONGEST = timedelta(days=36_500)  # durations reach back from now; past year 1 they cannot


def parse_duration(value: Any) -> timedelta:
    """`30m` (minutes), `6h`, `7d`, `2w`, `6mo` or `6M` (30 days), `1y` (365 days); a bare
    number is refused (seconds or days?), and so is anything longer than 100 years."""
    if isinstance(value, timedelta):
        return value
    try:
        duration = _duration(str(value))
    except OverflowError:
        duration = LONGEST + UNITS["d"]
    if duration > LONGEST:
        raise ValueError(f"duration too long: {value!r} (at most 100y)")
    return duration


def _duration(value: str) -> timedelta:
    """The duration as written, however long (an `OverflowError` past timedelta's)."""
    found = DURATION.match(value)
    if not found:
        raise ValueError(f"not a duration: {value!r} (use {DURATION_HELP})")
    unit = found.group(2)
    return int(found.group(1)) * UNITS["mo" if unit == "M" else unit.lower()]


def format_duration(value: timedelta) -> str:
    """The shortest way to write `value` in the grammar `parse_duration` reads."""
    minutes = int(value.total_seconds() // 60)
    for unit, size in (("y", 525600), ("w", 10080), ("d", 1440), ("h", 60)):
        if minutes and minutes % size == 0:
            return f"{minutes // size}{unit}"
    return f"{minutes}m"


# Every zone on Earth is between UTC-12:00 and UTC+14:00 (Kiribati); beyond, a date is wrong.
MAX_UTC_OFFSET = timedelta(hours=14)
MIN_UTC_OFFSET = timedelta(hours=-12)
# A time, then a numeric offset at the very end: "09:00:00 +0900", "T09:00+09:00".
WRITTEN_OFFSET = re.compile(
    r"\d:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:GMT|UTC)?\s*([+-])(\d{2}):?(\d{2})\s*$", re.I
)
NEGATIVE_YEAR = re.compile(r"^\s*[-\u2212]\d{1,6}-")  # ISO 8601's years before year 0


def offset_problem(offset: timedelta) -> str | None:
    """Why a UTC offset cannot be a zone's, or None."""
    if MIN_UTC_OFFSET <= offset <= MAX_UTC_OFFSET and offset.seconds % 60 == 0:
        return None
    return f"UTC offset {_hours(offset)} is outside -12:00..+14:00"


def written_date_problem(raw: str) -> str | None:
    """Why a date as a feed wrote it cannot be a publication time, or None: a year before the
    common era (`-0044-03-15`) or a UTC offset no zone has (`+9999`). Parsers read both
    as some other, plausible-looking date, so the text is checked before them."""
    if NEGATIVE_YEAR.match(raw):
        return f"{raw.strip()!r} is a year before the common era"
    match = WRITTEN_OFFSET.search(raw)
    if match:
        sign, hours, minutes = match.groups()
        if int(minutes) > 59:
            return f"{raw.strip()!r} has an offset of {minutes} minutes"
        offset = timedelta(hours=int(hours), minutes=int(minutes)) * (-1 if sign == "-" else 1)
        return offset_problem(offset)
    return None


def _hours(offset: timedelta) -> str:
    sign, minutes = ("-", -offset) if offset < timedelta(0) else ("+", offset)
    total = int(minutes.total_seconds()) // 60
    return f"{sign}{total // 60:02d}:{total % 60:02d}"


def parse_when(value: str | None, *, now: datetime | None = None) -> datetime | None:
    """A UTC datetime; relative values count back from now. Raises ValueError when unreadable,
    or when its UTC offset is one no zone has."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if DURATION.match(value):
        try:
            return in_range((now or datetime.now(UTC)) - _duration(value))
        except OverflowError:
            raise ValueError(f"{value!r} reaches back before year 1") from None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(
            f"{value!r} is not a date: use YYYY-MM-DD, an ISO datetime, or {DURATION_HELP}"
        ) from exc
    if when.tzinfo is None:
        return in_range(when.replace(tzinfo=UTC))
    problem = offset_problem(when.utcoffset() or timedelta(0))
    if problem:
        raise ValueError(f"{value!r}: {problem}")
    try:
        return in_range(when.astimezone(UTC))
    except OverflowError as exc:
        raise ValueError(f"{value!r} is out of the range of dates") from exc


# What both stores can search: Tantivy keeps dates as nanoseconds since 1970 in 64 bits
# (1677 to 2262), so a date past these is refused here rather than deep in a search.
EARLIEST = datetime(1678, 1, 1, tzinfo=UTC)
LATEST = datetime(2262, 1, 1, tzinfo=UTC)


def in_range(when: datetime) -> datetime:
    """`when`, or a ValueError when no store could search for it."""
    if not EARLIEST <= when < LATEST:
        raise ValueError(
            f"{when.date().isoformat()} is out of range: dates go from {EARLIEST.date()} to "
            f"{(LATEST - timedelta(days=1)).date()}"
        )
    return when


def parse_until(value: str | None) -> datetime | None:
    """Like `parse_when`, but a bare date means the end of that day: a range is inclusive."""
    when = parse_when(value)
    if when is not None and value is not None and len(value.strip()) == 10:
        return in_range(when + timedelta(days=1) - timedelta(microseconds=1))
    return when
