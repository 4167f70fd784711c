"""The ingest corpus (`tests/fixtures/corpus/`): publishers' snapshots, a court's docket feed and
conformance cases (RSS 0.91 / 0.92 / 2.0, RSS 1.0, Atom 0.3 / 1.0, charsets, ill-formed XML,
relative links, missing dates). What feedparser reads is what a feed says: a whole cycle on
every backend must store at least 98 % of it, and each entry it does not store is listed in
`LOSSES` with the reason. A revised item goes through the same cycle as a revision."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest

from econsec.config import Settings
from econsec.ingest import cycle, fetch, parse
from econsec.ingest.articles import to_articles
from econsec.ingest.stories import signature, to_bytes
from econsec.models import CycleReport, FeedSpec, SearchQuery
from econsec.store import Store
from tests.support.backends import Backend, backend  # noqa: F401 (fixture)
from tests.support.feed_server import FeedServer
from tests.support.paths import FIXTURES

CORPUS = FIXTURES / "corpus"
FILES = sorted(p.name for p in CORPUS.glob("*.xml"))
TARGET = 0.98
# file -> entries not stored, by reason. Each is right to drop:
LOSSES: dict[str, dict[str, int]] = {
    # the wire pushed one item twice: same guid, link and text (stored once)
    "publisher_rss2.xml": {"duplicate in feed": 1},
    # two filings repeated word for word under their docket's URL (each stored once)
    "court_docket_rss.xml": {"duplicate in feed": 2},
    # an item that is only a link to an audio file: no words to store, show or tag
    "rss092_partial_items.xml": {"no title or summary": 1},
}
# file -> articles kept without a link (items with only a title or a description, podcasts)
LINKLESS = {"rss092_partial_items.xml": 10, "content_encoded_only.xml": 3}


def readable(name: str) -> int:
    """Entries feedparser itself reads from the file: what the feed says."""
    return len(feedparser.parse((CORPUS / name).read_bytes()).entries)


def specs() -> list[FeedSpec]:
    return [FeedSpec(name=name.removesuffix(".xml"), url=str(CORPUS / name)) for name in FILES]


def test_every_corpus_file_describes_itself() -> None:
    assert len(FILES) >= 15 and set(LOSSES) <= set(FILES)
    for name in FILES:
        head = (CORPUS / name).read_bytes()[:1500].decode("utf-8", "replace").replace("\x00", "")
        assert "<!--" in head and "Expected:" in head, name


@pytest.mark.parametrize("name", FILES)
def test_each_entry_becomes_an_article_or_a_listed_loss(name: str) -> None:
    spec = specs()[FILES.index(name)]
    parsed = parse.parse(spec, fetch.FetchedBody((CORPUS / name).read_bytes()))
    articles, dropped = to_articles(
        spec, parsed.entries, datetime.now(UTC), max_summary_chars=5000, base=parsed.link
    )
    assert dict(dropped) == LOSSES.get(name, {})
    assert len(articles) + sum(dropped.values()) == len(parsed.entries) == readable(name)
    assert len({a.id for a in articles}) == len(articles)
    assert sum(not a.has_link for a in articles) == LINKLESS.get(name, 0)
    assert all(a.url.startswith(("http://", "https://")) for a in articles if a.has_link)


def test_relative_links_resolve_against_the_url_the_feed_came_from(
    settings: Settings, tmp_path: Path
) -> None:
    server = FeedServer(CORPUS).start()
    try:
        spec = FeedSpec(name="relative", url=server.url("/feed/relative_links.xml"))
        got = cycle.download(spec, settings, None)
    finally:
        server.stop()
    assert got.error is None
    assert got.articles[0].url == f"{server.base}/news/0"
    assert got.articles[1].url == f"{server.base}/feed/story-1.html"


@pytest.fixture
def opened(backend: Backend) -> Iterator[Store]:  # noqa: F811 (the fixture above)
    store = backend.open()
    yield store
    store.close()


def _cycle(store: Store, where: Backend, tagger: object, feeds: list[FeedSpec]) -> CycleReport:
    settings = where.settings()
    return cycle.run_cycle(feeds, store, settings, tagger=tagger)  # type: ignore[arg-type]


@pytest.mark.slow
def test_the_corpus_is_stored_but_for_listed_losses(
    opened: Store,
    backend: Backend,  # noqa: F811
    tagger: object,
) -> None:
    report = _cycle(opened, backend, tagger, specs())
    said = stored = 0
    for name, result in zip(FILES, report.feeds, strict=True):
        assert result.status == "ok", (name, result.error)
        assert result.entries_found == readable(name), name
        assert result.dropped == LOSSES.get(name, {}), name
        assert result.new_articles + sum(result.dropped.values()) == result.entries_found, name
        said += result.entries_found
        stored += result.new_articles
    share = stored / said
    print(f"\ncorpus: {stored} of {said} feedparser-readable entries stored ({share:.1%})")
    assert share >= TARGET
    assert opened.counts()["articles"] == stored
    assert opened.counts()["untagged_articles"] == 0
    articles = opened.search(SearchQuery(limit=1000), "articles").hits
    assert len(articles) == stored
    linkless = [a for a in articles if a.feed == "rss092_partial_items"]
    assert len(linkless) == 10 and all(a.url == "" for a in linkless)
    copies = [a for a in articles if "23 chipmaking tools" in a.title]
    assert len(copies) == 2 and len({a.story_id for a in copies}) == 1  # stories still join
    again = _cycle(opened, backend, tagger, specs())
    assert again.new_articles == 0 and again.tagging.new_events == 0


V1 = """<rss version="2.0"><channel><title>Court Example</title>
<item><title>Acme Semiconductor v. Department of Commerce</title>
<link>https://ecf.example.gov/docket/101</link><guid>https://ecf.example.gov/docket/101</guid>
<pubDate>Tue, 01 Oct 2024 09:00:00 GMT</pubDate><description>{text}</description></item>
<item><title>Japan adds 23 chipmaking tools to its export control list</title>
<link>https://news.example.com/japan-tools</link><pubDate>Tue, 01 Oct 2024 10:00:00 GMT</pubDate>
<description>{lead}</description></item>
</channel></rss>"""
FIRST = "The trade ministry said exporters will need a licence to ship the tools from July."
SECOND = (
    "The trade ministry said exporters will need a licence to ship the tools from July, and "
    "China banned exports of gallium and germanium in response."
)


@pytest.mark.slow
def test_a_revised_item_is_tagged_again_in_place(
    opened: Store,
    backend: Backend,  # noqa: F811
    tagger: object,
    tmp_path: Path,
) -> None:
    path = tmp_path / "court.xml"
    spec = [FeedSpec(name="court", url=str(path))]
    path.write_text(V1.format(text="[1] Complaint", lead=FIRST))
    first = _cycle(opened, backend, tagger, spec)
    [before] = [
        a for a in opened.search(SearchQuery(limit=10), "articles").hits if "Japan" in a.title
    ]
    path.write_text(V1.format(text="[1] Complaint", lead=SECOND))
    second = _cycle(opened, backend, tagger, spec)
    third = _cycle(opened, backend, tagger, spec)
    assert (first.new_articles, second.new_articles, third.new_articles) == (2, 1, 0)
    assert second.tagging.articles_tagged == 1 and third.tagging.articles_tagged == 0
    articles = opened.search(SearchQuery(limit=10), "articles").hits
    [after] = [a for a in articles if "Japan" in a.title]
    assert len(articles) == 2 and after.id == before.id
    assert after.summary == SECOND and after.fetched == before.fetched
    signatures = {s.article_id: s.minhash for s in opened.known_signatures(datetime(2000, 1, 1))}
    text = f"{after.title}\n{SECOND}"
    assert signatures[after.id] == to_bytes(signature(text))  # its story follows the new text
    events = opened.search(SearchQuery(limit=100, collapse=False)).hits
    assert events and all(e.summary == SECOND for e in events if e.article_id == after.id)
    assert opened.counts()["events"] == len(events)
