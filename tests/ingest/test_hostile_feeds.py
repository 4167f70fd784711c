"""The hostile corpus: every file parses into articles or fails with a clear message, valid
items beside broken ones are kept, and nothing that could run in a page is ever stored. Then
one whole cycle over loopback with the corpus and every misbehaving server at once."""

from __future__ import annotations

import json
import re
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from econsec.config import Settings
from econsec.errors import FeedParseError
from econsec.ingest import cycle, fetch, parse
from econsec.ingest.articles import to_articles
from econsec.models import FeedSpec, SearchQuery
from econsec.store.embedded.store import EmbeddedStore
from tests.ingest.conftest import CORPUS
from tests.support.hostile_server import HostileServer, gzip_bomb
from tests.support.paths import FEED_FIXTURES

# file -> (articles, {drop reason: count}); None for a file that is no feed at all
EXPECTED: dict[str, tuple[int, dict[str, int]] | None] = {
    "billion_laughs_entity_expansion.xml": (2, {}),
    "external_entity_file_read.xml": (2, {}),
    "script_payloads_every_field.xml": (5, {}),
    "script_payloads_atom.xml": (2, {}),
    "broken_links.xml": (7, {}),
    "duplicate_and_missing_guids.xml": (9, {"duplicate in feed": 1}),
    "absurd_dates.xml": (7, {}),
    "control_characters.xml": (2, {}),
    "utf7_declared_encoding.xml": (1, {}),
    "bidirectional_controls.xml": (3, {}),
}
# the existing bad-input fixtures, walked with the corpus
FIXTURES_TOO = [
    "malformed_xml_unclosed_tag.xml",
    "truncated_document.xml",
    "undeclared_latin1_encoding.xml",
    "wrong_declared_encoding.xml",
    "missing_and_garbage_dates.xml",
    "huge_summary.xml",
    "html_payloads.xml",
    "not_a_feed.html",
    "empty_feed.xml",
]
# markup, control characters, and the bidirectional controls that reorder text on screen
UNSAFE = re.compile(r"<|>|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# A script scheme is unsafe where a link is made from the value; in text it is words (an item
# whose title reads "data:text/html," is kept with that title, and pages escape text).
SCRIPT_SCHEMES = re.compile(r"javascript:|vbscript:|data:text/html", re.IGNORECASE)
URL_FIELDS = ("url",)
# a misbehaving server path -> what its feed's recorded error must say
MISBEHAVING = {
    "/flood/50000000": "over the 1000000-byte cap",
    "/endless": "over the 1000000-byte cap",
    "/trickle": "took over 3 s to arrive",
    "/redirect-loop": "too many redirects",
    "/gzip-bomb/200000000": "over the 1000000-byte cap",
    "/bad-gzip": "body is not valid gzip",
    "/brotli": "unsupported Content-Encoding 'br'",
    "/busy/always?times=99&retry_after=0": "HTTP 503 from",
    "/redirect?to=http://169.254.169.254/latest/meta-data/": "refused redirect to http://169.254",
}


def unsafe_values(record: Any, where: str = "") -> list[str]:
    """Every string in a stored record that could become markup, a script link or a control
    sequence, with where it was found."""
    if isinstance(record, dict):
        return [bad for key, value in record.items() for bad in unsafe_values(value, key)]
    if isinstance(record, list):
        return [bad for value in record for bad in unsafe_values(value, where)]
    if not isinstance(record, str):
        return []
    scheme = where in URL_FIELDS and SCRIPT_SCHEMES.search(record)
    found = [f"{where}: {record[:120]!r}"] if UNSAFE.search(record) or scheme else []
    plain_url = r"https?://[^\s\"'<>`\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]+$"
    if where in URL_FIELDS and record and not re.match(plain_url, record):
        found.append(f"{where}: not a plain http(s) URL: {record!r}")
    return found


def _corpus(name: str) -> Path:
    return CORPUS / name if (CORPUS / name).is_file() else FEED_FIXTURES / name


def test_every_corpus_file_describes_itself_and_is_listed() -> None:
    files = sorted(p.name for p in CORPUS.iterdir() if p.suffix == ".xml")
    assert files == sorted(EXPECTED)
    for name in files:
        head = (CORPUS / name).read_text(encoding="utf-8", errors="replace")[:1500]
        assert "<!--" in head and "Expected:" in head, name


@pytest.mark.parametrize("name", [*EXPECTED, *FIXTURES_TOO])
def test_each_file_gives_safe_articles_or_a_clear_parse_error(name: str) -> None:
    spec = FeedSpec(name=name.split(".")[0], url=str(_corpus(name)))
    started = time.monotonic()
    try:
        parsed = parse.parse(spec, fetch.FetchedBody(_corpus(name).read_bytes()))
    except FeedParseError as exc:
        assert EXPECTED.get(name) is None and spec.name in str(exc)
        return
    articles, dropped = to_articles(
        spec, parsed.entries, datetime.now(UTC), max_summary_chars=5000, source=parsed.title
    )
    assert time.monotonic() - started < 5, "no expansion or quadratic blow-up"
    if name in EXPECTED:
        assert (len(articles), dict(dropped)) == EXPECTED[name]
    for article in articles:
        assert not unsafe_values(article.model_dump(mode="json"))


def test_external_entities_are_never_resolved() -> None:
    spec = FeedSpec(name="xxe", url="xxe")
    body = (CORPUS / "external_entity_file_read.xml").read_bytes()
    parsed = parse.parse(spec, fetch.FetchedBody(body))
    text = json.dumps(parsed.entries, default=str)
    assert "root:" not in text and "/bin/" not in text


def test_absurd_dates_are_dated_at_the_fetch_and_flagged() -> None:
    spec = FeedSpec(name="dates", url="dates")
    parsed = parse.parse(spec, fetch.FetchedBody((CORPUS / "absurd_dates.xml").read_bytes()))
    fetched = datetime.now(UTC)
    articles, _ = to_articles(spec, parsed.entries, fetched, max_summary_chars=5000)
    by_year = {a.title.split(":")[0]: a for a in articles}
    for label in ("Year one", "Epoch", "31 February"):
        assert by_year[label].published == fetched and by_year[label].date_quality != "ok"
    for label in ("Year 9999", "Year 275760"):
        assert by_year[label].date_quality == "future"
    assert all(datetime(1990, 1, 1, tzinfo=UTC) <= a.published <= fetched for a in articles)


def _stored_records(store: EmbeddedStore) -> list[dict[str, Any]]:
    """Every article and event as stored: the SQLite rows and the search indexes' sources."""
    db = sqlite3.connect(store.state.path)
    try:
        rows = [json.loads(r[0]) for r in db.execute("SELECT data FROM articles")]
        rows += [json.loads(r[0]) for r in db.execute("SELECT data FROM events")]
    finally:
        db.close()
    for kind in ("events", "articles"):
        found = store.search(SearchQuery(limit=1000, collapse=False), kind)  # type: ignore[call-overload]
        rows += [hit.to_json() for hit in found.hits]
    return rows


@pytest.mark.slow
def test_a_cycle_over_the_whole_corpus_and_every_misbehaving_server(
    hostile: HostileServer, tmp_path: Path, tagger: object
) -> None:
    gzip_bomb(200_000_000)
    settings = Settings(
        store=str(tmp_path / "store"),
        connect_timeout=1.0,
        read_timeout=1.0,
        fetch_deadline=3.0,
        max_feed_bytes=1_000_000,
        max_retry_after=1.0,
        allowed_feed_hosts=["127.0.0.1"],
    )
    files = [*EXPECTED, *FIXTURES_TOO, "valid_small.rss"]
    specs = [FeedSpec(name=name, url=hostile.url(f"/file/{name}")) for name in files]
    specs += [FeedSpec(name=path, url=hostile.url(path)) for path in MISBEHAVING]
    store = EmbeddedStore(Path(settings.store))
    started = time.monotonic()
    try:
        report = cycle.run_cycle(specs, store, settings, tagger=tagger)  # type: ignore[arg-type]
        by_feed = {f.feed: f for f in report.feeds}
        health = {h.feed: h for h in store.feed_health()}
        faceted = store.search(SearchQuery(facets=True, limit=100))
        stored = _stored_records(store)
        counts = store.counts()
    finally:
        store.close()
    assert time.monotonic() - started < 60
    assert [f.feed for f in report.feeds] == [s.name for s in specs]
    for path, words in MISBEHAVING.items():
        assert by_feed[path].status == "failed" and words in (by_feed[path].error or ""), path
        assert health[path].error == by_feed[path].error and health[path].consecutive_failures == 1
    for name, expected in EXPECTED.items():
        assert by_feed[name].status == "ok", (name, by_feed[name].error)
        assert expected is not None and by_feed[name].new_articles == expected[0], name
    assert by_feed["not_a_feed.html"].status == "failed" and by_feed["not_a_feed.html"].error
    assert by_feed["valid_small.rss"].new_articles == 3
    assert counts["untagged_articles"] == counts["unindexed_events"] == 0
    assert stored and not [bad for record in stored for bad in unsafe_values(record)]
    assert faceted.total > 0 and faceted.facets["published"]
    assert min(faceted.facets["published"]) >= "1990-01-01"
