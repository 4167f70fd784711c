"""What a read gives back, the same from both backends: `EventHit` (a search's story, a
scanned event, an event looked up by id) and `ArticleHit` (an article of a search or of a
story), in a `SearchResult`.

Dates are instants in UTC (`published` None only where the stored document has no date
that parses); `highlights` are (start, end) character spans into the evidence, never
HTML, which only `web/` makes. `to_json()` gives the shape the API, `--json` and the
exports have always carried: the same keys in the same order, dates as ISO strings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

Span = tuple[int, int]
Strings = tuple[str, ...]


def parse_instant(value: object) -> datetime | None:
    """A stored date as an aware instant in UTC: a naive one or a bare date is UTC; None
    for what is no date."""
    if isinstance(value, datetime):
        found = value
    elif isinstance(value, str) and value:
        try:
            found = datetime.fromisoformat(value)
        except ValueError:
            return None
    else:
        return None
    return found.replace(tzinfo=UTC) if found.tzinfo is None else found.astimezone(UTC)


def iso(value: datetime | None) -> str | None:
    """An instant as the records have always been written (`2024-05-01T09:30:00Z`)."""
    if value is None:
        return None
    text = value.astimezone(UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _strings(value: object) -> Strings:
    """A keyword field's values: the stores write lists of strings, older documents may
    hold one string."""
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return (str(value),) if value not in (None, "") else ()


def _text(source: Mapping[str, Any], name: str) -> str:
    value = source.get(name)
    return "" if value is None else str(value)


@dataclass(frozen=True, slots=True)
class Outlet:
    """One outlet that told a story, with its copy's address."""

    source: str
    url: str

    def to_json(self) -> dict[str, str]:
        return {"source": self.source, "url": self.url}


@dataclass(frozen=True, slots=True)
class EventHit:
    """One event as a read gives it. A search's hit with one line per story also has the
    story's `sources` (every outlet, in order, each once), `event_ids` (every copy) and
    `updated` (its latest copy's date, when later than `published`, its first report's);
    a search's hit has `highlights` (empty when the query has no words), a scan's or a
    look-up's None."""

    id: str
    article_id: str = ""
    type: str = ""
    category: str = ""
    status: str = ""
    initiator: Strings = ()
    target: Strings = ()
    partner: Strings = ()
    countries: Strings = ()
    technologies: Strings = ()
    evidence: str = ""
    confidence: float = 0.0
    title: str = ""
    summary: str = ""
    url: str = ""
    source: str = ""
    feed: str = ""
    published: datetime | None = None
    story_id: str = ""
    cluster_id: str = ""
    sources: tuple[Outlet, ...] | None = None
    event_ids: Strings | None = None
    updated: datetime | None = None
    highlights: tuple[Span, ...] | None = None

    @classmethod
    def from_source(cls, source: Mapping[str, Any], **story: Any) -> EventHit:
        """An event from the JSON document a backend stores (unknown keys are ignored);
        `story` sets the fields a search adds (`sources`, `highlights`…), so that a hit is
        made once: a record of this size costs microseconds each time it is built."""
        get = source.get
        dated = "published" in story  # a story's first report, read from all its copies
        published = story.pop("published") if dated else parse_instant(get("published"))
        fields: dict[str, Any] = {
            "id": get("id") or "",
            "article_id": get("article_id") or "",
            "type": get("type") or "",
            "category": get("category") or "",
            "status": get("status") or "",
            "initiator": _strings(get("initiator")),
            "target": _strings(get("target")),
            "partner": _strings(get("partner")),
            "countries": _strings(get("countries")),
            "technologies": _strings(get("technologies")),
            "evidence": get("evidence") or "",
            "confidence": float(get("confidence") or 0.0),
            "title": get("title") or "",
            "summary": get("summary") or "",
            "url": get("url") or "",
            "source": get("source") or "",
            "feed": get("feed") or "",
            "published": published,
            "story_id": get("story_id") or "",
            "cluster_id": get("cluster_id") or "",
        }
        return cls(**(fields | story))

    @property
    def source_count(self) -> int:
        return len(self.sources) if self.sources is not None else 1

    @property
    def outlets(self) -> list[str]:
        """The outlets that told the story, each once (its own, uncollapsed)."""
        names = [s.source for s in self.sources or ()] or [self.source]
        return [name for name in dict.fromkeys(names) if name]

    @property
    def story(self) -> str:
        """Its story: `story_id`; an event stored before that was kept falls back to its
        cluster, and one with neither is a story of its own."""
        return self.story_id or self.cluster_id or self.id

    @property
    def last_date(self) -> datetime | None:
        """When the story was last told: `updated`, else `published`."""
        return self.updated or self.published

    def values(self, name: str) -> Strings:
        """The values of one keyword field (`type`, `initiator`…), a list's or a string's."""
        value = getattr(self, name)
        return value if isinstance(value, tuple) else _strings(value)

    def to_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "id": self.id,
            "article_id": self.article_id,
            "type": self.type,
            "category": self.category,
            "status": self.status,
            "initiator": list(self.initiator),
            "target": list(self.target),
            "partner": list(self.partner),
            "countries": list(self.countries),
            "technologies": list(self.technologies),
            "evidence": self.evidence,
            "confidence": self.confidence,
            "title": self.title,
            "summary": self.summary,
            "url": self.url,
            "source": self.source,
            "feed": self.feed,
            "published": iso(self.published),
            "story_id": self.story_id,
            "cluster_id": self.cluster_id,
        }
        if self.sources is not None:
            found["sources"] = [outlet.to_json() for outlet in self.sources]
            found["event_ids"] = list(self.event_ids or ())
            found["source_count"] = self.source_count
        if self.updated is not None:
            found["updated"] = iso(self.updated)
        if self.highlights is not None:
            found["highlights"] = [list(span) for span in self.highlights]
        return found


@dataclass(frozen=True, slots=True)
class ArticleHit:
    """One article as a read gives it, with the technologies and event types the tagger
    found in it."""

    id: str
    url: str = ""
    feed: str = ""
    source: str = ""
    title: str = ""
    summary: str = ""
    published: datetime | None = None
    fetched: datetime | None = None
    date_quality: str = "ok"
    content_hash: str = ""
    story_id: str = ""
    truncated: bool = False
    technologies: Strings = ()
    event_types: Strings = ()

    @classmethod
    def from_source(cls, source: Mapping[str, Any]) -> ArticleHit:
        return cls(
            id=_text(source, "id"),
            url=_text(source, "url"),
            feed=_text(source, "feed"),
            source=_text(source, "source"),
            title=_text(source, "title"),
            summary=_text(source, "summary"),
            published=parse_instant(source.get("published")),
            fetched=parse_instant(source.get("fetched")),
            date_quality=_text(source, "date_quality") or "ok",
            content_hash=_text(source, "content_hash"),
            story_id=_text(source, "story_id"),
            truncated=bool(source.get("truncated")),
            technologies=_strings(source.get("technologies")),
            event_types=_strings(source.get("event_types")),
        )

    @property
    def outlets(self) -> list[str]:
        return [self.source] if self.source else []

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "feed": self.feed,
            "source": self.source,
            "title": self.title,
            "summary": self.summary,
            "published": iso(self.published),
            "fetched": iso(self.fetched),
            "date_quality": self.date_quality,
            "content_hash": self.content_hash,
            "story_id": self.story_id,
            "truncated": self.truncated,
            "technologies": list(self.technologies),
            "event_types": list(self.event_types),
        }


Hit = TypeVar("Hit", EventHit, ArticleHit)


@dataclass
class SearchResult(Generic[Hit]):
    """One page of a search: `total` matches, `clusters` stories (with one line per
    story), the page's hits and, when asked, the facets' counts."""

    total: int
    clusters: int | None = None
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


def story_hit(
    first: Mapping[str, Any],
    copies: Iterable[Mapping[str, Any]],
    *,
    earlier: Iterable[Mapping[str, Any]] = (),
    highlights: Iterable[Sequence[int]] | None = None,
) -> EventHit:
    """A collapsed search hit, the same on both backends: a cluster's first event, with every
    outlet that told it (`sources`, in order, each once), their count and every event id.
    A story is dated by its first report (`published`, the earliest copy's, or of `earlier`
    documents beyond the copies listed), not by the copy that happens to lead the cluster;
    `updated` is its latest copy's date when later copies exist, so that an analyst sees
    both when it broke and that it is still being told."""
    copies = list(copies)
    outlets = dict.fromkeys((c.get("source") or "", c.get("url") or "") for c in copies)
    stored = {doc.get("published") for doc in [first, *copies, *earlier]}
    known = [date for date in map(parse_instant, stored) if date is not None]
    published = min(known, default=None)
    latest = max(known, default=None)
    return EventHit.from_source(
        first,
        sources=tuple(Outlet(name, url) for name, url in outlets),
        event_ids=tuple(c.get("id") or "" for c in copies),
        published=published,
        updated=latest if published and latest and latest > published else None,
        highlights=as_spans(highlights),
    )


def as_spans(found: Iterable[Sequence[int]] | None) -> tuple[Span, ...] | None:
    """Highlights as the records hold them: `(start, end)` pairs."""
    return None if found is None else tuple((int(span[0]), int(span[1])) for span in found)


def with_highlights(hit: EventHit, found: Iterable[Sequence[int]]) -> EventHit:
    """The hit with where the query matched in its evidence."""
    return replace(hit, highlights=as_spans(found))
