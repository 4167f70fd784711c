"""Indexing and search throughput of the two backends on the same events, in one run; prints JSON.

    .venv/bin/python -m tests.support.measure_bulk --events 20000

The Elasticsearch side runs against osmem-server, an in-memory OpenSearch-compatible
server, on loopback: the figures measure the client path (bulk helpers, chunking,
the queue marking), not a real Elasticsearch cluster, which indexes to disk and
replicates. Compare the two backends with each other, not with production.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any

from osmem_server import OsmemServer

from econsec.config import Settings
from econsec.models import Article, Event, SearchQuery, TaggedArticle
from econsec.store import Store, open_store
from tests.support import factories
from tests.support.plain_json import PlainJsonNode

TYPES = ("export_control.ban", "investment_screening.review", "vendor_exclusion.ban")
QUERY = SearchQuery(q="gallium OR chips", facets=True)


def corpus(count: int) -> tuple[list[Article], list[Event]]:
    """`count` articles over a year, one event each; every third a copy in a two-outlet story."""
    start = datetime(2024, 1, 1, tzinfo=UTC)
    articles, events = [], []
    for n in range(count):
        title = f"{'China bans gallium' if n % 2 else 'Japan curbs chips'} exports, report {n}"
        article = factories.article(n, title=title, published=start + timedelta(hours=n % 8760))
        story = factories.article(n - 1).id if n % 3 == 2 else article.id
        article = article.model_copy(update={"story_id": story})
        articles.append(article)
        events.append(
            factories.event(
                article, TYPES[n % len(TYPES)] if story == article.id else TYPES[(n - 1) % 3]
            )
        )
    return articles, events


def measure(store: Store, articles: list[Article], events: list[Event]) -> dict[str, Any]:
    started = time.perf_counter()
    store.stage_articles(articles)
    staged = time.perf_counter()
    store.save_tagged([TaggedArticle(a, b"", ["semiconductors"]) for a in articles], events)
    store.index_pending()
    indexed = time.perf_counter()
    searches = [_timed(lambda: store.search(QUERY)) for _ in range(20)]
    return {
        "stage_articles_per_s": round(len(articles) / (staged - started)),
        "save_and_index_events_per_s": round(len(events) / (indexed - staged)),
        "search_collapsed_with_facets_ms_median": round(statistics.median(searches) * 1000, 1),
        "events_found": store.search(SearchQuery(collapse=False, limit=0)).total,
    }


def _timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    args = parser.parse_args()
    articles, events = corpus(args.events)
    results: dict[str, Any] = {"events": len(events), "machine": _machine()}
    with tempfile.TemporaryDirectory() as root:
        embedded = open_store(str(Path(root) / "store"))
        results["embedded"] = measure(embedded, articles, events)
        embedded.close()
    with OsmemServer.start(freeze=False, japanese=False) as server:
        settings = Settings(store=server.url, es_index_prefix="measure")
        store = open_store(server.url, settings, node_class=PlainJsonNode)
        store.counts()  # set-up outside the timing
        results["osmem_loopback"] = {
            "note": "osmem-server (in-memory) on loopback, not Elasticsearch",
            "bulk_chunk_size": settings.es_bulk_chunk_size,
            **measure(store, articles, events),
        }
        store.close()
    print(json.dumps(results, indent=2))


def _machine() -> dict[str, Any]:
    return {
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "osmem_server": metadata.version("osmem-server"),
        "elasticsearch_client": metadata.version("elasticsearch"),
        "tantivy": metadata.version("tantivy"),
    }


if __name__ == "__main__":
    main()
