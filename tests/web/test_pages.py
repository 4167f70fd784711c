"""The server-rendered pages over HTTP, on both backends: facets are links that form
bookmarkable searches, stories show their outlets, every page renders."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import httpx

from econsec.models import Quarantined
from tests.support.html_check import Parsed, parse
from tests.support.web_data import BAN_STORY_OUTLETS, SECRET
from tests.web.conftest import Site


def page(client: httpx.Client, path: str, status: int = 200) -> Parsed:
    response = client.get(path)
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    return parse(response.text)


def facet_link(parsed: Parsed, name: str, value: str) -> str:
    """The href of one facet value (the facet's list items hold `value` as their text)."""
    for href in parsed.links():
        query = parse_qs(urlsplit(href).query)
        if value in query.get(name, []):
            return href
    raise AssertionError(f"no facet link for {name}={value}")


def stories(parsed: Parsed) -> int:
    return len(parsed.find("li", class_="story"))


def test_search_page_lists_stories_with_facets_and_a_timeline(
    client: httpx.Client, site: Site
) -> None:
    parsed = page(client, "/")
    assert stories(parsed) == 4
    assert "4 stories, 5 events" in parsed.text
    facets = {e.attrs["data-facet"] for e in parsed.find("section", class_="facet")}
    assert facets == {
        "type", "category", "initiator", "tech", "country", "status", "outlet", "date"
    }  # fmt: skip
    assert "2 sources" in parsed.text  # the ban, told by two outlets
    assert parsed.json_blocks["timeline-data"] == client.get("/api/timeline").json()
    assert parsed.find("script", src="/static/vendor/uplot/uPlot.iife.min.js?v=0.1.0")


def test_a_facet_link_narrows_the_search_and_is_a_bookmark(client: httpx.Client) -> None:
    href = facet_link(page(client, "/"), "initiator", "Nippon Steel")
    assert href == "/?initiator=Nippon+Steel"
    narrowed = page(client, href)
    assert stories(narrowed) == 1
    assert "Nippon Steel signs a partnership with US Steel" in narrowed.text
    assert len(narrowed.find("li", class_="selected")) == narrowed.text.count("☑") == 1
    both = facet_link(narrowed, "tech", "advanced_materials")
    assert both == "/?initiator=Nippon+Steel&tech=advanced_materials"
    assert stories(page(client, both)) == 1


def test_the_query_box_keeps_the_chosen_facets(client: httpx.Client) -> None:
    parsed = page(client, "/?q=chip&tech=semiconductors")
    hidden = parsed.find("input", type="hidden", name="tech")
    assert [e.attrs["value"] for e in hidden] == ["semiconductors"]
    assert parsed.find("input", type="search", name="q", value="chip")
    assert stories(parsed) == 2


def test_dates_narrow_to_years_then_months(client: httpx.Client) -> None:
    years = [
        e.attrs["href"]
        for e in page(client, "/").find("a")
        if "since=2024-01-01" in e.attrs.get("href", "")
    ]
    assert years == ["/?since=2024-01-01&until=2024-12-31"]
    in_2024 = page(client, years[0])
    assert stories(in_2024) == 3
    month = facet_link(in_2024, "since", "2024-06-01")
    assert month == "/?since=2024-06-01&until=2024-06-30"
    assert stories(page(client, month)) == 1


def test_pages_of_stories_link_to_each_other(client: httpx.Client) -> None:
    first = page(client, "/?limit=3")
    assert stories(first) == 3 and "page 1 of 2" in first.text
    (following,) = first.find("a", rel="next")
    second = page(client, following.attrs["href"])
    assert stories(second) == 1
    assert second.find("a", rel="prev")[0].attrs["href"] == "/?limit=3"


def test_event_page_lists_every_outlet_of_the_story(client: httpx.Client, site: Site) -> None:
    copies = {site.events["ban"].id, site.events["copy"].id}  # either may head the story
    (link,) = page(client, "/?q=gallium").find("a", class_="event-link")
    assert link.attrs["href"].removeprefix("/events/").removesuffix("?q=gallium") in copies
    parsed = page(client, link.attrs["href"])
    rows = parsed.find("tr")[1:]
    assert len(rows) == 3
    assert "3 articles in this story, from 3 outlets" in parsed.text
    for outlet in BAN_STORY_OUTLETS:
        assert outlet in parsed.text
    assert len(parsed.find("tr", class_="this-article")) == 1
    assert "https://example.com/3" in parsed.links()  # the copy that did not report the event


def test_a_story_shows_its_first_report_and_when_it_was_updated(client: httpx.Client) -> None:
    gallium = page(client, "/?q=gallium")
    first, updated = (e.attrs["datetime"] for e in gallium.find("time"))
    assert first.startswith("2024-05-03T08:00") and updated.startswith("2024-05-03T09:00")
    assert "2024-05-03 updated 2024-05-03 09:00" in gallium.text  # the same day: the hour
    steel = page(client, "/?q=steel")
    assert len(steel.find("time")) == 1 and "updated" not in steel.text


def test_alerts_page_shows_rules_history_and_a_backtest(client: httpx.Client) -> None:
    response = client.get("/alerts", params={"rule": "gallium-watch", "since": "3650d"})
    assert response.status_code == 200 and SECRET not in response.text
    parsed = parse(response.text)
    assert {"gallium-watch", "steel-deals"} <= set(parsed.texts)
    assert "json://127.0.0.1:9" in parsed.text
    assert "2 events in 1 stories, 1 alerts" in parsed.text
    assert "Recent alerts" in parsed.text and "No alert has fired yet" not in parsed.text


def test_a_backtest_of_an_unknown_rule_says_so(client: httpx.Client) -> None:
    parsed = page(client, "/alerts?rule=nobody&since=7d", status=400)
    assert "no rule named 'nobody'" in parsed.text


def test_feeds_page_shows_failing_feeds(client: httpx.Client) -> None:
    parsed = page(client, "/feeds")
    assert "2 feeds, 1 failing" in parsed.text
    (failed,) = parsed.find("tr", class_="feed status-failed")
    assert failed and "HTTP 503 Service Unavailable" in parsed.text
    assert "https://metals.example/rss" in parsed.links()


def test_errors_are_pages_that_say_what_is_wrong(client: httpx.Client) -> None:
    assert "query 'type:(':" in page(client, "/?q=type:(", status=400).text
    assert "use YYYY-MM-DD" in page(client, "/?since=yesterday-ish", status=400).text
    assert "No searchable event" in page(client, "/events/0123456789abcdef0123", status=404).text
    assert "page" in page(client, "/?page=0", status=400).text


def test_an_unknown_address_is_a_page_too(client: httpx.Client) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404 and "Not found" in parse(response.text).text
    assert client.get("/api/no-such-thing").json() == {"detail": "Not Found"}


def test_feeds_page_shows_quarantined_articles_with_their_reason(
    client: httpx.Client, site: Site
) -> None:
    held = Quarantined(
        article_id="0123456789abcdefq001",
        feed="metals",
        title="<b>A megabyte of headline</b>",
        reason="ValueError: [E088] Text of length 1000001 exceeds maximum",
        quarantined_at=datetime(2024, 6, 1, tzinfo=UTC),
    )
    assert "quarantined" not in page(client, "/feeds").text
    site.store.quarantine([held])
    try:
        parsed = page(client, "/feeds")
        (row,) = parsed.find("tr", class_="quarantined")
        assert row and "[E088] Text of length 1000001" in parsed.text
        assert "<b>A megabyte of headline</b>" in parsed.text  # shown as text, not markup
        assert "1 article quarantined" in parsed.text and "econsec requeue" in parsed.text
    finally:
        site.store.requeue()
