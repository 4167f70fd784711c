"""Turn raw feed entries into `Article`s: canonical URL, stable id, UTC date, plain text."""

from __future__ import annotations

import calendar
import hashlib
import html
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from econsec.bidi import CONTROLS, strip_reordering
from econsec.models import Article, DateQuality, FeedSpec, stable_id
from econsec.timeparse import written_date_problem

TRACKING_PARAMS = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|ref|ref_src|cmpid|"
    r"ncid|ocid|_hsenc|_hsmi|mkt_tok|yclid|spm|share|rss|feed|src)$",
    re.IGNORECASE,
)
FUTURE_TOLERANCE = timedelta(minutes=10)
# Zone abbreviations common on this beat that feedparser does not know (it reads them as UTC).
ZONE_HOURS = {
    "JST": 9,
    "KST": 9,
    "HKT": 8,
    "SGT": 8,
    "AWST": 8,
    "AEST": 10,
    "AEDT": 11,
    "NZST": 12,
    "MSK": 3,
    "EET": 2,
    "EEST": 3,
    "CET": 1,
    "CEST": 2,
    "WET": 0,
    "WEST": 1,
    "BST": 1,
    "IST": 5.5,
}
TRAILING_ZONE = re.compile(r"\b([A-Z]{3,4})\s*$")
WHITESPACE = re.compile(r"\s+")
# Characters never valid in a URL; percent-encoded so that a stored URL cannot close an HTML
# attribute or open a tag (non-ASCII is left alone: ids of existing articles stay the same).
UNSAFE_URL_CHARS = re.compile(r'[\x00-\x20"<>\\^`{|}\x7f]')
HOST_CHARS = re.compile(r"^[\w.\-]+$")
# C0 and C1 control characters (tab and newlines aside, which fold into spaces): a NUL or an
# escape sequence from a feed must not reach a terminal, a log line or a JSON consumer.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Feeds began in 1999; an earlier date is a publisher's zero value, not a publication time,
# and would stretch every date histogram over centuries.
EARLIEST_PLAUSIBLE = datetime(1990, 1, 1, tzinfo=UTC)


def canonical_url(url: str) -> str:
    """The URL without tracking parameters, fragment, default port or case noise in the host."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:  # a bracket never closed, a port that is no number
        return ""
    if not parts.scheme or not parts.netloc:
        return url.strip()
    host = (parts.hostname or "").lower()
    if port and not (
        (parts.scheme == "http" and port == 80) or (parts.scheme == "https" and port == 443)
    ):
        host = f"{host}:{port}"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not TRACKING_PARAMS.match(k)
    ]
    path = UNSAFE_URL_CHARS.sub(lambda m: f"%{ord(m.group()):02X}", parts.path or "/")
    return urlunsplit((parts.scheme.lower(), host, path, urlencode(sorted(query)), ""))


class _TextExtractor(HTMLParser):
    """Collects text, dropping script and style content entirely."""

    SKIP = {"script", "style", "noscript", "template", "iframe", "object"}
    BREAKS = {"p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "blockquote"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BREAKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1
        elif tag in self.BREAKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def plain_text(value: str) -> str:
    """Text of an HTML fragment, entities decoded, whitespace folded, no markup left, and
    no control that reorders it on screen (`econsec.bidi`)."""
    if not value:
        return ""
    extractor = _TextExtractor()
    extractor.feed(value)
    extractor.close()
    text = html.unescape("".join(extractor.parts))
    text = text.replace("<", "‹").replace(">", "›")  # stray angle brackets never become markup
    text = strip_reordering(CONTROL_CHARS.sub("", text))
    return WHITESPACE.sub(" ", text).strip()


def content_hash(title: str, summary: str) -> str:
    normal = WHITESPACE.sub(" ", f"{title} {summary}".lower()).strip()
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()[:20]


def entry_date(entry: dict[str, Any], fetched: datetime) -> tuple[datetime, DateQuality]:
    """The entry's publication time in UTC; never in the future, never missing."""
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    raw = entry.get("published") or entry.get("updated")
    if parsed is None:
        return fetched, ("unparseable" if raw else "missing")
    if written_date_problem(str(raw or "")):
        return fetched, "unparseable"
    try:
        when = datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC) - _zone_offset(raw)
    except (OverflowError, ValueError, TypeError):
        return fetched, "unparseable"
    if when > fetched + FUTURE_TOLERANCE:
        return fetched, "future"
    if when < EARLIEST_PLAUSIBLE:
        return fetched, "unparseable"
    return when, "ok"


def _zone_offset(raw: object) -> timedelta:
    """The UTC offset of a trailing zone abbreviation that feedparser took for UTC."""
    match = TRAILING_ZONE.search(str(raw or ""))
    hours = ZONE_HOURS.get(match.group(1)) if match else None
    return timedelta(hours=hours) if hours else timedelta(0)


class DropReasons(Counter[str]):
    """Why entries did not become articles, counted per reason."""


def to_articles(
    spec: FeedSpec,
    entries: list[dict[str, Any]],
    fetched: datetime,
    *,
    max_summary_chars: int,
    source: str = "",
    base: str = "",
    max_title_chars: int | None = None,
) -> tuple[list[Article], DropReasons]:
    """Articles of a feed's entries. Entries that share a link or guid but differ in text
    (a court feed's filings under one docket URL) are each an article, under an id from the
    identity and the text; only an exact repeat of a text within the feed is dropped.
    `base` resolves relative links (the feed's URL, or the channel's link). Titles and
    summaries longer than their caps are cut, and the article flagged."""
    dropped = DropReasons()
    source = plain_text(source)  # a channel title is markup as much as an item's
    built: list[Article] = []
    for entry in entries:
        article = to_article(spec, entry, fetched, max_summary_chars, source, base, max_title_chars)
        if isinstance(article, str):
            dropped[article] += 1
        else:
            built.append(article)
    texts: dict[str, set[str]] = {}
    for article in built:
        texts.setdefault(article.id, set()).add(article.content_hash)
    articles: list[Article] = []
    seen: set[str] = set()
    for article in built:
        if article.content_hash in seen:
            dropped["duplicate in feed"] += 1
            continue
        seen.add(article.content_hash)
        if len(texts[article.id]) > 1:
            article = article.model_copy(
                update={"id": stable_id(article.id, "text", article.content_hash)}
            )
        articles.append(article)
    return articles, dropped


def to_article(
    spec: FeedSpec,
    entry: dict[str, Any],
    fetched: datetime,
    max_summary_chars: int,
    source: str,
    base: str = "",
    max_title_chars: int | None = None,
) -> Article | str:
    """An article, or the reason the entry cannot be one. Its id comes from the canonical
    link, else the feed and the guid, else (an item with only a title or a description)
    the feed and the text."""
    title = plain_text(str(entry.get("title") or ""))
    summary = plain_text(str(entry.get("summary") or entry.get("description") or ""))
    if not title and not summary:
        return "no title or summary"
    link = _safe_link(_absolute(str(entry.get("link") or ""), base))
    guid = str(entry.get("id") or "")
    url = canonical_url(link) if link else ""
    long_title = max_title_chars is not None and len(title) > max_title_chars
    if long_title:
        title = _cut(title, max_title_chars or 0)
    truncated = len(summary) > max_summary_chars
    if truncated:
        summary = _cut(summary, max_summary_chars)
    published, quality = entry_date(entry, fetched)
    digest = content_hash(title, summary)
    if url:
        identity = url
    elif guid:
        identity = f"{spec.name}:{guid}"
    else:
        identity = f"{spec.name}:text:{digest}"
    return Article(
        id=stable_id(identity),
        url=url or canonical_url(_safe_link(guid)),
        feed=spec.name,
        source=source or spec.title or spec.name,
        title=title or summary[:120],
        summary=summary,
        published=published,
        fetched=fetched,
        date_quality=quality,
        content_hash=digest,
        truncated=truncated or long_title,
    )


def _absolute(link: str, base: str) -> str:
    """A relative link made absolute against `base` (left as it is without one)."""
    link = link.strip()
    try:
        return link if not link or not base or urlsplit(link).scheme else urljoin(base, link)
    except ValueError:  # a bracket never closed, a port that is no number
        return link


def _cut(text: str, limit: int) -> str:
    """At most `limit` characters, at a word boundary when there is one, marked as cut."""
    return text[:limit].rsplit(" ", 1)[0] + " …"


def _safe_link(link: str) -> str:
    """Only http(s) links to a well-formed host are kept; `javascript:` and friends, links
    that do not parse, and links holding a bidirectional control (the address shown would
    not be the one followed) become empty."""
    link = link.strip()
    if not link.lower().startswith(("http://", "https://")) or CONTROLS.search(link):
        return ""
    try:
        host = urlsplit(link).hostname or ""
    except ValueError:
        return ""
    return link if HOST_CHARS.match(host) else ""
