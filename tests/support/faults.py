"""Shared by the fault tests: synthetic feeds on a loopback server, a clean reference run of
them, and a snapshot of what a store holds, to compare a faulted-then-rerun store with.

The feeds are news of the benchmark's kind (one item in ten in scope, see `bench.corpus`),
8 feeds of 150 items, so that a cycle lasts long enough to be interrupted in each stage.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from bench.corpus import build_mix
from econsec.config import Settings
from econsec.ingest import cycle
from econsec.ingest.feedfile import load_feeds
from econsec.models import SearchQuery
from econsec.store.embedded.store import EmbeddedStore
from tests.support.hostile_server import HostileServer

ROOT = Path(__file__).resolve().parents[2]
FEEDS = 8
ITEMS_PER_FEED = 150
STALLED_FEED = 5


def write_feeds(folder: Path) -> None:
    items = build_mix(FEEDS * ITEMS_PER_FEED, seed=77)
    for feed in range(FEEDS):
        entries = []
        for n, item in enumerate(items[feed * ITEMS_PER_FEED : (feed + 1) * ITEMS_PER_FEED]):
            day = 1 + (feed * ITEMS_PER_FEED + n) % 28
            date = format_datetime(datetime(2024, 5, day, 8, n % 60, tzinfo=UTC))
            entries.append(
                f"<item><title>{escape(item.title)}</title>"
                f"<link>https://faults.example.com/{feed}/{n}</link>"
                f"<pubDate>{date}</pubDate><description>{escape(item.summary)}</description></item>"
            )
        (folder / f"feed-{feed}.xml").write_text(
            f"<rss version='2.0'><channel><title>Feed {feed}</title>{''.join(entries)}"
            "</channel></rss>",
            encoding="utf-8",
        )


@dataclass
class Feeds:
    """The synthetic feeds, served on loopback, and a feeds file naming them."""

    server: HostileServer
    file: Path

    def settings(self, store: Path, **overrides: object) -> Settings:
        values: dict[str, object] = {
            "store": str(store),
            "feeds": str(self.file),
            "allowed_feed_hosts": ["127.0.0.1"],
            "read_timeout": 30.0,
            "fetch_deadline": 60.0,
            **overrides,
        }
        return Settings(**values)  # type: ignore[arg-type]

    def env(self) -> dict[str, str]:
        """The environment of an `econsec ingest` subprocess."""
        return {**os.environ, "ECONSEC_ALLOWED_FEED_HOSTS": "127.0.0.1", "PYTHONPATH": str(ROOT)}


@pytest.fixture(scope="session")
def feeds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Feeds]:
    """Feed 5 is served through `/stall/`: it hangs until `server.release()`."""
    folder = tmp_path_factory.mktemp("fault-feeds")
    write_feeds(folder)
    server = HostileServer(folder).start()
    lines = ["feeds:"]
    for feed in range(FEEDS):
        route = "stall" if feed == STALLED_FEED else "file"
        lines.append(f"  - {{name: feed-{feed}, url: '{server.url(f'/{route}/feed-{feed}.xml')}'}}")
    file = folder / "feeds.yaml"
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    yield Feeds(server, file)
    server.stop()


@dataclass(frozen=True)
class Snapshot:
    """What a store holds: ids in the queue (SQLite) and in the search indexes."""

    articles: frozenset[str]
    events: frozenset[str]
    indexed_articles: frozenset[str]
    indexed_events: frozenset[str]
    index_docs: tuple[int, int]  # documents in the articles and events indexes, repeats counted
    pending: tuple[int, int, int]  # untagged articles, unindexed articles, unindexed events


def snapshot(root: Path) -> Snapshot:
    store = EmbeddedStore(root)
    try:
        everything = SearchQuery(limit=100_000, collapse=False)
        articles = store.search(everything, "articles")
        events = store.search(everything, "events")
        db = store.state.db
        counts = store.counts()
        return Snapshot(
            articles=frozenset(r[0] for r in db.execute("SELECT id FROM articles")),
            events=frozenset(r[0] for r in db.execute("SELECT id FROM events")),
            indexed_articles=frozenset(hit.id for hit in articles.hits),
            indexed_events=frozenset(hit.id for hit in events.hits),
            index_docs=(store.articles_index.count(), store.events_index.count()),
            pending=(
                counts["untagged_articles"],
                counts["unindexed_articles"],
                counts["unindexed_events"],
            ),
        )
    finally:
        store.close()


def assert_same_as_clean(after: Snapshot, clean: Snapshot) -> None:
    """No event or article lost, none duplicated (in the queue or the indexes), none pending."""
    assert after.pending == (0, 0, 0)
    assert after.articles == clean.articles and after.events == clean.events
    assert after.indexed_articles == clean.articles and after.indexed_events == clean.events
    assert after.index_docs == (len(clean.articles), len(clean.events))


@pytest.fixture(scope="session")
def clean(feeds: Feeds, tagger: object, tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    """One uninterrupted cycle over the same feeds."""
    feeds.server.release()
    root = tmp_path_factory.mktemp("clean") / "store"
    settings = feeds.settings(root)
    store = EmbeddedStore(root)
    try:
        report = cycle.run_cycle(load_feeds(feeds.file), store, settings, tagger=tagger)  # type: ignore[arg-type]
    finally:
        store.close()
    feeds.server.released.clear()
    assert all(f.status == "ok" for f in report.feeds)
    result = snapshot(root)
    assert len(result.articles) > 0.9 * FEEDS * ITEMS_PER_FEED and len(result.events) > 20
    assert result.index_docs == (len(result.articles), len(result.events))
    return result


def rerun(feeds: Feeds, root: Path, tagger: object) -> Snapshot:
    """The next cycle, in this process, with every feed answering."""
    feeds.server.release()
    store = EmbeddedStore(root)
    try:
        report = cycle.run_cycle(
            load_feeds(feeds.file),
            store,
            feeds.settings(root),
            tagger=tagger,  # type: ignore[arg-type]
        )
    finally:
        store.close()
    assert all(f.status != "failed" for f in report.feeds), [f.error for f in report.feeds]
    return snapshot(root)


def ingest_command(feeds: Feeds, root: Path) -> list[str]:
    return [sys.executable, "-m", "econsec.cli.main", "ingest", "--feeds", str(feeds.file),
            "--store", str(root), "--json"]  # fmt: skip


def count(root: Path, sql: str) -> int:
    """A read of the store's queue from outside the process writing it (WAL lets it)."""
    path = root / "state.sqlite3"
    if not path.exists():
        return 0
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            return int(db.execute(sql).fetchone()[0])
        finally:
            db.close()
    except sqlite3.Error:
        return 0


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)
