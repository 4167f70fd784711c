"""Parsing one feed body into raw entries. A feed that parses with errors but still
yields entries keeps them and says what was wrong (feedparser's `bozo`), so good
items beside a broken one are never lost; one that yields nothing raises a
`FeedParseError` naming it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import feedparser

from econsec.errors import FeedParseError
from econsec.ingest.fetch import FetchedBody
from econsec.models import FeedSpec


@dataclass
class ParsedFeed:
    entries: list[dict[str, Any]] = field(default_factory=list)
    title: str = ""
    warning: str | None = None
    link: str = ""  # the channel's own link: the base of relative item links in a local file
    # the feed's <link rel="..."> / <atom:link rel="..."> elements: rel -> first href
    # (WebSub's "hub" and "self")
    rel_links: dict[str, str] = field(default_factory=dict)


def parse(spec: FeedSpec, body: FetchedBody) -> ParsedFeed:
    """Entries of a feed body; malformed feeds keep whatever entries survived."""
    if body.not_modified:
        return ParsedFeed()
    response_headers = {"content-type": body.content_type} if body.content_type else None
    parsed = feedparser.parse(body.content, response_headers=response_headers)
    entries = list(parsed.entries)
    problem = _bozo_message(parsed)
    if not entries and problem and not parsed.feed.get("title"):
        raise FeedParseError(spec.name, f"not a readable feed: {problem}")
    if not entries and not _looks_like_feed(parsed):
        raise FeedParseError(spec.name, "not an RSS or Atom feed (no channel or feed element)")
    warning = None
    if problem:
        warning = f"malformed feed, kept {len(entries)} entries: {problem}"
    return ParsedFeed(
        entries=entries,
        title=parsed.feed.get("title", ""),
        warning=warning,
        link=str(parsed.feed.get("link") or ""),
        rel_links=_rel_links(parsed.feed.get("links") or []),
    )


def _rel_links(links: list[Any]) -> dict[str, str]:
    found: dict[str, str] = {}
    for link in links:
        rel, href = str(link.get("rel") or ""), str(link.get("href") or "")
        if rel and href:
            found.setdefault(rel, href)
    return found


def _bozo_message(parsed: Any) -> str | None:
    if not parsed.get("bozo"):
        return None
    exc = parsed.get("bozo_exception")
    name = type(exc).__name__ if exc is not None else "error"
    return f"{name}: {exc}" if exc is not None else name


def _looks_like_feed(parsed: Any) -> bool:
    return bool(parsed.get("version")) or bool(parsed.feed)
