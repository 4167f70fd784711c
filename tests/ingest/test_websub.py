"""WebSub, the subscriber's protocol against a real hub on loopback: discovery (element
and Link header), subscribe and the hub's verification, leases renewed, unsubscribe,
state kept across restarts, signatures. The callback here is the real web app in a
thread (its routes are tested in tests/web/test_websub_callback.py)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from econsec.config import Settings
from econsec.errors import ConfigError
from econsec.ingest import cycle, websub
from econsec.ingest.feedfile import load_feeds
from econsec.ingest.fetch import FetchedBody, make_client
from econsec.ingest.parse import ParsedFeed
from econsec.ingest.subscriptions import Subscription, SubscriptionBook
from econsec.models import FeedSpec
from econsec.store.embedded.store import EmbeddedStore
from econsec.web import create_app
from tests.support.live_server import LiveServer
from tests.support.websub_hub import PublishedFeed, WebSubHub


class NoRuns:
    def run(self, feed_names: object) -> None:
        pass


@pytest.fixture
def hub() -> Iterator[WebSubHub]:
    server = WebSubHub().start()
    yield server
    server.stop()


@pytest.fixture
def callback(settings: Settings, store: EmbeddedStore) -> Iterator[LiveServer]:
    app = create_app(_push_settings(settings), store, runner=NoRuns())
    with LiveServer(app) as server:
        yield server


def _push_settings(settings: Settings, base: str | None = None) -> Settings:
    state = str(Path(settings.store).parent / "websub.sqlite3")
    return settings.model_copy(update={"push_state": state, "push_callback_url": base})


def _subscribe(
    settings: Settings, hub_url: str, callback: LiveServer
) -> tuple[Settings, SubscriptionBook, websub.HubLink, Subscription]:
    """Feed "pushed" subscribed at `hub_url`, its callback on `callback`: what the hub was
    asked, the book it is kept in, and the settings that name both."""
    settings = _push_settings(settings, callback.url)
    book = SubscriptionBook(settings.push_state)
    link = websub.HubLink(hub_url, "http://127.0.0.1:9/feed")
    with make_client(settings) as client:
        sub = websub.subscribe(book, settings, "pushed", link, client)
    return settings, book, link, sub


# discovery ---------------------------------------------------------------------------


@pytest.mark.parametrize("announce", ["element", "header", "both"])
def test_a_fetch_records_the_hub_a_push_feed_announces(
    settings: Settings, store: EmbeddedStore, hub: WebSubHub, announce: str
) -> None:
    feed = PublishedFeed(hub.url("/"), announce).start()
    try:
        feed.add("Japan restricts exports of chipmaking tools", "New rules.")
        settings = _push_settings(settings)
        spec = FeedSpec(name="pushed", url=feed.topic, push=True)
        result = cycle.fetch_feed(spec, store, settings)
        assert result.status == "ok" and result.new_articles == 1
        assert SubscriptionBook(settings.push_state).hub_of("pushed") == (hub.url("/"), feed.topic)
    finally:
        feed.stop()


def test_the_link_header_wins_and_relative_urls_resolve() -> None:
    body = FetchedBody(b"", links='<https://hub.one/>; rel="hub", </feed?x=1>; rel="self"')
    parsed = ParsedFeed(rel_links={"hub": "https://hub.two/", "self": "https://x/other"})
    link = websub.discover("https://news.example/feed", body, parsed)
    assert link == websub.HubLink("https://hub.one/", "https://news.example/feed?x=1")


def test_no_hub_no_discovery_and_a_feed_without_self_is_its_own_topic() -> None:
    assert websub.discover("https://n/feed", FetchedBody(b""), ParsedFeed()) is None
    parsed = ParsedFeed(rel_links={"hub": "https://hub/"})
    link = websub.discover("https://n/feed", FetchedBody(b""), parsed)
    assert link == websub.HubLink("https://hub/", "https://n/feed")
    parsed = ParsedFeed(rel_links={"hub": "javascript:alert(1)"})
    assert websub.discover("https://n/feed", FetchedBody(b""), parsed) is None


def test_a_feed_without_push_records_nothing(
    settings: Settings, store: EmbeddedStore, hub: WebSubHub
) -> None:
    feed = PublishedFeed(hub.url("/")).start()
    try:
        settings = _push_settings(settings)
        cycle.fetch_feed(FeedSpec(name="polled", url=feed.topic), store, settings)
        assert not Path(settings.push_state).exists()
    finally:
        feed.stop()


@pytest.mark.parametrize(
    ("value", "problem"),
    [("maybe", "valid boolean"), ("true-local", "http(s) feed URL")],
)
def test_push_is_validated_naming_file_and_field(tmp_path: Path, value: str, problem: str) -> None:
    url = "https://example.com/feed" if value == "maybe" else "local.xml"
    push = "maybe" if value == "maybe" else "true"
    path = tmp_path / "feeds.yaml"
    path.write_text(f"feeds:\n  - name: a\n    url: {url}\n    push: {push}\n", "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_feeds(path)
    assert caught.value.file == str(path) and caught.value.field == "feeds[0].push"
    assert problem in str(caught.value)


# subscribing -------------------------------------------------------------------------


def test_subscribe_is_verified_by_the_hub_and_survives_a_restart(
    settings: Settings, hub: WebSubHub, callback: LiveServer
) -> None:
    settings, _, _, sub = _subscribe(settings, hub.url("/"), callback)
    assert sub.state == "pending" and sub.pending_mode == "subscribe"
    form = hub.log.requests[-1]
    assert form["hub.callback"] == f"{callback.url}/websub/{sub.id}"
    assert form["hub.secret"] == sub.secret and len(sub.secret) >= 32
    assert form["hub.lease_seconds"] == str(settings.push_lease_seconds)
    hub.wait_verified(1)
    again = SubscriptionBook(settings.push_state).get(sub.id)  # a new process reads the file
    assert again is not None and again.state == "verified" and again.pending_mode is None
    assert again.lease_seconds == hub.max_lease and again.secret == sub.secret
    assert again.expires_at is not None and again.expires_at > datetime.now(UTC)


def test_a_verification_nobody_asked_for_is_refused(
    settings: Settings, hub: WebSubHub, callback: LiveServer
) -> None:
    _, book, link, sub = _subscribe(settings, hub.url("/"), callback)
    hub.wait_verified(1)
    with httpx.Client(base_url=callback.url, timeout=30) as web:
        ask = {"hub.mode": "subscribe", "hub.topic": link.topic, "hub.challenge": "c1"}
        assert web.get(f"/websub/{sub.id}", params=ask).text == "c1"  # re-verification
        wrong_topic = {**ask, "hub.topic": "http://127.0.0.1:9/other"}
        assert web.get(f"/websub/{sub.id}", params=wrong_topic).status_code == 404
        unasked = {**ask, "hub.mode": "unsubscribe"}
        assert web.get(f"/websub/{sub.id}", params=unasked).status_code == 404
        assert web.get("/websub/nobody", params=ask).status_code == 404
        assert web.get(f"/websub/{sub.id}", params={**ask, "hub.challenge": ""}).status_code == 404
    assert book.get(sub.id).state == "verified"  # type: ignore[union-attr]


def test_a_hub_that_refuses_leaves_the_subscription_failed(
    settings: Settings, callback: LiveServer
) -> None:
    _, _, _, sub = _subscribe(settings, callback.url + "/missing-hub", callback)
    assert sub.state == "failed" and "HTTP 404" in (sub.error or "")


def test_subscribing_needs_the_public_callback_url(settings: Settings) -> None:
    settings = _push_settings(settings)
    link = websub.HubLink("http://127.0.0.1:9/", "http://127.0.0.1:9/feed")
    with make_client(settings) as client, pytest.raises(ConfigError, match="CALLBACK_URL"):
        websub.subscribe(SubscriptionBook(settings.push_state), settings, "f", link, client)


def test_leases_are_renewed_before_they_run_out(settings: Settings, callback: LiveServer) -> None:
    hub = WebSubHub(max_lease=600).start()
    try:
        settings = _push_settings(settings, callback.url)
        book = SubscriptionBook(settings.push_state)
        link = websub.HubLink(hub.url("/"), "http://127.0.0.1:9/feed")
        with make_client(settings) as client:
            sub = websub.subscribe(book, settings, "pushed", link, client)
            hub.wait_verified(1)
            first = book.get(sub.id)
            assert first is not None and first.expires_at is not None
            assert websub.renew(book, settings, client) == []  # a fresh lease is not due
            later = first.expires_at - timedelta(seconds=60)  # under a fifth left
            renewed = websub.renew(book, settings, client, now=later)
            assert [s.id for s in renewed] == [sub.id]
            assert renewed[0].state == "verified"  # the running lease holds meanwhile
            hub.wait_verified(2)
        again = book.get(sub.id)
        assert again is not None and again.secret == sub.secret
        assert again.expires_at is not None and again.expires_at > first.expires_at
        assert len([f for f in hub.log.requests if f["hub.mode"] == "subscribe"]) == 2
    finally:
        hub.stop()


def test_an_unrenewed_lease_expires(settings: Settings) -> None:
    book = SubscriptionBook(_push_settings(settings).push_state)
    sub = book.request("f", "http://hub/", "http://topic/", datetime.now(UTC))
    assert book.confirm(sub.id, "subscribe", "http://topic/", 60, datetime.now(UTC))
    assert book.get(sub.id).active(datetime.now(UTC))  # type: ignore[union-attr]
    later = datetime.now(UTC) + timedelta(seconds=61)
    assert [s.id for s in book.expire(later)] == [sub.id]
    assert book.get(sub.id).state == "expired"  # type: ignore[union-attr]
    assert [s.id for s in websub.due_for_renewal(book, later)] == [sub.id]


def test_unsubscribe_is_verified_and_ends_the_subscription(
    settings: Settings, hub: WebSubHub, callback: LiveServer
) -> None:
    settings = _push_settings(settings, callback.url)
    book = SubscriptionBook(settings.push_state)
    link = websub.HubLink(hub.url("/"), "http://127.0.0.1:9/feed")
    with make_client(settings) as client:
        sub = websub.subscribe(book, settings, "pushed", link, client)
        hub.wait_verified(1)
        assert hub.subscribers(link.topic)
        websub.unsubscribe(book, settings, book.get(sub.id), client)  # type: ignore[arg-type]
    hub.wait_verified(2)
    assert book.get(sub.id).state == "unsubscribed"  # type: ignore[union-attr]
    assert book.for_feed("pushed") is None and not hub.subscribers(link.topic)


# signatures --------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["sha1", "sha256", "sha384", "sha512"])
def test_every_signature_method_of_the_recommendation_is_checked(method: str) -> None:
    body = b"<rss/>"
    digest = hmac.new(b"s3cret", body, getattr(hashlib, method)).hexdigest()
    assert websub.signature_valid("s3cret", f"{method}={digest}", body)
    assert websub.signature_valid("s3cret", f"{method.upper()}={digest.upper()}", body)
    assert not websub.signature_valid("other", f"{method}={digest}", body)
    assert not websub.signature_valid("s3cret", f"{method}={digest}", body + b" ")


@pytest.mark.parametrize("header", [None, "", "sha256", "sha256=", "md5=abc", "=abc", "sha256=zz"])
def test_a_missing_or_malformed_signature_is_refused(header: str | None) -> None:
    assert not websub.signature_valid("s3cret", header, b"<rss/>")


def test_a_denial_is_recorded_only_for_its_topic(settings: Settings) -> None:
    book = SubscriptionBook(_push_settings(settings).push_state)
    sub = book.request("f", "http://hub/", "http://topic/", datetime.now(UTC))
    other = {"hub.mode": "denied", "hub.topic": "http://else/", "hub.reason": "no"}
    assert websub.verify_intent(book, sub.id, other) is None
    denied = {**other, "hub.topic": "http://topic/"}
    assert websub.verify_intent(book, sub.id, denied) == ""
    found = book.get(sub.id)
    assert found is not None and found.state == "denied" and found.error == "denied: no"
    ask = {"hub.mode": "subscribe", "hub.topic": "http://topic/", "hub.challenge": "c"}
    assert websub.verify_intent(book, sub.id, ask) is None  # a denied one is not revived
