"""Network safety: server-side request forgery refused by default (every hop, and the address
really connected), caps on size, time, redirects and decompression, a polite User-Agent,
per-host concurrency, and Retry-After honoured on 429 / 503. All over real loopback HTTP."""

from __future__ import annotations

import email.utils
import ipaddress
import subprocess
import sys
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import httpx
import pytest

from econsec.config import Settings
from econsec.errors import ConfigError, FeedFetchError, TransientFeedError, UnsafeAddressError
from econsec.ingest import cycle, fetch
from econsec.ingest.netsafety import (
    AddressPolicy,
    GuardedBackend,
    HostLimiter,
    address_kind,
    guarded_transport,
    retry_after_seconds,
)
from econsec.models import FeedSpec
from econsec.store.embedded.store import EmbeddedStore
from tests.support.feed_server import LoopbackServer
from tests.support.hostile_server import HostileServer, gzip_bomb

ROOT = Path(__file__).resolve().parents[2]
BOMB = 200_000_000  # bytes once inflated


def _default(tmp_path: Path, **overrides: object) -> Settings:
    """Settings as shipped (nothing private allowed), with test-sized time limits."""
    values: dict[str, object] = {
        "store": str(tmp_path / "store"),
        "connect_timeout": 1.0,
        "read_timeout": 1.0,
        "fetch_deadline": 3.0,
        "max_feed_bytes": 1_000_000,
        **overrides,
    }
    return Settings(**values)  # type: ignore[arg-type]


def _fetch(url: str, settings: Settings) -> fetch.FetchedBody:
    return fetch.fetch(FeedSpec(name="probe", url=url), settings)


# server-side request forgery ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.9", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("100.64.0.1", "non-public"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fd00::1", "private"),
        ("fec0::1", "site-local"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:10.0.0.1", "private"),
        ("2002:a9fe:a9fe::", "link-local"),  # 6to4 of 169.254.169.254
        ("8.8.8.8", None),
        ("2001:4860:4860::8888", None),
    ],
)
def test_address_kinds(address: str, kind: str | None) -> None:
    assert address_kind(ipaddress.ip_address(address)) == kind


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://127.0.0.1:{port}/file/valid_small.rss", "127.0.0.1 is a loopback address"),
        ("http://10.20.30.40/feed.xml", "10.20.30.40 is a private address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("http://[::1]:{port}/file/valid_small.rss", "::1 is a loopback address"),
        ("http://[::ffff:127.0.0.1]:{port}/file/valid_small.rss", "a loopback address"),
        ("http://0.0.0.0:{port}/file/valid_small.rss", "0.0.0.0 is an unspecified address"),
        ("http://localhost:{port}/file/valid_small.rss", "localhost resolves to"),
    ],
)
def test_private_addresses_are_refused_by_default(
    hostile: HostileServer, tmp_path: Path, url: str, words: str
) -> None:
    """Refused before any connection: the loopback server never sees the request, and no
    packet goes to the private ranges."""
    url = url.format(port=hostile.httpd.server_address[1])
    with pytest.raises(FeedFetchError) as caught:
        _fetch(url, _default(tmp_path))
    assert not isinstance(caught.value, TransientFeedError)
    message = str(caught.value)
    assert "feed 'probe': refused" in message and words in message
    assert "ECONSEC_ALLOW_PRIVATE_FEEDS" in message
    assert hostile.paths == []


@pytest.mark.parametrize(
    "target",
    ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/admin", "http://127.0.0.2:9/"],
)
def test_a_redirect_to_a_private_address_is_refused(
    hostile: HostileServer, tmp_path: Path, target: str
) -> None:
    """The first hop is an allowed host (127.0.0.1 by itself); the redirect is checked anew."""
    settings = _default(tmp_path, allowed_feed_hosts=["127.0.0.1"])
    with pytest.raises(FeedFetchError, match=f"refused redirect to {target}") as caught:
        _fetch(hostile.url(f"/redirect?to={target}"), settings)
    assert not isinstance(caught.value, TransientFeedError)
    assert hostile.paths == [f"/redirect?to={target}"]


def test_a_redirect_to_another_scheme_is_refused(hostile: HostileServer, tmp_path: Path) -> None:
    settings = _default(tmp_path, allow_private_feeds=True)
    with pytest.raises(FeedFetchError, match="only http and https feeds are fetched"):
        _fetch(hostile.url("/redirect?to=file:///etc/passwd"), settings)


def test_the_refusal_is_recorded_per_feed_and_not_retried(
    hostile: HostileServer, tmp_path: Path
) -> None:
    settings = _default(tmp_path)
    store = EmbeddedStore(Path(settings.store))
    try:
        spec = FeedSpec(name="metadata", url="http://169.254.169.254/latest/meta-data/")
        result = cycle.fetch_feed(spec, store, settings)
        health = {h.feed: h for h in store.feed_health()}
    finally:
        store.close()
    assert result.status == "failed" and result.transient is False
    assert "link-local address" in (result.error or "")
    assert health["metadata"].error == result.error


@pytest.mark.parametrize(
    "overrides",
    [
        {"allow_private_feeds": True},
        {"allowed_feed_hosts": ["127.0.0.0/8"]},
        {"allowed_feed_hosts": ["localhost"]},
    ],
)
def test_settings_can_allow_private_feeds(
    hostile: HostileServer, tmp_path: Path, overrides: dict[str, object]
) -> None:
    host = "localhost" if overrides.get("allowed_feed_hosts") == ["localhost"] else "127.0.0.1"
    port = hostile.httpd.server_address[1]
    body = _fetch(f"http://{host}:{port}/file/valid_small.rss", _default(tmp_path, **overrides))
    assert body.http_status == 200 and b"<rss" in body.content


def test_allowed_hosts_come_comma_separated_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ECONSEC_ALLOWED_FEED_HOSTS", "feeds.intranet, 10.2.0.0/16")
    policy = AddressPolicy.from_settings(Settings())
    assert policy.hosts == {"feeds.intranet"}
    assert policy.refusal(ipaddress.ip_address("10.2.3.4")) is None
    assert policy.refusal(ipaddress.ip_address("10.3.0.1")) == "private"


@pytest.mark.parametrize("entry", ["10.0.0.0/33", "300.1.1.1", "fe80::zz"])
def test_a_bad_allowed_entry_is_a_clear_config_error(entry: str) -> None:
    with pytest.raises(ConfigError, match=f"ECONSEC_ALLOWED_FEED_HOSTS: {entry!r} is neither"):
        AddressPolicy(allowed=[entry])


def test_the_connection_itself_is_checked(hostile: HostileServer) -> None:
    """Without the per-hop check (as behind a DNS answer that changed since), the transport
    still refuses to connect to a loopback address."""
    port = hostile.httpd.server_address[1]
    client = httpx.Client(transport=guarded_transport(AddressPolicy()))
    with client, pytest.raises(UnsafeAddressError, match="localhost resolves to"):
        client.get(f"http://localhost:{port}/file/valid_small.rss")
    with pytest.raises(UnsafeAddressError):
        GuardedBackend(AddressPolicy()).connect_tcp("127.0.0.1", port)
    assert hostile.paths == []


class ForwardProxy(LoopbackServer):
    """An HTTP forward proxy on loopback that answers every absolute-URL GET with a feed,
    recording what it was asked (it fetches nothing itself)."""

    FEED = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Proxied</title>'
        b"<item><title>Seoul tightens chip export rules</title>"
        b"<link>https://proxied.example/a</link></item></channel></rss>"
    )

    def __init__(self) -> None:
        self.asked: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                outer.asked.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(outer.FEED)))
                self.end_headers()
                self.wfile.write(outer.FEED)

        super().__init__(Handler)

    def __enter__(self) -> ForwardProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def test_feeds_go_through_the_proxy_of_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A host only the proxy can resolve is fetched through it; a private address is still
    refused before anything is sent."""
    with ForwardProxy() as proxy:
        for name in ("HTTP_PROXY", "http_proxy"):
            monkeypatch.setenv(name, proxy.base)
        for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
            monkeypatch.delenv(name, raising=False)
        settings = Settings(store=str(tmp_path / "s"), fetch_deadline=5.0)
        spec = FeedSpec(name="proxied", url="http://feeds.invalid/rss.xml")
        with fetch.make_client(settings) as client:
            body = fetch.fetch(spec, settings, client=client)
            assert b"Seoul tightens" in body.content
            assert proxy.asked == ["http://feeds.invalid/rss.xml"]
            inside = FeedSpec(name="inside", url="http://10.1.2.3/rss.xml")
            with pytest.raises(FeedFetchError, match="private address"):
                fetch.fetch(inside, settings, client=client)
        assert proxy.asked == ["http://feeds.invalid/rss.xml"]


def test_without_a_proxy_an_unresolvable_host_fails_clearly(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for scheme in ("http", "https", "all"):
        for name in (f"{scheme}_proxy", f"{scheme.upper()}_PROXY"):
            monkeypatch.delenv(name, raising=False)
    settings = Settings(store=str(tmp_path / "s"), fetch_deadline=5.0)
    with pytest.raises(TransientFeedError, match="feeds.invalid"):
        fetch.fetch(FeedSpec(name="nowhere", url="http://feeds.invalid/rss.xml"), settings)


def test_the_connection_goes_to_the_checked_address(hostile: HostileServer) -> None:
    stream = GuardedBackend(AddressPolicy(allowed=["127.0.0.1/32"])).connect_tcp(
        "127.0.0.1", hostile.httpd.server_address[1], timeout=1.0
    )
    try:
        assert stream.get_extra_info("server_addr")[0] == "127.0.0.1"
    finally:
        stream.close()


# caps: size, time, redirects, decompression ---------------------------------------------------


@pytest.mark.parametrize(
    ("path", "error", "message"),
    [
        ("/flood/50000000", FeedFetchError, "over the 1000000-byte cap"),
        ("/endless", FeedFetchError, "over the 1000000-byte cap"),
        ("/trickle", TransientFeedError, "took over 3 s"),
        ("/redirect-loop", FeedFetchError, "too many redirects"),
        (f"/gzip-bomb/{BOMB}", FeedFetchError, "over the 1000000-byte cap"),
        ("/bad-gzip", FeedFetchError, "body is not valid gzip"),
        ("/brotli", FeedFetchError, "unsupported Content-Encoding 'br'"),
    ],
)
def test_hostile_servers_are_cut_off_with_a_clear_message(
    hostile: HostileServer, settings: Settings, path: str, error: type, message: str
) -> None:
    gzip_bomb(BOMB)  # packed once, before the clock starts
    started = time.monotonic()
    with pytest.raises(error, match=message) as caught:
        _fetch(hostile.url(path), settings)
    assert error is TransientFeedError or not isinstance(caught.value, TransientFeedError)
    assert time.monotonic() - started < settings.fetch_deadline + 2


def test_a_gzip_bomb_never_inflates_past_the_cap(
    hostile: HostileServer, settings: Settings
) -> None:
    """200 MB of zeros packed into 200 KB: decompression stops at the cap, memory stays small."""
    gzip_bomb(BOMB)
    tracemalloc.start()
    try:
        with pytest.raises(FeedFetchError, match="cap"):
            _fetch(hostile.url(f"/gzip-bomb/{BOMB}"), settings)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * settings.max_feed_bytes


def test_a_gzipped_feed_is_read(hostile: HostileServer, settings: Settings) -> None:
    body = _fetch(hostile.url("/gzip-bomb/2000"), settings)
    assert body.content == b"\0" * 2000


def test_user_agent_names_the_project_and_where_to_read_about_it(
    hostile: HostileServer, settings: Settings
) -> None:
    _fetch(hostile.url("/file/valid_small.rss"), settings)
    assert hostile.user_agents == [settings.user_agent]
    assert settings.user_agent.startswith("econsec/") and "+https://" in settings.user_agent


# per-host concurrency ----------------------------------------------------------------------


def test_threads_share_a_hosts_slots(hostile: HostileServer, settings: Settings) -> None:
    settings = settings.model_copy(update={"host_concurrency": 2})
    with ThreadPoolExecutor(max_workers=6) as pool:
        bodies = list(pool.map(lambda n: _fetch(hostile.url(f"/counted/{n}"), settings), range(6)))
    assert all(body.http_status == 200 for body in bodies)
    assert hostile.most_in_flight == 2


@pytest.mark.slow
def test_a_cycle_fetches_in_parallel_within_the_host_limit(
    hostile: HostileServer, settings: Settings, store: EmbeddedStore, tagger: object
) -> None:
    settings = settings.model_copy(update={"host_concurrency": 3, "fetch_workers": 8})
    specs = [FeedSpec(name=f"f{n}", url=hostile.url(f"/counted/{n}")) for n in range(8)]
    started = time.monotonic()
    report = cycle.run_cycle(specs, store, settings, tagger=tagger)  # type: ignore[arg-type]
    assert [f.feed for f in report.feeds] == [s.name for s in specs]
    assert all(f.status == "ok" for f in report.feeds)
    assert hostile.most_in_flight == 3
    assert time.monotonic() - started < 8 * hostile.hold_seconds  # not one at a time


SLOT_HOLDER = """
import sys, time
from pathlib import Path
from econsec.ingest.netsafety import HostLimiter
limiter = HostLimiter(int(sys.argv[1]), Path(sys.argv[2]))
with limiter.slot("feeds.example.com", time.monotonic() + 10):
    print("holding", flush=True)
    time.sleep(float(sys.argv[3]))
"""


def test_processes_share_a_hosts_slots(tmp_path: Path) -> None:
    """Airflow runs mapped fetch tasks as processes: the slots are lock files they share."""
    holders = [
        subprocess.Popen(
            [sys.executable, "-c", SLOT_HOLDER, "2", str(tmp_path), "1.5"],
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for _ in range(2)
    ]
    try:
        for holder in holders:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        limiter = HostLimiter(2, tmp_path)
        busy = limiter.slot("feeds.example.com", time.monotonic() + 0.3)
        with pytest.raises(TimeoutError, match="no free connection slot"), busy:
            pass
        with limiter.slot("other.example.com", time.monotonic() + 0.3):
            pass  # another host has slots of its own
        with limiter.slot("feeds.example.com", time.monotonic() + 5):
            pass  # one frees up when a holder finishes
    finally:
        for holder in holders:
            holder.wait(timeout=10)


# Retry-After on 429 / 503 --------------------------------------------------------------------


def test_retry_after_seconds_are_honoured(hostile: HostileServer, settings: Settings) -> None:
    started = time.monotonic()
    body = _fetch(hostile.url("/busy/a?times=1&retry_after=1"), settings)
    assert body.http_status == 200 and hostile.busy_answers["a"] == 2
    assert 1.0 <= time.monotonic() - started < 2.5


def test_retry_after_as_an_http_date_is_honoured(
    hostile: HostileServer, settings: Settings
) -> None:
    when = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=2), usegmt=True)
    started = time.monotonic()
    body = _fetch(hostile.url(f"/busy/b?times=1&status=429&retry_after={when}"), settings)
    assert body.http_status == 200 and hostile.busy_answers["b"] == 2
    assert 0.5 <= time.monotonic() - started < 3.0


def test_without_retry_after_the_fetch_backs_off(
    hostile: HostileServer, settings: Settings
) -> None:
    started = time.monotonic()
    body = _fetch(hostile.url("/busy/c?times=1&status=429"), settings)
    assert body.http_status == 200 and time.monotonic() - started >= fetch.BUSY_BACKOFF


def test_a_retry_after_over_the_cap_fails_at_once_as_transient(
    hostile: HostileServer, settings: Settings
) -> None:
    settings = settings.model_copy(update={"max_retry_after": 1.0})
    started = time.monotonic()
    with pytest.raises(TransientFeedError, match="Retry-After 3600 s, over the 1 s cap"):
        _fetch(hostile.url("/busy/d?times=1&retry_after=3600"), settings)
    assert hostile.busy_answers["d"] == 1 and time.monotonic() - started < 1.0


def test_a_host_busy_every_time_gives_up_after_the_retries(
    hostile: HostileServer, settings: Settings
) -> None:
    with pytest.raises(TransientFeedError, match="HTTP 503 from .*, 3 times"):
        _fetch(hostile.url("/busy/e?times=99&retry_after=0"), settings)
    assert hostile.busy_answers["e"] == fetch.BUSY_RETRIES + 1


def test_a_wait_past_the_deadline_is_not_started(
    hostile: HostileServer, settings: Settings
) -> None:
    with pytest.raises(TransientFeedError, match="would pass the 3 s fetch deadline"):
        _fetch(
            hostile.url("/busy/f?times=1&retry_after=5"),
            settings.model_copy(update={"max_retry_after": 10.0}),
        )


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("7", 7.0), ("", None), ("soon", None), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0)],
)
def test_retry_after_values(value: str, seconds: float | None) -> None:
    assert retry_after_seconds(value) == seconds
