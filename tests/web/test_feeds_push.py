"""The feeds page and `GET /api/feeds` say which feeds their hub pushes (WebSub) and which
are polled, and still show the feeds when the push state cannot be read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from econsec.ingest.subscriptions import SubscriptionBook
from tests.support.html_check import parse
from tests.web.conftest import running_site

HUB, TOPIC = "http://127.0.0.1:9/hub", "https://metals.example/rss"


def feeds_page(
    request: pytest.FixtureRequest, tmp: pytest.TempPathFactory, state: Path
) -> tuple[str, dict[str, Any]]:
    """The feeds page's text and `GET /api/feeds` by feed, from one server."""
    site = running_site("embedded", request, tmp, fired=(), push_state=str(state))
    with site as running, running.client() as client:
        response, api = client.get("/feeds"), client.get("/api/feeds")
    assert response.status_code == 200, response.text[:500]
    assert api.status_code == 200, api.text[:500]
    return parse(response.text).text, {f["feed"]: f for f in api.json()}


def test_a_verified_subscription_shows_as_pushed_until_its_lease_ends(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    book = SubscriptionBook(tmp_path / "push.sqlite3")
    now = datetime.now(UTC)
    sub = book.request("metals", HUB, TOPIC, now)
    assert book.confirm(sub.id, "subscribe", TOPIC, 86_400, now)
    book.pushed(sub.id, now)
    text, api = feeds_page(request, tmp_path_factory, book.path)
    until = (now + timedelta(seconds=86_400)).strftime("%Y-%m-%d")
    assert "1 pushed by their hub (WebSub)" in text
    assert f"pushed until {until}" in text and "1 push" in text
    assert "polled" in text  # the other feed has no subscription
    push = api["metals"]["push"]
    assert push["state"] == "verified" and push["active"] is True and push["pushes"] == 1
    assert push["expires_at"].startswith(until) and "secret" not in push and "id" not in push
    assert api["wire"]["push"] is None and api["metals"]["status"] == "failed"


def test_a_refused_subscription_shows_its_state_and_error(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    book = SubscriptionBook(tmp_path / "push.sqlite3")
    sub = book.request("metals", HUB, TOPIC, datetime.now(UTC))
    book.update(sub.id, state="denied", error="denied: topic not found")
    text, api = feeds_page(request, tmp_path_factory, book.path)
    assert api["metals"]["push"]["active"] is False
    assert api["metals"]["push"]["error"] == "denied: topic not found"
    assert "denied: topic not found" in text and "denied: denied" not in text
    assert "0 pushed by their hub" in text


def test_an_unreadable_push_state_is_said_and_the_feeds_still_show(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    state = tmp_path / "push-state-is-a-folder"
    state.mkdir()
    text, api = feeds_page(request, tmp_path_factory, state)
    assert "push subscriptions unreadable at" in text
    assert "2 feeds, 1 failing" in text
    assert set(api) == {"metals", "wire"} and all(f["push"] is None for f in api.values())
