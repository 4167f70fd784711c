"""Feeds file, fetching over real loopback HTTP, and parsing of good and bad bodies."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from econsec.config import Settings
from econsec.errors import ConfigError, FeedFetchError, FeedParseError, TransientFeedError
from econsec.ingest import feedfile, fetch, parse
from econsec.ingest.articles import to_articles
from econsec.models import FeedSpec
from tests.support.feed_server import FeedServer
from tests.support.paths import FEED_FIXTURES


def _parse_fixture(name: str) -> parse.ParsedFeed:
    spec = feedfile.spec_for(str(FEED_FIXTURES / name))
    return parse.parse(spec, fetch.FetchedBody((FEED_FIXTURES / name).read_bytes()))


# feeds file ---------------------------------------------------------------


def test_feeds_file_resolves_relative_paths(tmp_path: Path) -> None:
    (tmp_path / "feeds.yaml").write_text("feeds:\n  - {name: a, url: a.xml}\n")
    assert feedfile.load_feeds(tmp_path / "feeds.yaml")[0].url == str(tmp_path / "a.xml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("feeds: [", "not valid YAML"),
        ("feeds: 3", "feeds"),
        ("feeds:\n  - {name: a}\n", r"feeds\[0\]\.url: Field required"),
        ("feeds:\n  - {name: a, url: x}\n  - {name: a, url: y}\n", r"feeds\[1\]\.name: duplicate"),
        (
            'feeds:\n  - {name: a, url: "https://example.com/\\u202elmx.xml"}\n',
            r"feeds\[0\]\.url: .*U\+202E RIGHT-TO-LEFT OVERRIDE",
        ),
        ('feeds:\n  - {name: "a\\u2067b", url: x}\n', r"feeds\[0\]\.name: .*U\+2067"),
        ('feeds:\n  - {name: a, url: x, title: "W\\u202aire"}\n', r"feeds\[0\]\.title: .*U\+202A"),
    ],
)
def test_feeds_file_errors_name_file_and_field(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message) as caught:
        feedfile.load_feeds(path)
    assert str(path) in str(caught.value)


def test_a_feed_url_on_the_command_line_is_checked_too() -> None:
    with pytest.raises(ConfigError, match=r"--feed: .*U\+2066 LEFT-TO-RIGHT ISOLATE"):
        feedfile.spec_for("https://example.com/\u2066feed.xml")


def test_missing_feeds_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        feedfile.load_feeds(tmp_path / "nope.yaml")


def test_bundled_feed_files_load() -> None:
    root = Path(__file__).resolve().parents[2] / "feeds"
    live = feedfile.load_feeds(root / "feeds.yaml")
    samples = feedfile.load_feeds(root / "samples" / "feeds.yaml")
    assert all(spec.live for spec in live) and len(live) >= 10
    assert all(Path(spec.url).is_file() for spec in samples) and len(samples) >= 6


# parsing --------------------------------------------------------------------


@pytest.mark.parametrize(("name", "entries"), [("valid_small.rss", 3), ("valid_small.atom", 2)])
def test_valid_feeds_parse_without_warning(name: str, entries: int) -> None:
    parsed = _parse_fixture(name)
    assert len(parsed.entries) == entries
    assert parsed.warning is None


def test_malformed_feed_keeps_the_good_items_with_a_warning() -> None:
    parsed = _parse_fixture("malformed_xml_unclosed_tag.xml")
    assert len(parsed.entries) >= 2
    assert parsed.warning and "malformed feed" in parsed.warning


@pytest.mark.parametrize("name", ["undeclared_latin1_encoding.xml", "wrong_declared_encoding.xml"])
def test_wrong_encodings_still_give_readable_text(name: str) -> None:
    parsed = _parse_fixture(name)
    assert parsed.entries
    text = " ".join(e.get("title", "") + e.get("summary", "") for e in parsed.entries)
    assert "\ufffd" not in text or parsed.warning


@pytest.mark.parametrize("name", ["not_a_feed.html", "truncated_document.xml"])
def test_bodies_that_are_no_feed_raise_a_parse_error_or_keep_items(name: str) -> None:
    spec = feedfile.spec_for(str(FEED_FIXTURES / name))
    body = fetch.FetchedBody((FEED_FIXTURES / name).read_bytes())
    try:
        parsed = parse.parse(spec, body)
    except FeedParseError as exc:
        assert spec.name in str(exc)
    else:
        assert parsed.warning


def test_empty_feed_is_fine() -> None:
    assert _parse_fixture("empty_feed.xml").entries == []


def test_html_payloads_never_survive_into_articles() -> None:
    spec = feedfile.spec_for(str(FEED_FIXTURES / "html_payloads.xml"))
    parsed = _parse_fixture("html_payloads.xml")
    articles, _ = to_articles(spec, parsed.entries, datetime.now(UTC), max_summary_chars=5000)
    assert articles
    for article in articles:
        blob = article.model_dump_json().lower()
        assert "<script" not in blob and "javascript:" not in blob and "onerror=" not in blob


def test_dates_missing_garbage_and_future_are_flagged() -> None:
    spec = feedfile.spec_for(str(FEED_FIXTURES / "missing_and_garbage_dates.xml"))
    now = datetime.now(UTC)
    articles, _ = to_articles(
        spec, _parse_fixture("missing_and_garbage_dates.xml").entries, now, max_summary_chars=5000
    )
    qualities = {a.date_quality for a in articles}
    assert {"missing", "future"} <= qualities
    assert all(a.published <= now for a in articles)


# fetching over HTTP -----------------------------------------------------------


def _spec(server: FeedServer, path: str) -> FeedSpec:
    return FeedSpec(name="loopback", url=server.url(path))


def test_conditional_get_remembers_validators(feed_server: FeedServer, settings: Settings) -> None:
    first = fetch.fetch(_spec(feed_server, "/feed/valid_small.rss"), settings)
    assert first.http_status == 200 and first.etag
    again = fetch.fetch(
        _spec(feed_server, "/feed/valid_small.rss"),
        settings,
        etag=first.etag,
        last_modified=first.last_modified,
    )
    assert again.not_modified
    assert feed_server.requests[-1][1].get("If-None-Match") == first.etag
    assert "econsec" in feed_server.requests[-1][1].get("User-Agent", "")


@pytest.mark.parametrize(
    ("path", "error", "message"),
    [
        ("/status/503", TransientFeedError, "HTTP 503"),
        ("/status/404", FeedFetchError, "HTTP 404"),
        ("/slow/3", TransientFeedError, "timed out"),
        ("/trickle", TransientFeedError, "took over"),
        ("/redirect-loop", FeedFetchError, "too many redirects"),
        ("/big/2000000", FeedFetchError, "cap"),
    ],
)
def test_fetch_failures_are_clear(
    feed_server: FeedServer, settings: Settings, path: str, error: type, message: str
) -> None:
    with pytest.raises(error, match=message) as caught:
        fetch.fetch(_spec(feed_server, path), settings)
    assert "loopback" in str(caught.value)
    if error is FeedFetchError:
        assert not isinstance(caught.value, TransientFeedError)


def test_unreachable_host_is_transient(settings: Settings) -> None:
    with pytest.raises(TransientFeedError, match="connection failed"):
        fetch.fetch(FeedSpec(name="down", url="http://127.0.0.1:9/feed"), settings)


def test_local_file_over_the_cap(tmp_path: Path, settings: Settings) -> None:
    big = tmp_path / "big.xml"
    big.write_bytes(b"x" * (settings.max_feed_bytes + 1))
    with pytest.raises(FeedFetchError, match="cap"):
        fetch.fetch(feedfile.spec_for(str(big)), settings)


@pytest.mark.parametrize("path", ["/dev/zero", "/dev/null"])
def test_a_device_is_no_feed_file(settings: Settings, path: str) -> None:
    with pytest.raises(FeedFetchError, match="not a regular file"):
        fetch.fetch(FeedSpec(name="device", url=path), settings)


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path, settings: Settings) -> None:
    fifo = tmp_path / "feed.xml"
    os.mkfifo(fifo)
    with pytest.raises(FeedFetchError, match="not a regular file"):
        fetch.fetch(feedfile.spec_for(str(fifo)), settings)


def test_a_directory_is_no_feed_file(tmp_path: Path, settings: Settings) -> None:
    with pytest.raises(FeedFetchError, match="not a regular file"):
        fetch.fetch(feedfile.spec_for(str(tmp_path)), settings)


def test_a_file_that_grows_past_the_cap_is_read_no_further(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The size on disk may change between the look and the read: the read itself is capped."""
    grows = tmp_path / "grows.xml"
    grows.write_bytes(b"<rss/>")
    real_fstat = os.fstat

    def stale_size(fd: int) -> os.stat_result:
        found = real_fstat(fd)
        grows.write_bytes(b"x" * (settings.max_feed_bytes + 10))
        return found

    monkeypatch.setattr(fetch.os, "fstat", stale_size)
    with pytest.raises(FeedFetchError, match="cap"):
        fetch.fetch(feedfile.spec_for(str(grows)), settings)
