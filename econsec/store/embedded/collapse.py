"""One hit per cluster on the embedded store, reading only the page's documents.

The collapse window is the first `COLLAPSE_WINDOW` hits in the engine's order
(newest first, oldest first, or by score; ties by address). Its clusters are numbered in the
order they first appear, a page is a slice of them, and each page entry is the
cluster's first hit with every copy of it in the window. A document's cluster is
its `cluster_id`, or its own `id` when it has none.

Every hit's cluster is read as a number (`cluster_key`, a fast field) for the
whole window in one call, so counting and grouping the window's clusters is a
pass over integers; only the page's hits and their copies are read from the
store. Terms aggregations over `cluster_id` cost Tantivy 30 to 100 ms each at
1,000,000 events (it counts over every cluster of the index), and reading the
window's 5,000 sources in Python 100 ms and more. An index written before
cluster keys existed has none: there each hit's cluster is read from its raw
source, once per snapshot.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import tantivy

from econsec.models import SortOrder
from econsec.store.embedded.tantivy_index import (
    Snapshot,
    TantivyIndex,
    Window,
    cluster_key,
    cluster_of,
)
from econsec.store.hits import EventHit, story_hit

COLLAPSE_WINDOW = 5_000
CACHED_KEYS = 100_000  # clusters remembered per snapshot (~100 bytes each): 20 windows
Address = tuple[int, int]  # (segment ordinal, document id): a `DocAddress` that hashes
# where the query matched in each stored document's evidence (`TantivyIndex.highlights`)
Highlighter = Callable[[list[tantivy.Document]], Sequence[Sequence[tuple[int, int]] | None]]
DECODER = json.JSONDecoder()


@dataclass
class Page:
    total: int
    clusters: int
    hits: list[EventHit] = field(default_factory=list)
    stored: list[tantivy.Document] = field(default_factory=list)  # each hit's, for snippets


def collapse(
    index: TantivyIndex,
    query: tantivy.Query,
    *,
    order: SortOrder,
    offset: int,
    limit: int,
    size: int = COLLAPSE_WINDOW,
    highlight: Highlighter | None = None,
) -> Page:
    """Clusters `offset` to `offset + limit` of the first `size` hits of `query`; with
    `highlight`, each hit has where the query matched in its first copy's evidence."""
    window = index.window(query, limit=size, order=order)
    docs = StoredDocs(window.snapshot)
    keys = window_keys(index, window, docs)
    in_order = dict.fromkeys(keys)
    page = Page(window.total, len(in_order))
    shown = list(itertools.islice(in_order, offset, offset + limit))
    stories = list(copies_in_window(window, keys, shown).values())
    page.stored = [docs.document(addresses[0]) for addresses in stories]
    found = highlight(page.stored) if highlight else [None] * len(stories)
    for addresses, spans in zip(stories, found, strict=True):
        first = docs.source(addresses[0])
        cluster = cluster_of(first)
        copies = [c for c in map(docs.source, addresses) if cluster_of(c) == cluster]
        page.hits.append(story_hit(first, copies, highlights=spans))
    return page


def window_keys(index: TantivyIndex, window: Window, docs: StoredDocs) -> list[int]:
    """Each hit's cluster key, from the fast field, or from its source where it has none."""
    found = index.cluster_keys(window)
    if None not in found:
        return cast(list[int], found)
    return [
        key if key is not None else cluster_key(docs.key(address))
        for key, (_, address) in zip(found, window.hits, strict=True)
    ]


def copies_in_window(window: Window, keys: list[int], shown: list[int]) -> dict[int, list[Any]]:
    """Every hit of the window in the shown clusters, in window order, by cluster: the
    positions are found in one comprehension, as a loop over 5,000 hits costs milliseconds."""
    wanted = set(shown)
    copies: dict[int, list[Any]] = {key: [] for key in shown}
    for at in [at for at, key in enumerate(keys) if key in wanted]:
        copies[keys[at]].append(window.hits[at][1])
    return copies


class StoredDocs:
    """The stored documents of one snapshot, each read at most once per search. Where the
    index has no cluster keys, the clusters read are remembered by the snapshot, so that the
    next page of the same search, or the same search again, reads none. A cluster is found
    in the raw JSON source without
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
