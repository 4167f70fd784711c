"""WebSub (W3C recommendation, formerly PubSubHubbub), the subscriber's side: find the
hub a feed announces, ask it to push the feed, answer its intent verification, check
the signature of what it pushes, renew leases before they run out, unsubscribe.

Discovery follows the recommendation: the HTTP `Link` header wins over the feed's own
`<link rel="hub">` / `<atom:link rel="hub">` elements; the topic is the `rel="self"`
URL, else the feed's URL. The subscriptions live in `subscriptions.SubscriptionBook`.
A hub is reached through the feed client (`fetch.make_client`), so a hub address a
feed announces is held to the same network policy as the feed itself.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urljoin

import httpx

from econsec.config import Settings
from econsec.errors import ConfigError, UnsafeAddressError
from econsec.ingest.feedfile import is_remote
from econsec.ingest.fetch import FetchedBody
from econsec.ingest.parse import ParsedFeed
from econsec.ingest.subscriptions import Subscription, SubscriptionBook

CALLBACK_PATH = "/websub/"
SIGNATURES: dict[str, Callable[..., hashlib._Hash]] = {
    "sha1": hashlib.sha1,
    "sha256": hashlib.sha256,
    "sha384": hashlib.sha384,
    "sha512": hashlib.sha512,
}
LINK = re.compile(r"<([^>]*)>([^<]*)")
REL = re.compile(r"""\brel\s*=\s*(?:"([^"]*)"|([^\s;,"]+))""", re.IGNORECASE)
HUB_ANSWERS = (202, 204)  # the recommendation's "accepted"; some hubs say 204
RENEW_SHARE = 5  # a lease is renewed once under a fifth of it is left


@dataclass(frozen=True)
class HubLink:
    hub: str
    topic: str


def discover(feed_url: str, body: FetchedBody, parsed: ParsedFeed) -> HubLink | None:
    """The hub and topic a fetched feed announces, or None."""
    header = _header_links(body.links)
    found = header if "hub" in header else parsed.rel_links
    hub = found.get("hub")
    if not hub:
        return None
    topic = found.get("self") or header.get("self") or parsed.rel_links.get("self") or feed_url
    hub, topic = urljoin(feed_url, hub), urljoin(feed_url, topic)
    return HubLink(hub, topic) if is_remote(hub) and is_remote(topic) else None


def _header_links(value: str) -> dict[str, str]:
    """rel -> first URL of a `Link` header (`<url>; rel="hub self", <url>; rel=x`)."""
    found: dict[str, str] = {}
    for url, params in LINK.findall(value or ""):
        rel = REL.search(params)
        for name in (rel[1] or rel[2]).lower().split() if rel else ():
            found.setdefault(name, url.strip())
    return found


def callback_url(settings: Settings, sub_id: str) -> str:
    base = settings.push_callback_url
    if not base or not is_remote(base):
        raise ConfigError(
            "set the public http(s) base URL hubs reach `econsec serve` at",
            field="ECONSEC_PUSH_CALLBACK_URL",
        )
    return f"{base.rstrip('/')}{CALLBACK_PATH}{sub_id}"


def subscribe(
    book: SubscriptionBook,
    settings: Settings,
    feed: str,
    link: HubLink,
    client: httpx.Client,
    now: datetime | None = None,
) -> Subscription:
    """Ask the hub to push `feed`; the subscription stays `pending` until the hub verifies
    it on the callback (a verified one being renewed stays verified meanwhile)."""
    now = now or datetime.now(UTC)
    callback_url(settings, "-")  # no request before the callback is known
    sub = book.request(feed, link.hub, link.topic, now)
    form = {
        "hub.mode": "subscribe",
        "hub.topic": sub.topic,
        "hub.callback": callback_url(settings, sub.id),
        "hub.secret": sub.secret,
        "hub.lease_seconds": str(settings.push_lease_seconds),
    }
    _ask(book, sub, form, client)
    return book.get(sub.id) or sub


def unsubscribe(
    book: SubscriptionBook, settings: Settings, sub: Subscription, client: httpx.Client
) -> Subscription:
    """Ask the hub to stop; the subscription ends once the hub verifies that."""
    book.update(sub.id, pending_mode="unsubscribe", error=None)
    form = {
        "hub.mode": "unsubscribe",
        "hub.topic": sub.topic,
        "hub.callback": callback_url(settings, sub.id),
    }
    _ask(book, sub, form, client)
    return book.get(sub.id) or sub


def _ask(book: SubscriptionBook, sub: Subscription, form: dict[str, str], c: httpx.Client) -> None:
    """POST the request to the hub; an answer other than "accepted" is kept as the error
    (a first subscription then `failed`; a renewal keeps its running lease)."""
    try:
        response = c.post(sub.hub, data=form)
        error = None if response.status_code in HUB_ANSWERS else _refusal(response)
    except httpx.HTTPError as exc:
        error = f"hub not reached: {type(exc).__name__}: {exc}"
    except UnsafeAddressError as exc:  # the address policy refused the hub
        error = f"hub refused: {exc}"
    if error is None:
        return
    if form["hub.mode"] == "subscribe" and sub.state != "verified":
        book.update(sub.id, state="failed", pending_mode=None, error=error)
    else:
        book.update(sub.id, pending_mode=None, error=error)


def _refusal(response: httpx.Response) -> str:
    text = response.text.strip().replace("\n", " ")[:200]
    return f"hub answered HTTP {response.status_code}" + (f": {text}" if text else "")


def due_for_renewal(book: SubscriptionBook, now: datetime) -> list[Subscription]:
    """Verified subscriptions with under a fifth of their lease left (or expired ones,
    which are asked afresh)."""
    due = []
    for sub in book.all():
        if sub.state == "expired":
            due.append(sub)
        elif sub.state == "verified" and sub.expires_at and sub.lease_seconds:
            left = sub.expires_at - now
            if left < timedelta(seconds=sub.lease_seconds / RENEW_SHARE):
                due.append(sub)
    return due


def renew(
    book: SubscriptionBook,
    settings: Settings,
    client: httpx.Client,
    now: datetime | None = None,
    everything: bool = False,
) -> list[Subscription]:
    """Subscribe again (same callback and secret) where the lease is due; expired leases
    are marked so first. `everything` renews every verified or expired one."""
    now = now or datetime.now(UTC)
    book.expire(now)
    due = (
        [s for s in book.all() if s.state in ("verified", "expired")]
        if everything
        else due_for_renewal(book, now)
    )
    return [subscribe(book, settings, s.feed, HubLink(s.hub, s.topic), client, now) for s in due]


def verify_intent(
    book: SubscriptionBook, sub_id: str, query: Mapping[str, str], now: datetime | None = None
) -> str | None:
    """The challenge to echo when the hub's verification matches what was asked; None
    (answer 404) otherwise. A `denied` notice is recorded and answered with an empty body."""
    mode, topic = query.get("hub.mode", ""), query.get("hub.topic", "")
    now = now or datetime.now(UTC)
    if mode == "denied":
        sub = book.get(sub_id)
        if sub is None or sub.topic != topic:
            return None
        reason = query.get("hub.reason", "")[:200]
        book.update(sub_id, state="denied", pending_mode=None, error=f"denied: {reason}")
        return ""
    challenge = query.get("hub.challenge", "")
    if mode not in ("subscribe", "unsubscribe") or not challenge or not topic:
        return None
    lease = _lease(query.get("hub.lease_seconds", ""))
    return challenge if book.confirm(sub_id, mode, topic, lease, now) else None


def _lease(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() and 0 < len(text) <= 10 else None


def signature_valid(secret: str, header: str | None, body: bytes) -> bool:
    """`X-Hub-Signature: <method>=<hex>` over the body with the subscription's secret, for
    the methods the recommendation names; compared in constant time."""
    method, _, signature = (header or "").strip().partition("=")
    digest = SIGNATURES.get(method.strip().lower())
    if digest is None or not signature:
        return False
    expected = hmac.new(secret.encode("utf-8"), body, digest).hexdigest()
    return hmac.compare_digest(expected.encode("ascii"), signature.strip().lower().encode())
