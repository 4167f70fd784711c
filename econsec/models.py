"""The data contract: one typed record per stage boundary.

`FeedSpec` -> (fetch) -> `FeedResult` + `Article`s -> (tag) -> `Event`s ->
(index) -> `SearchQuery` -> (search) -> `store.hits.SearchResult` of typed hits.
Nothing else crosses a stage boundary.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from econsec.errors import QueryError

DateQuality = Literal["ok", "missing", "unparseable", "future"]
Status = Literal["planned", "enacted"]


def stable_id(*parts: str) -> str:
    """A short id that is the same on every machine and every rerun."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:20]


class FeedSpec(BaseModel):
    """One entry of a feeds file."""

    name: str
    url: str
    title: str = ""
    country: str | None = None
    # A government's or public body's own releases: `country` then initiates the
    # events whose text names no initiator ("New export controls take effect").
    official: bool = False
    live: bool = True
    # Subscribe to the feed's WebSub hub, so that a publication is pushed within seconds
    # (the hourly poll goes on all the same).
    push: bool = False
    # A URL submitted for one run (`econsec submit`, the DAG's `urls`) rather than listed:
    # read as a feed, or, when it is an HTML page, as one article.
    submitted: bool = False


class Article(BaseModel):
    """A news item after normalisation: canonical URL, UTC date, plain text."""

    id: str
    url: str
    feed: str
    source: str
    title: str
    summary: str = ""
    published: datetime
    fetched: datetime
    date_quality: DateQuality = "ok"
    content_hash: str
    story_id: str = ""
    truncated: bool = False

    @property
    def text(self) -> str:
        return f"{self.title}\n{self.summary}".strip()

    @property
    def has_link(self) -> bool:
        """False for an item that gave neither a link nor a URL as guid: its `url` is empty."""
        return bool(self.url)


def is_revision(known: Article, new: Article) -> bool:
    """Whether `new` revises the stored `known`: the same feed gave the id another title or
    summary. Another feed carrying the same URL with its own text (a section feed with a
    shorter lead) does not, or the two would take turns rewriting the article every cycle."""
    return known.feed == new.feed and known.content_hash != new.content_hash


def revision(known: Article, new: Article) -> Article:
    """`new` as a revision of the stored `known`: first seen when `known` was, in its story,
    and dated as `known` was when the new text comes without a usable date."""
    update: dict[str, Any] = {"fetched": known.fetched, "story_id": known.story_id}
    if new.date_quality != "ok":
        update |= {"published": known.published, "date_quality": known.date_quality}
    return new.model_copy(update=update)


class Event(BaseModel):
    """One (article, type) pair; its id is derived from both, so reruns upsert."""

    id: str
    article_id: str
    type: str
    category: str
    status: Status
    initiator: list[str] = Field(default_factory=list)
    target: list[str] = Field(default_factory=list)
    partner: list[str] = Field(default_factory=list)
    countries: list[str] = Field(default_factory=list)
    technologies: list[str] = Field(default_factory=list)
    evidence: str = ""
    confidence: float = 0.0
    title: str = ""
    summary: str = ""
    url: str = ""
    source: str = ""
    feed: str = ""
    published: datetime
    story_id: str = ""
    cluster_id: str = ""


@dataclass(frozen=True)
class TaggedArticle:
    """An article placed in its story and tagged: what the tag stage hands the store.
    `minhash` is its story signature as bytes (`ingest.stories.to_bytes`), kept so that
    later articles can join its story."""

    article: Article
    minhash: bytes
    technologies: list[str]


@dataclass(frozen=True)
class StoredSignature:
    """A tagged article's story signature as the store gives it back (bytes, decoded by
    `ingest.stories`, so that storage needs no MinHash library)."""

    article_id: str
    story_id: str
    published: datetime
    minhash: bytes


class FeedResult(BaseModel):
    """What one fetch of one feed gave, good or bad; recorded per feed."""

    feed: str
    url: str
    status: Literal["ok", "not_modified", "failed"]
    http_status: int | None = None
    entries_found: int = 0
    new_articles: int = 0
    duplicates: int = 0
    dropped: dict[str, int] = Field(default_factory=dict)
    error: str | None = None
    warning: str | None = None
    transient: bool = False
    fetched_at: datetime
    seconds: float = 0.0


class Quarantined(BaseModel):
    """An article the tagger failed on, set aside with the reason so that the rest of the
    queue goes on; `econsec requeue` puts it back once the cause is fixed."""

    article_id: str
    feed: str
    title: str  # its first characters, enough to recognise it
    url: str = ""
    reason: str
    quarantined_at: datetime


class TagReport(BaseModel):
    """What one tagging pass over the pending articles gave."""

    articles_tagged: int = 0
    quarantined: int = 0  # articles the tagger failed on, set aside (`Quarantined`)
    in_scope: int = 0
    new_events: int = 0
    events_by_type: dict[str, int] = Field(default_factory=dict)
    new_stories: int = 0


class IndexReport(BaseModel):
    articles_indexed: int = 0
    events_indexed: int = 0


class CycleReport(BaseModel):
    """One ingestion cycle end to end, as `ingest --json` prints it."""

    run_id: str
    started: datetime
    finished: datetime | None = None
    feeds: list[FeedResult] = Field(default_factory=list)
    tagging: TagReport = Field(default_factory=TagReport)
    indexing: IndexReport = Field(default_factory=IndexReport)

    @property
    def new_articles(self) -> int:
        return sum(f.new_articles for f in self.feeds)

    @property
    def no_feed_read(self) -> bool:
        """Every feed of the cycle failed: the pipeline is blind, whatever else went well."""
        return bool(self.feeds) and all(f.status == "failed" for f in self.feeds)

    def summary(self) -> dict[str, Any]:
        data = self.model_dump(mode="json")
        data["feeds_ok"] = sum(f.status != "failed" for f in self.feeds)
        data["feeds_failed"] = sum(f.status == "failed" for f in self.feeds)
        data["new_articles"] = self.new_articles
        data["new_events"] = self.tagging.new_events
        data["no_feed_read"] = self.no_feed_read
        return data


class FeedHealth(BaseModel):
    """The last known state of one feed, for `econsec feeds`."""

    feed: str
    url: str
    last_fetch: datetime | None = None
    status: str = "never fetched"
    http_status: int | None = None
    entries: int = 0
    new_articles: int = 0
    error: str | None = None
    warning: str | None = None
    consecutive_failures: int = 0


class PushState(BaseModel):
    """A feed's WebSub subscription as the API shows it (no callback id, no secret)."""

    state: str
    active: bool  # verified and its lease running: pushes are accepted
    expires_at: datetime | None = None
    pushes: int = 0
    last_push_at: datetime | None = None
    error: str | None = None


class FeedStatus(FeedHealth):
    """`GET /api/feeds`: a feed's health, and its push subscription (None: polled only)."""

    push: PushState | None = None


MAX_QUERY_CHARS = 10_000
MAX_QUERY_DEPTH = 64


def check_query_size(q: str) -> None:
    """Raise `QueryError` for a query too long or too deeply nested to hand to a parser.

    Every way a query enters (CLI, API, pages, rule files, alert history) passes here:
    Tantivy's parser recurses once per parenthesis and overflows the stack near 9,000
    levels, which kills the process (a segfault, not an exception)."""
    depth = deepest = 0
    quoted = escaped = False
    for char in q:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif not quoted and char == ")":
            depth = max(depth - 1, 0)
    if deepest > MAX_QUERY_DEPTH:
        raise QueryError(
            q[:60] + ("…" if len(q) > 60 else ""),
            f"nested {deepest} parentheses deep; at most {MAX_QUERY_DEPTH}",
        )
    if len(q) > MAX_QUERY_CHARS:
        raise QueryError(q[:60] + "…", f"longer than {MAX_QUERY_CHARS:,} characters")


class SortOrder(StrEnum):
    """The order of a search's hits, on every backend: by `published`, newest or oldest
    first (ties by the engine's total order), or by score."""

    NEWEST = "newest"
    OLDEST = "oldest"
    RELEVANCE = "relevance"


LIST_FIELDS = (
    "types",
    "categories",
    "countries",
    "initiators",
    "technologies",
    "statuses",
    "outlets",
)


class SearchQuery(BaseModel):
    """The search model both backends speak."""

    q: str = "*"
    types: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    countries: list[str] = Field(default_factory=list)
    initiators: list[str] = Field(default_factory=list)  # any of these started the event
    technologies: list[str] = Field(default_factory=list)
    statuses: list[str] = Field(default_factory=list)
    outlets: list[str] = Field(default_factory=list)  # the events' `source`, as feeds name it
    since: datetime | None = None
    until: datetime | None = None
    indexed_since: datetime | None = None  # when the event became searchable, for alert rules
    indexed_until: datetime | None = None
    # events the tagger was less sure of are left out (a range on `confidence`)
    min_confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    limit: int = 20
    offset: int = 0
    sort: SortOrder = SortOrder.NEWEST
    collapse: bool = True
    facets: bool = False

    @field_validator("q")
    @classmethod
    def _parsable_size(cls, q: str) -> str:
        """A `QueryError` (not a validation error) for a query no parser should be given."""
        check_query_size(q)
        return q

    @classmethod
    def from_user(
        cls,
        q: str = "",
        *,
        since: str | None = None,
        until: str | None = None,
        known: Callable[[str], dict[str, int]] | None = None,
        **fields: Any,
    ) -> SearchQuery:
        """A query as a person typed it (CLI flags, URL parameters, the pages), normalised
        one way for all (`econsec.vocabulary`): values stripped, blanks dropped, each as the
        index holds it (`China` -> `CN`, `--type export_control` -> its every type,
        `semiconductor` -> `semiconductors`), and so the filters of the query's text;
        `since` / `until` parsed, a bare `until` date meaning the whole day. A `ValueError`
        names what does not parse, a `FilterValueError` (also one) a value that could
        never match, with the nearest valid ones; `known` gives the store's values of a
        field (`Store.values`), which may hold what the taxonomy no longer does."""
        from econsec.timeparse import parse_until, parse_when
        from econsec.vocabulary import normalise, rewrite_query

        check_query_size(q)
        fields |= {"since": parse_when(since), "until": parse_until(until)}
        for name in LIST_FIELDS:
            cleaned = [v.strip() for v in fields.get(name) or [] if v and v.strip()]
            fields[name] = normalise(name, cleaned, known)
        return cls(q=rewrite_query(q.strip(), known) or "*", **fields)

    def term_filters(self, kind: str) -> dict[str, list[str]]:
        """Index field -> wanted values; one mapping so both backends filter alike."""
        if kind == "articles":
            wanted = {"event_types": self.types, "technologies": self.technologies}
        else:
            wanted = {
                "type": self.types,
                "category": self.categories,
                "countries": self.countries,
                "initiator": self.initiators,
                "technologies": self.technologies,
                "status": self.statuses,
                "source": self.outlets,
            }
        return {field: values for field, values in wanted.items() if values}


EARLIEST_INSTANT = datetime.min.replace(tzinfo=UTC)  # sorts a record without a date first


DeliveryStatus = Literal["pending", "delivered", "failed", "invalid"]
Digest = Literal["immediate", "hourly", "daily"]


class Delivery(BaseModel):
    """One channel of one alert; `channel` is a label without secrets, never the URL."""

    channel: str
    status: DeliveryStatus = "pending"
    attempts: int = 0
    delivered_at: datetime | None = None
    error: str | None = None


class Alert(BaseModel):
    """One firing of one rule for one group, with the evidence an analyst needs."""

    id: str
    rule: str
    group: str
    condition: str
    title: str
    summary: str = ""
    count: int = 0
    cluster_id: str = ""
    event_ids: list[str] = Field(default_factory=list)
    evidence: list[dict[str, Any]] = Field(default_factory=list)
    fired_at: datetime
    digest: Digest = "immediate"
    deliveries: list[Delivery] = Field(default_factory=list)

    @property
    def undelivered(self) -> list[Delivery]:
        return [d for d in self.deliveries if d.status in ("pending", "failed")]
