"""One hit per cluster on the embedded store, reading only the page's documents.

The collapse window is the first `COLLAPSE_WINDOW` hits in the engine's order
(newest first, or by score; ties by address). Its clusters are numbered in the
order they first appear, a page is a slice of them, and each page entry is the
cluster's first hit with every copy of it in the window. A document's cluster is
its `cluster_id`, or its own `id` when it has none.

Reading and parsing the window's 5,000 stored documents in Python held the
interpreter lock for 100 ms and more per search. Instead:

- the cluster count is a `terms` aggregation (which runs without the lock) over
  the window written as a query: every match when they all fit, or, newest first,
  the matches published after the window's last hit, plus the few hits tied with it;
- the page's clusters come from reading hits in order until the page is full;
- their copies come from one more search, for those clusters only.

By score with more matches than the window, no query describes the window, so
the cluster of each of its hits is read from the raw source (without parsing it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import tantivy

from econsec.models import story_hit
from econsec.store.embedded.tantivy_index import Snapshot, TantivyIndex, Window, combine

COLLAPSE_WINDOW = 5_000
CACHED_KEYS = 100_000  # clusters remembered per snapshot (~100 bytes each): 20 windows
Address = tuple[int, int]  # (segment ordinal, document id): a `DocAddress` that hashes
DECODER = json.JSONDecoder()


@dataclass
class Page:
    total: int
    clusters: int
    hits: list[dict[str, Any]] = field(default_factory=list)
    stored: list[tantivy.Document] = field(default_factory=list)  # each hit's, for snippets


def collapse(
    index: TantivyIndex,
    query: tantivy.Query,
    *,
    newest: bool,
    offset: int,
    limit: int,
    size: int = COLLAPSE_WINDOW,
) -> Page:
    """Clusters `offset` to `offset + limit` of the first `size` hits of `query`."""
    window = index.window(query, limit=size, newest_first=newest)
    docs = StoredDocs(window.snapshot)
    clusters = count_clusters(index, query, window, docs)
    first_hits = page_clusters(window, docs, offset + limit)[offset:]
    if not first_hits:
        return Page(window.total, clusters)
    copies = copies_in_window(index, query, window, docs, [key for key, _ in first_hits])
    page = Page(window.total, clusters)
    for key, address in first_hits:
        page.hits.append(story_hit(docs.source(address), [docs.source(a) for a in copies[key]]))
        page.stored.append(docs.document(address))
    return page


def count_clusters(
    index: TantivyIndex, query: tantivy.Query, window: Window, docs: StoredDocs
) -> int:
    if window.complete:
        return len(cluster_keys(window.searcher, query, window.total))
    last = window.hits[-1][0]
    if not window.newest_first or last is None:
        return len({docs.key(address) for _, address in window.hits})
    tied = [address for key, address in window.hits if key == last]
    later = combine([query, index.published_after(last)])
    expected = len(window.hits) - len(tied)
    if _count(window.searcher, later) != expected:  # dates finer than the index keeps
        return len({docs.key(address) for _, address in window.hits})
    keys = cluster_keys(window.searcher, later, expected)
    return len(keys | {docs.key(address) for address in tied})


def cluster_keys(searcher: tantivy.Searcher, query: tantivy.Query, matches: int) -> set[str]:
    """Every cluster of a query's `matches` documents, counted exactly: the aggregation
    returns all its buckets when asked for as many as there are documents."""
    if matches <= 0:
        return set()
    keys, covered = _terms(searcher, query, "cluster_id", matches)
    if covered < matches:  # documents without a cluster stand for themselves
        lone = tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Must, query),
                (tantivy.Occur.MustNot, tantivy.Query.exists_query("cluster_id")),
            ]
        )
        keys |= _terms(searcher, lone, "id", matches)[0]
    return keys


def _terms(
    searcher: tantivy.Searcher, query: tantivy.Query, field_name: str, size: int
) -> tuple[set[str], int]:
    spec = {"terms": {"field": field_name, "size": size, "segment_size": size}}
    buckets = searcher.aggregate(query, {"keys": spec})["keys"]["buckets"]
    return {b["key"] for b in buckets}, sum(b["doc_count"] for b in buckets)


def page_clusters(window: Window, docs: StoredDocs, wanted: int) -> list[tuple[str, Any]]:
    """The first `wanted` clusters in window order, each with its first hit's address."""
    first: dict[str, Any] = {}
    for _, address in window.hits:
        if len(first) >= wanted:
            break
        first.setdefault(docs.key(address), address)
    return list(first.items())


def copies_in_window(
    index: TantivyIndex,
    query: tantivy.Query,
    window: Window,
    docs: StoredDocs,
    keys: list[str],
) -> dict[str, list[Any]]:
    """Every hit of the window in these clusters, in window order, by cluster."""
    wanted = set(keys)
    copies: dict[str, list[Any]] = {key: [] for key in keys}
    for address in _window_members(index, query, window, docs, keys):
        key = docs.key(address)
        if key in wanted:
            copies[key].append(address)
    return copies


def _window_members(
    index: TantivyIndex, query: tantivy.Query, window: Window, docs: StoredDocs, keys: list[str]
) -> list[Any]:
    """Window hits that may belong to these clusters. When every hit's cluster is known
    already, that is all of them; else one search for the clusters' documents (by
    `cluster_id`, or by `id` for those without one), kept if they are in the window."""
    if all(docs.knows(address) for _, address in window.hits):
        return [address for _, address in window.hits]
    either = tantivy.Query.boolean_query(
        [
            (tantivy.Occur.Should, index.term_filter("cluster_id", keys)),
            (tantivy.Occur.Should, index.term_filter("id", keys)),
        ]
    )
    members = combine([query, either])
    found = window.searcher.search(members, len(window.hits))
    if _count_of(found) > len(window.hits):
        found = window.searcher.search(members, _count_of(found))
    inside = {_key(address) for _, address in found.hits}
    return [address for _, address in window.hits if _key(address) in inside]


class StoredDocs:
    """The stored documents of one snapshot, each read at most once per search; their
    clusters are remembered by the snapshot, so that the next page of the same search, or
    the same search again, reads none. A cluster is found in the raw JSON source without
    parsing all of it (sources are flat objects written by `json.dumps`, so `"name": `
    only ever starts a key)."""

    def __init__(self, snapshot: Snapshot):
        self.searcher = snapshot.searcher
        self._keys = snapshot.cluster_keys
        self._documents: dict[Address, tantivy.Document] = {}
        self._sources: dict[Address, dict[str, Any]] = {}

    def document(self, address: Any) -> tantivy.Document:
        at = _key(address)
        found = self._documents.get(at)
        if found is None:
            found = self._documents[at] = self.searcher.doc(address)
        return found

    def raw(self, address: Any) -> str:
        value = self.document(address).get_first("_source")
        return bytes(value).decode("utf-8") if value else "{}"

    def source(self, address: Any) -> dict[str, Any]:
        """The parsed source: shared by every caller, so never to be changed."""
        at = _key(address)
        found = self._sources.get(at)
        if found is None:
            found = self._sources[at] = json.loads(self.raw(address))
        return found

    def knows(self, address: Any) -> bool:
        return _key(address) in self._keys

    def key(self, address: Any) -> str:
        """The document's cluster: `cluster_id`, or its `id` when it has none."""
        at = _key(address)
        found = self._keys.get(at)
        if found is None:
            raw = self.raw(address)
            found = source_field(raw, "cluster_id") or source_field(raw, "id") or ""
            if len(self._keys) >= CACHED_KEYS:
                self._keys.clear()
            self._keys[at] = found
        return found


def source_field(raw: str, name: str) -> str | None:
    """A top-level string of a JSON source, without parsing the rest when it can."""
    start = raw.find(f'"{name}": "')
    if start < 0:  # absent, null, or written another way: parse it all
        value = json.loads(raw).get(name)
        return value if isinstance(value, str) else None
    value, _ = DECODER.raw_decode(raw, start + len(name) + 4)
    return str(value)


def _key(address: Any) -> Address:
    return (address.segment_ord, address.doc)


def _count(searcher: tantivy.Searcher, query: tantivy.Query) -> int:
    return _count_of(searcher.search(query, 1))


def _count_of(result: tantivy.SearchResult) -> int:
    return int(getattr(result, "count", 0) or 0)
