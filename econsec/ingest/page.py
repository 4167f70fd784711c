"""An article page submitted by URL (`econsec submit`, the ingest DAG's `urls`): one article
from its HTML, fetched as feeds are (`econsec.ingest.fetch`: size and time caps, addresses
checked against the network policy) and made an `Article` as a feed entry is
(`econsec.ingest.articles.to_article`: canonical URL and id, plain text, caps), so that the
same story later found in a feed is the same article.

The title is the page's `og:title`, else its `<title>`; the summary its `og:description`,
else its meta description, else its first paragraphs; the date its `article:published_time`
(else the time it was fetched). The id comes from the URL submitted, never from a URL the
page claims (`og:url`, canonical link), which a page could point at another site's article.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from econsec.errors import FeedParseError
from econsec.ingest.articles import plain_text, to_article
from econsec.ingest.fetch import FetchedBody
from econsec.models import Article, FeedSpec

HTML_TYPES = ("text/html", "application/xhtml+xml")
LEAD_PARAGRAPHS = 3  # paragraphs read as the summary of a page that describes itself in none
MIN_PARAGRAPH_CHARS = 40  # shorter ones are captions, bylines and buttons
META_KEYS = (
    "og:title",
    "og:description",
    "og:site_name",
    "description",
    "twitter:title",
    "twitter:description",
    "article:published_time",
)


def is_page(body: FetchedBody) -> bool:
    """An HTML page rather than a feed: said by its Content-Type, or by its first tag."""
    kind = (body.content_type or "").split(";", 1)[0].strip().lower()
    if kind in HTML_TYPES:
        return True
    start = body.content[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith((b"<!doctype html", b"<html"))


@dataclass
class PageText:
    """What a page says about itself."""

    title: str = ""
    meta: dict[str, str] = field(default_factory=dict)
    paragraphs: list[str] = field(default_factory=list)


class _PageReader(HTMLParser):
    """The `<title>`, the meta tags of `META_KEYS` and the text of each `<p>`."""

    SKIP = {"script", "style", "noscript", "template", "svg"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = PageText()
        self._in: list[str] = []
        self._skipping = 0
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self._skipping += 1
        elif tag == "meta":
            self._meta(dict(attrs))
        elif tag in ("title", "p"):
            self._in.append(tag)
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self._skipping:
            self._skipping -= 1
        elif self._in and tag == self._in[-1]:
            self._in.pop()
            text = " ".join("".join(self._text).split())
            if tag == "title" and not self.page.title:
                self.page.title = text
            elif tag == "p" and len(text) >= MIN_PARAGRAPH_CHARS:
                self.page.paragraphs.append(text)

    def handle_data(self, data: str) -> None:
        if self._in and not self._skipping:
            self._text.append(data)

    def _meta(self, attrs: dict[str, str | None]) -> None:
        key = (attrs.get("property") or attrs.get("name") or "").strip().lower()
        content = (attrs.get("content") or "").strip()
        if key in META_KEYS and content:
            self.page.meta.setdefault(key, content)


def read_page(html: str) -> PageText:
    reader = _PageReader()
    reader.feed(html)
    reader.close()
    return reader.page


def page_article(
    spec: FeedSpec,
    body: FetchedBody,
    fetched: datetime,
    *,
    max_summary_chars: int,
    max_title_chars: int,
) -> Article:
    """The one article of a page; a `FeedParseError` when the page gives no title or text."""
    page = read_page(_decoded(body))
    meta = page.meta
    entry: dict[str, Any] = {
        "title": meta.get("og:title") or meta.get("twitter:title") or page.title,
        "summary": _summary(page),
        "link": spec.url,
        **_published(meta.get("article:published_time", "")),
    }
    source = meta.get("og:site_name") or spec.title or _host(spec.url)
    article = to_article(spec, entry, fetched, max_summary_chars, source, spec.url, max_title_chars)
    if isinstance(article, str):
        raise FeedParseError(spec.name, f"not an article page: {article}")
    return article


def _summary(page: PageText) -> str:
    described = (
        page.meta.get("og:description")
        or page.meta.get("description")
        or page.meta.get("twitter:description")
    )
    return described or " ".join(page.paragraphs[:LEAD_PARAGRAPHS])


def _published(raw: str) -> dict[str, Any]:
    """An ISO `article:published_time` as feedparser gives an entry's date; {} for none."""
    try:
        when = datetime.fromisoformat(raw.strip())
    except ValueError:
        return {}
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    return {"published": raw, "published_parsed": when.astimezone(UTC).timetuple()}


def _decoded(body: FetchedBody) -> str:
    """The page's text in the charset its Content-Type names, else UTF-8 (bad bytes replaced)."""
    charset = "utf-8"
    for part in (body.content_type or "").split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value:
            charset = value.strip("\"' ")
    try:
        return body.content.decode(charset, errors="replace")
    except LookupError:  # a charset Python does not know
        return body.content.decode("utf-8", errors="replace")


def _host(url: str) -> str:
    return plain_text(urlsplit(url).hostname or url)
