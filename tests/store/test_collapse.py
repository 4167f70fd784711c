"""The embedded store's collapse gives what reading and grouping every hit of the window
gives (`reference`, the straightforward algorithm it replaces): same hits, same order, same
outlets, same totals and cluster counts, on windows smaller and larger than the matches,
over the awkward events of `collapse_data`.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import tantivy

from econsec.models import SearchQuery, SortOrder
from econsec.store.embedded.collapse import COLLAPSE_WINDOW, collapse, source_field
from econsec.store.embedded.store import EmbeddedStore
from econsec.store.embedded.tantivy_index import (
    CLUSTER,
    EVENT_FIELDS,
    TantivyIndex,
    cluster_key,
    combine,
)
from econsec.store.hits import EventHit, SearchResult, with_highlights
from tests.support.collapse_data import SECONDS, events, reference, write


def reference_search(store: EmbeddedStore, query: SearchQuery) -> SearchResult[EventHit]:
    """The whole search the old way, highlights (one lookup by id each) and facets too."""
    index = store.events_index
    text = index.parse(query.q)
    full = combine([text, *store._filters(index, query, "events")])
    total, clusters, hits = reference(
        index, full, query.sort, query.offset, query.limit, COLLAPSE_WINDOW
    )
    searcher = index.index.searcher()
    marked = []
    for hit in hits:
        spans: list[tuple[int, int]] = []
        if query.q.strip("* "):
            by_id = tantivy.Query.term_query(index.schema, "id", hit.id)
            address = searcher.search(by_id, 1).hits[0][1]
            (spans,) = index.highlights(text, [searcher.doc(address)], "evidence")
        marked.append(with_highlights(hit, spans))
    found = SearchResult(total=total, clusters=clusters, hits=marked)
    if query.facets:
        found.facets = store._facets(index, full)
    return found


@pytest.fixture(scope="module")
def awkward(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    store = EmbeddedStore(tmp_path_factory.mktemp("collapse") / "store")
    write(store, events(700, seed=7), batches=4)
    return store


TEXTS = ["*", "gallium", "chip OR gallium OR lithium", "NOT japan", "type:export_control.ban"]


@pytest.mark.parametrize("size", [1, 40, 300, COLLAPSE_WINDOW])
@pytest.mark.parametrize("order", list(SortOrder))
@pytest.mark.parametrize("text", TEXTS)
def test_same_pages_as_grouping_every_hit(
    awkward: EmbeddedStore, size: int, order: SortOrder, text: str
) -> None:
    index = awkward.events_index
    query = index.parse(text)
    for offset, limit in [(0, 20), (0, 1), (3, 7), (25, 40), (0, 0), (10_000, 20), (0, 1000)]:
        page = collapse(index, query, order=order, offset=offset, limit=limit, size=size)
        expected = reference(index, query, order, offset, limit, size)
        assert (page.total, page.clusters, page.hits) == expected, (offset, limit)


def test_the_awkward_cases_are_there(awkward: EmbeddedStore) -> None:
    """The fixture holds what the comparisons above are meant to meet."""
    index = awkward.events_index
    docs = index.search(tantivy.Query.all_query(), limit=10_000, order=SortOrder.NEWEST).docs
    published = [doc["published"] for doc in docs]
    assert len(docs) == 700 and len(set(p[:19] for p in published)) < 50
    assert any("." in p for p in published)
    assert any(not doc["cluster_id"] for doc in docs)
    ids = {doc["id"] for doc in docs}
    assert any(doc["cluster_id"] in ids for doc in docs)
    assert index.snapshot().searcher.num_segments > 1


@pytest.mark.parametrize(
    "query",
    [
        SearchQuery(facets=True),
        SearchQuery(q="gallium", sort="relevance", facets=True),
        SearchQuery(q="chip OR graphite", offset=20, limit=50),
        SearchQuery(q="lithium", categories=["export_control"], countries=["CN"]),
        SearchQuery(q="ban", since=SECONDS[10], until=SECONDS[30] + timedelta(seconds=1)),
        SearchQuery(q="gallium OR chip", limit=0, facets=True),
    ],
)
def test_store_search_is_unchanged(awkward: EmbeddedStore, query: SearchQuery) -> None:
    assert awkward.search(query) == reference_search(awkward, query)


def test_a_window_cut_inside_tied_hits(tmp_path: Path) -> None:
    """More matches than the real window, newest first, its last second shared by hits on
    both sides of the cut: counted from the aggregation, plus the tied hits read."""
    store = EmbeddedStore(tmp_path / "store")
    sources = events(COLLAPSE_WINDOW + 600, seed=11)
    write(store, sources, batches=2)
    index = store.events_index
    everything = tantivy.Query.all_query()
    window = index.window(everything, limit=COLLAPSE_WINDOW, order=SortOrder.NEWEST)
    last = window.hits[-1][0]
    beyond = index.window(everything, limit=COLLAPSE_WINDOW + 1, order=SortOrder.NEWEST)
    assert beyond.hits[-1][0] == last and not window.complete
    for offset, limit in [(0, 20), (2_000, 100)]:
        page = collapse(index, everything, order=SortOrder.NEWEST, offset=offset, limit=limit)
        expected = reference(index, everything, SortOrder.NEWEST, offset, limit, COLLAPSE_WINDOW)
        assert (page.total, page.clusters, page.hits) == expected
    store.close()


def test_a_changed_cluster_is_seen_at_once(tmp_path: Path) -> None:
    """Clusters remembered for one snapshot are dropped with it: a commit, even by another
    store object (another process, for the web server), is seen by the next search."""
    reader = EmbeddedStore(tmp_path / "store")
    writer = EmbeddedStore(tmp_path / "store")
    sources = events(60, seed=3)
    write(writer, sources, batches=1)
    before = reader.search(SearchQuery(limit=100))
    merged = [{**doc, "cluster_id": "one-story"} for doc in sources]
    writer.events_index.upsert(merged)
    after = reader.search(SearchQuery(limit=100))
    assert before.clusters is not None and before.clusters > 1
    assert (after.total, after.clusters, len(after.hits[0].event_ids or ())) == (60, 1, 60)
    for store in (reader, writer):
        store.close()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('{"id": "e1", "cluster_id": "c1", "title": "a \\"cluster_id\\": \\"x\\""}', "c1"),
        ('{"title": "says \\"cluster_id\\": \\"x\\"", "cluster_id": "c1"}', "c1"),
        ('{"id": "e1", "cluster_id": "c\\u00e9\\"1"}', 'cé"1'),
        ('{"id":"e1","cluster_id":"c1"}', "c1"),  # compact: parsed whole
        ('{"id": "e1", "cluster_id": null}', None),
        ('{"id": "e1"}', None),
        ('{"id": "e1", "cluster_id": ""}', ""),
    ],
)
def test_a_cluster_is_read_from_the_raw_source(raw: str, expected: str | None) -> None:
    assert source_field(raw, "cluster_id") == expected


def test_cluster_keys_never_change() -> None:
    """Keys are written to indexes on disk: a different hash would split every cluster of an
    index written before it."""
    assert cluster_key("c1") == cluster_key("c1") == 5653263758500360259
    assert cluster_key("c1") != cluster_key("c2")


def test_an_index_written_before_cluster_keys(tmp_path: Path) -> None:
    """Opened as it is, and collapsed from the sources: the same pages as the new index."""
    older = {name: kind for name, kind in EVENT_FIELDS.items() if kind != CLUSTER}
    sources = events(400, seed=5)
    old = TantivyIndex(tmp_path / "old" / "events", older, "events")
    old.upsert(sources)
    new = EmbeddedStore(tmp_path / "new")
    new.events_index.upsert(sources)
    reopened = EmbeddedStore(tmp_path / "old")
    assert not reopened.events_index.has_cluster_keys and new.events_index.has_cluster_keys
    for query in [SearchQuery(limit=30, facets=True), SearchQuery(q="chip", offset=5)]:
        assert reopened.search(query) == new.search(query)
    reopened.events_index.upsert(sources[:10])  # still written to, in its own schema
    assert reopened.search(SearchQuery()).total == 400
    for store in (new, reopened):
        store.close()
