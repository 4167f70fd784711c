"""A small real WebSub hub on loopback, and a publisher's feed for it to announce.

`WebSubHub` speaks the recommendation's hub side over HTTP: a `POST /` form with
`hub.mode=subscribe|unsubscribe` is answered 202 and then verified by a GET to the
callback (`hub.challenge` must come back as the body); a verified subscription is kept
with its secret and granted lease (at most `max_lease`). `hub.mode=publish` with
`hub.url` (or `publish(topic)` from the test) fetches the topic and POSTs it to every
subscriber, signed `X-Hub-Signature: <method>=<HMAC of the body by the secret>`.

`PublishedFeed` serves one RSS feed at `/feed` whose items the test adds; it announces
the hub by an `<atom:link rel="hub">` element, or by an HTTP `Link` header, or both.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

import httpx

from tests.support.feed_server import LoopbackServer

CLIENT_SECONDS = 30.0  # generous: the subscriber may be a loaded test server


@dataclass
class HubSubscription:
    callback: str
    topic: str
    secret: str | None
    lease: int
    verified_at: float


@dataclass
class Delivery:
    callback: str
    status: int
    body: bytes


@dataclass
class HubLog:
    verifications: list[tuple[str, str, bool]] = field(default_factory=list)  # mode, cb, ok
    requests: list[dict[str, str]] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)


class WebSubHub(LoopbackServer):
    def __init__(self, *, max_lease: int = 86_400, method: str = "sha256", verify: bool = True):
        self.max_lease = max_lease
        self.method = method  # the signature's hash; "" sends none
        self.verify = verify  # False: answer 202 but never verify (a hub that hangs)
        self.subscriptions: dict[tuple[str, str], HubSubscription] = {}
        self.log = HubLog()
        self.lock = threading.Lock()
        super().__init__(self._handler())

    # the hub's side of the protocol ------------------------------------------------

    def _intent(self, form: dict[str, str]) -> None:
        """Verify a (un)subscription with the subscriber, then keep or drop it."""
        mode, callback, topic = form["hub.mode"], form["hub.callback"], form["hub.topic"]
        challenge = secrets.token_urlsafe(12)
        lease = min(int(form.get("hub.lease_seconds") or self.max_lease), self.max_lease)
        params = {"hub.mode": mode, "hub.topic": topic, "hub.challenge": challenge}
        if mode == "subscribe":
            params["hub.lease_seconds"] = str(lease)
        try:
            with httpx.Client(timeout=CLIENT_SECONDS) as client:
                answer = client.get(callback, params=params)
            ok = answer.status_code // 100 == 2 and answer.text == challenge
        except httpx.HTTPError:
            ok = False
        with self.lock:
            self.log.verifications.append((mode, callback, ok))
            if ok and mode == "subscribe":
                secret = form.get("hub.secret")
                self.subscriptions[(callback, topic)] = HubSubscription(
                    callback, topic, secret, lease, time.monotonic()
                )
            elif ok:
                self.subscriptions.pop((callback, topic), None)

    def subscribers(self, topic: str) -> list[HubSubscription]:
        with self.lock:
            return [s for s in self.subscriptions.values() if s.topic == topic]

    def publish(self, topic: str, content: bytes | None = None) -> list[Delivery]:
        """Fetch the topic (unless given its content) and push it to every subscriber."""
        if content is None:
            with httpx.Client(timeout=CLIENT_SECONDS) as client:
                content = client.get(topic).content
        return [self.deliver(sub, content) for sub in self.subscribers(topic)]

    def deliver(self, sub: HubSubscription, content: bytes, secret: str | None = None) -> Delivery:
        headers = {
            "Content-Type": "application/rss+xml",
            "Link": f'<{self.base}/>; rel="hub", <{sub.topic}>; rel="self"',
        }
        key = secret if secret is not None else sub.secret
        if key and self.method:
            digest = hmac.new(key.encode(), content, getattr(hashlib, self.method)).hexdigest()
            headers["X-Hub-Signature"] = f"{self.method}={digest}"
        with httpx.Client(timeout=CLIENT_SECONDS) as client:
            answer = client.post(sub.callback, content=content, headers=headers)
        delivery = Delivery(sub.callback, answer.status_code, answer.content)
        with self.lock:
            self.log.deliveries.append(delivery)
        return delivery

    def wait_verified(self, count: int, seconds: float = 120.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with self.lock:
                if sum(ok for _, _, ok in self.log.verifications) >= count:
                    return
            time.sleep(0.05)
        raise AssertionError(f"the hub verified fewer than {count}: {self.log.verifications}")

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length") or 0)
                pairs = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
                form = {key: values[0] for key, values in pairs.items()}
                with hub.lock:
                    hub.log.requests.append(form)
                mode = form.get("hub.mode")
                if mode == "publish" and form.get("hub.url"):
                    self._answer(204)
                    threading.Thread(target=hub.publish, args=(form["hub.url"],)).start()
                elif mode in ("subscribe", "unsubscribe") and form.get("hub.callback"):
                    self._answer(202)
                    if hub.verify:
                        threading.Thread(target=hub._intent, args=(form,)).start()
                else:
                    self._answer(400, b"hub.mode, hub.topic and hub.callback are required")

            def _answer(self, code: int, body: bytes = b"") -> None:
                self.send_response(code)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler


@dataclass
class Item:
    title: str
    summary: str
    link: str
    published: float  # epoch seconds


class PublishedFeed(LoopbackServer):
    """`/feed`: an RSS feed of `items`, announcing `hub` in the body, a `Link` header or
    both (`announce`: "element", "header", "both", "none"); ETag for conditional GET."""

    def __init__(self, hub: str, announce: str = "element"):
        self.hub = hub
        self.announce = announce
        self.items: list[Item] = []
        self.gets = 0
        super().__init__(self._handler())

    @property
    def topic(self) -> str:
        return self.url("/feed")

    def add(self, title: str, summary: str, published: float | None = None) -> Item:
        item = Item(title, summary, self.url(f"/items/{len(self.items)}"), published or time.time())
        self.items.append(item)
        return item

    def body(self, items: Sequence[Item] | None = None) -> bytes:
        chosen = self.items if items is None else items
        links = ""
        if self.announce in ("element", "both"):
            links = (
                f'<atom:link rel="hub" href="{escape(self.hub)}"/>'
                f'<atom:link rel="self" href="{escape(self.topic)}"/>'
            )
        entries = "".join(
            f"<item><title>{escape(i.title)}</title><link>{escape(i.link)}</link>"
            f"<guid>{escape(i.link)}</guid>"
            f"<pubDate>{format_datetime(_utc(i.published))}</pubDate>"
            f"<description>{escape(i.summary)}</description></item>"
            for i in chosen
        )
        return (
            "<?xml version='1.0' encoding='utf-8'?><rss version='2.0' "
            "xmlns:atom='http://www.w3.org/2005/Atom'><channel><title>Pushed feed</title>"
            f"{links}{entries}</channel></rss>"
        ).encode()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        feed = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                if self.path != "/feed":
                    self.send_error(404)
                    return
                feed.gets += 1
                body = feed.body()
                etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("ETag", etag)
                if feed.announce in ("header", "both"):
                    self.send_header("Link", f'<{feed.hub}>; rel="hub", <{feed.topic}>; rel="self"')
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler


def _utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)
