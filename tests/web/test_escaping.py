"""Feed text never becomes markup or script: every page and the API over a store whose every
outlet-controlled string is hostile, read back with an HTML parser (on both backends, since
each highlights matched words itself)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest

from tests.support.html_check import injected, parse
from tests.support.payloads import (
    EVIL,
    IMG,
    JS_URL,
    RULES,
    SCRIPT,
    fill_hostile,
    fill_reordering,
)
from tests.web.conftest import WEB_BACKENDS, Site, running_site

REORDERING = re.compile("[\u202a-\u202e\u2066-\u2069]")
REFLECTED = [  # what a visitor puts in the address is reflected too
    f"/?q={quote(SCRIPT)}",
    f"/?since={quote(SCRIPT)}",
    f"/?initiator={quote(IMG)}&tech={quote(JS_URL)}",
    f"/alerts?rule={quote(IMG)}&since={quote(SCRIPT)}",
    f"/login?next={quote(JS_URL)}",
    f"/login?next={quote('/' + IMG)}&failed=1",
    f"/events/{quote(SCRIPT)}",
]


@pytest.fixture(scope="module", params=WEB_BACKENDS)
def hostile(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    with running_site(
        request.param, request, tmp_path_factory, fill_hostile, RULES, tuple(RULES)
    ) as running:
        yield running


def pages(site: Site) -> list[str]:
    events = [f"/events/{event.id}" for event in site.events.values()]
    rules = [f"/alerts?rule={name}&since=3650d" for name in RULES]
    return ["/", "/?q=gallium", "/?q=alert", "/feeds", "/alerts", "/docs", *events, *rules]


def test_every_page_shows_hostile_text_as_text(hostile: Site) -> None:
    with hostile.client() as client:
        for path in pages(hostile):
            response = client.get(path)
            assert response.status_code == 200, path
            parsed = parse(response.text)
            assert injected(parsed) == [], path
            assert SCRIPT not in response.text, path
            if path != "/docs":
                assert SCRIPT in parsed.text, path  # shown, not dropped


def test_facet_links_carry_hostile_values_as_data(hostile: Site) -> None:
    with hostile.client() as client:
        parsed = parse(client.get("/").text)
        facets = [href for href in parsed.links() if href.startswith("/?")]
        assert len(facets) >= 8
        for href in facets:
            followed = client.get(href)
            assert followed.status_code == 200, href
            assert injected(parse(followed.text)) == [], href
        narrowed = parse(client.get("/", params={"initiator": IMG}).text)
        assert "1 story, 7 events" in narrowed.text  # one story, told by seven outlets


def test_no_hostile_url_becomes_a_link(hostile: Site) -> None:
    with hostile.client() as client:
        event = next(iter(hostile.events.values()))
        for path in ("/", f"/events/{event.id}", "/feeds", "/alerts"):
            links = parse(client.get(path).text).links()
            assert [link for link in links if "alert(1)" in link.lower()] == [
                link for link in links if link.startswith("https://example.com/x")
            ], path


def test_reflected_input_is_escaped(hostile: Site) -> None:
    with hostile.client(follow_redirects=False) as client:
        for path in REFLECTED:
            response = client.get(path)
            assert response.status_code in (200, 400, 401, 404), (path, response.status_code)
            assert injected(parse(response.text)) == [], path
            assert SCRIPT not in response.text, path


def test_timeline_data_is_json_that_cannot_close_its_script(hostile: Site) -> None:
    with hostile.client() as client:
        page = client.get("/").text
        block = page.split('<script type="application/json" id="timeline-data">', 1)[1]
        assert "</script" not in block.split("</script>", 1)[0].lower()
        data = parse(page).json_blocks["timeline-data"]
        assert [s["name"] for s in data["series"]] == [EVIL]


def test_the_api_returns_hostile_text_as_json_data(hostile: Site) -> None:
    with hostile.client() as client:
        response = client.get("/api/events", params={"q": "gallium"})
        assert response.headers["content-type"] == "application/json"
        assert response.headers["x-content-type-options"] == "nosniff"
        (hit,) = response.json()["events"]
        assert hit["title"].startswith(EVIL) and hit["initiator"] == [EVIL, IMG]
        marked = parse(hit["evidence_html"])
        assert {e.tag for e in marked.elements} == {"b"}  # matched words, nothing else
        assert SCRIPT in marked.text
        feeds = client.get("/api/feeds").json()
        assert feeds[0]["feed"] == EVIL and feeds[0]["url"] == JS_URL


def test_login_never_redirects_off_site(hostile: Site) -> None:
    form = {"token": "anything", "next": "//evil.example/"}
    with httpx.Client(base_url=hostile.url, follow_redirects=False) as client:
        response = client.post("/login", data=form)
        assert response.headers["location"] == "/"


@pytest.fixture(scope="module")
def reordering(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    with running_site(
        "embedded", request, tmp_path_factory, fill_reordering, RULES, ("payload-watch",)
    ) as running:
        yield running


def test_pages_never_render_a_bidirectional_override(reordering: Site) -> None:
    """Stored before they were stripped, overrides and isolates still never reach a page
    (where one left open reorders the rest of the line), and their link is no link."""
    with reordering.client() as client:
        for path in pages(reordering):
            response = client.get(path)
            assert response.status_code == 200, path
            assert REORDERING.findall(response.text) == [], path
            parsed = parse(response.text)
            assert [link for link in parsed.links() if "fdp.exe" in link] == [], path
        shown = parse(client.get("/").text).text
        assert "Ban on gallium fdp.exe and more" in shown
