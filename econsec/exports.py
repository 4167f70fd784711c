"""Search hits as files other tools read: CSV (a spreadsheet, `--format csv`, the API's
`/api/events.csv`) and Atom (a feed reader following a search, `/feeds/search.atom`).

One writer for each format, so that the CLI and the web give the same columns and
entries. Atom entry ids are the story's cluster, not a copy's event id, so that a reader
shows a story once however many outlets later tell it."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TextIO
from urllib.parse import quote
from xml.etree import ElementTree

from econsec.models import stable_id
from econsec.store.hits import ArticleHit, EventHit

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # an Atom entry needs a date: this when it has none

EVENT_COLUMNS = (
    "published",
    "updated",
    "type",
    "category",
    "status",
    "initiator",
    "target",
    "partner",
    "countries",
    "technologies",
    "confidence",
    "evidence",
    "title",
    "sources",
    "source_count",
    "url",
    "story_id",
    "cluster_id",
    "id",
)
ARTICLE_COLUMNS = (
    "published",
    "title",
    "source",
    "feed",
    "event_types",
    "technologies",
    "url",
    "story_id",
    "id",
)
ATOM = "http://www.w3.org/2005/Atom"


def write_csv(hits: Sequence[EventHit | ArticleHit], kind: str, stream: TextIO) -> None:
    """One row a hit, lists joined with "; ", the outlets by name."""
    columns = EVENT_COLUMNS if kind == "events" else ARTICLE_COLUMNS
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(columns)
    for hit in hits:
        count = hit.source_count if isinstance(hit, EventHit) else 1
        row = {**hit.to_json(), "sources": hit.outlets, "source_count": count}
        writer.writerow([_cell(row.get(column)) for column in columns])


def csv_text(hits: Sequence[EventHit | ArticleHit], kind: str = "events") -> str:
    stream = io.StringIO()
    write_csv(hits, kind, stream)
    return stream.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def atom_feed(hits: Sequence[EventHit], *, title: str, base: str, search: str) -> bytes:
    """A valid Atom 1.0 document: one entry a story. `base` is the site's address
    (`http://host:port`), `search` the search's query string. The feed's id is made from
    the search alone, so it survives a new host name; an entry's id is its story's
    cluster, stable as copies come and go."""
    ElementTree.register_namespace("", ATOM)
    feed = ElementTree.Element(f"{{{ATOM}}}feed")
    _text(feed, "id", f"urn:econsec:search:{stable_id(search)}")
    _text(feed, "title", title)
    _text(feed, "updated", max((_entry_date(h) for h in hits), default=_instant(None)))
    suffix = f"?{search}" if search else ""
    _link(feed, f"{base}/feeds/search.atom{suffix}", "self", "application/atom+xml")
    _link(feed, f"{base}/{suffix}", "alternate", "text/html")
    _text(ElementTree.SubElement(feed, f"{{{ATOM}}}author"), "name", "econsec")
    _text(feed, "generator", "econsec")
    for hit in hits:
        _entry(feed, hit, base)
    return ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True)


def _entry(feed: ElementTree.Element, hit: EventHit, base: str) -> None:
    entry = ElementTree.SubElement(feed, f"{{{ATOM}}}entry")
    _text(entry, "id", f"urn:econsec:story:{hit.cluster_id or hit.id}")
    _text(entry, "title", hit.title or hit.evidence or hit.type)
    _text(entry, "published", _instant(hit.published))
    _text(entry, "updated", _entry_date(hit))
    _link(entry, f"{base}/events/{quote(hit.id, safe='')}", "alternate", "text/html")
    if hit.url:
        _link(entry, hit.url, "related", "text/html")
    for outlet in hit.outlets or ["unknown outlet"]:
        _text(ElementTree.SubElement(entry, f"{{{ATOM}}}author"), "name", outlet)
    ElementTree.SubElement(entry, f"{{{ATOM}}}category", {"term": hit.type})
    _text(entry, "summary", f"{hit.type} ({hit.status}): {hit.evidence}")


def _text(parent: ElementTree.Element, name: str, value: str) -> None:
    ElementTree.SubElement(parent, f"{{{ATOM}}}{name}").text = _xml_safe(value)


def _link(parent: ElementTree.Element, href: str, rel: str, kind: str) -> None:
    ElementTree.SubElement(parent, f"{{{ATOM}}}link", {"href": href, "rel": rel, "type": kind})


def _xml_safe(value: str) -> str:
    """Feed text may hold control characters XML 1.0 cannot carry: they are dropped."""
    return "".join(c for c in str(value) if c in "\t\n\r" or ord(c) >= 0x20)


def _instant(value: datetime | None) -> str:
    """An RFC 3339 date in UTC; Atom requires one on every entry, so a missing date is the
    epoch."""
    return (value or EPOCH).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _entry_date(hit: EventHit) -> str:
    return _instant(hit.last_date)
