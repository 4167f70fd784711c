"""Hostile feeds: every string an outlet controls carries script, handler and
`javascript:` payloads, so that a page or a link that forgot to escape shows it."""

from __future__ import annotations

from datetime import UTC, datetime

from econsec.models import Article, Event, FeedResult, TaggedArticle
from econsec.store import Store
from tests.support import factories

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
QUOTE = "' onmouseover='alert(1)' x='"
JS_URL = "javascript:alert(1)"
EVIL = f"gallium {SCRIPT} {IMG} {QUOTE} {JS_URL}"
HOSTILE_URLS = [
    JS_URL,
    f"https://example.com/x{IMG}",
    "JAVASCRIPT:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    f"data:text/html,{SCRIPT}",
    "//evil.example/",
]
RULES = {
    "payload-watch": {"name": "payload-watch", "query": "gallium", "condition": {"type": "any"}},
    "payload-by-initiator": {
        "name": "payload-by-initiator",
        "query": "gallium",
        "group_by": "initiator",
        "condition": {"type": "any"},
    },
}


def hostile_article(n: int, url: str, story: str) -> Article:
    return factories.article(
        n,
        title=f"{EVIL} #{n}",
        summary=EVIL,
        url=url,
        source=f"{IMG} outlet {n}",
        feed=EVIL,
        story_id=story,
        published=datetime(2024, 5, 1 + n, 8, tzinfo=UTC),
    )


def hostile_event(article: Article) -> Event:
    return factories.event(
        article,
        f"{EVIL}.type",
        category=EVIL,
        initiator=[EVIL, IMG],
        target=[SCRIPT],
        partner=[QUOTE],
        countries=[EVIL],
        technologies=[EVIL, JS_URL],
        evidence=EVIL,
        summary=EVIL,
        cluster_id=f"cluster {SCRIPT}",
    )


def fill_hostile(store: Store) -> dict[str, Event]:
    """One story of seven hostile articles (one per hostile URL), each with a hostile event,
    and a feed whose name, URL, error and warning are hostile."""
    story = f"story {SCRIPT}"
    articles = [hostile_article(n, url, story) for n, url in enumerate(HOSTILE_URLS, start=1)]
    store.stage_articles(articles)
    made = {f"event{n}": hostile_event(a) for n, a in enumerate(articles, start=1)}
    store.save_tagged([TaggedArticle(a, b"", []) for a in articles], list(made.values()))
    store.index_pending()
    feed = FeedResult(
        feed=EVIL,
        url=JS_URL,
        status="failed",
        error=EVIL,
        warning=IMG,
        fetched_at=datetime(2024, 6, 1, tzinfo=UTC),
    )
    store.record_feed(feed, None, None)
    return made


RLO, PDF, RLI, PDI = "\u202e", "\u202c", "\u2067", "\u2069"
REORDERED_TITLE = f"Ban on gallium {RLO}fdp.exe{PDF} and {RLI}more{PDI}"
REORDERED_URL = f"https://example.com/{RLO}fdp.exe"


def fill_reordering(store: Store) -> dict[str, Event]:
    """An article whose text and link hold bidirectional overrides and isolates, as a store
    written before they were stripped (or an index written by another tool) holds them."""
    article = factories.article(
        1,
        title=REORDERED_TITLE,
        summary=f"Said {RLO}so",
        url=REORDERED_URL,
        source=f"Wire{RLI}",
        feed=f"wire{RLO}",
    )
    store.stage_articles([article])
    made = {"event1": factories.event(article, "export_control.ban", evidence=REORDERED_TITLE)}
    store.save_tagged([TaggedArticle(article, b"", [])], list(made.values()))
    store.index_pending()
    feed = FeedResult(
        feed=f"wire{RLO}",
        url=REORDERED_URL,
        status="failed",
        error=f"bad {RLO}gzip",
        fetched_at=datetime(2024, 6, 1, tzinfo=UTC),
    )
    store.record_feed(feed, None, None)
    return made
