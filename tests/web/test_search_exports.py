"""Following a search: facets that combine (OR within one, AND across), the outlet facet,
oldest first, "back to search" keeping the search, the search as CSV and as an Atom feed
with the same filters, over HTTP on both backends; saved searches as links."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import feedparser
import httpx

from econsec.config import Settings
from econsec.exports import EVENT_COLUMNS
from econsec.searches import SavedSearch, save
from econsec.store.embedded.store import EmbeddedStore
from econsec.web import create_app
from tests.support.html_check import parse
from tests.support.live_server import LiveServer
from tests.support.web_data import fill
from tests.web.conftest import Site
from tests.web.test_api import NEWEST_FIRST, types


def facet_hrefs(client: httpx.Client, path: str, name: str) -> dict[str, str]:
    """Each value of one facet on the search page -> the link it gives."""
    found = {}
    for href in parse(client.get(path).text).links():
        query = parse_qsl(urlsplit(href).query)
        added = [v for k, v in query if k == name]
        if href.startswith("/?") and added:
            found[added[-1]] = href
    return found


def test_a_chosen_facet_keeps_its_other_values_and_they_combine(client: httpx.Client) -> None:
    chosen = client.get("/api/events", params={"category": "export_control"}).json()
    assert chosen["facets"]["category"] == {  # events, as every facet counts
        "export_control": 3,
        "partnership": 1,
        "investment_screening": 1,
    }
    assert chosen["facets"]["type"] == {"export_control.ban": 2, "export_control.restriction": 1}
    links = facet_hrefs(client, "/?category=export_control", "category")
    assert links["partnership"] == "/?category=export_control&category=partnership"
    either = parse(client.get(links["partnership"]).text)
    assert len(either.find("li", class_="story")) == 3  # OR within a facet
    both = types(client, category="export_control", country="JP")
    assert both == ["export_control.restriction"]  # AND across facets


def test_the_outlet_facet_filters_by_outlet(client: httpx.Client) -> None:
    found = client.get("/api/events").json()
    assert found["facets"]["source"] == {"Wire": 4, "Other outlet": 1}
    assert types(client, outlet="Other outlet") == ["export_control.ban"]
    assert types(client, outlet="other outlet") == ["export_control.ban"]
    refused = client.get("/api/events", params={"outlet": "Wirre"})
    assert refused.status_code == 400 and "did you mean Wire?" in refused.json()["detail"]
    assert "Other outlet" in facet_hrefs(client, "/", "outlet")


def test_oldest_first(client: httpx.Client) -> None:
    assert types(client, sort="oldest") == NEWEST_FIRST[::-1]
    page = client.get("/", params={"sort": "oldest"}).text
    assert '<option value="oldest" selected>' in page


def test_back_to_search_returns_to_the_search(client: httpx.Client) -> None:
    search = "/?q=gallium&country=CN&sort=oldest"
    (link,) = parse(client.get(search).text).find("a", class_="event-link")
    assert link.attrs["href"].endswith("?q=gallium&country=CN&sort=oldest")
    event = parse(client.get(link.attrs["href"]).text)
    (back,) = event.find("a", class_="back")
    assert back.attrs["href"] == search
    plain = parse(client.get(link.attrs["href"].split("?")[0]).text)
    assert plain.find("a", class_="back")[0].attrs["href"] == "/"


def rows(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


def test_a_search_as_csv(client: httpx.Client) -> None:
    every = client.get("/api/events.csv")
    assert every.text.splitlines()[0] == ",".join(EVENT_COLUMNS)
    assert [r["type"] for r in rows(every)] == NEWEST_FIRST
    assert "attachment" in every.headers["content-disposition"]
    narrowed = rows(client.get("/api/events.csv", params={"category": "export_control"}))
    assert [r["type"] for r in narrowed] == NEWEST_FIRST[2:]
    ban = narrowed[-1]
    assert ban["sources"] in ("Wire; Other outlet", "Other outlet; Wire")
    assert ban["published"].startswith("2024-05-03T08:00") and ban["updated"]
    oldest = rows(client.get("/api/events.csv", params={"sort": "oldest", "page": 2}))
    assert [r["type"] for r in oldest] == NEWEST_FIRST[::-1]  # every story, not a page
    assert client.get("/api/events.csv", params={"type": "nothing"}).status_code == 400


def feed(client: httpx.Client, **params: Any) -> Any:
    response = client.get("/feeds/search.atom", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def test_a_search_as_an_atom_feed(client: httpx.Client, site: Site) -> None:
    every = feed(client)
    assert [e.tags[0].term for e in every.entries] == NEWEST_FIRST
    gallium = feed(client, q="gallium", category="export_control")
    (entry,) = gallium.entries
    assert entry.id == f"urn:econsec:story:{site.events['ban'].cluster_id}"
    assert entry.published.startswith("2024-05-03T08:00") and entry.updated > entry.published
    assert entry.link.startswith(site.url + "/events/")
    assert gallium.feed.id != every.feed.id
    assert feed(client, q="gallium", category="export_control").feed.id == gallium.feed.id
    assert client.get("/feeds/search.atom", params={"country": "Atlantis"}).status_code == 400


def test_the_search_page_links_its_csv_and_feed(client: httpx.Client) -> None:
    parsed = parse(client.get("/?q=chip&tech=semiconductors&page=1&limit=1").text)
    (csv_link,) = parsed.find("a", class_="csv")
    assert csv_link.attrs["href"] == "/api/events.csv?q=chip&tech=semiconductors"
    (atom,) = parsed.find("link", rel="alternate")
    assert atom.attrs["href"] == "/feeds/search.atom?q=chip&tech=semiconductors"
    assert len(rows(client.get(csv_link.attrs["href"]))) == 2


def test_the_timeline_shows_only_the_chosen_categories(client: httpx.Client) -> None:
    chart = parse(client.get("/?category=export_control").text).json_blocks["timeline-data"]
    assert [s["name"] for s in chart["series"]] == ["export_control"]
    assert chart == client.get("/api/timeline", params={"category": "export_control"}).json()


def test_saved_searches_are_links_on_the_search_page(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    fill(store)
    searches = tmp_path / "searches"
    save(searches, SavedSearch(name="jp-curbs", query="chip", countries=["JP"]))
    settings = Settings(store=str(tmp_path / "store"), searches=str(searches))
    app = create_app(settings, store, rules=tmp_path)
    try:
        with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=60) as client:
            parsed = parse(client.get("/").text)
            assert "/?q=chip&country=JP" in parsed.links()
            found = parse(client.get("/?q=chip&country=JP").text)
            assert len(found.find("li", class_="story")) == 1
            (searches / "broken.yaml").write_text("name: [", encoding="utf-8")
            assert client.get("/").status_code == 200  # a broken file breaks no page
    finally:
        store.close()
