"""Whole cycles on the embedded store with the real tagger: good, broken, rerun, interrupted."""

from __future__ import annotations

from pathlib import Path

import pytest

from econsec.config import Settings
from econsec.ingest import cycle
from econsec.ingest.feedfile import load_feeds
from econsec.models import FeedSpec, SearchQuery
from econsec.store.embedded.store import EmbeddedStore
from tests.support.feed_server import FeedServer
from tests.support.paths import FEED_FIXTURES

pytestmark = pytest.mark.slow


def _cycle(store: EmbeddedStore, settings: Settings, tagger, specs=None):  # type: ignore[no-untyped-def]
    specs = specs or load_feeds(settings.feeds)
    return cycle.run_cycle(specs, store, settings, tagger=tagger)


def test_broken_feeds_are_recorded_and_the_others_go_on(
    store: EmbeddedStore, settings: Settings, tagger: object
) -> None:
    report = _cycle(store, settings, tagger)
    by_feed = {f.feed: f for f in report.feeds}
    assert by_feed["good-rss"].status == "ok" and by_feed["good-rss"].new_articles == 3
    assert by_feed["malformed"].status == "ok" and by_feed["malformed"].warning
    assert by_feed["malformed"].new_articles >= 2
    assert by_feed["html-page"].status == "failed" and by_feed["html-page"].error
    assert by_feed["missing-file"].status == "failed"
    assert "cannot read" in (by_feed["missing-file"].error or "")
    health = {h.feed: h for h in store.feed_health()}
    assert health["missing-file"].consecutive_failures == 1
    assert report.tagging.articles_tagged == report.new_articles


def test_rerun_adds_nothing(store: EmbeddedStore, settings: Settings, tagger: object) -> None:
    first = _cycle(store, settings, tagger)
    events = store.search(SearchQuery(collapse=False, limit=1000)).total
    second = _cycle(store, settings, tagger)
    assert first.new_articles > 0 and first.tagging.new_events > 0
    assert second.new_articles == 0 and second.tagging.new_events == 0
    assert store.search(SearchQuery(collapse=False, limit=1000)).total == events


def test_events_are_searchable_with_evidence(
    store: EmbeddedStore, settings: Settings, tagger: object
) -> None:
    _cycle(store, settings, tagger)
    result = store.search(SearchQuery(limit=100))
    assert result.total > 0
    for hit in result.hits:
        assert hit.type and hit.evidence and hit.status in ("planned", "enacted")
        assert hit.evidence in f"{hit.title} {hit.summary}" or hit.evidence


def test_interrupted_cycle_completes_on_rerun_without_duplicates(
    store: EmbeddedStore, settings: Settings, tagger: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(*_: object) -> None:
        raise RuntimeError("killed while indexing")

    monkeypatch.setattr(EmbeddedStore, "index_pending", crash)
    with pytest.raises(RuntimeError):
        _cycle(store, settings, tagger)
    monkeypatch.undo()
    assert store.counts()["unindexed_events"] > 0
    report = _cycle(store, settings, tagger)
    assert report.new_articles == 0
    assert store.counts()["unindexed_events"] == 0
    total = store.search(SearchQuery(collapse=False, limit=1000)).total
    assert total == store.counts()["events"]


def test_a_feed_over_http_that_times_out_is_transient(
    store: EmbeddedStore, settings: Settings, tagger: object, feed_server: FeedServer
) -> None:
    specs = [
        FeedSpec(name="slow", url=feed_server.url("/slow/3")),
        FeedSpec(name="good", url=feed_server.url("/feed/valid_small.rss")),
    ]
    report = _cycle(store, settings, tagger, specs)
    slow, good = report.feeds
    assert slow.status == "failed" and slow.transient and "timed out" in (slow.error or "")
    assert good.status == "ok" and good.new_articles == 3
    again = _cycle(store, settings, tagger, specs[1:])
    assert again.feeds[0].status == "not_modified"


def test_syndicated_copies_share_a_story(
    tmp_path: Path, store: EmbeddedStore, settings: Settings, tagger: object
) -> None:
    item = (
        "<item><title>Japan adds 23 chipmaking tools to export control list</title>"
        "<link>https://{host}/story</link><pubDate>Fri, 31 Mar 2023 09:00:00 GMT</pubDate>"
        "<description>The trade ministry said exporters will need a licence to ship the "
        "lithography and etching tools from July.</description></item>"
    )
    specs = []
    for host in ("a.example.com", "b.example.net"):
        path = tmp_path / f"{host}.xml"
        path.write_text(
            f"<rss version='2.0'><channel><title>{host}</title>"
            f"{item.format(host=host)}</channel></rss>"
        )
        specs.append(FeedSpec(name=host, url=str(path), title=host))
    _cycle(store, settings, tagger, specs)
    result = store.search(SearchQuery(q="lithography"))
    assert result.total >= 2
    assert result.hits[0].source_count == 2


def test_a_bad_cycle_loses_nothing_already_stored(
    store: EmbeddedStore, settings: Settings, tagger: object
) -> None:
    good = [FeedSpec(name="good", url=str(FEED_FIXTURES / "valid_small.rss"))]
    _cycle(store, settings, tagger, good)
    before = store.search(SearchQuery(collapse=False, limit=1000)).hits
    bad = [
        FeedSpec(name=name, url=str(FEED_FIXTURES / name))
        for name in (
            "truncated_document.xml",
            "wrong_declared_encoding.xml",
            "missing_and_garbage_dates.xml",
            "not_a_feed.html",
            "html_payloads.xml",
        )
    ]
    _cycle(store, settings, tagger, bad)
    after = {h.id for h in store.search(SearchQuery(collapse=False, limit=1000)).hits}
    assert {h.id for h in before} <= after
    assert store.counts()["untagged_articles"] == 0


def test_huge_summaries_are_cut_not_dropped(
    store: EmbeddedStore, settings: Settings, tagger: object
) -> None:
    spec = FeedSpec(name="huge", url=str(FEED_FIXTURES / "huge_summary.xml"))
    report = _cycle(store, settings, tagger, [spec])
    assert report.feeds[0].status == "ok" and report.new_articles >= 1
    hits = store.search(SearchQuery(limit=100), "articles").hits
    assert hits and all(len(h.summary) <= settings.max_summary_chars + 2 for h in hits)
    assert any(h.truncated for h in hits)


def test_a_cycle_with_nothing_new_does_not_load_the_tagger(
    store: EmbeddedStore, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(_: Settings) -> None:
        raise AssertionError("the tagger was loaded with nothing to tag")

    monkeypatch.setattr(cycle, "load_tagger", refuse)
    report = cycle.run_cycle([], store, settings)
    assert report.tagging.articles_tagged == 0 and report.finished is not None
