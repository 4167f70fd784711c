"""One item the tagger fails on is set aside with its reason; the rest of the queue goes on,
on both backends, and `requeue` retries it once the cause is fixed."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from econsec.config import Settings
from econsec.ingest import cycle
from econsec.models import FeedSpec, SearchQuery
from econsec.store.protocols import Store
from tests.support.backends import Backend, backend  # noqa: F401 (fixture)

pytestmark = pytest.mark.slow

GOOD = [
    (
        "Japan adds 23 chipmaking tools to export control list",
        "The trade ministry said exporters will need a licence to ship lithography tools.",
    ),
    (
        "China bans exports of gallium and germanium to the United States",
        "The commerce ministry said the ban takes effect at once.",
    ),
]
POISON = "POISON"


class PoisonedTagger:
    """The real tagger, except that any batch holding a poisoned title raises, as spaCy
    does for a text past its length limit (E088): the whole batch fails, not the item."""

    def __init__(self, real: Any, poison: str = POISON):
        self.real = real
        self.poison = poison
        self.calls = 0

    def tag_many(self, items: Iterable[tuple[str, str]]) -> Iterator[Any]:
        items = list(items)
        self.calls += 1
        if any(self.poison in title for title, _ in items):
            raise ValueError("[E088] Text of length 1000001 exceeds maximum of 1000000.")
        return self.real.tag_many(items)

    def tag(self, title: str, summary: str) -> Any:
        return next(iter(self.tag_many([(title, summary)])))


class BrokenTagger:
    """A tagger that fails on everything (a bad model install, say)."""

    def tag_many(self, items: Iterable[tuple[str, str]]) -> Iterator[Any]:
        raise OSError("model files missing")

    def tag(self, title: str, summary: str) -> Any:
        raise OSError("model files missing")


def write_feed(path: Path, items: list[tuple[str, str]]) -> FeedSpec:
    entries = "".join(
        f"<item><title>{title}</title><link>https://news.example.com/{n}</link>"
        f"<pubDate>Fri, 31 Mar 2023 0{n}:00:00 GMT</pubDate>"
        f"<description>{summary}</description></item>"
        for n, (title, summary) in enumerate(items)
    )
    path.write_text(f"<rss version='2.0'><channel><title>Wire</title>{entries}</channel></rss>")
    return FeedSpec(name="wire", url=str(path), title="Wire")


@pytest.fixture
def opened(backend: Backend) -> Iterator[tuple[Store, Settings]]:  # noqa: F811
    settings = backend.settings()
    store = backend.open()
    yield store, settings
    store.close()


def test_an_item_the_tagger_fails_on_is_quarantined_and_the_rest_goes_on(
    opened: tuple[Store, Settings], tagger: Any, tmp_path: Path
) -> None:
    store, settings = opened
    items = [GOOD[0], (f"{POISON} headline", "A summary."), GOOD[1]]
    spec = write_feed(tmp_path / "feed.xml", items)
    poisoned = PoisonedTagger(tagger)
    report = cycle.run_cycle([spec], store, settings, tagger=poisoned)  # type: ignore[arg-type]
    assert report.tagging.articles_tagged == 2 and report.tagging.quarantined == 1
    assert report.tagging.new_events > 0
    assert store.search(SearchQuery(collapse=False)).total == report.tagging.new_events
    [held] = store.quarantined()
    assert held.title.startswith(POISON) and held.feed == "wire"
    assert "ValueError" in held.reason and "E088" in held.reason
    counts = store.counts()
    assert (counts["untagged_articles"], counts["quarantined_articles"]) == (0, 1)

    again = cycle.run_cycle([spec], store, settings, tagger=poisoned)  # type: ignore[arg-type]
    assert again.tagging.articles_tagged == 0 and again.tagging.quarantined == 0

    assert store.requeue() == 1  # the cause is fixed: the real tagger now
    fixed = cycle.run_cycle([spec], store, settings, tagger=tagger)
    assert fixed.tagging.articles_tagged == 1 and fixed.tagging.quarantined == 0
    counts = store.counts()
    assert (counts["untagged_articles"], counts["quarantined_articles"]) == (0, 0)
    assert counts["unindexed_events"] == 0
    assert counts["articles"] == 3


def test_a_tagger_that_fails_on_everything_stops_the_cycle_and_quarantines_nothing(
    opened: tuple[Store, Settings], tmp_path: Path
) -> None:
    """A broken tagger is not a broken item: the queue stays as it is for a rerun."""
    store, settings = opened
    spec = write_feed(tmp_path / "feed.xml", GOOD)
    with pytest.raises(OSError, match="model files missing"):
        cycle.run_cycle([spec], store, settings, tagger=BrokenTagger())  # type: ignore[arg-type]
    assert store.quarantined() == []
    assert store.counts()["untagged_articles"] == 2


def test_a_megabyte_title_is_cut_at_ingest_and_tagged(
    store: Store, settings: Settings, tagger: Any, tmp_path: Path
) -> None:
    huge = "Japan adds chipmaking tools to its export control list " * 20_000  # 1.1 MB
    spec = write_feed(tmp_path / "feed.xml", [(huge, "The trade ministry said so."), GOOD[1]])
    settings = settings.model_copy(update={"max_feed_bytes": 5_000_000})
    report = cycle.run_cycle([spec], store, settings, tagger=tagger)
    assert report.feeds[0].status == "ok", report.feeds[0].error
    assert report.tagging.articles_tagged == 2 and report.tagging.quarantined == 0
    hits = store.search(SearchQuery(q="chipmaking", limit=10), "articles").hits
    assert hits and hits[0].truncated
    assert len(hits[0].title) <= settings.max_title_chars + 2
