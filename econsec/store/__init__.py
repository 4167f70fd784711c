"""One `Store` protocol, selected by one setting.

A path means the embedded store (Tantivy + SQLite, zero setup); an
`http(s)://` URL means Elasticsearch.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Literal, Protocol

from econsec.dedup import Known
from econsec.errors import ConfigError
from econsec.models import (
    Article,
    CycleReport,
    Event,
    FeedHealth,
    FeedResult,
    IndexReport,
    SearchQuery,
    SearchResult,
)

SearchKind = Literal["events", "articles"]


class Store(Protocol):
    """What every stage needs from storage; both backends implement all of it."""

    location: str

    # feed state (fetch stage; safe from parallel processes)
    def validators(self, feed: str, url: str) -> tuple[str | None, str | None]: ...
    def record_feed(
        self, result: FeedResult, etag: str | None, last_modified: str | None
    ) -> None: ...
    def stage_articles(self, articles: list[Article]) -> list[str]: ...
    def feed_health(self) -> list[FeedHealth]: ...

    # tag stage
    def untagged_articles(self, limit: int | None = None) -> list[Article]: ...
    def known_signatures(self, since: datetime) -> list[Known]: ...
    def save_tagged(
        self, tagged: list[tuple[Article, bytes, list[str]]], events: list[Event]
    ) -> list[Event]: ...

    # index stage
    def index_pending(self) -> IndexReport: ...

    # reading
    def search(self, query: SearchQuery, kind: SearchKind = "events") -> SearchResult: ...
    def counts(self) -> dict[str, int]: ...

    # cycles
    def record_cycle(self, report: CycleReport) -> None: ...
    def last_cycle(self) -> CycleReport | None: ...

    def close(self) -> None: ...


def open_store(location: str) -> Store:
    """The backend a location names; nothing connects until it is used."""
    if location.startswith(("http://", "https://")):
        raise ConfigError(
            "the Elasticsearch backend is not available in this version; "
            "use a directory path for the embedded store",
            field="store",
        )
    from econsec.store.embedded import EmbeddedStore

    return EmbeddedStore(Path(location).expanduser())
