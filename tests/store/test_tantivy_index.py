"""The embedded store's Tantivy index: aggregations answered once per snapshot."""

from __future__ import annotations

from pathlib import Path

import tantivy

from econsec.models import SearchQuery
from econsec.store.embedded.store import EmbeddedStore
from tests.support.collapse_data import events

SPEC = {"types": {"terms": {"field": "type", "size": 10}}}


def test_an_aggregation_is_answered_once_per_snapshot(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    index = store.events_index
    index.upsert(events(50, seed=1))
    everything, chips = tantivy.Query.all_query(), index.parse("chip")
    first = index.aggregate(everything, SPEC)
    assert index.aggregate(everything, SPEC) is first
    assert index.aggregate(chips, SPEC) is not first
    assert index.aggregate(everything, {"n": {"terms": {"field": "type"}}}) is not first
    store.close()


def test_facets_follow_a_commit_from_another_store(tmp_path: Path) -> None:
    reader, writer = EmbeddedStore(tmp_path / "store"), EmbeddedStore(tmp_path / "store")
    sources = events(40, seed=2)
    writer.events_index.upsert(sources[:20])
    before = reader.search(SearchQuery(facets=True)).facets
    writer.events_index.upsert(sources[20:])
    after = reader.search(SearchQuery(facets=True)).facets
    assert sum(before["status"].values()) == 20 and sum(after["status"].values()) == 40
    for store in (reader, writer):
        store.close()
