"""Dates as analysts type them: `2024-06-01`, `2024-06-01T08:00`, `30d`, `12h`, `2w`."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

RELATIVE = re.compile(r"^(\d+)\s*([hdwmy])$")
UNITS = {
    "h": timedelta(hours=1),
    "d": timedelta(days=1),
    "w": timedelta(weeks=1),
    "m": timedelta(days=30),
    "y": timedelta(days=365),
}


def parse_when(value: str | None, *, now: datetime | None = None) -> datetime | None:
    """A UTC datetime; relative values count back from now. Raises ValueError when unreadable."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    match = RELATIVE.match(value.lower())
    if match:
        try:
            back = int(match.group(1)) * UNITS[match.group(2)]
            return in_range((now or datetime.now(UTC)) - back)
        except OverflowError:
            raise ValueError(f"{value!r} reaches back before year 1") from None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(
            f"{value!r} is not a date: use YYYY-MM-DD, an ISO datetime, or 30d / 12h / 2w"
        ) from exc
    return in_range(when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC))


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
