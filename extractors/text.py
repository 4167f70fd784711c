"""How an item's title and summary become one text (no spaCy import here)."""

from __future__ import annotations

SEPARATOR = "\n\n"


def join_item(title: str, summary: str) -> str:
    """The text the tagger parses: title, a blank line, summary."""
    title, summary = title.strip(), summary.strip()
    return f"{title}{SEPARATOR}{summary}" if summary else title
