"""The JSON API over HTTP, on the embedded store and on osmem-server (Elasticsearch REST)."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import httpx
import pytest

from econsec.config import Settings
from econsec.web import create_app
from tests.support.live_server import LiveServer
from tests.support.web_data import BAN_STORY_OUTLETS, SECRET
from tests.web.conftest import Site

NEWEST_FIRST = [
    "investment_screening.review",
    "partnership.agreement",
    "export_control.restriction",
    "export_control.ban",
]


def types(client: httpx.Client, **params: Any) -> list[str]:
    response = client.get("/api/events", params=params)
    assert response.status_code == 200, response.text
    return [hit["type"] for hit in response.json()["events"]]


def test_search_gives_one_event_per_story_with_its_outlets_and_facets(client: httpx.Client) -> None:
    found = client.get("/api/events").json()
    assert (found["total"], found["stories"], found["page"], found["limit"]) == (5, 4, 1, 20)
    assert [hit["type"] for hit in found["events"]] == NEWEST_FIRST
    ban = found["events"][-1]
    assert ban["source_count"] == 2
    assert sorted(s["source"] for s in ban["sources"]) == ["Other outlet", "Wire"]
    facets = found["facets"]
    assert facets["type"]["export_control.ban"] == 2
    assert facets["initiator"] == {"CN": 2, "EU": 1, "JP": 1, "Nippon Steel": 1, "US Steel": 1}
    assert facets["technologies"]["semiconductors"] == 2
    assert facets["published"] == {
        "2024-05-01": 2,
        "2024-06-01": 1,
        "2024-12-01": 1,
        "2025-02-01": 1,
    }


def test_a_story_is_dated_by_its_first_report_and_updated_by_its_latest(
    client: httpx.Client,
) -> None:
    """The wire ran the ban at 08:00, another outlet at 09:00: the story is the wire's."""
    (ban,) = client.get("/api/events", params={"q": "gallium"}).json()["events"]
    assert ban["published"].startswith("2024-05-03T08:00")
    assert ban["updated"].startswith("2024-05-03T09:00")
    alone = client.get("/api/events", params={"q": "steel"}).json()["events"]
    assert [hit.get("updated") for hit in alone] == [None]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"type": "export_control.restriction"}, ["export_control.restriction"]),
        ({"category": "export_control"}, ["export_control.restriction", "export_control.ban"]),
        ({"initiator": "Nippon Steel"}, ["partnership.agreement"]),
        (
            {"initiator": ["JP", "EU"]},
            ["investment_screening.review", "export_control.restriction"],
        ),
        ({"tech": "semiconductors"}, ["investment_screening.review", "export_control.restriction"]),
        ({"country": "cn"}, ["investment_screening.review", "export_control.ban"]),
        ({"status": "planned"}, ["export_control.restriction"]),
        ({"since": "2024-06-01", "until": "2024-12-31"}, NEWEST_FIRST[1:3]),
        ({"until": "2024-05-03"}, ["export_control.ban"]),  # a bare date: the whole day
        ({"q": "gallium"}, ["export_control.ban"]),
        ({"q": "chip", "initiator": "EU"}, ["investment_screening.review"]),
        (
            {"q": "chip OR gallium", "sort": "relevance", "type": "export_control.ban"},
            ["export_control.ban"],
        ),
    ],
)
def test_every_filter_narrows_the_search(
    client: httpx.Client, params: dict[str, Any], expected: list[str]
) -> None:
    assert types(client, **params) == expected


def test_pages_of_stories(client: httpx.Client) -> None:
    pages = [types(client, limit=3, page=n) for n in (1, 2, 3)]
    assert pages == [NEWEST_FIRST[:3], NEWEST_FIRST[3:], []]


def test_evidence_is_highlighted_and_escaped(client: httpx.Client) -> None:
    (hit,) = client.get("/api/events", params={"q": "gallium"}).json()["events"]
    assert "<b>gallium</b>" in hit["evidence_html"]
    assert (
        hit["evidence"] == "China will ban exports of gallium and germanium to the United States."
    )


def test_event_detail_lists_every_article_of_its_story(client: httpx.Client, site: Site) -> None:
    ban = site.events["ban"]
    found = client.get(f"/api/events/{ban.id}").json()
    assert found["event"]["id"] == ban.id and found["event"]["cluster_id"] == ban.cluster_id
    assert [s["source"] for s in found["sources"]] == BAN_STORY_OUTLETS
    assert [s["reports_event"] for s in found["sources"]] == [True, True, False]
    assert found["outlets"] == 3
    assert found["first"].startswith("2024-05-03T08:00")
    assert found["updated"].startswith("2024-05-04T08:00")  # the story's latest article
    assert all(s["url"].startswith("https://example.com/") for s in found["sources"])


def test_an_event_alone_in_its_story(client: httpx.Client, site: Site) -> None:
    found = client.get(f"/api/events/{site.events['curbs'].id}").json()
    assert [(s["source"], s["reports_event"]) for s in found["sources"]] == [("Wire", True)]


def test_unknown_and_malformed_event_ids(client: httpx.Client) -> None:
    missing = client.get("/api/events/0123456789abcdef0123")
    assert missing.status_code == 404 and "0123456789abcdef0123" in missing.json()["detail"]
    assert client.get("/api/events/not%20an%20id").status_code == 422


def test_timeline_counts_each_category_by_month(client: httpx.Client) -> None:
    found = client.get("/api/timeline").json()
    assert found["months"][0] == "2024-05-01" and found["months"][-1] == "2025-02-01"
    assert len(found["months"]) == 10  # every month between, empty ones too
    series = {s["name"]: s["counts"] for s in found["series"]}
    assert list(series) == ["export_control", "investment_screening", "partnership"]
    assert series["export_control"][:2] == [2, 1] and sum(series["export_control"]) == 3
    assert series["investment_screening"][-1] == 1
    narrowed = client.get("/api/timeline", params={"initiator": "JP"}).json()
    assert [s["name"] for s in narrowed["series"]] == ["export_control"]
    assert narrowed["months"] == ["2024-06-01"]


def test_rules_show_channel_labels_never_urls(client: httpx.Client) -> None:
    response = client.get("/api/alerts/rules")
    rules = {rule["name"]: rule for rule in response.json()}
    assert set(rules) == {"gallium-watch", "steel-deals"}
    assert rules["steel-deals"]["channels"] == ["json://127.0.0.1:9"]
    assert rules["gallium-watch"]["filters"] == {"categories": ["export_control"]}
    assert SECRET not in response.text


def test_backtest_replays_a_rule_without_recording(client: httpx.Client) -> None:
    found = client.get("/api/alerts/rules/gallium-watch/backtest", params={"since": "3650d"})
    summary = found.json()
    assert (summary["events"], summary["stories"], summary["alerts"]) == (2, 1, 1)
    assert summary["fired"][0]["evidence"][0]["title"] == "China bans gallium exports to the US"
    history = client.get("/api/alerts/history").json()
    assert len(history) == 1  # the backtest recorded nothing


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/api/alerts/rules/no-such-rule/backtest", 404, "no rule named 'no-such-rule'"),
        ("/api/alerts/rules/gallium-watch/backtest?since=soon", 400, "soon"),
        ("/api/alerts/rules/gallium-watch/backtest?since=20000d", 400, "at most 3660d"),
        ("/api/events?q=type:(", 400, "type:("),
        ("/api/events?since=last+tuesday", 400, "use YYYY-MM-DD"),
    ],
)
def test_bad_requests_say_what_to_change(
    client: httpx.Client, path: str, status: int, words: str
) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert words in response.json()["detail"]


def test_out_of_range_paging_is_refused(client: httpx.Client) -> None:
    assert client.get("/api/events", params={"limit": 1000}).status_code == 422
    assert client.get("/api/events", params={"page": 0}).status_code == 422


def test_alert_history(client: httpx.Client, site: Site) -> None:
    (alert,) = client.get("/api/alerts/history").json()
    assert alert["rule"] == "gallium-watch" and alert["cluster_id"] == site.events["ban"].cluster_id
    assert client.get("/api/alerts/history", params={"rule": "steel-deals"}).json() == []
    assert len(client.get("/api/alerts/history", params={"text": "gallium"}).json()) == 1


def test_feed_health(client: httpx.Client) -> None:
    feeds = {f["feed"]: f for f in client.get("/api/feeds").json()}
    assert feeds["metals"]["status"] == "failed" and feeds["metals"]["consecutive_failures"] == 1
    assert feeds["metals"]["error"] == "HTTP 503 Service Unavailable"
    assert feeds["wire"]["status"] == "ok"


def test_openapi_describes_the_api(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    assert {
        "/api/events",
        "/api/events/{event_id}",
        "/api/timeline",
        "/api/alerts/rules",
        "/api/alerts/rules/{name}/backtest",
        "/api/alerts/history",
        "/api/feeds",
    } <= set(spec["paths"])
    names = {p["name"] for p in spec["paths"]["/api/events"]["get"]["parameters"]}
    assert {"q", "type", "category", "country", "tech", "initiator", "since", "until"} <= names
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs.text
    assert "cdn" not in docs.text.lower()


def test_every_response_carries_the_security_headers(client: httpx.Client) -> None:
    for path in ("/", "/api/events", "/static/style.css", "/no-such-page"):
        headers = client.get(path).headers
        assert "script-src 'self'" in headers["content-security-policy"], path
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["x-frame-options"] == "DENY", path


def test_a_store_that_cannot_be_reached_is_a_503_naming_it(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}"
    settings = Settings(store=url, es_max_retries=0, es_request_timeout=2.0)
    server = LiveServer(create_app(settings, rules=tmp_path))
    with server, httpx.Client(base_url=server.url, timeout=30.0) as client:
        api = client.get("/api/events")
        page = client.get("/")
    assert api.status_code == 503 and f"store {url}" in api.json()["detail"]
    assert page.status_code == 503 and f"store {url}" in page.text


def test_a_leading_wildcard_is_a_bad_request_on_elasticsearch(
    client: httpx.Client, site: Site
) -> None:
    """Elasticsearch would walk every term of the index for `*allium`; it is refused."""
    if not site.backend.url:
        pytest.skip("the embedded store matches no term for a leading wildcard (200, no hits)")
    response = client.get("/api/events", params={"q": "*allium"})
    assert response.status_code == 400, response.text
    assert "*allium" in response.json()["detail"]
    assert client.get("/api/events", params={"q": "galli*"}).json()["total"] >= 1
    history = client.get("/api/alerts/history", params={"text": "*allium"})
    assert history.status_code == 400, history.text
