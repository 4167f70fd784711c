"""What keeps feed text from becoming code in an analyst's browser.

Templates autoescape every value. Two kinds of feed text need more than
escaping: a link (`href`) must also have a harmless scheme, and a highlight is
HTML on purpose (`mark` wraps the words a search matched in `<b>`), so it is
built here from the text and the spans alone, and `clean_highlight` lets
nothing else through. The headers make a missed case inert:
no inline script runs, nothing is sniffed, the pages are never framed.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from html.parser import HTMLParser

from markupsafe import Markup

from econsec.bidi import CONTROLS as BIDI_CONTROLS
from econsec.bidi import strip_reordering

HTTP_URL = re.compile(r"^https?://[^\s/?#\\]", re.IGNORECASE)
CONTROL = re.compile(r"[\x00-\x20\x7f]")
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


def safe_href(url: object) -> str:
    """The URL when it is a plain http(s) one, else "": a `javascript:`, `data:` or
    otherwise odd link (one holding a bidirectional control too) is shown as text and
    never rendered as a link."""
    if not isinstance(url, str):
        return ""
    url = url.strip()
    if CONTROL.search(url) or BIDI_CONTROLS.search(url) or not HTTP_URL.match(url):
        return ""
    return url


def shown(value: object) -> object:
    """Every value a template prints, without the bidirectional controls that reorder text
    on screen: feed text is stripped of them as it is stored, but a store written by an
    older version, or an index written by another tool, may still hold them. Removing a
    character never makes markup, so escaped text and highlights stay safe."""
    if isinstance(value, Markup):
        return Markup(strip_reordering(str(value)))
    return strip_reordering(value) if isinstance(value, str) else value


def local_path(target: str | None) -> str:
    """A redirect target on this site only (`/alerts?x=1`), else `/`: never `//host`."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return "/" if CONTROL.search(target) else target


class _Highlight(HTMLParser):
    """Keeps text (escaped again) and balanced `<b>` marks; drops every other tag."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.open_marks = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "b":
            self.parts.append("<b>")
            self.open_marks += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "b" and self.open_marks:
            self.parts.append("</b>")
            self.open_marks -= 1

    def handle_data(self, data: str) -> None:
        self.parts.append(html.escape(data))

    def result(self) -> str:
        self.close()
        return "".join(self.parts) + "</b>" * self.open_marks


def mark(text: str, spans: Iterable[Sequence[int]]) -> Markup:
    """`text` escaped, with the stretches the store found (`(start, end)` character
    offsets) in `<b>`; overlapping or out-of-range spans are clipped."""
    parts, at = [], 0
    for start, end in sorted((max(s, 0), min(e, len(text))) for s, e in spans):
        if end <= at:
            continue
        start = max(start, at)
        parts += [html.escape(text[at:start]), "<b>", html.escape(text[start:end]), "</b>"]
        at = end
    parts.append(html.escape(text[at:]))
    return Markup("".join(parts))


def marked_evidence(hit: object) -> Markup:
    """A hit's evidence escaped, the words the query matched in `<b>`."""
    return mark(str(getattr(hit, "evidence", "")), getattr(hit, "highlights", None) or ())


def day(value: datetime | None) -> str:
    """A date as a page shows it: `2024-05-01`, blank for none."""
    return f"{value:%Y-%m-%d}" if value else ""


def minute(value: datetime | None) -> str:
    """A date and time (UTC) as a page shows it: `2024-05-01 09:30`."""
    return f"{value:%Y-%m-%d %H:%M}" if value else ""


def clean_highlight(marked: str) -> Markup:
    """A backend's highlighted evidence, safe to insert: text plus `<b>` and nothing else."""
    parser = _Highlight()
    parser.feed(marked or "")
    return Markup(parser.result())
