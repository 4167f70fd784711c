"""Feeds: read the feeds file, fetch one feed, parse it into raw entries.

A feed that cannot be fetched or parsed raises a `FeedError` naming it; a
feed that parses with errors but still yields entries keeps them and says
what was wrong (feedparser's `bozo`), so good items beside a broken one are
never lost.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import feedparser
import httpx
import yaml
from pydantic import ValidationError

from econsec.config import Settings
from econsec.errors import (
    ConfigError,
    FeedFetchError,
    FeedParseError,
    TransientFeedError,
)
from econsec.models import FeedSpec

TRANSIENT_STATUSES = {408, 425, 429, 500, 502, 503, 504}


def load_feeds(path: str | Path) -> list[FeedSpec]:
    """Feeds of a YAML file; relative local URLs resolve against the file's folder."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError("feeds file not found", file=str(path)) from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"not valid YAML: {exc}", file=str(path)) from exc
    if not isinstance(data, dict) or not isinstance(data.get("feeds"), list):
        raise ConfigError(
            "expected a mapping with a list under 'feeds'", file=str(path), field="feeds"
        )
    specs: list[FeedSpec] = []
    for index, entry in enumerate(data["feeds"]):
        specs.append(_feed_spec(entry, path, index))
    _check_unique_names(specs, path)
    return specs


def _feed_spec(entry: Any, path: Path, index: int) -> FeedSpec:
    try:
        spec = FeedSpec.model_validate(entry)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise ConfigError(err["msg"], file=str(path), field=f"feeds[{index}].{where}") from exc
    if not is_remote(spec.url) and not spec.url.startswith("file://"):
        spec.url = str((path.parent / spec.url).resolve())
    return spec


def _check_unique_names(specs: list[FeedSpec], path: Path) -> None:
    seen: set[str] = set()
    for index, spec in enumerate(specs):
        if spec.name in seen:
            raise ConfigError(
                f"duplicate feed name {spec.name!r}", file=str(path), field=f"feeds[{index}].name"
            )
        seen.add(spec.name)


def spec_for(path_or_url: str) -> FeedSpec:
    """A feed named after its file or host, for `ingest --feed`."""
    if is_remote(path_or_url):
        parsed = urlparse(path_or_url)
        name = (parsed.netloc + parsed.path).strip("/").replace("/", "-")
        return FeedSpec(name=name or path_or_url, url=path_or_url)
    path = Path(path_or_url.removeprefix("file://")).resolve()
    return FeedSpec(name=path.stem, url=str(path))


def is_remote(url: str) -> bool:
    return url.startswith(("http://", "https://"))


@dataclass
class FetchedBody:
    """The bytes of one feed plus what HTTP said about them."""

    content: bytes
    http_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    not_modified: bool = False


@dataclass
class ParsedFeed:
    entries: list[dict[str, Any]] = field(default_factory=list)
    title: str = ""
    warning: str | None = None


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
    timeout = httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout)
    return httpx.Client(
        timeout=timeout,
        follow_redirects=True,
        max_redirects=5,
        headers={"User-Agent": settings.user_agent},
    )


def _read_local(spec: FeedSpec, max_bytes: int) -> FetchedBody:
    path = Path(spec.url.removeprefix("file://"))
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise FeedFetchError(spec.name, f"file is {size} bytes, over the {max_bytes}-byte cap")
        return FetchedBody(content=path.read_bytes())
    except OSError as exc:
        raise FeedFetchError(spec.name, f"cannot read {path}: {exc.strerror or exc}") from exc


def _fetch_http(
    spec: FeedSpec,
    client: httpx.Client,
    settings: Settings,
    etag: str | None,
    last_modified: str | None,
) -> FetchedBody:
    headers = {
        "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        with client.stream("GET", spec.url, headers=headers) as response:
            if response.status_code == 304:
                return FetchedBody(b"", 304, etag, last_modified, not_modified=True)
            _raise_for_status(spec, response)
            content = _read_capped(spec, response, settings.max_feed_bytes, settings.fetch_deadline)
            return FetchedBody(
                content=content,
                http_status=response.status_code,
                etag=response.headers.get("ETag"),
                last_modified=response.headers.get("Last-Modified"),
                content_type=response.headers.get("Content-Type"),
            )
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
    spec: FeedSpec, response: httpx.Response, max_bytes: int, deadline_seconds: float
) -> bytes:
    """The body, refused past a size cap or a total time (a server may trickle forever)."""
    deadline = time.monotonic() + deadline_seconds
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise FeedFetchError(
            spec.name, f"body of {declared} bytes is over the {max_bytes}-byte cap"
        )
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise FeedFetchError(spec.name, f"body is over the {max_bytes}-byte cap")
        if time.monotonic() > deadline:
            raise TransientFeedError(spec.name, f"body took over {deadline_seconds:g} s to arrive")
        chunks.append(chunk)
    return b"".join(chunks)


def parse(spec: FeedSpec, body: FetchedBody) -> ParsedFeed:
    """Entries of a feed body; malformed feeds keep whatever entries survived."""
    if body.not_modified:
        return ParsedFeed()
    response_headers = {"content-type": body.content_type} if body.content_type else None
    parsed = feedparser.parse(body.content, response_headers=response_headers)
    entries = list(parsed.entries)
    problem = _bozo_message(parsed)
    if not entries and problem and not parsed.feed.get("title"):
        raise FeedParseError(spec.name, f"not a readable feed: {problem}")
    if not entries and not _looks_like_feed(parsed):
        raise FeedParseError(spec.name, "not an RSS or Atom feed (no channel or feed element)")
    warning = None
    if problem:
        warning = f"malformed feed, kept {len(entries)} entries: {problem}"
    return ParsedFeed(entries=entries, title=parsed.feed.get("title", ""), warning=warning)


def _bozo_message(parsed: Any) -> str | None:
    if not parsed.get("bozo"):
        return None
    exc = parsed.get("bozo_exception")
    name = type(exc).__name__ if exc is not None else "error"
    return f"{name}: {exc}" if exc is not None else name


def _looks_like_feed(parsed: Any) -> bool:
    return bool(parsed.get("version")) or bool(parsed.feed)
