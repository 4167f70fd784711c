"""The embedded store: SQLite for state and the queue, Tantivy for search."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, Literal, TypeVar, overload

from econsec.models import (
    EARLIEST_INSTANT,
    Article,
    CycleReport,
    Event,
    FeedHealth,
    FeedResult,
    IndexReport,
    Quarantined,
    SearchQuery,
    SortOrder,
    StoredSignature,
    TaggedArticle,
)
from econsec.store.embedded.alert_state import SqliteAlertState
from econsec.store.embedded.collapse import COLLAPSE_WINDOW, collapse
from econsec.store.embedded.sqlite import StateDB
from econsec.store.embedded.tantivy_index import (
    ARTICLE_FIELDS,
    EVENT_FIELDS,
    TantivyIndex,
    check_query,
    combine,
)
from econsec.store.hits import ArticleHit, EventHit, SearchResult, as_spans
from econsec.store.protocols import (
    STORY_LIMIT,
    VALUES_LIMIT,
    AlertState,
    AnyResult,
    SearchKind,
    ranked,
)

INDEX_BATCH = 2_000
T = TypeVar("T")
FACET_FIELDS = {
    "type": "type",
    "category": "category",
    "initiator": "initiator",
    "technologies": "technologies",
    "status": "status",
    "countries": "countries",
    "source": "source",
}


class EmbeddedStore:
    """Both halves live under one directory; the indexes open only when first needed.
    Threads may share one store: they share its indexes (Tantivy searchers are safe to
    share) and each gets its own SQLite connection (`StateDB`)."""

    backend = "embedded"

    def __init__(self, root: Path):
        self.root = root
        self.location = str(root)
        self.state = StateDB(root / "state.sqlite3")
        self._events: TantivyIndex | None = None
        self._articles: TantivyIndex | None = None
        self._opening = threading.Lock()
        self._helpers: ThreadPoolExecutor | None = None

    @property
    def events_index(self) -> TantivyIndex:
        with self._opening:
            if self._events is None:
                self._events = TantivyIndex(self.root / "events", EVENT_FIELDS, "events")
            return self._events

    @property
    def articles_index(self) -> TantivyIndex:
        with self._opening:
            if self._articles is None:
                self._articles = TantivyIndex(self.root / "articles", ARTICLE_FIELDS, "articles")
            return self._articles

    def init(self) -> dict[str, Any]:
        """The directories and empty indexes (made on first use anyway); safe to rerun."""
        indexes = [str(self.events_index.path), str(self.articles_index.path)]
        return {"store": self.location, "backend": self.backend, "created": indexes}

    def alert_state(self) -> AlertState:
        return SqliteAlertState(self.root / "state.sqlite3")

    def check_query(self, q: str, kind: SearchKind = "events") -> None:
        check_query(q, kind)

    def close(self) -> None:
        self.state.close()
        self._events = self._articles = None
        if self._helpers is not None:
            self._helpers.shutdown(wait=False)
            self._helpers = None

    # state, delegated ------------------------------------------------------

    def validators(self, feed: str, url: str) -> tuple[str | None, str | None]:
        return self.state.validators(feed, url)

    def record_feed(self, result: FeedResult, etag: str | None, last_modified: str | None) -> None:
        self.state.record_feed(result, etag, last_modified)

    def stage_articles(self, articles: list[Article]) -> list[str]:
        return self.state.stage_articles(articles)

    def feed_health(self) -> list[FeedHealth]:
        return self.state.feed_health()

    def untagged_articles(self, limit: int | None = None) -> list[Article]:
        return self.state.untagged_articles(limit)

    def known_signatures(self, since: datetime) -> list[StoredSignature]:
        return list(self.state.known_signatures(since))

    def save_tagged(self, tagged: list[TaggedArticle], events: list[Event]) -> list[Event]:
        return self.state.save_tagged(tagged, events)

    def quarantine(self, items: list[Quarantined]) -> None:
        self.state.quarantine(items)

    def quarantined(self, limit: int | None = None) -> list[Quarantined]:
        return self.state.quarantined(limit)

    def requeue(self, article_ids: list[str] | None = None) -> int:
        return self.state.requeue(article_ids)

    def counts(self) -> dict[str, int]:
        return self.state.counts()

    def record_cycle(self, report: CycleReport) -> None:
        self.state.record_cycle(report)

    def last_cycle(self) -> CycleReport | None:
        return self.state.last_cycle()

    # indexing --------------------------------------------------------------

    def index_pending(self) -> IndexReport:
        """Copy tagged rows into Tantivy, then mark them; a crash between the two only repeats.
        Events that a revision changed or dropped are brought up to date first."""
        report = IndexReport()
        while True:
            changed, removed = self.state.changed_events(INDEX_BATCH)
            if not changed and not removed:
                break
            self.events_index.upsert((e.model_dump(mode="json") for e in changed), removed)
            self.state.forget_changes([*(e.id for e in changed), *removed])
        while True:
            articles, events = self.state.unindexed(INDEX_BATCH)
            if not articles and not events:
                return report
            if articles:
                self.articles_index.upsert(_article_source(a, t, e) for a, t, e in articles)
            if events:
                self.events_index.upsert(e.model_dump(mode="json") for e in events)
            self.state.mark_indexed([a.id for a, _, _ in articles], [e.id for e in events])
            report.articles_indexed += len(articles)
            report.events_indexed += len(events)

    # search ----------------------------------------------------------------

    @overload
    def search(
        self, query: SearchQuery, kind: Literal["events"] = "events"
    ) -> SearchResult[EventHit]: ...
    @overload
    def search(self, query: SearchQuery, kind: Literal["articles"]) -> SearchResult[ArticleHit]: ...
    def search(self, query: SearchQuery, kind: SearchKind = "events") -> AnyResult:
        if kind == "articles":
            return self._articles_page(query)
        index = self.events_index
        text_query = index.parse(query.q)
        full = combine([text_query, *self._filters(index, query, kind)])
        facets = self._aside(self._facets, index, full) if query.facets else None
        clusters: int | None = None
        highlight = partial(self._highlight, index, text_query, query.q)
        if query.collapse:
            limit = max(query.limit, 0)
            page = collapse(
                index, full, order=query.sort, offset=query.offset, limit=limit, highlight=highlight
            )
            hits, total, clusters = page.hits, page.total, page.clusters
        else:
            found = index.search(full, limit=query.limit, offset=query.offset, order=query.sort)
            marked = highlight(found.stored)
            hits = [
                EventHit.from_source(doc, highlights=as_spans(spans))
                for doc, spans in zip(found.docs, marked, strict=True)
            ]
            total = found.total
        result = SearchResult(total, clusters, hits)
        if facets is not None:
            result.facets = facets.result()
        return result

    def _articles_page(self, query: SearchQuery) -> SearchResult[ArticleHit]:
        index = self.articles_index
        full = combine([index.parse(query.q), *self._filters(index, query, "articles")])
        found = index.search(full, limit=query.limit, offset=query.offset, order=query.sort)
        return SearchResult(found.total, hits=[ArticleHit.from_source(d) for d in found.docs])

    def scan(self, query: SearchQuery) -> Iterator[EventHit]:
        """One searcher for the whole scan, read a page at a time by offset: the same
        snapshot gives the same order, so no event is skipped or read twice."""
        index = self.events_index
        full = combine([index.parse(query.q), *self._filters(index, query, "events")])
        for source in index.scan(full, order=query.sort):
            yield EventHit.from_source(source)

    def _aside(self, work: Callable[..., T], *args: Any) -> Future[T]:
        """Run `work` on another thread: the facets' aggregation runs in Tantivy without the
        interpreter lock, so it overlaps the collapse on a second core."""
        with self._opening:
            if self._helpers is None:
                self._helpers = ThreadPoolExecutor(os.cpu_count() or 2, "econsec-search")
            return self._helpers.submit(work, *args)

    def values(self, field: str, size: int = VALUES_LIMIT) -> dict[str, int]:
        index = self.events_index
        spec = {"values": {"terms": {"field": field, "size": size}}}
        buckets = index.aggregate(index.parse("*"), spec).get("values", {}).get("buckets", [])
        return ranked({b["key"]: b["doc_count"] for b in buckets})

    def get_event(self, event_id: str) -> EventHit | None:
        """One searchable event by id, as a search hit without the collapse fields."""
        index = self.events_index
        only = index.term_filter("id", [event_id])
        hits = index.search(only, limit=1, order=SortOrder.RELEVANCE)
        return EventHit.from_source(hits.docs[0]) if hits.docs else None

    def story_articles(self, story_id: str, limit: int = STORY_LIMIT) -> list[ArticleHit]:
        """Every searchable article of a story, first published first (ties by id)."""
        index = self.articles_index
        story = index.term_filter("story_id", [story_id])
        found = index.search(story, limit=max(limit, COLLAPSE_WINDOW), order=SortOrder.NEWEST)
        articles = [ArticleHit.from_source(doc) for doc in found.docs]
        return sorted(articles, key=lambda a: (a.published or EARLIEST_INSTANT, a.id))[:limit]

    def _filters(self, index: TantivyIndex, query: SearchQuery, kind: str) -> list[Any]:
        wanted = query.term_filters(kind)
        filters = [index.term_filter(field, values) for field, values in wanted.items()]
        if query.since or query.until:
            filters.append(index.date_filter(query.since, query.until))
        if kind == "events" and (query.indexed_since or query.indexed_until):
            filters.append(index.term_filter("id", self._indexed_ids(query)))
        if kind == "events" and query.min_confidence:
            filters.append(index.at_least("confidence", query.min_confidence))
        return filters

    def _indexed_ids(self, query: SearchQuery) -> list[str]:
        """The indexing time lives in SQLite (stamped by `mark_indexed`), so the Tantivy
        schema, and every existing index on disk, stays as it is."""
        ids = self.state.events_indexed_between(query.indexed_since, query.indexed_until)
        return ids or [""]

    def _highlight(
        self, index: TantivyIndex, text_query: Any, q: str, stored: list[Any]
    ) -> list[list[tuple[int, int]]]:
        """Where the query's words are in each hit's evidence (`highlights`: character
        spans), from each hit's own stored document; marking them up is the web's job."""
        if not q.strip("* "):
            return [[] for _ in stored]
        return index.highlights(text_query, stored, "evidence")

    def _facets(self, index: TantivyIndex, full: Any) -> dict[str, dict[str, int]]:
        spec: dict[str, Any] = {
            name: {"terms": {"field": field, "size": 50}} for name, field in FACET_FIELDS.items()
        }
        spec["published"] = {"date_histogram": {"field": "published", "fixed_interval": "1d"}}
        raw = index.aggregate(full, spec)
        facets = {
            name: {b["key"]: b["doc_count"] for b in raw.get(name, {}).get("buckets", [])}
            for name in FACET_FIELDS
        }
        facets["published"] = _by_month(raw.get("published", {}).get("buckets", []))
        return facets


def _by_month(daily: list[dict[str, Any]]) -> dict[str, int]:
    """Tantivy only has fixed intervals; months are summed from days."""
    months: dict[str, int] = {}
    for bucket in daily:
        if bucket["doc_count"]:
            month = bucket["key_as_string"][:7] + "-01"
            months[month] = months.get(month, 0) + bucket["doc_count"]
    return months


def _article_source(article: Article, technologies: list[str], event_types: list[str]) -> dict:
    source = article.model_dump(mode="json")
    source["technologies"] = technologies
    source["event_types"] = event_types
    return source
