"""Pages read back with the standard library's HTML parser, as a browser would tokenise them:
the elements and attributes really there, the text shown, the JSON blocks scripts read."""

from __future__ import annotations

import json
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

# every element the templates write; anything else in a page was injected
TEMPLATE_TAGS = {
    "html", "head", "meta", "title", "link", "body", "header", "nav", "main", "footer", "a",
    "form", "input", "label", "select", "option", "button", "div", "aside", "section", "h1",
    "h2", "h3", "ul", "ol", "li", "span", "p", "details", "summary", "figure", "figcaption",
    "script", "table", "thead", "tbody", "tr", "th", "td", "time", "b", "strong", "small",
    "code", "br", "q", "blockquote", "article", "dl", "dt", "dd",
}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]


class Parsed(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.texts: list[str] = []
        self.json_blocks: dict[str, Any] = {}
        self._json_id: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self.elements.append(Element(tag, values))
        is_json = tag == "script" and values.get("type") == "application/json"
        self._json_id = values.get("id", "") if is_json else None

    def handle_data(self, data: str) -> None:
        if self._json_id is not None:
            self.json_blocks[self._json_id] = json.loads(data)
        else:
            self.texts.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._json_id = None

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.texts).split())

    def find(self, tag: str, **wanted: str) -> list[Element]:
        return [
            e
            for e in self.elements
            if e.tag == tag and all(e.attrs.get(k.rstrip("_")) == v for k, v in wanted.items())
        ]

    def links(self) -> list[str]:
        return [e.attrs["href"] for e in self.elements if e.tag == "a" and "href" in e.attrs]


def parse(page: str) -> Parsed:
    parsed = Parsed()
    parsed.feed(page)
    parsed.close()
    return parsed


def injected(parsed: Parsed) -> list[str]:
    """Every element, attribute or URL in the page that no template writes."""
    problems = []
    for element in parsed.elements:
        if element.tag not in TEMPLATE_TAGS:
            problems.append(f"element <{element.tag}>")
        for name, value in element.attrs.items():
            if name.startswith("on"):
                problems.append(f"handler {name}= on <{element.tag}>")
            if name in URL_ATTRIBUTES and not _harmless(value):
                problems.append(f"{name}={value!r} on <{element.tag}>")
        if element.tag == "script" and not (
            element.attrs.get("src", "").startswith("/static/")
            or element.attrs.get("type") == "application/json"
        ):
            problems.append(f"script {element.attrs}")
    return problems


def _harmless(url: str) -> bool:
    """A path on this site, a fragment, or an http(s) link; never a script or data URL."""
    stripped = "".join(url.split()).lower()
    return stripped.startswith(("/", "#", "http://", "https://")) and not stripped.startswith("//")
