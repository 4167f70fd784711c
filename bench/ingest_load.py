"""End-to-end ingest under load: synthetic feeds served over loopback HTTP, one real cycle
(fetch, parse, stage, dedup, tag, index into a fresh embedded store), against the tagger alone
over the same items in the same run.

The tagger is the cycle's heaviest stage, so `ingest_vs_tagger` (the cycle's items/s over the
tagger's) says how much the rest of the pipeline costs on top of it: 1.0 would be free.
The feeds are `bench.corpus` news, 1,000 items a feed, served by `python -m http.server` in
a process of its own (so that serving does not share this process's interpreter lock).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from bench import Options
from bench.corpus import Item, build_mix
from bench.tagger_speed import Tagger, load_tagger, note

NAME = "ingest_load"
ITEMS_PER_OPTION_ITEM = 20  # `make bench` (5,000) ingests 100,000 items; --quick 20,000
ITEMS_PER_FEED = 1_000
FIRST_DAY = datetime(2024, 1, 1, tzinfo=UTC)


def feed_items(count: int, seed: int) -> list[Item]:
    """`count` items of the benchmark mix; in-scope ones (the sample feeds, cycled) get a
    closing sentence of their own, so that no two are exact copies (a feed drops those) while
    their stories still group as syndicated copies do."""
    items = build_mix(count, seed)
    return [
        Item(item.title, f"{item.summary} Report {n}.", True) if item.in_scope else item
        for n, item in enumerate(items)
    ]


def rss(feed: int, items: Sequence[Item], first: int) -> str:
    entries = []
    for offset, item in enumerate(items):
        n = first + offset
        when = format_datetime(FIRST_DAY + timedelta(minutes=7 * n))
        entries.append(
            f"<item><title>{escape(item.title)}</title>"
            f"<link>https://bench.example.com/{feed}/{n}</link><pubDate>{when}</pubDate>"
            f"<description>{escape(item.summary)}</description></item>"
        )
    return (
        f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>Bench feed {feed}</title>{''.join(entries)}</channel></rss>"
    )


def write_feeds(folder: Path, items: Sequence[Item]) -> list[str]:
    """One RSS file per `ITEMS_PER_FEED` items; their file names."""
    names = []
    for feed, first in enumerate(range(0, len(items), ITEMS_PER_FEED)):
        name = f"feed-{feed:04d}.xml"
        chunk = items[first : first + ITEMS_PER_FEED]
        (folder / name).write_text(rss(feed, chunk, first), encoding="utf-8")
        names.append(name)
    return names


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class FeedHost:
    """`python -m http.server` over a folder, on a free loopback port, in its own process."""

    def __init__(self, folder: Path):
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(self.port), "--bind", "127.0.0.1"],
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        self.close()
        raise RuntimeError("the loopback feed server did not start")

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@dataclass
class StageClock:
    """When each stage of the cycle ended, from the cycle's own callbacks."""

    started: float = field(default_factory=time.perf_counter)
    fetched: float = 0.0
    tagged: float = 0.0

    def on_feed(self, _: object) -> None:
        self.fetched = time.perf_counter()

    def on_tagged(self, done: int, total: int) -> None:
        if done == total:
            self.tagged = time.perf_counter()


def ingest(names: list[str], host: FeedHost, tagger: Tagger, root: Path) -> dict[str, Any]:
    """One cycle over every feed into a fresh store, timed stage by stage."""
    from econsec.config import Settings
    from econsec.ingest import cycle
    from econsec.models import FeedSpec
    from econsec.store.embedded.store import EmbeddedStore

    settings = Settings(store=str(root), allowed_feed_hosts=["127.0.0.1"])
    specs = [FeedSpec(name=name.removesuffix(".xml"), url=host.url(name)) for name in names]
    store = EmbeddedStore(root)
    clock = StageClock()
    try:
        report = cycle.run_cycle(
            specs,
            store,
            settings,
            tagger=tagger,  # type: ignore[arg-type]
            on_feed=clock.on_feed,
            on_tagged=clock.on_tagged,
        )
    finally:
        store.close()
    ended = time.perf_counter()
    summary = report.summary()
    return {
        "seconds": ended - clock.started,
        "stage_seconds": {
            "fetch_parse_stage": round(clock.fetched - clock.started, 2),
            "dedup_tag": round((clock.tagged or clock.fetched) - clock.fetched, 2),
            "index": round(ended - (clock.tagged or clock.fetched), 2),
        },
        "fetch_workers": settings.fetch_workers,
        "host_concurrency": settings.host_concurrency,
        "feeds_failed": summary["feeds_failed"],
        "new_articles": summary["new_articles"],
        "new_events": summary["new_events"],
        "articles_indexed": report.indexing.articles_indexed,
        "events_indexed": report.indexing.events_indexed,
    }


def tag_alone(tagger: Tagger, items: Sequence[Item]) -> float:
    started = time.perf_counter()
    for _ in tagger.tag_many(item.pair for item in items):
        pass
    return time.perf_counter() - started


def build_result(items: int, feeds: int, cycle: dict[str, Any], tagger_seconds: float) -> dict:
    """Rates and their ratio; every figure from this one run."""
    ingest_rate = items / cycle["seconds"]
    tagger_rate = items / tagger_seconds
    return {
        "items": items,
        "feeds": feeds,
        "items_per_feed": ITEMS_PER_FEED,
        "ingest_seconds": round(cycle["seconds"], 2),
        "ingest_items_per_s": round(ingest_rate, 1),
        "tagger_alone_seconds": round(tagger_seconds, 2),
        "tagger_items_per_s": round(tagger_rate, 1),
        "ingest_vs_tagger": round(ingest_rate / tagger_rate, 3),
        **{key: value for key, value in cycle.items() if key != "seconds"},
    }


def run(options: Options, tagger: Tagger | None = None) -> dict[str, Any]:
    total = options.items * ITEMS_PER_OPTION_ITEM
    items = feed_items(total, options.seed)
    with tempfile.TemporaryDirectory(prefix="econsec-ingest-load-") as tmp:
        folder = Path(tmp)
        (folder / "feeds").mkdir()
        names = write_feeds(folder / "feeds", items)
        note(f"{NAME}: {total} items in {len(names)} feeds; loading the tagger")
        started = time.perf_counter()
        tagger = tagger or load_tagger()
        load_seconds = time.perf_counter() - started
        tag_alone(tagger, items[:200])  # warm-up, so that neither contender pays for it
        host = FeedHost(folder / "feeds")
        try:
            note(f"{NAME}: one cycle over loopback HTTP")
            cycle = ingest(names, host, tagger, folder / "store")
        finally:
            host.close()
        note(f"{NAME}: the tagger alone over the same items")
        tagger_seconds = tag_alone(tagger, items)
    result = build_result(total, len(names), cycle, tagger_seconds)
    return {"seed": options.seed, "tagger_load_seconds": round(load_seconds, 2), **result}
