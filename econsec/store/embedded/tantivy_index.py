"""Tantivy indexes for events and articles: schema, upserts, search.

Tantivy admits one writer per index across all processes, so a writer is
opened only for the length of one batch and closed right after its commit;
a second process waiting for it retries with backoff. Readers never block.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import shutil
import tempfile
import threading
import time
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import tantivy

from econsec.errors import QueryError, StoreBusyError, StoreError
from econsec.models import SortOrder, check_query_size

KEYWORD = "keyword"
TEXT = "text"
DATE = "date"
FLOAT = "float"
CLUSTER = "cluster"  # made from the source, not copied from it: see `cluster_key`

EVENT_FIELDS: dict[str, str] = {
    "id": KEYWORD,
    "article_id": KEYWORD,
    "type": KEYWORD,
    "category": KEYWORD,
    "status": KEYWORD,
    "initiator": KEYWORD,
    "target": KEYWORD,
    "partner": KEYWORD,
    "countries": KEYWORD,
    "technologies": KEYWORD,
    "source": KEYWORD,
    "feed": KEYWORD,
    "story_id": KEYWORD,
    "cluster_id": KEYWORD,
    "url": KEYWORD,
    "title": TEXT,
    "summary": TEXT,
    "evidence": TEXT,
    "published": DATE,
    "confidence": FLOAT,
    "cluster_key": CLUSTER,
}
ARTICLE_FIELDS: dict[str, str] = {
    "id": KEYWORD,
    "feed": KEYWORD,
    "source": KEYWORD,
    "url": KEYWORD,
    "story_id": KEYWORD,
    "date_quality": KEYWORD,
    "technologies": KEYWORD,
    "event_types": KEYWORD,
    "title": TEXT,
    "summary": TEXT,
    "published": DATE,
    "fetched": DATE,
}
DEFAULT_SEARCH_FIELDS = {
    "events": ["title", "evidence", "summary"],
    "articles": ["title", "summary"],
}
WRITER_HEAP = 64_000_000
SCAN_PAGE = 1_000
CACHED_AGGREGATIONS = 256  # answers kept per snapshot: each a few kilobytes
LOCK_RETRIES = 8
AND_NOT = re.compile(r"\bAND\s+NOT\s+")
LEADING_NOT = re.compile(r"^NOT\s+")
ANY_VALUE = re.compile(r"(?<![\w.\\])(\w+):\*(?![\w*])")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# A term that starts with a wildcard (`*ina`, `title:?hip`), outside quoted phrases.
LEADING_WILDCARD = re.compile(r"(?:^|(?<=[\s(:+-]))([*?]+\w[^\s)]*)")
PHRASE = re.compile(r'"(?:[^"\\]|\\.)*"')
NOT_FAST = re.compile(r"Field (\w+) is not a fast field")


def build_schema(fields: dict[str, str]) -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    for name, kind in fields.items():
        if kind == KEYWORD:
            builder.add_text_field(name, stored=False, tokenizer_name="raw", fast=True)
        elif kind == TEXT:
            builder.add_text_field(name, stored=True, tokenizer_name="en_stem")
        elif kind == DATE:
            builder.add_date_field(name, stored=False, indexed=True, fast=True)
        elif kind == FLOAT:
            builder.add_float_field(name, stored=False, indexed=True, fast=True)
        elif kind == CLUSTER:
            builder.add_integer_field(name, stored=False, indexed=False, fast=True)
    builder.add_bytes_field("_source", stored=True, indexed=False)
    return builder.build()


def cluster_of(source: dict[str, Any]) -> str:
    """A document's cluster: its `cluster_id`, or its own `id` when it has none."""
    return str(source.get("cluster_id") or source.get("id") or "")


def cluster_key(cluster: str) -> int:
    """A cluster as a signed 64-bit number: Tantivy hands numeric fast fields to Python for
    thousands of hits at once, but not text ones. Two clusters of one window share a key
    with a chance of about 1 in 10^12; the page's hits are checked against their sources."""
    digest = hashlib.blake2b(cluster.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


@dataclass
class Hits:
    total: int
    docs: list[dict[str, Any]]
    stored: list[tantivy.Document] = field(default_factory=list)  # for snippets


@dataclass
class Snapshot:
    """One searcher that every thread shares until a commit changes the index, what has
    been read of its documents' clusters (a `DocAddress` keeps its meaning only within one
    searcher, so the two are replaced together) and the aggregations it has answered."""

    searcher: tantivy.Searcher
    cluster_keys: dict[tuple[int, int], str] = field(default_factory=dict)
    aggregations: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)


@dataclass
class Window:
    """The first hits of one search, with the snapshot they belong to: every later read of
    these hits goes through its searcher. A hit's key is its score, or its `published` in
    nanoseconds when sorted by date; ties are broken by address, in the engine's total order."""

    snapshot: Snapshot
    hits: list[tuple[Any, tantivy.DocAddress]]
    total: int
    order: SortOrder

    @property
    def searcher(self) -> tantivy.Searcher:
        return self.snapshot.searcher

    @property
    def complete(self) -> bool:
        """Whether the window holds every match."""
        return len(self.hits) >= self.total


class TantivyIndex:
    """One Tantivy index on disk, whose documents carry their JSON source."""

    def __init__(self, path: Path, fields: dict[str, str], kind: str):
        self.path = path
        self.fields = fields
        self.kind = kind
        self.schema = build_schema(fields)
        try:
            path.mkdir(parents=True, exist_ok=True)
            self.index = self._open(path if os.access(path, os.W_OK) else self._links_to(path))
        except (ValueError, OSError) as exc:
            raise StoreError(str(path), f"cannot open {kind} index: {exc}") from exc
        self._meta = path / "meta.json"
        self._seen = b""
        self._snapshot: Snapshot | None = None
        self._swapping = threading.Lock()

    def _links_to(self, path: Path) -> Path:
        """A read-only index (a mounted snapshot) opened through a private folder of links
        to its files: even a reader makes a lock file beside them, which it cannot there."""
        private = Path(tempfile.mkdtemp(prefix="econsec-readonly-"))
        weakref.finalize(self, shutil.rmtree, private, ignore_errors=True)
        for item in path.iterdir():
            if not item.name.startswith(".tantivy-"):
                (private / item.name).symlink_to(item.resolve())
        return private

    def _open(self, location: Path) -> tantivy.Index:
        """The index, made if new. One written before cluster keys existed is opened as it
        is, without them: its documents' clusters are then read from their sources."""
        try:
            return tantivy.Index(self.schema, path=str(location), reuse=True)
        except ValueError as exc:
            older = {name: kind for name, kind in self.fields.items() if kind != CLUSTER}
            if "schema does not match" not in str(exc) or older == self.fields:
                raise
            index = tantivy.Index.open(str(location))
            if index.schema != build_schema(older):
                raise
            self.fields, self.schema = older, index.schema
            return index

    @property
    def has_cluster_keys(self) -> bool:
        return CLUSTER in self.fields.values()

    def cluster_keys(self, window: Window) -> list[int | None]:
        """Each hit's `cluster_key` from the fast field, all in one call (None where the
        index has none)."""
        if not self.has_cluster_keys or not window.hits:
            return [None] * len(window.hits)
        addresses = [address for _, address in window.hits]
        values = window.searcher.fast_field_values("cluster_key", addresses)
        return cast(list[int | None], values)  # an integer field: no float or bool

    def upsert(self, sources: Iterable[dict[str, Any]], remove: Iterable[str] = ()) -> int:
        """Delete-then-add by id in one commit, so a rerun never duplicates; the documents
        whose ids are in `remove` go in the same commit. A write the disk refuses is a
        `StoreError`; the commit is all or nothing, so a rerun redoes it."""
        writer = self._writer()
        count = 0
        try:
            for doc_id in remove:
                writer.delete_documents_by_term("id", doc_id)
            for source in sources:
                writer.delete_documents_by_term("id", source["id"])
                writer.add_document(self._document(source))
                count += 1
            writer.commit()
            writer.wait_merging_threads()
        except (ValueError, OSError) as exc:
            _rollback(writer)
            hint = " (is the disk full?)" if _looks_like_io(str(exc)) else ""
            raise StoreError(
                str(self.path), f"cannot write the {self.kind} index: {exc}{hint}"
            ) from exc
        except BaseException:
            _rollback(writer)
            raise
        self.index.reload()
        return count

    def _writer(self) -> tantivy.IndexWriter:
        delay = 0.1
        for attempt in range(LOCK_RETRIES):
            try:
                return self.index.writer(heap_size=WRITER_HEAP, num_threads=1)
            except (ValueError, OSError) as exc:
                if "lock" not in str(exc).lower() or attempt == LOCK_RETRIES - 1:
                    raise StoreBusyError(
                        str(self.path), f"{self.kind} index writer: {exc}"
                    ) from exc
                time.sleep(delay)
                delay *= 2
        raise StoreBusyError(str(self.path), "unreachable")

    def _document(self, source: dict[str, Any]) -> tantivy.Document:
        doc = tantivy.Document()
        for name, kind in self.fields.items():
            if kind == CLUSTER:
                doc.add_integer(name, cluster_key(cluster_of(source)))
                continue
            value = source.get(name)
            if value in (None, "", []):
                continue
            values = value if isinstance(value, list) else [value]
            for item in values:
                if kind == DATE:
                    doc.add_date(name, _as_datetime(item))
                elif kind == FLOAT:
                    doc.add_float(name, float(item))
                else:
                    doc.add_text(name, str(item))
        doc.add_bytes("_source", json.dumps(source, default=str).encode("utf-8"))
        return doc

    def parse(self, text: str) -> tantivy.Query:
        return parse_query(self.index, text, self.kind)

    def snapshot(self) -> Snapshot:
        """The shared searcher, replaced as soon as a commit, from this process or another,
        has rewritten `meta.json` (read each time: a few kilobytes, microseconds)."""
        try:
            meta = self._meta.read_bytes()
        except OSError:
            meta = b""
        with self._swapping:
            if self._snapshot is None or meta != self._seen:
                if self._snapshot is not None:
                    self.index.reload()
                self._snapshot, self._seen = Snapshot(self.index.searcher()), meta
            return self._snapshot

    def window(
        self, query: tantivy.Query, *, limit: int, order: SortOrder, offset: int = 0
    ) -> Window:
        """Hits' addresses and sort keys only: no stored document is read."""
        snapshot = self.snapshot()
        searcher = snapshot.searcher
        if limit <= 0:
            return Window(snapshot, [], _count(searcher.search(query, 1)), order)
        result = _ordered(searcher, query, limit, offset, order)
        return Window(snapshot, result.hits, _count(result), order)

    def search(
        self, query: tantivy.Query, *, limit: int, order: SortOrder, offset: int = 0
    ) -> Hits:
        found = self.window(query, limit=limit, order=order, offset=offset)
        stored = [found.searcher.doc(address) for _, address in found.hits]
        return Hits(total=found.total, docs=[_source(doc) for doc in stored], stored=stored)

    def scan(self, query: tantivy.Query, *, order: SortOrder) -> Iterator[dict[str, Any]]:
        """Every match's source, `SCAN_PAGE` at a time, all from one searcher."""
        searcher, page = self.snapshot().searcher, SCAN_PAGE
        offset = 0
        while True:
            hits = _ordered(searcher, query, page, offset, order).hits
            for _, address in hits:
                yield _source(searcher.doc(address))
            if len(hits) < page:
                return
            offset += page

    def aggregate(self, query: tantivy.Query, spec: dict[str, Any]) -> dict[str, Any]:
        """Aggregations run without the interpreter lock, so threads overlap here. Their
        answers are kept with the snapshot, as Elasticsearch's request cache keeps them until
        the next refresh: counting a facet over every event of a large index takes Tantivy
        tens of milliseconds, and the landing page asks the same of each visitor. A query's
        `repr` spells out every term and bound, so equal keys mean the same question. The
        answer is shared by every caller, so never to be changed."""
        snapshot = self.snapshot()
        key = (repr(query), json.dumps(spec, sort_keys=True))
        found = snapshot.aggregations.get(key)
        if found is None:
            found = dict(snapshot.searcher.aggregate(query, spec))
            if len(snapshot.aggregations) >= CACHED_AGGREGATIONS:
                snapshot.aggregations.clear()
            snapshot.aggregations[key] = found
        return found

    def highlights(
        self, query: tantivy.Query, stored: list[tantivy.Document], field_name: str
    ) -> list[list[tuple[int, int]]]:
        """Where `query` matched in `field_name` of each document, within its best fragment:
        (start, end) offsets in characters of the stored text (Tantivy counts bytes)."""
        if not stored:
            return []
        searcher = self.snapshot().searcher
        generator = tantivy.SnippetGenerator.create(searcher, query, self.schema, field_name)
        generator.set_max_num_chars(400)
        found = []
        for doc in stored:
            snippet = generator.snippet_from_doc(doc)
            raw = str(doc.get_first(field_name) or "").encode("utf-8")
            base = snippet.fragment_range().start
            found.append(
                [
                    (_chars(raw, base + r.start), _chars(raw, base + r.end))
                    for r in snippet.highlighted()
                ]
            )
        return found

    def count(self) -> int:
        return int(self.snapshot().searcher.num_docs)

    def term_filter(self, field: str, values: list[str]) -> tantivy.Query:
        return tantivy.Query.term_set_query(self.schema, field, values)

    def at_least(self, field: str, lower: float) -> tantivy.Query:
        """Documents whose number field `field` is `lower` or more."""
        return tantivy.Query.range_query(
            self.schema, field, tantivy.FieldType.Float, float(lower), None
        )

    def published_after(self, nanos: int) -> tantivy.Query:
        """Documents published strictly later than a sort key of a newest-first window."""
        after = EPOCH + timedelta(microseconds=nanos // 1000)
        return tantivy.Query.range_query(
            self.schema, "published", tantivy.FieldType.Date, after, None, include_lower=False
        )

    def date_filter(self, since: datetime | None, until: datetime | None) -> tantivy.Query:
        return tantivy.Query.range_query(
            self.schema,
            "published",
            tantivy.FieldType.Date,
            _as_datetime(since) if since else None,
            _as_datetime(until) if until else None,
        )


IO_SIGNS = ("io::error", "file too large", "no space left", "disk quota", "writer was killed")


def _looks_like_io(message: str) -> bool:
    """Tantivy reports a refused write either as the OS error or, when one of its writer
    threads hit it first, as a killed writer: both usually mean the disk is full."""
    lowered = message.lower()
    return any(sign in lowered for sign in IO_SIGNS)


def _rollback(writer: tantivy.IndexWriter) -> None:
    """Undo what the writer added; a failure here must not hide the one being reported."""
    with contextlib.suppress(ValueError, OSError):
        writer.rollback()


def parse_query(index: tantivy.Index, text: str, kind: str) -> tantivy.Query:
    """Lucene syntax; `a AND NOT b` and a leading `NOT` are rewritten to the form
    Tantivy's parser reads as Lucene does (`a AND -b`, `* -b`). The query is tried on an
    empty index of the same schema, because some (`title:*`) parse and fail only when
    searched: tried here, they fail as a `QueryError` when a rule loads, not every run."""
    check_query_size(text)
    text = given = text.strip()
    if text in ("", "*"):
        return tantivy.Query.all_query()
    text = AND_NOT.sub("AND -", text)
    text = LEADING_NOT.sub("-", text)
    if text.startswith("-"):
        text = f"* {text}"
    fields = EVENT_FIELDS if kind == "events" else ARTICLE_FIELDS
    wildcard = LEADING_WILDCARD.search(PHRASE.sub(" ", text))
    if wildcard:  # Tantivy would find nothing; Elasticsearch refuses it: say why, on both
        raise QueryError(given, _leading_wildcard_reason(wildcard.group(1)))
    for name in ANY_VALUE.findall(text):
        if fields.get(name) == TEXT:  # Tantivy would refuse it only while searching
            raise QueryError(text, _presence_reason(name))
    try:
        query = index.parse_query(text, DEFAULT_SEARCH_FIELDS[kind])
        _empty_index(kind).searcher().search(query, 1)
    except ValueError as exc:
        raise QueryError(text, _reason(str(exc))) from exc
    return query


def _reason(message: str) -> str:
    """Tantivy's message, with what to do when the query asks whether a text field is
    present (`title:*`), which the parser accepts and only a search refuses."""
    message = message.replace("Invalid query: ", "")
    found = NOT_FAST.search(message)
    return _presence_reason(found.group(1)) if found else message


def _leading_wildcard_reason(term: str) -> str:
    return (
        f"{term} starts with a wildcard, which would have to read every word in the index; "
        f"start with at least one letter (chin*, semicon?uctor)"
    )


def _presence_reason(name: str) -> str:
    return (
        f"{name}:* asks whether a field is present, which only keyword, date and number "
        f"fields can answer (type, initiator, published, …), not the text field {name}"
    )


@functools.cache
def _empty_index(kind: str) -> tantivy.Index:
    return tantivy.Index(build_schema(EVENT_FIELDS if kind == "events" else ARTICLE_FIELDS))


def check_query(text: str, kind: str = "events") -> None:
    """Raise `QueryError` now for a query that could never run (alert rules, saved searches)."""
    parse_query(_empty_index(kind), text, kind)


def _as_datetime(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _chars(raw: bytes, offset: int) -> int:
    return len(raw[:offset].decode("utf-8", "ignore"))


def _source(doc: tantivy.Document) -> dict[str, Any]:
    raw = doc.get_first("_source")
    return json.loads(bytes(raw).decode("utf-8")) if raw else {}


def combine(queries: list[tantivy.Query]) -> tantivy.Query:
    if len(queries) == 1:
        return queries[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in queries])


def _count(result: tantivy.SearchResult) -> int:
    """The match count (the bundled type stubs do not declare the attribute)."""
    return int(getattr(result, "count", 0) or 0)


def _ordered(
    searcher: tantivy.Searcher, query: tantivy.Query, limit: int, offset: int, order: SortOrder
) -> tantivy.SearchResult:
    """Newest first, oldest first (both by `published`), or by score."""
    if order == SortOrder.RELEVANCE:
        return searcher.search(query, limit, offset=offset)
    direction = tantivy.Order.Desc if order == SortOrder.NEWEST else tantivy.Order.Asc
    return searcher.search(query, limit, offset=offset, order_by_field="published", order=direction)
