"""Embedded-store search latency with 1,000,000 events: p50 / p95 of the queries an analyst
runs (free text, filters, facets, one line per story), through `EmbeddedStore.search`.

The baseline, measured in the same run, is Tantivy alone on the same query (the first page
of plain hits, no collapse, facets or highlights), timed right after each store search:
`store_vs_tantivy_p50` and `_p95` are what the store's search model costs on top of the
engine. A search's first run is reported apart (`first_ms`): the store keeps a snapshot's
aggregations, so the timed runs of a query with facets reuse them, as the web app's visitors
do between two commits. Building the index takes minutes, so it is built once under a cache
folder (`ECONSEC_BENCH_CACHE`, default the temp dir), with the documents the store itself
writes, and its build time is reported apart.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from bench import Options
from bench.corpus import general_news, sample_in_scope
from bench.tagger_speed import note

NAME = "search_load"
EVENTS_PER_OPTION_ITEM = 200  # `make bench` (5,000) indexes 1,000,000 events; --quick 200,000
BUILD_BATCH = 100_000
BUILD_HEAP = 500_000_000
RUNS_PER_QUERY = 20
WARMUP_RUNS = 2
DATA = Path(__file__).resolve().parents[1] / "extractors" / "data"
FIRST_DAY = datetime(2022, 1, 1, tzinfo=UTC)
DAYS = 3 * 365
INDEX_LAYOUT = 2  # raised with the events index's schema, so that no older build is reused
COUNTRIES = ("CN", "US", "JP", "KR", "TW", "DE", "FR", "NL", "GB", "IN", "AU", "CA", "RU", "EU")
STATUS_WEIGHTS = {"enacted": 0.6, "planned": 0.4}
OUTLETS = tuple(f"Outlet {n}" for n in range(40))


def event_types() -> list[str]:
    taxonomy = yaml.safe_load((DATA / "taxonomy.yaml").read_text(encoding="utf-8"))
    return [entry["code"] for entry in taxonomy["event_types"]]


def technologies() -> list[str]:
    return list(yaml.safe_load((DATA / "technologies.yaml").read_text(encoding="utf-8")))


def events(count: int, seed: int) -> Iterator[dict[str, Any]]:
    """Event documents as the tag stage writes them: a policy headline (the sample feeds'),
    a summary of varied news text, one to three events per story, dates over three years."""
    from econsec.models import stable_id

    rng = random.Random(seed)
    headlines = [item.title for item in sample_in_scope()]
    prose = [item.summary for item in general_news(5_000, rng)]
    types, techs = event_types(), technologies()
    story = ""
    for n in range(count):
        if n == 0 or rng.random() < 0.6:  # a new story; else another outlet's copy
            story = stable_id("story", str(n))
            headline, type_ = rng.choice(headlines), rng.choice(types)
            countries = rng.sample(COUNTRIES, rng.choice((1, 1, 2, 3)))
            published = FIRST_DAY + timedelta(minutes=rng.randrange(DAYS * 24 * 60))
            tech = rng.sample(techs, rng.choice((0, 1, 1, 2)))
        article_id = stable_id("article", str(n))
        yield {
            "id": stable_id(article_id, type_),
            "article_id": article_id,
            "type": type_,
            "category": type_.split(".", 1)[0],
            "status": rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0],
            "initiator": countries[:1],
            "target": countries[1:2],
            "partner": countries[2:],
            "countries": sorted(countries),
            "technologies": tech,
            "evidence": headline,
            "confidence": round(rng.uniform(0.5, 0.99), 3),
            "title": headline,
            "summary": rng.choice(prose),
            "url": f"https://bench.example.com/{n}",
            "source": rng.choice(OUTLETS),
            "feed": "bench",
            "published": published.isoformat(),
            "story_id": story,
            "cluster_id": stable_id(story, type_),
        }


def cache_root(count: int, seed: int) -> Path:
    base = Path(os.environ.get("ECONSEC_BENCH_CACHE") or tempfile.gettempdir())
    return base / "econsec-bench" / f"search-{count}-{seed}-v{INDEX_LAYOUT}"


def build(root: Path, count: int, seed: int) -> dict[str, Any]:
    """The store at `root`, built unless a finished build is there already. Documents are made
    by the index's own `_document` (what `upsert` writes) and added by one big writer: a fresh
    index needs no delete-by-id, and one commit per batch of 100,000 keeps merges few."""
    from econsec.store.embedded.store import EmbeddedStore

    marker = root / "built.json"
    if marker.exists():
        return {**json.loads(marker.read_text()), "build_cached": True}
    started = time.perf_counter()
    store = EmbeddedStore(root)
    try:
        index = store.events_index
        writer = index.index.writer(heap_size=BUILD_HEAP, num_threads=2)
        for n, doc in enumerate(events(count, seed), start=1):
            writer.add_document(index._document(doc))
            if n % BUILD_BATCH == 0:
                writer.commit()
                note(f"{NAME}: {n} of {count} events indexed")
        writer.commit()
        writer.wait_merging_threads()
        index.index.reload()
        docs = index.count()
    finally:
        store.close()
    built = {"build_seconds": round(time.perf_counter() - started, 1), "indexed_events": docs}
    marker.write_text(json.dumps(built))
    return {**built, "build_cached": False}


def queries() -> dict[str, dict[str, Any]]:
    """What analysts ask, as `SearchQuery` fields (the web page sends facets too)."""
    since_june = datetime(2023, 6, 1, tzinfo=UTC)
    return {
        "landing_page": {"q": "*", "facets": True},
        "minerals_since_june": {
            "q": "gallium OR germanium OR graphite",
            "categories": ["export_control"],
            "since": since_june,
            "facets": True,
        },
        "chips_china": {"q": "semiconductor OR chip", "countries": ["CN"]},
        "huawei_exclusions": {"q": "Huawei", "categories": ["vendor_exclusion"]},
        "phrase": {"q": '"national security"', "sort": "relevance"},
        "screening_not_approval": {"q": "investment AND NOT approves"},
        "enacted_us_quarter": {
            "q": "*",
            "countries": ["US"],
            "statuses": ["enacted"],
            "since": datetime(2024, 10, 1, tzinfo=UTC),
        },
        "minerals_all_copies": {"q": "rare OR lithium OR minerals", "collapse": False},
        "subsidies_eu_facets": {"q": "subsidy OR subsidies", "countries": ["EU"], "facets": True},
        "tariffs_relevance": {"q": "tariff", "sort": "relevance", "limit": 50},
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def time_queries(root: Path, runs: int) -> dict[str, Any]:
    """Each query `runs` times through the store and through Tantivy alone, after warm-up."""
    from econsec.models import SearchQuery
    from econsec.store.embedded.store import EmbeddedStore
    from econsec.store.embedded.tantivy_index import combine

    store = EmbeddedStore(root)
    store_times: list[float] = []
    engine_times: list[float] = []
    first_times: list[float] = []
    per_query: dict[str, Any] = {}
    try:
        index = store.events_index
        for name, fields in queries().items():
            query = SearchQuery(**fields)
            full = combine([index.parse(query.q), *store._filters(index, query, "events")])
            mine: list[float] = []
            for run in range(WARMUP_RUNS + runs):
                started = time.perf_counter()
                result = store.search(query)
                middle = time.perf_counter()
                index.search(full, limit=query.limit, order=query.sort)
                ended = time.perf_counter()
                if run == 0:
                    first_times.append(middle - started)
                if run >= WARMUP_RUNS:
                    mine.append(middle - started)
                    engine_times.append(ended - middle)
            store_times.extend(mine)
            per_query[name] = {
                "first_ms": ms(first_times[-1]),
                "p50_ms": ms(statistics.median(mine)),
                "p95_ms": ms(percentile(mine, 0.95)),
                "matches": result.total,
                "stories_on_page": len(result.hits),
            }
    finally:
        store.close()
    return {
        "p50_ms": ms(statistics.median(store_times)),
        "p95_ms": ms(percentile(store_times, 0.95)),
        "max_ms": ms(max(store_times)),
        "first_run_p50_ms": ms(statistics.median(first_times)),
        "first_run_max_ms": ms(max(first_times)),
        "tantivy_alone_p50_ms": ms(statistics.median(engine_times)),
        "tantivy_alone_p95_ms": ms(percentile(engine_times, 0.95)),
        "store_vs_tantivy_p50": round(
            statistics.median(store_times) / statistics.median(engine_times), 1
        ),
        "store_vs_tantivy_p95": round(
            percentile(store_times, 0.95) / percentile(engine_times, 0.95), 1
        ),
        "per_query": per_query,
    }


def folder_bytes(root: Path) -> int:
    return sum(path.stat().st_size for path in root.rglob("*") if path.is_file())


def run(options: Options, root: Path | None = None) -> dict[str, Any]:
    count = options.items * EVENTS_PER_OPTION_ITEM
    root = root or cache_root(count, options.seed)
    note(f"{NAME}: {count} events under {root}")
    built = build(root, count, options.seed)
    note(f"{NAME}: timing {len(queries())} queries x {RUNS_PER_QUERY}")
    timing = time_queries(root, RUNS_PER_QUERY)
    return {
        "events": count,
        "seed": options.seed,
        **built,
        "index_mb": round(folder_bytes(root) / 1e6, 1),
        "queries": len(queries()),
        "runs_per_query": RUNS_PER_QUERY,
        **timing,
    }
