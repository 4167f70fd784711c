"""Fetching one feed: a local file, or HTTP behind the network safety checks, with
conditional GET, size and time caps, decompression and polite retries.

A feed that cannot be fetched raises a `FeedFetchError` naming it (a
`TransientFeedError` when a later try may succeed).
"""

from __future__ import annotations

import os
import stat
import time
import urllib.request
import zlib
from dataclasses import dataclass
from pathlib import Path

import httpx

from econsec.config import Settings
from econsec.errors import (
    FeedFetchError,
    TransientFeedError,
    UnsafeAddressError,
)
from econsec.ingest.feedfile import is_remote
from econsec.ingest.netsafety import (
    AddressPolicy,
    guarded_transport,
    host_limiter,
    retry_after_seconds,
)
from econsec.models import FeedSpec

TRANSIENT_STATUSES = {408, 425, 429, 500, 502, 503, 504}
BUSY_STATUSES = {429, 503}  # the host asks us to come back later, maybe saying when
BUSY_RETRIES = 2
BUSY_BACKOFF = 1.0  # seconds before the first retry when the host does not say
MAX_REDIRECTS = 5
# gzip and zlib-wrapped deflate, told apart by their headers (zlib's 32 + MAX_WBITS)
DECODABLE = dict.fromkeys(("gzip", "x-gzip", "deflate"), 32 + zlib.MAX_WBITS)


@dataclass
class FetchedBody:
    """The bytes of one feed plus what HTTP said about them."""

    content: bytes
    http_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    not_modified: bool = False
    links: str = ""  # the HTTP Link header(s), joined: where a WebSub hub may be announced


def fetch(
    spec: FeedSpec,
    settings: Settings,
    *,
    client: httpx.Client | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
) -> FetchedBody:
    """The feed's body, from disk or over HTTP with caps and conditional GET."""
    if not is_remote(spec.url):
        return _read_local(spec, settings.max_feed_bytes)
    own_client = client is None
    client = client or make_client(settings)
    try:
        return _fetch_http(spec, client, settings, etag, last_modified)
    finally:
        if own_client:
            client.close()


def make_client(settings: Settings) -> httpx.Client:
    """A feed client: timeouts, a redirect cap, a polite User-Agent, and every hop checked
    against the address policy (server-side request forgery, see `econsec.ingest.netsafety`)."""
    timeout = httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout)
    policy = AddressPolicy.from_settings(settings)
    direct = guarded_transport(policy)
    mounts = proxy_mounts(direct)

    def check(request: httpx.Request) -> None:
        policy.check_url(request.url, through_proxy=_proxied(request.url, mounts))

    return httpx.Client(
        timeout=timeout,
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
        transport=direct,
        mounts=mounts,
        event_hooks={"request": [check]},
    )


def _proxied(url: httpx.URL, mounts: dict[str, httpx.BaseTransport | None]) -> bool:
    """Does the client send `url` through a proxy of the environment?"""
    if f"{url.scheme}://" not in mounts:
        return False
    return not urllib.request.proxy_bypass(url.host)  # NO_PROXY


def proxy_mounts(direct: httpx.BaseTransport) -> dict[str, httpx.BaseTransport | None]:
    """The proxies of the environment (`HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`),
    which httpx drops once a transport is given. Through a proxy the host of every hop is
    still checked before the request; the address is the proxy's to resolve."""
    proxies = urllib.request.getproxies()
    mounts: dict[str, httpx.BaseTransport | None] = {}
    for scheme in ("http", "https"):
        proxy = proxies.get(scheme) or proxies.get("all")
        if proxy:
            mounts[f"{scheme}://"] = httpx.HTTPTransport(proxy=proxy)
    if mounts:
        for host in (h.strip() for h in proxies.get("no", "").split(",")):
            if host and host != "*":
                mounts[f"all://*{host.lstrip('.').lstrip('*')}"] = direct
            elif host == "*":
                return {}
    return mounts


def _read_local(spec: FeedSpec, max_bytes: int) -> FetchedBody:
    """A regular file, read up to the cap. Opened without blocking and checked on the open
    descriptor: a FIFO would wait for a writer for ever and a device such as /dev/zero never
    ends, and a path swapped between a look and the open must not slip through."""
    path = Path(spec.url.removeprefix("file://"))
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise FeedFetchError(spec.name, f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise FeedFetchError(spec.name, f"{path} is not a regular file ({_kind(mode)})")
        with os.fdopen(fd, "rb", closefd=False) as file:
            content = file.read(max_bytes + 1)
    except OSError as exc:
        raise FeedFetchError(spec.name, f"cannot read {path}: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)
    if len(content) > max_bytes:
        raise FeedFetchError(spec.name, f"file is over the {max_bytes}-byte cap")
    return FetchedBody(content=content)


def _kind(mode: int) -> str:
    kinds = {
        stat.S_ISDIR: "a directory",
        stat.S_ISFIFO: "a FIFO",
        stat.S_ISCHR: "a character device",
        stat.S_ISBLK: "a block device",
        stat.S_ISSOCK: "a socket",
    }
    return next((name for test, name in kinds.items() if test(mode)), "not a file")


class _HostBusy(Exception):
    """The host answered 429 or 503; `wait` is what its Retry-After asked, if anything."""

    def __init__(self, status: int, wait: float | None):
        self.status = status
        self.wait = wait


def _fetch_http(
    spec: FeedSpec,
    client: httpx.Client,
    settings: Settings,
    etag: str | None,
    last_modified: str | None,
) -> FetchedBody:
    """One feed over HTTP: within the host's connection slots, retried when the host says it
    is busy (after its Retry-After, or a doubling backoff), all within the fetch deadline."""
    headers = {
        "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    deadline = time.monotonic() + settings.fetch_deadline
    limiter = host_limiter(settings.host_concurrency)
    host = httpx.URL(spec.url).host
    attempt = 0
    while True:
        try:
            with limiter.slot(host, deadline):
                return _get(spec, client, settings, headers, deadline)
        except _HostBusy as busy:
            wait = busy.wait if busy.wait is not None else BUSY_BACKOFF * 2**attempt
            _check_retry(spec, settings, busy, wait, attempt, deadline)
            limiter.pause(host, wait)
            attempt += 1
        except TimeoutError as exc:
            raise TransientFeedError(spec.name, str(exc)) from exc


def _check_retry(
    spec: FeedSpec, settings: Settings, busy: _HostBusy, wait: float, attempt: int, deadline: float
) -> None:
    """Give up, as transient, when another try would be one too many or come too late."""
    answer = f"HTTP {busy.status} from {spec.url}"
    if attempt >= BUSY_RETRIES:
        raise TransientFeedError(spec.name, f"{answer}, {attempt + 1} times")
    if wait > settings.max_retry_after:
        raise TransientFeedError(
            spec.name,
            f"{answer} with Retry-After {wait:g} s, over the {settings.max_retry_after:g} s cap",
        )
    if time.monotonic() + wait > deadline:
        raise TransientFeedError(
            spec.name,
            f"{answer}; waiting {wait:g} s to retry would pass the "
            f"{settings.fetch_deadline:g} s fetch deadline",
        )


def _get(
    spec: FeedSpec,
    client: httpx.Client,
    settings: Settings,
    headers: dict[str, str],
    deadline: float,
) -> FetchedBody:
    try:
        with client.stream("GET", spec.url, headers=headers) as response:
            if response.status_code == 304:
                etag, last_modified = headers.get("If-None-Match"), headers.get("If-Modified-Since")
                return FetchedBody(b"", 304, etag, last_modified, not_modified=True)
            if response.status_code in BUSY_STATUSES:
                raise _HostBusy(
                    response.status_code, retry_after_seconds(response.headers.get("Retry-After"))
                )
            _raise_for_status(spec, response)
            content = _read_capped(spec, response, settings, deadline)
            return FetchedBody(
                content=content,
                http_status=response.status_code,
                etag=response.headers.get("ETag"),
                last_modified=response.headers.get("Last-Modified"),
                content_type=response.headers.get("Content-Type"),
                links=", ".join(response.headers.get_list("Link")),
            )
    except UnsafeAddressError as exc:
        hop = f"redirect to {exc.url}: " if exc.url and exc.url != spec.url else ""
        raise FeedFetchError(spec.name, f"refused {hop}{exc}") from exc
    except httpx.TimeoutException as exc:
        raise TransientFeedError(spec.name, f"timed out ({type(exc).__name__})") from exc
    except httpx.TooManyRedirects as exc:
        raise FeedFetchError(spec.name, "too many redirects") from exc
    except httpx.TransportError as exc:
        raise TransientFeedError(spec.name, f"connection failed: {exc}") from exc


def _raise_for_status(spec: FeedSpec, response: httpx.Response) -> None:
    status = response.status_code
    if status < 400:
        return
    message = f"HTTP {status} from {spec.url}"
    if status in TRANSIENT_STATUSES:
        raise TransientFeedError(spec.name, message)
    raise FeedFetchError(spec.name, message)


def _read_capped(
    spec: FeedSpec, response: httpx.Response, settings: Settings, deadline: float
) -> bytes:
    """The decoded body, refused past a size cap or the fetch deadline (a server may trickle
    forever). Decompression is bounded by the cap too, so a gzip bomb stops there."""
    max_bytes = settings.max_feed_bytes
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise FeedFetchError(
            spec.name, f"body of {declared} bytes is over the {max_bytes}-byte cap"
        )
    inflater = _Inflater(spec.name, response.headers.get("Content-Encoding", ""))
    chunks: list[bytes] = []
    size = 0
    for raw in response.iter_raw():
        chunk = inflater.inflate(raw, max_bytes - size)
        size += len(chunk)
        if size > max_bytes:
            raise FeedFetchError(spec.name, f"body is over the {max_bytes}-byte cap")
        if time.monotonic() > deadline:
            raise TransientFeedError(
                spec.name, f"body took over {settings.fetch_deadline:g} s to arrive"
            )
        chunks.append(chunk)
    return b"".join(chunks)


class _Inflater:
    """Content-Encoding undone chunk by chunk, never producing more than it is asked for."""

    def __init__(self, feed: str, encoding: str):
        codings = [c.strip().lower() for c in encoding.split(",")]
        codings = [c for c in codings if c and c != "identity"]
        if len(codings) > 1 or (codings and codings[0] not in DECODABLE):
            raise FeedFetchError(feed, f"unsupported Content-Encoding {encoding!r}")
        self.feed = feed
        self.coding = codings[0] if codings else ""
        self.zlib = zlib.decompressobj(DECODABLE[self.coding]) if codings else None

    def inflate(self, data: bytes, room: int) -> bytes:
        """At most `room + 1` bytes: one over the room tells the caller the cap is passed."""
        if self.zlib is None:
            return data
        try:
            return self.zlib.decompress(data, max(room, 0) + 1)
        except zlib.error as exc:
            raise FeedFetchError(self.feed, f"body is not valid {self.coding}: {exc}") from exc
