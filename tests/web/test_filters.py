"""Filters as the API and the search page take them, on both backends: the least
confidence (one event, the Japanese curbs, is only 0.45 sure)."""

from __future__ import annotations

import httpx
import pytest

from tests.support.html_check import Parsed, parse
from tests.web.test_pages import page, stories


def chosen_confidence(parsed: Parsed) -> list[str | None]:
    return [o.attrs.get("value") for o in parsed.find("option") if "selected" in o.attrs][:-1]


def test_api_events_carry_their_confidence_and_filter_on_it(client: httpx.Client) -> None:
    every = client.get("/api/events").json()["events"]
    assert {hit["type"]: hit["confidence"] for hit in every}["export_control.restriction"] == 0.45
    sure = client.get("/api/events", params={"min_confidence": 0.5}).json()
    assert "export_control.restriction" not in [hit["type"] for hit in sure["events"]]
    assert (sure["total"], sure["stories"]) == (4, 3)
    assert sure["facets"]["category"] == {
        "export_control": 2,
        "investment_screening": 1,
        "partnership": 1,
    }
    timeline = client.get("/api/timeline", params={"min_confidence": 0.5}).json()
    assert sum(sum(s["counts"]) for s in timeline["series"]) == 4


def test_a_confidence_outside_0_to_1_is_refused(client: httpx.Client) -> None:
    """The API answers as for any malformed parameter (422, naming it); the page says it."""
    for bad in ("1.5", "-0.1", "sure"):
        response = client.get("/api/events", params={"min_confidence": bad})
        assert response.status_code == 422, bad
        assert response.json()["detail"][0]["loc"] == ["query", "min_confidence"]
        shown = client.get("/", params={"min_confidence": bad})
        assert shown.status_code == 400 and "min_confidence" in shown.text


def test_search_page_has_a_confidence_control_and_shows_each_confidence(
    client: httpx.Client,
) -> None:
    parsed = page(client, "/")
    choices = [o.attrs.get("value") for o in parsed.find("option")]
    assert {"0.0", "0.5", "0.9"} <= set(choices)
    assert "confidence 0.45" in parsed.text and "confidence 0.80" in parsed.text
    narrowed = page(client, "/?min_confidence=0.5")
    assert stories(narrowed) == 3 and "confidence 0.45" not in narrowed.text
    assert chosen_confidence(narrowed) == ["0.5"]
    assert any("min_confidence=0.5" in href for href in narrowed.links())  # facets keep it


def test_search_page_keeps_an_unlisted_confidence(client: httpx.Client) -> None:
    parsed = parse(client.get("/?min_confidence=0.44").text)
    assert chosen_confidence(parsed) == ["0.44"]
    assert stories(parsed) == 4


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"initiator": "China"}, ["export_control.ban"]),
        ({"country": "Japanese"}, ["partnership.agreement", "export_control.restriction"]),
        ({"type": "export_control"}, ["export_control.restriction", "export_control.ban"]),
        (
            {"tech": "semiconductor", "category": "Investment_Screening"},
            ["investment_screening.review"],
        ),
        ({"q": "type:export_control.*"}, ["export_control.restriction", "export_control.ban"]),
        ({"initiator": "nippon steel"}, ["partnership.agreement"]),
    ],
)
def test_api_takes_what_people_type(
    client: httpx.Client, params: dict[str, str], expected: list[str]
) -> None:
    response = client.get("/api/events", params=params)
    assert response.status_code == 200, response.text
    assert [hit["type"] for hit in response.json()["events"]] == expected


@pytest.mark.parametrize(
    ("params", "words"),
    [
        (
            {"tech": "semiconductr"},
            "technology 'semiconductr': unknown; did you mean semiconductors?",
        ),
        ({"initiator": "Chnia"}, "did you mean China (CN)?"),
        ({"type": "export_contol.ban"}, "did you mean export_control.ban"),
        ({"initiator": "Initech"}, "initiator 'Initech': unknown"),
        ({"q": "gallium AND status:done"}, "status 'done': unknown; use one of planned, enacted"),
    ],
)
def test_a_value_no_event_can_have_is_a_400_saying_so(
    client: httpx.Client, params: dict[str, str], words: str
) -> None:
    for path in ("/api/events", "/api/timeline"):
        response = client.get(path, params=params)
        assert response.status_code == 400, (path, response.text)
        assert words in response.json()["detail"]
    shown = client.get("/", params=params)
    assert shown.status_code == 400
    assert words in parse(shown.text).text


def test_the_page_shows_a_normalised_filter_as_chosen(client: httpx.Client) -> None:
    parsed = page(client, "/?country=Japanese")
    chosen = [e for e in parsed.find("li", class_="selected")]
    assert len(chosen) == 1 and stories(parsed) == 2
    assert any(
        href.startswith("/?country=JP&") or href == "/?country=JP" for href in parsed.links()
    )


def test_api_values_of_a_filter(client: httpx.Client) -> None:
    response = client.get("/api/values/category")
    assert response.status_code == 200, response.text
    assert response.json() == {
        "category": {
            "export_control": 3,
            "investment_screening": 1,
            "partnership": 1,
        }
    }
    countries = client.get("/api/values/country").json()["country"]
    assert list(countries) == ["CN", "JP", "EU", "US"] and countries["CN"] == 3  # most first
    assert client.get("/api/values/tech").json()["tech"]["semiconductors"] == 2


def test_api_values_of_an_unknown_filter_is_a_404(client: httpx.Client) -> None:
    response = client.get("/api/values/weather")
    assert response.status_code == 404
    assert "use one of type, category, technology" in response.json()["detail"]
