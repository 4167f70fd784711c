"""Network safety for feed fetching: where a feed may point, and how hard one host is hit.

A feed URL comes from a feeds file anyone with access may edit, and a redirect from a server
anyone may run, so either could aim the fetcher at this machine's own services or a cloud
metadata endpoint (server-side request forgery). Every hop is checked twice: its host before
the request is sent (a clear message, and it holds through a proxy), and the address the socket
really connects to, resolved once and connected to as checked, so that a DNS answer changed
between check and connect (DNS rebinding) gains nothing.

Hosts are also spared: at most `host_concurrency` requests reach one host at once, counted by
lock files shared by every thread and process of the machine (Airflow runs mapped fetch tasks
as processes), and a host that answers 429 or 503 is left alone for as long as it asks.
"""

from __future__ import annotations

import contextlib
import email.utils
import fcntl
import hashlib
import ipaddress
import os
import re
import socket
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import httpcore
import httpx

from econsec.config import Settings
from econsec.errors import ConfigError, UnsafeAddressError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
SLOT_POLL_SECONDS = 0.02
ALLOW_HINT = "set ECONSEC_ALLOW_PRIVATE_FEEDS=true or list the host in ECONSEC_ALLOWED_FEED_HOSTS"


def address_kind(ip: IPAddress) -> str | None:
    """Why an address is off limits ("loopback", "private" ...), or None for a public one.
    IPv4 addresses hidden in IPv6 (mapped ::ffff:a.b.c.d, 6to4 2002::/16) are judged as IPv4."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is not None:
            return address_kind(embedded)
    for kind in (
        "unspecified",
        "loopback",
        "link_local",
        "site_local",  # IPv6 fec0::/10: deprecated, still routed inside some networks
        "multicast",
        "private",
        "reserved",
    ):
        if getattr(ip, f"is_{kind}", False):
            return kind.replace("_", "-")
    return None if ip.is_global else "non-public"


class AddressPolicy:
    """Which hosts and addresses feeds may reach: public ones, plus what settings allow."""

    def __init__(self, allow_private: bool = False, allowed: Iterable[str] = ()):
        self.allow_private = allow_private
        self.hosts: set[str] = set()
        self.networks: list[IPNetwork] = []
        for entry in allowed:
            self._allow(entry.strip())

    @classmethod
    def from_settings(cls, settings: Settings) -> AddressPolicy:
        return cls(settings.allow_private_feeds, settings.allowed_feed_hosts)

    def _allow(self, entry: str) -> None:
        if not entry:
            return
        try:
            self.networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as exc:
            if "/" in entry or ":" in entry or set(entry) <= set("0123456789."):
                raise ConfigError(
                    f"{entry!r} is neither a host name nor an IP network: {exc}",
                    field="ECONSEC_ALLOWED_FEED_HOSTS",
                ) from exc
            self.hosts.add(entry.lower().rstrip("."))

    def host_allowed(self, host: str) -> bool:
        return self.allow_private or host.lower().rstrip(".") in self.hosts

    def refusal(self, ip: IPAddress) -> str | None:
        """Why feeds may not reach `ip`, or None when they may."""
        kind = address_kind(ip)
        if kind is None or self.allow_private or any(ip in net for net in self.networks):
            return None
        return kind

    def resolve(self, host: str, port: int) -> list[str]:
        """The addresses of `host` that feeds may reach; refused when any is off limits
        (a name that also points inside the network is not a public feed)."""
        if self.host_allowed(host):
            return [host]
        addresses = _addresses(host, port)
        for address in addresses:
            kind = self.refusal(ipaddress.ip_address(address))
            if kind:
                shown = host if host == address else f"{host} resolves to {address}, which"
                article = "an" if kind[0] in "aeiou" else "a"
                raise UnsafeAddressError(
                    f"{shown} is {article} {kind} address; feeds may not reach loopback, "
                    f"private, link-local or other non-public addresses ({ALLOW_HINT})"
                )
        return addresses

    def check_url(self, url: httpx.URL, through_proxy: bool = False) -> None:
        """Refuse a request (first hop or redirect) whose host is off limits. Through a proxy
        a host that does not resolve here passes: resolving it is the proxy's job."""
        if url.scheme not in ("http", "https"):
            raise UnsafeAddressError("only http and https feeds are fetched", str(url))
        try:
            self.resolve(url.host, url.port or (443 if url.scheme == "https" else 80))
        except UnsafeAddressError as exc:
            raise UnsafeAddressError(str(exc), str(url)) from None
        except httpx.ConnectError:
            if not through_proxy:
                raise


def _addresses(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise httpx.ConnectError(f"cannot resolve {host}: {exc.strerror or exc}") from exc
    return list(dict.fromkeys(str(info[4][0]).split("%", 1)[0] for info in infos))


class GuardedBackend(httpcore.SyncBackend):
    """Connects only to addresses the policy admits, and to exactly those it checked."""

    def __init__(self, policy: AddressPolicy):
        self.policy = policy

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        last: Exception | None = None
        for address in self.policy.resolve(host, port):
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:  # try the name's next address
                last = exc
        raise last or httpcore.ConnectError(f"no address to connect to for {host}")


def guarded_transport(policy: AddressPolicy) -> httpx.HTTPTransport:
    """An httpx transport whose direct connections go through `GuardedBackend` (TLS still
    verifies the certificate against the host name, not the address)."""
    transport = httpx.HTTPTransport()
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        max_connections=100,
        max_keepalive_connections=20,
        keepalive_expiry=5.0,
        network_backend=GuardedBackend(policy),
    )
    return transport


# politeness: per-host slots and Retry-After --------------------------------------------------


class HostLimiter:
    """At most `per_host` requests to one host at a time, machine-wide: each request holds one
    of the host's `per_host` lock files (flock, released by the kernel if a process dies)."""

    def __init__(self, per_host: int, lock_dir: Path | None = None):
        self.per_host = per_host
        self.lock_dir = lock_dir or default_lock_dir()
        self._not_before: dict[str, float] = {}
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def slot(self, host: str, deadline: float) -> Iterator[None]:
        """Hold one of the host's slots; TimeoutError if none frees up before `deadline`."""
        self._wait_until_allowed(host, deadline)
        handle = self._take(host, deadline)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()

    def pause(self, host: str, seconds: float) -> None:
        """No request to `host` from this process for `seconds` (it asked with Retry-After)."""
        with self._lock:
            until = time.monotonic() + seconds
            self._not_before[host] = max(until, self._not_before.get(host, 0.0))

    def _wait_until_allowed(self, host: str, deadline: float) -> None:
        with self._lock:
            until = self._not_before.get(host, 0.0)
        if until > deadline:
            raise TimeoutError(f"{host} asked for a pause past the fetch deadline")
        time.sleep(max(0.0, until - time.monotonic()))

    def _take(self, host: str, deadline: float) -> IO[bytes]:
        self.lock_dir.mkdir(parents=True, exist_ok=True)
        stem = hashlib.sha1(host.lower().encode("utf-8")).hexdigest()[:16]
        while True:
            for index in range(self.per_host):
                handle = open(self.lock_dir / f"{stem}.{index}.lock", "ab")  # noqa: SIM115
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return handle
                except BlockingIOError:
                    handle.close()
            if time.monotonic() > deadline:
                raise TimeoutError(f"no free connection slot for {host} before the deadline")
            time.sleep(SLOT_POLL_SECONDS)


def default_lock_dir() -> Path:
    return Path(tempfile.gettempdir()) / f"econsec-host-slots-{os.getuid()}"


_LIMITERS: dict[int, HostLimiter] = {}
_LIMITERS_LOCK = threading.Lock()


def host_limiter(per_host: int) -> HostLimiter:
    """The process's limiter for a given slot count, so Retry-After pauses are shared."""
    with _LIMITERS_LOCK:
        if per_host not in _LIMITERS:
            _LIMITERS[per_host] = HostLimiter(per_host)
        return _LIMITERS[per_host]


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds a Retry-After header asks for (delay-seconds or an HTTP date); None if absent
    or unreadable."""
    if not value:
        return None
    value = value.strip()
    if re.fullmatch(r"[0-9]+", value):  # not str.isdigit: "²" is a digit to it
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
