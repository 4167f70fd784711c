"""A whole ingestion cycle with the real tagger on osmem-server (Elasticsearch REST over
HTTP) and on the embedded store, over the same feeds: a rerun adds nothing, and
searches give the same events, types and order.

Events that tie on `published` (an article's several event types, syndicated copies
sent at the same minute; Tantivy keeps dates to the second) come back in engine
order, so each run of equal dates is compared as a set; the order of the dates
themselves must match exactly.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from econsec.ingest import cycle
from econsec.ingest.feedfile import load_feeds
from econsec.models import SearchQuery
from econsec.store import SearchKind
from econsec.store.hits import ArticleHit, EventHit
from econsec.store.protocols import AnyResult
from tests.support.backends import Backend
from tests.support.paths import FIXTURES, ROOT

pytestmark = pytest.mark.slow
SAMPLES = ROOT / "feeds" / "samples" / "feeds.yaml"

QUERIES: dict[str, tuple[SearchQuery, SearchKind]] = {
    "stories": (SearchQuery(limit=1000, facets=True), "events"),
    "events": (SearchQuery(limit=1000, collapse=False), "events"),
    "text": (SearchQuery(q="export OR chip", limit=1000, collapse=False), "events"),
    "filtered": (SearchQuery(categories=["export_control"], limit=1000), "events"),
    "articles": (SearchQuery(limit=1000), "articles"),
}


def _when(hit: EventHit | ArticleHit) -> datetime:
    """To the second: Tantivy sorts dates by the second, Elasticsearch by the millisecond."""
    assert hit.published is not None
    return hit.published.replace(microsecond=0)


def _hit(found: EventHit | ArticleHit, text_query: bool) -> dict[str, Any]:
    """A hit without what equal dates leave to the engine: which copy represents a cluster."""
    hit = found.to_json()
    if "event_ids" in hit:
        keep = ("cluster_id", "type", "published", "source_count")
        return {
            **{k: hit[k] for k in keep},
            "event_ids": sorted(hit["event_ids"]),
            "sources": sorted(s["url"] for s in hit["sources"]),
        }
    skip = {"fetched", "highlights"} if text_query else {"fetched"}  # fetched: when each ran
    kept = {k: v for k, v in hit.items() if k not in skip}
    if hit.get("date_quality", "ok") != "ok":  # dated by the fetch, so by when each run ran
        kept["published"] = "fetch time"
    return kept


def _key(hit: dict[str, Any]) -> str:
    return json.dumps(hit, sort_keys=True)  # osmem sorts a source's keys; Elasticsearch keeps them


def comparable(result: AnyResult, text_query: bool) -> dict[str, Any]:
    """Totals, facets and the hits as (date to the second, hit) pairs; with each backend's
    dates in descending order, equal pairs mean the same order up to ties."""
    dates = [_when(h) for h in result.hits]
    assert dates == sorted(dates, reverse=True), "newest first"
    hits = [_hit(h, text_query) for h in result.hits]
    pairs = sorted((str(h["published"])[:19], _key(h)) for h in hits)
    return {
        "total": result.total,
        "clusters": result.clusters,
        "facets": result.facets,
        "hits": pairs,
    }


def _run(backend: Backend, tagger: object, feeds: Path) -> tuple[list[Any], dict[str, Any]]:
    store = backend.open()
    settings = backend.settings(feeds=str(feeds))
    specs = load_feeds(settings.feeds)
    try:
        reports = [cycle.run_cycle(specs, store, settings, tagger=tagger) for _ in range(2)]  # type: ignore[arg-type]
        found = {
            name: comparable(store.search(query, kind), bool(query.q.strip("* ")))
            for name, (query, kind) in QUERIES.items()
        }
    finally:
        store.close()
    return reports, found


@pytest.mark.parametrize(
    "feeds", [FIXTURES / "cycle_feeds.yaml", SAMPLES], ids=["fixtures", "samples"]
)
def test_a_cycle_on_osmem_gives_what_the_embedded_store_gives(
    osmem: Backend, tmp_path: Path, tagger: object, feeds: Path
) -> None:
    (first, second), on_osmem = _run(osmem, tagger, feeds)
    (reference, _), embedded = _run(Backend("embedded", tmp_path), tagger, feeds)
    assert first.new_articles == reference.new_articles > 0
    assert first.tagging.model_dump() == reference.tagging.model_dump()
    assert first.indexing == reference.indexing
    assert second.new_articles == 0 and second.tagging.new_events == 0
    assert second.indexing.events_indexed == 0
    for name in QUERIES:
        assert on_osmem[name] == embedded[name], name
    assert on_osmem["events"]["total"] == first.tagging.new_events
