"""One `Store` protocol, selected by one setting.

A path means the embedded store (Tantivy + SQLite, zero setup); an
`http(s)://` URL means Elasticsearch.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Literal, Protocol

from econsec.config import Settings, load_settings
from econsec.ingest.stories import Known
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
STORY_LIMIT = 500  # articles shown for one story (the event page lists every outlet)


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
    def get_event(self, event_id: str) -> dict[str, Any] | None: ...
    def story_articles(self, story_id: str, limit: int = STORY_LIMIT) -> list[dict[str, Any]]: ...
    def counts(self) -> dict[str, int]: ...

    # cycles
    def record_cycle(self, report: CycleReport) -> None: ...
    def last_cycle(self) -> CycleReport | None: ...

    def close(self) -> None: ...


def is_remote(location: str) -> bool:
    return location.startswith(("http://", "https://"))


def open_store(location: str, settings: Settings | None = None, **options: Any) -> Store:
    """The backend a location names; nothing connects until it is used.

    An `http(s)://` URL is Elasticsearch, configured by `settings` (credentials,
    prefix, timeouts; from the environment when not given); `options` go to its
    client (tests pass a `node_class`, or a ready `client`). Anything else is a
    directory for the embedded store.
    """
    if is_remote(location):
        from econsec.store.elastic.store import ElasticStore

        return ElasticStore(location, settings or load_settings(store=location), **options)
    from econsec.store.embedded.store import EmbeddedStore

    return EmbeddedStore(Path(location).expanduser())


def initialise(store: Store) -> dict[str, Any]:
    """`econsec init`: templates, versioned indices and aliases on Elasticsearch,
    the directories and empty indexes on the embedded store; safe to rerun."""
    from econsec.store.elastic.store import ElasticStore
    from econsec.store.embedded.store import EmbeddedStore

    if isinstance(store, ElasticStore):
        return store.init()
    if isinstance(store, EmbeddedStore):
        indexes = [str(store.events_index.path), str(store.articles_index.path)]
        return {"store": store.location, "backend": "embedded", "created": indexes}
    raise TypeError(f"cannot initialise {type(store).__name__}")
