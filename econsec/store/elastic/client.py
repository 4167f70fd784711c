"""Requests to Elasticsearch with retries, bulk writes and paging: the plumbing of `ElasticStore`.

Retries happen at three levels, each with exponential backoff:

- the transport retries connection errors and timeouts (`es_max_retries`);
- `Calls.run` retries a request the cluster answered 429 or 5xx;
- `Calls.bulk` retries the documents a bulk request rejected (429, 5xx) and
  whole bulk requests answered 429 / 5xx, through the bulk helper.

Whatever still fails is raised as a `StoreError` naming the index and the
documents, never dropped. Every write has a stable `_id`, so a rerun after a
failure completes the work without duplicating any of it.

Writes are made with `refresh=wait_for`: they return once a search can see
them, so the next stage (often another process) reads them without asking for
a refresh (which needs the `manage` privilege and makes tiny segments). The
price is up to `refresh_interval` of latency per bulk request, not per document.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from elasticsearch import ApiError, Elasticsearch, TransportError
from elasticsearch.helpers import streaming_bulk

from econsec.config import Settings
from econsec.errors import StoreError

T = TypeVar("T")
RETRY_STATUS = (429, 502, 503, 504)
MAX_BACKOFF = 30.0
FAILURES_SHOWN = 5
PAGE = 1_000
WAIT_FOR = "wait_for"  # a write returns once searches see it (see above)
PIT_KEEP_ALIVE = "2m"  # between two pages of one read, not for the whole read


def write_guard(found: dict[str, Any] | None) -> dict[str, Any]:
    """The arguments that make a write a compare-and-set on the document as `found` (a
    GET's answer): it fails with 409 if anyone wrote in between, or, for a document not
    found, if anyone created it meanwhile."""
    if not found:
        return {"op_type": "create"}
    return {"if_seq_no": found["_seq_no"], "if_primary_term": found["_primary_term"]}


def redact(url: str) -> str:
    """The URL without user and password, for messages and `status`."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def make_client(url: str, settings: Settings, backoff: float, **options: Any) -> Elasticsearch:
    """A client from settings; `options` (tests: `node_class`) go to the constructor as they are."""
    kwargs: dict[str, Any] = {
        "hosts": [url],
        "request_timeout": settings.es_request_timeout,
        "max_retries": settings.es_max_retries,
        "retry_on_timeout": True,
        "retry_on_status": (),  # statuses are retried by Calls, with backoff
        "retry_backoff_base": backoff,
        "retry_backoff_cap": MAX_BACKOFF,
    }
    if settings.es_api_key:
        kwargs["api_key"] = settings.es_api_key.get_secret_value()
    elif settings.es_username and "@" not in urlsplit(url).netloc:
        password = settings.es_password.get_secret_value() if settings.es_password else ""
        kwargs["basic_auth"] = (settings.es_username, password)
    if url.startswith("https://"):
        kwargs["verify_certs"] = settings.es_verify_certs
        if settings.es_ca_certs:
            kwargs["ca_certs"] = settings.es_ca_certs
    return Elasticsearch(**{**kwargs, **options})


def describe(exc: Exception) -> str:
    """A short reason: status, Elasticsearch's error type and reason, or the network error."""
    if isinstance(exc, ApiError):
        error = exc.body.get("error") if isinstance(exc.body, dict) else None
        if isinstance(error, dict):
            return f"{exc.meta.status} {error.get('type')}: {error.get('reason')}"
        return f"{exc.meta.status} {exc.message}"
    if isinstance(exc, TransportError):
        return f"cannot reach Elasticsearch ({type(exc).__name__}: {exc.message})"
    return f"{type(exc).__name__}: {exc}"


@dataclass
class BulkOutcome:
    """What one bulk write did, document by document."""

    written: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)  # op_type create answered 409
    existing_in: dict[str, str] = field(default_factory=dict)  # their concrete index
    failed: list[tuple[str, str]] = field(default_factory=list)  # (id, reason)

    def add(self, item: dict[str, Any]) -> None:
        op, info = next(iter(item.items()))
        status = int(info.get("status") or 500)
        if 200 <= status < 300:
            self.written.append(info["_id"])
        elif op == "create" and status == 409:
            self.existing.append(info["_id"])
            self.existing_in[info["_id"]] = str(info.get("_index"))
        else:
            self.failed.append((str(info.get("_id")), _item_reason(status, info.get("error"))))

    @property
    def done(self) -> int:
        return len(self.written) + len(self.existing)


def _item_reason(status: int, error: Any) -> str:
    if isinstance(error, dict):
        return f"{status} {error.get('type')}: {error.get('reason')}"
    return f"{status} {error}"


@dataclass
class Calls:
    """Requests to one cluster: retried with backoff; a failure becomes a `StoreError`."""

    client: Elasticsearch
    location: str
    retries: int
    backoff: float
    chunk_size: int
    pit_api: bool = True  # False once the cluster said it has no point-in-time API

    def delay(self, attempt: int) -> float:
        return float(min(MAX_BACKOFF, self.backoff * 2**attempt))

    def error(self, index: str, what: str, exc: Exception) -> StoreError:
        return StoreError(self.location, f"index {index}: {what} failed: {describe(exc)}")

    def run(
        self, index: str, what: str, request: Callable[[], T], expect: Collection[int] = ()
    ) -> T:
        """`request()`, retried on 429 / 5xx; statuses in `expect` reach the caller as ApiError."""
        for attempt in range(self.retries + 1):
            try:
                return request()
            except ApiError as exc:
                if exc.meta.status in expect:
                    raise
                if exc.meta.status not in RETRY_STATUS or attempt == self.retries:
                    raise self.error(index, what, exc) from exc
            except TransportError as exc:  # the transport has already retried it
                raise self.error(index, what, exc) from exc
            time.sleep(self.delay(attempt))
        raise AssertionError("unreachable")

    def bulk(
        self, index: str, what: str, actions: Iterable[dict[str, Any]], via_alias: bool = True
    ) -> BulkOutcome:
        """Write through the alias `index` (`via_alias=False`: actions may name their own
        concrete `_index`); raise naming the documents that still failed."""
        outcome = BulkOutcome()
        try:
            for _, item in streaming_bulk(
                self.client,
                actions,
                index=index,
                chunk_size=self.chunk_size,
                max_retries=self.retries,
                initial_backoff=self.backoff,
                max_backoff=MAX_BACKOFF,
                retry_on_status=RETRY_STATUS,
                raise_on_error=False,
                raise_on_exception=False,
                require_alias=via_alias,
                refresh=WAIT_FOR,
            ):
                outcome.add(item)
        except TransportError as exc:
            raise StoreError(
                self.location,
                f"index {index}: {what} stopped after {outcome.done} documents: "
                f"{describe(exc)}; what was written stays, a rerun completes the rest",
            ) from exc
        if outcome.failed:
            raise self._failures(index, what, outcome)
        return outcome

    def _failures(self, index: str, what: str, outcome: BulkOutcome) -> StoreError:
        shown = "; ".join(
            f"{doc_id} ({reason})" for doc_id, reason in outcome.failed[:FAILURES_SHOWN]
        )
        more = len(outcome.failed) - FAILURES_SHOWN
        tail = f"; and {more} more" if more > 0 else ""
        return StoreError(
            self.location,
            f"index {index}: {what}: {len(outcome.failed)} documents failed after "
            f"{self.retries} retries: {shown}{tail}",
        )

    def scan(
        self,
        index: str,
        query: dict[str, Any],
        sort: list[Any],
        source: Any = True,
        limit: int | None = None,
        **extra: Any,
    ) -> Iterator[dict[str, Any]]:
        """Every hit of `query` in `sort` order; `extra` goes to each search (a highlight, say).

        A read that fits one page is one search. A longer one is read again from the start
        under a point in time (PIT), page by page with `search_after`, so that every page
        sees the same snapshot (a write meanwhile can neither shift nor repeat a hit), and
        the PIT is closed when the reading stops. A cluster without the PIT API (OpenSearch
        and the servers compatible with it) is paged with `search_after` alone."""
        size = PAGE if limit is None else min(PAGE, limit)
        first = self._page(index, query, sort, source, size, None, extra, None)
        hits = first["hits"]["hits"]
        if len(hits) < size or limit == len(hits):
            yield from hits
            return
        pit = self._open_pit(index)
        if pit is None:
            yield from hits
            yield from self._pages(index, query, sort, source, limit, extra, None, hits)
            return
        try:
            yield from self._pages(index, query, sort, source, limit, extra, pit, [])
        finally:
            self._close_pit(pit)

    def _pages(
        self,
        index: str,
        query: Any,
        sort: Any,
        source: Any,
        limit: int | None,
        extra: Any,
        pit: dict[str, str] | None,
        read: list[dict[str, Any]],
    ) -> Iterator[dict[str, Any]]:
        """The pages after those already `read`, under `pit` when there is one."""
        seen = len(read)
        after = read[-1]["sort"] if read else None
        while limit is None or seen < limit:
            size = PAGE if limit is None else min(PAGE, limit - seen)
            page = self._page(index, query, sort, source, size, after, extra, pit)
            if pit is not None and page.get("pit_id"):
                pit["id"] = page["pit_id"]  # the cluster may hand back a newer id
            hits = page["hits"]["hits"]
            yield from hits
            seen += len(hits)
            if len(hits) < size:
                return
            after = hits[-1]["sort"]

    def _page(
        self,
        index: str,
        query: Any,
        sort: Any,
        source: Any,
        size: int,
        after: Any,
        extra: Any,
        pit: dict[str, str] | None,
    ) -> Any:
        where: dict[str, Any] = {"index": index} if pit is None else {"pit": pit}
        request = partial(
            self.client.search,
            **where,
            query=query,
            sort=sort,
            source=source,
            size=size,
            search_after=after,
            track_total_hits=False,
            **extra,
        )
        return self.run(index, "reading", request)

    def _open_pit(self, index: str) -> dict[str, str] | None:
        """A point in time over `index`; None when the cluster has no PIT API."""
        if not self.pit_api:
            return None
        request = partial(self.client.open_point_in_time, index=index, keep_alive=PIT_KEEP_ALIVE)
        try:
            opened = self.run(index, "opening a point in time", request, expect=(400, 404, 405))
        except ApiError as exc:
            if exc.meta.status == 400 and "no handler" not in str(exc.body):
                raise self.error(index, "opening a point in time", exc) from exc
            self.pit_api = False
            return None
        return {"id": opened["id"], "keep_alive": PIT_KEEP_ALIVE}

    def _close_pit(self, pit: dict[str, str]) -> None:
        """Free the PIT's resources now; if that fails, it expires after `PIT_KEEP_ALIVE`."""
        with suppress(ApiError, TransportError):
            self.client.close_point_in_time(id=pit["id"])
