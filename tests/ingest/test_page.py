"""Submitted URLs: the feeds a limited run reads, and an article page made one article
through the same fetch path as feeds (caps, address policy) and the same ids."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from econsec.config import Settings
from econsec.errors import ConfigError, FeedParseError
from econsec.ingest import cycle
from econsec.ingest.articles import canonical_url
from econsec.ingest.feedfile import limited, submitted_spec
from econsec.ingest.fetch import FetchedBody
from econsec.ingest.page import is_page, page_article
from econsec.models import Article, FeedSpec, stable_id
from econsec.store.embedded.store import EmbeddedStore
from tests.support.feed_server import FeedServer
from tests.support.paths import PAGE_FIXTURES

LISTED = [
    FeedSpec(name="wire", url="https://wire.example.com/rss"),
    FeedSpec(name="gov", url="https://gov.example.com/atom", official=True, country="JP"),
]
FETCHED = datetime(2026, 12, 7, 12, tzinfo=UTC)


def test_no_names_or_urls_is_every_feed() -> None:
    assert limited(LISTED) == LISTED


def test_names_pick_feeds_and_a_listed_url_is_its_feed() -> None:
    chosen = limited(LISTED, ["gov"], ["https://wire.example.com/rss", "https://x.test/a"])
    assert [s.name for s in chosen] == ["gov", "wire", "x.test-a"]
    assert [s.submitted for s in chosen] == [False, False, True]


def test_an_unknown_name_is_refused_with_the_nearest() -> None:
    with pytest.raises(ConfigError, match=r"unknown feed 'wrie' \(did you mean 'wire'\?\)"):
        limited(LISTED, ["wrie"])


@pytest.mark.parametrize("url", ["/etc/passwd", "file:///etc/passwd", "ftp://x.test/feed"])
def test_only_http_urls_can_be_submitted(url: str) -> None:
    with pytest.raises(ConfigError, match="only http"):
        submitted_spec(url)


@pytest.mark.parametrize(
    ("content_type", "start", "page"),
    [
        ("text/html; charset=utf-8", b"<rss>", True),
        (None, b"\n  <!DOCTYPE html><html>", True),
        ("application/rss+xml", b"<?xml version='1.0'?><rss>", False),
        (None, b"<feed xmlns='http://www.w3.org/2005/Atom'>", False),
    ],
)
def test_a_page_is_told_from_a_feed(content_type: str | None, start: bytes, page: bool) -> None:
    assert is_page(FetchedBody(start, 200, content_type=content_type)) is page


def _article(name: str, url: str = "https://news.example.com/a?utm_source=x") -> Article:
    body = FetchedBody((PAGE_FIXTURES / name).read_bytes(), 200, content_type="text/html")
    spec = submitted_spec(url)
    return page_article(spec, body, FETCHED, max_summary_chars=5000, max_title_chars=1000)


def test_open_graph_gives_title_summary_outlet_and_date() -> None:
    article = _article("article_with_open_graph.html")
    assert article.title == "Japan restricts exports of 23 chipmaking tools"
    assert article.summary.startswith("Japan's trade ministry said on Friday")
    assert article.source == "Harbour Ledger"
    assert article.published == datetime(2023, 3, 31, 0, 30, tzinfo=UTC)
    # the id is the submitted URL's, as a feed entry linking to it would give
    assert (
        article.url == canonical_url("https://news.example.com/a") == "https://news.example.com/a"
    )
    assert article.id == stable_id(article.url)


def test_a_page_without_meta_gives_its_title_and_first_paragraphs() -> None:
    article = _article("article_without_meta.html")
    assert article.title == "EU opens in-depth probe into chip subsidy"
    assert article.summary.startswith("The European Commission opened")
    assert "necessary and proportionate" in article.summary and "By staff" not in article.summary
    assert article.source == "news.example.com" and article.date_quality == "missing"


def test_a_page_with_no_text_is_a_parse_error() -> None:
    body = FetchedBody(b"<html><body><div></div></body></html>", 200, content_type="text/html")
    with pytest.raises(FeedParseError, match="not an article page"):
        page_article(submitted_spec("https://x.test/"), body, FETCHED, max_summary_chars=10,
                     max_title_chars=10)  # fmt: skip


def test_a_submitted_page_and_feed_are_fetched_and_staged(
    feed_server: FeedServer, store: EmbeddedStore, settings: Settings
) -> None:
    page = submitted_spec(feed_server.url("/page/article_with_open_graph.html"))
    feed = submitted_spec(feed_server.url("/feed/valid_small.rss"))
    results = {s.name: cycle.fetch_feed(s, store, settings) for s in (page, feed)}
    assert results[page.name].status == "ok" and results[page.name].new_articles == 1
    assert results[feed.name].new_articles == 3  # a feed URL is read as a feed
    [staged] = [a for a in store.untagged_articles() if a.feed == page.name]
    assert staged.url == canonical_url(page.url)
    again = cycle.fetch_feed(page, store, settings)
    assert again.new_articles == 0 and again.duplicates == 1


def test_a_listed_feed_that_serves_html_still_fails(
    feed_server: FeedServer, store: EmbeddedStore, settings: Settings
) -> None:
    spec = FeedSpec(name="listed", url=feed_server.url("/page/article_with_open_graph.html"))
    result = cycle.fetch_feed(spec, store, settings)
    assert result.status == "failed" and "not" in (result.error or "")


def test_a_submitted_page_on_a_private_address_is_refused(
    feed_server: FeedServer, store: EmbeddedStore
) -> None:
    strict = Settings(store=str(store.root), connect_timeout=1.0, read_timeout=1.0)
    page = submitted_spec(feed_server.url("/page/article_with_open_graph.html"))
    result = cycle.fetch_feed(page, store, strict)
    assert result.status == "failed" and "loopback" in (result.error or "")
    assert feed_server.requests == []
