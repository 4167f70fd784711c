"""The Elasticsearch store: all state lives in the cluster, so workers on many machines share it.

Indices, each written through its alias (see `elastic_templates`):

- `econsec-articles`: the articles, and the queue between stages: no
  `tagged_at` yet means waiting for the tagger, `tagged_at` without
  `indexed_at` means waiting for `index_pending`;
- `econsec-events`: one document per event, `_id` = event id, written with
  op_type `create`, so a rerun adds nothing and tells which events were new;
- `econsec-feeds` (validators and health per feed), `econsec-cycles` (reports).

Ids are unique across an alias, not only within its write index. `op_type:
create` alone only guards the write index: once the alias has been rolled over
(by ILM or by hand), an article still in its feed would be created again in the
new index and its events would alert again. So before creating, the store
looks the ids up with an `ids` search over the whole alias and creates only
those found nowhere; updates go to the concrete index a document was found in.
This was preferred to routing each document into a time-based index named
after its first-seen date: that date is not known before the lookup it would
save (a re-fetched article carries a new fetch time, and a feed may change an
item's published date), it needs writes to name concrete indices rather than
the alias, and it leaves nothing for ILM to roll over. The lookup can see
everything written earlier because every write waits for a refresh
(`refresh=wait_for`, see `client`); the write index's own 409 still catches two
writers creating the same id at once.

Events are searchable once `index_pending` has marked them (`indexed_at`), as
on the embedded store. Nothing connects before the first call; the first call
sets the indices up when an alias is missing (`econsec init` does it on purpose).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from functools import partial
from itertools import islice
from typing import Any, Literal, overload

from elasticsearch import ApiError, Elasticsearch

from econsec.config import Settings
from econsec.errors import QueryError, StoreError
from econsec.models import (
    Article,
    CycleReport,
    Event,
    FeedHealth,
    FeedResult,
    IndexReport,
    Quarantined,
    SearchQuery,
    StoredSignature,
    TaggedArticle,
    is_revision,
    revision,
)
from econsec.store.elastic import docs
from econsec.store.elastic import search as elastic_search
from econsec.store.elastic.client import (
    WAIT_FOR,
    Calls,
    describe,
    make_client,
    redact,
    write_guard,
)
from econsec.store.elastic.templates import Names, apply, check_prefix, ready
from econsec.store.hits import ArticleHit, EventHit, SearchResult
from econsec.store.protocols import (
    STORY_LIMIT,
    VALUES_LIMIT,
    AlertState,
    AnyResult,
    SearchKind,
    ranked,
)

BACKOFF = 0.5
CONFLICT_RETRIES = 5
ARTICLE_FIELDS = list(Article.model_fields)
OLDEST_FIRST = [{"published": {"order": "asc"}}, {"id": {"order": "asc"}}]
BY_ID = [{"id": {"order": "asc"}}]
UNTAGGED = {"bool": {"must_not": [{"exists": {"field": "tagged_at"}}]}}
UNINDEXED = {"bool": {"must_not": [{"exists": {"field": "indexed_at"}}]}}
TAGGED_UNINDEXED = {
    "bool": {
        "filter": [{"exists": {"field": "tagged_at"}}],
        "must_not": [{"exists": {"field": "indexed_at"}}],
    }
}


class ElasticStore:
    """The `Store` protocol on Elasticsearch 9 (and the OpenSearch-compatible servers tests use)."""

    backend = "elasticsearch"

    def __init__(
        self,
        url: str,
        settings: Settings,
        *,
        client: Elasticsearch | None = None,
        backoff: float = BACKOFF,
        **client_options: Any,
    ):
        self.url = url
        self.location = redact(url)
        self.settings = settings
        self.names = Names(check_prefix(settings.es_index_prefix))
        self.backoff = backoff
        self._client = client
        self._owns_client = client is None
        self._client_options = client_options
        self._calls: Calls | None = None
        self._ready = False

    def _connect(self) -> Calls:
        if self._calls is None:
            if self._client is None:
                options = self._client_options
                self._client = make_client(self.url, self.settings, self.backoff, **options)
            settings = self.settings
            self._calls = Calls(
                self._client,
                self.location,
                settings.es_max_retries,
                self.backoff,
                settings.es_bulk_chunk_size,
            )
        return self._calls

    @property
    def calls(self) -> Calls:
        """The cluster, set up on first use when an alias is missing."""
        calls = self._connect()
        if not self._ready:
            if not ready(calls, self.names):
                apply(calls, self.names)
            self._ready = True
        return calls

    def init(self) -> dict[str, Any]:
        """Apply the templates, create the indices and aliases (idempotent); say what was done."""
        report = apply(self._connect(), self.names)
        self._ready = True
        return {"store": self.location, "backend": self.backend, **report}

    def alert_state(self) -> AlertState:
        """Two indices of this cluster, through this store's client and credentials."""
        from econsec.store.elastic.alert_state import ElasticAlertState

        return ElasticAlertState(self)

    def close(self) -> None:
        if self._owns_client and self._client is not None:
            self._client.close()
            self._client = None
        self._calls = None
        self._ready = False

    # feed state --------------------------------------------------------------

    def validators(self, feed: str, url: str) -> tuple[str | None, str | None]:
        found = self._feed(feed)
        source = found["_source"] if found else {}
        if source.get("url") != url:
            return None, None
        return source.get("etag"), source.get("last_modified")

    def _feed(self, feed: str) -> dict[str, Any] | None:
        calls = self.calls
        request = partial(calls.client.get, index=self.names.feeds, id=feed)
        try:
            return dict(
                calls.run(self.names.feeds, f"reading feed {feed!r}", request, expect=(404,))
            )
        except ApiError:
            return None

    def record_feed(self, result: FeedResult, etag: str | None, last_modified: str | None) -> None:
        """Read, update, write back only if nobody wrote in between (else read again)."""
        index = self.names.feeds
        for _ in range(CONFLICT_RETRIES):
            found = self._feed(result.feed)
            state = docs.feed_state(result, etag, last_modified, found["_source"] if found else {})
            write = partial(
                self.calls.client.index,
                index=index,
                id=result.feed,
                document=state,
                refresh=WAIT_FOR,
                **write_guard(found),
            )
            try:
                self.calls.run(index, f"recording feed {result.feed!r}", write, expect=(409,))
                return
            except ApiError:
                continue
        raise StoreError(self.location, f"index {index}: feed {result.feed!r} kept changing")

    def feed_health(self) -> list[FeedHealth]:
        hits = self.calls.scan(self.names.feeds, {"match_all": {}}, [{"feed": {"order": "asc"}}])
        return [FeedHealth.model_validate(hit["_source"]) for hit in hits]

    # the queue ---------------------------------------------------------------

    def stage_articles(self, articles: list[Article]) -> list[str]:
        """Ids of the articles staged for tagging: new ones (found under no index of the
        alias, then created) and revisions (a known id whose title or summary changed;
        see `_revise`)."""
        stamp = docs.now()
        index = self.names.articles
        known = self._stored(index, [a.id for a in articles], ARTICLE_FIELDS)
        fresh: dict[str, Article] = {}
        for article in articles:
            if article.id not in known:
                fresh.setdefault(article.id, article)
        actions = (docs.staged(article, stamp) for article in fresh.values())
        outcome = self.calls.bulk(index, "staging articles", actions)
        known.update(self._get(outcome.existing_in))  # created meanwhile by another writer
        again = [i for i, n in Counter(a.id for a in articles).items() if n > 1 and i in fresh]
        known.update(self._stored(index, again, ARTICLE_FIELDS))  # later copies revise it
        staged = set(outcome.written) | self._revise(known, articles)
        return [
            article_id
            for article_id in dict.fromkeys(a.id for a in articles)
            if article_id in staged
        ]

    def _stored(self, index: str, ids: list[str], source: Any = False) -> dict[str, Any]:
        """The hits of `ids` under any index behind the alias `index`, by id."""
        if not ids:
            return {}
        query = {"ids": {"values": list(dict.fromkeys(ids))}}
        return {hit["_id"]: hit for hit in self.calls.scan(index, query, BY_ID, source=source)}

    def _get(self, where: dict[str, str]) -> dict[str, Any]:
        """Documents by id from the concrete index each is known to be in (a realtime GET:
        seen even before the writer's refresh)."""
        if not where:
            return {}
        wanted = [{"_index": index, "_id": doc_id} for doc_id, index in where.items()]
        request = partial(self.calls.client.mget, docs=wanted, source_includes=ARTICLE_FIELDS)
        found = self.calls.run(self.names.articles, "reading articles", request)["docs"]
        return {doc["_id"]: doc for doc in found if doc.get("found")}

    def _revise(self, known: dict[str, Any], articles: list[Article]) -> set[str]:
        """Stored articles whose text changed take the new one, keep their first-seen time,
        and wait for the tagger again, out of the quarantine if the old text was set aside;
        the ids of those revised."""
        actions = []
        for new in {a.id: a for a in articles if a.id in known}.values():
            hit = known[new.id]
            stored = Article.model_validate(hit["_source"])
            if is_revision(stored, new):
                actions.append(docs.revised(hit, revision(stored, new)))
        if not actions:
            return set()
        index = self.names.articles
        revised = set(self.calls.bulk(index, "staging revisions", actions, via_alias=False).written)
        if revised:  # new text is a new chance: what the tagger failed on may be gone
            self.requeue(sorted(revised))
        return revised

    def untagged_articles(self, limit: int | None = None) -> list[Article]:
        hits = self.calls.scan(
            self.names.articles,
            self._waiting(),
            OLDEST_FIRST,
            source=ARTICLE_FIELDS,
            limit=limit or None,
        )
        return [Article.model_validate(hit["_source"]) for hit in hits]

    def _waiting(self) -> dict[str, Any]:
        """Untagged and not quarantined. The quarantine is small (items the tagger failed
        on), so its ids are read and left out by a terms filter."""
        held = self._quarantined_ids()
        if not held:
            return UNTAGGED
        untagged = {"exists": {"field": "tagged_at"}}
        return {"bool": {"must_not": [untagged, {"terms": {"id": held}}]}}

    def _quarantined_ids(self) -> list[str]:
        by_id = [{"article_id": {"order": "asc"}}]
        hits = self.calls.scan(self.names.quarantine, {"match_all": {}}, by_id, ["article_id"])
        return [hit["_source"]["article_id"] for hit in hits]

    def quarantine(self, items: list[Quarantined]) -> None:
        actions = (docs.set_aside(item) for item in items)
        self.calls.bulk(self.names.quarantine, "quarantining articles", actions)

    def quarantined(self, limit: int | None = None) -> list[Quarantined]:
        newest = [{"quarantined_at": {"order": "desc"}}, {"article_id": {"order": "asc"}}]
        hits = self.calls.scan(self.names.quarantine, {"match_all": {}}, newest, limit=limit)
        return [Quarantined.model_validate(hit["_source"]) for hit in hits]

    def requeue(self, article_ids: list[str] | None = None) -> int:
        """Only ids that are held are deleted (deleting a missing one is a failed item)."""
        held = set(self._quarantined_ids())
        wanted = held if article_ids is None else held & set(article_ids)
        actions = (docs.released(article_id) for article_id in sorted(wanted))
        outcome = self.calls.bulk(self.names.quarantine, "requeueing articles", actions)
        return len(outcome.written)

    def known_signatures(self, since: datetime) -> list[StoredSignature]:
        recent = {"range": {"published": {"gte": since.isoformat()}}}
        query = {"bool": {"filter": [{"exists": {"field": "tagged_at"}}, recent]}}
        fields = ["id", "story_id", "published", "minhash"]
        hits = self.calls.scan(self.names.articles, query, BY_ID, source=fields)
        return [known for hit in hits if (known := docs.known(hit["_source"]))]

    def save_tagged(self, tagged: list[TaggedArticle], events: list[Event]) -> list[Event]:
        """Events first (create; the new ones are returned; see `_replace_events`), then the
        articles marked tagged where they are stored (after a rollover an update through the
        alias would upsert a second copy into the write index): a crash in between only
        makes the next run tag them again."""
        stamp = docs.now()
        created = self._replace_events([t.article.id for t in tagged], events, stamp)
        new: list[Event] = []
        types: dict[str, list[str]] = {}
        for event in events:
            if event.id in created:
                new.append(event)
                created.discard(event.id)
            types.setdefault(event.article_id, []).append(event.type)
        index = self.names.articles
        where = self._stored(index, [t.article.id for t in tagged])
        updates = (
            docs.tagged(
                t.article,
                t.minhash,
                t.technologies,
                types.get(t.article.id, []),
                stamp,
                where[t.article.id]["_index"] if t.article.id in where else None,
            )
            for t in tagged
        )
        self.calls.bulk(index, "marking articles tagged", updates, via_alias=False)
        return new

    def _replace_events(self, article_ids: list[str], events: list[Event], stamp: str) -> set[str]:
        """Create `events` found under no index of the alias, update those already stored
        whose text changed (they keep their `indexed_at`, so alert rules never read them as
        new again), delete the events of `article_ids` not among them (a revision no longer
        says so); the ids created."""
        index = self.names.events
        stored: dict[str, dict[str, Any]] = {}
        if article_ids or events:
            mine = {"terms": {"article_id": article_ids}}
            same = {"ids": {"values": [event.id for event in events]}}
            query = {"bool": {"should": [mine, same], "minimum_should_match": 1}}
            stored = {hit["_id"]: hit for hit in self.calls.scan(index, query, BY_ID)}
        keep = {event.id for event in events}
        changes = [docs.deleted(hit) for hit_id, hit in stored.items() if hit_id not in keep]
        fresh = []
        for event in events:
            hit = stored.get(event.id)
            if hit is None:
                fresh.append(docs.created(event, stamp))
            elif (change := docs.event_changed(hit, event)) is not None:
                changes.append(change)
        if changes:
            self.calls.bulk(index, "replacing revised events", changes, via_alias=False)
        return set(self.calls.bulk(index, "saving events", fresh).written)

    def index_pending(self) -> IndexReport:
        """Mark what was tagged as indexed (searchable); a rerun marks the rest."""
        names = self.names
        return IndexReport(
            events_indexed=self._mark_indexed(names.events, UNINDEXED),
            articles_indexed=self._mark_indexed(names.articles, TAGGED_UNINDEXED),
        )

    def _mark_indexed(self, index: str, query: dict[str, Any]) -> int:
        """Each document is updated in the concrete index it was found in, so that marking
        still works after the alias has been rolled over to a newer index."""
        stamp = docs.now()
        hits = self.calls.scan(index, query, BY_ID, source=False)
        actions = (docs.indexed(hit, stamp) for hit in hits)
        marked = self.calls.bulk(index, "marking documents indexed", actions, via_alias=False)
        return len(marked.written)

    def counts(self) -> dict[str, int]:
        names = self.names
        wanted = {
            "articles": (names.articles, None),
            "events": (names.events, None),
            "untagged_articles": (names.articles, self._waiting()),
            "unindexed_articles": (names.articles, TAGGED_UNINDEXED),
            "unindexed_events": (names.events, UNINDEXED),
            "quarantined_articles": (names.quarantine, None),
        }
        return {key: self._count(index, query) for key, (index, query) in wanted.items()}

    def _count(self, index: str, query: dict[str, Any] | None) -> int:
        request = partial(self.calls.client.count, index=index, query=query)
        return int(self.calls.run(index, "counting", request)["count"])

    # search ------------------------------------------------------------------

    @overload
    def search(
        self, query: SearchQuery, kind: Literal["events"] = "events"
    ) -> SearchResult[EventHit]: ...
    @overload
    def search(self, query: SearchQuery, kind: Literal["articles"]) -> SearchResult[ArticleHit]: ...
    def search(self, query: SearchQuery, kind: SearchKind = "events") -> AnyResult:
        index = self.names.events if kind == "events" else self.names.articles
        if query.offset + query.limit > elastic_search.MAX_WINDOW:
            return self._deep_search(index, query, kind)
        body = elastic_search.request(query, kind)
        return elastic_search.result(self._search(index, query.q, body), query, kind)

    def scan(self, query: SearchQuery) -> Iterator[EventHit]:
        """Newest first by `published`, then `id` (a total order), read with `search_after`
        under a point in time (see `Calls.scan`): no result window to run into, and events
        indexed meanwhile can neither shift a page nor join the export halfway."""
        index = self.names.events
        whole = query.model_copy(update={"collapse": False, "facets": False})
        body = elastic_search.request(whole, "events")
        source = {"excludes": elastic_search.INTERNAL["events"]}
        for hit in self.calls.scan(index, body["query"], body["sort"], source):
            yield EventHit.from_source(hit["_source"])

    def check_query(self, q: str, kind: SearchKind = "events") -> None:
        """Asked of the cluster (`_validate/query`), which parses it as a search would."""
        index = self.names.events if kind == "events" else self.names.articles
        text = elastic_search.text_query(q, kind)
        request = partial(
            self.calls.client.indices.validate_query, index=index, query=text, explain=True
        )
        answer = self.calls.run(index, "checking a query", request)
        if not answer.get("valid", True):
            reasons = [e.get("error") for e in answer.get("explanations") or [] if e.get("error")]
            raise QueryError(q, str(reasons[0] if reasons else answer.get("error", "invalid")))

    def values(self, field: str, size: int = VALUES_LIMIT) -> dict[str, int]:
        body = elastic_search.values_request(field, size)
        return ranked(elastic_search.values_result(self._search(self.names.events, "*", body)))

    def get_event(self, event_id: str) -> EventHit | None:
        """One searchable event by id, as a search hit without the collapse fields."""
        hits = self._searchable("events", "id", event_id, BY_ID, limit=1)
        return EventHit.from_source(hits[0]) if hits else None

    def story_articles(self, story_id: str, limit: int = STORY_LIMIT) -> list[ArticleHit]:
        """Every searchable article of a story, first published first."""
        found = self._searchable("articles", "story_id", story_id, OLDEST_FIRST, limit=limit)
        return [ArticleHit.from_source(source) for source in found]

    def _searchable(
        self, kind: SearchKind, field: str, value: str, sort: list[Any], limit: int
    ) -> list[dict[str, Any]]:
        """Searchable (indexed) documents whose keyword `field` is `value`; the
        alias may span several indices after a rollover, so this searches, never GETs."""
        index = self.names.events if kind == "events" else self.names.articles
        wanted = [{"terms": {field: [value]}}, {"exists": {"field": "indexed_at"}}]
        source = {"excludes": elastic_search.INTERNAL[kind]}
        hits = self.calls.scan(index, {"bool": {"filter": wanted}}, sort, source, limit)
        return [dict(hit["_source"]) for hit in hits]

    def _search(self, index: str, q: str, body: dict[str, Any]) -> dict[str, Any]:
        request = partial(self.calls.client.search, index=index, **body)
        try:
            return dict(self.calls.run(index, "searching", request, expect=(400,)))
        except ApiError as exc:
            if "parse" in str(exc.body).lower():
                raise QueryError(q, _root_reason(exc)) from exc
            raise self.calls.error(index, "searching", exc) from exc

    def _deep_search(self, index: str, query: SearchQuery, kind: SearchKind) -> AnyResult:
        """Past the result window: totals and facets from one request, the page by search_after
        under a point in time, read up to its last hit (so the PIT is closed on return)."""
        if kind == "events" and query.collapse:
            raise QueryError(
                query.q, f"one line per story stops at {elastic_search.MAX_WINDOW} hits; narrow it"
            )
        body = elastic_search.request(query.model_copy(update={"offset": 0, "limit": 0}), kind)
        head = self._search(index, query.q, body)
        extra = {"highlight": body["highlight"]} if "highlight" in body else {}
        source = {"excludes": elastic_search.INTERNAL[kind]}
        end = query.offset + query.limit
        hits = self.calls.scan(index, body["query"], body["sort"], source, end, **extra)
        head["hits"]["hits"] = list(islice(hits, query.offset, end))
        return elastic_search.result(head, query, kind)

    # cycles ------------------------------------------------------------------

    def record_cycle(self, report: CycleReport) -> None:
        index = self.names.cycles
        document = report.model_dump(mode="json")
        write = partial(
            self.calls.client.index,
            index=index,
            id=report.run_id,
            document=document,
            refresh=WAIT_FOR,
        )
        self.calls.run(index, f"recording cycle {report.run_id}", write)

    def last_cycle(self) -> CycleReport | None:
        newest = [{"started": {"order": "desc"}}, {"run_id": {"order": "asc"}}]
        hits = list(self.calls.scan(self.names.cycles, {"match_all": {}}, newest, limit=1))
        return CycleReport.model_validate(hits[0]["_source"]) if hits else None


def _root_reason(exc: ApiError) -> str:
    """Why the cluster refused a query: the innermost cause it gives (the parser's own
    words, such as "'*' or '?' not allowed as first character"), else the root cause."""
    error = exc.body.get("error") if isinstance(exc.body, dict) else None
    if not isinstance(error, dict):
        return describe(exc)
    shards = [s.get("reason") for s in error.get("failed_shards") or [] if isinstance(s, dict)]
    for start in [*shards, error]:
        inner = _innermost(start)
        if inner:
            return inner
    causes = error.get("root_cause")
    if causes and isinstance(causes[0], dict):
        return str(causes[0].get("reason"))
    return describe(exc)


def _innermost(error: Any) -> str | None:
    """The reason of the deepest `caused_by` under `error`, if it has one."""
    found = None
    while isinstance(error, dict) and isinstance(error.get("caused_by"), dict):
        error = error["caused_by"]
        found = str(error.get("reason") or found)
    return found
