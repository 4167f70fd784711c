"""What every storage backend must do, so that nothing outside `store/` asks which one
it has: `Store` serves the stages (feed state, the queue, search) and `AlertState` the
alert engine. Each backend implements both and keeps its alert state beside its data;
a rule's query is checked by the backend that will run it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol, overload

from econsec.models import (
    Alert,
    Article,
    CycleReport,
    Event,
    FeedHealth,
    FeedResult,
    IndexReport,
    Quarantined,
    SearchQuery,
    StoredSignature,
    TaggedArticle,
)
from econsec.store.hits import ArticleHit, EventHit, SearchResult

SearchKind = Literal["events", "articles"]
AnyResult = SearchResult[EventHit] | SearchResult[ArticleHit]
STORY_LIMIT = 500  # articles shown for one story (the event page lists every outlet)
VALUES_LIMIT = 10_000  # distinct values of one field listed (`Store.values`)


def ranked(counts: dict[str, int]) -> dict[str, int]:
    """Values most frequent first, then alphabetically: the order of `Store.values` on
    every backend."""
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


@dataclass
class Learned:
    """The values a `new_value` rule has seen, and when its warm-up ends."""

    values: set[str]
    warm_until: datetime


@dataclass
class Silence:
    """A rule (`group` empty) or one of its groups (`initiator=CN`) kept quiet until
    `until`: its matches are neither recorded nor delivered meanwhile."""

    rule: str
    group: str
    until: datetime
    created_at: datetime


class AlertState(Protocol):
    """What the alert engine remembers between runs, per rule: a checkpoint (events
    indexed up to then have been evaluated), the events already evaluated near it (so the
    lookback never doubles an alert), when each group last fired (realert), the values a
    `new_value` rule has seen, the silences an analyst set, and every alert with its
    delivery results (searchable history; undelivered ones are retried). `commit`
    writes one run of one rule atomically: the alerts land together with the checkpoint
    that skips their events, or neither does. Delivery is claimed first: `claim` takes a
    lease on alerts by compare-and-set, so that of two runners only one sends each alert,
    and a crashed runner's lease runs out and its alerts are retried; `save_deliveries`
    drops it."""

    def checkpoint(self, rule: str) -> datetime | None: ...
    def processed(self, rule: str, event_ids: list[str]) -> set[str]: ...
    def last_fired(self, rule: str, group: str) -> datetime | None: ...
    def learned(self, rule: str, field: str) -> Learned | None: ...
    def commit(
        self,
        rule: str,
        *,
        alerts: list[Alert],
        processed: list[str],
        checkpoint: datetime,
        learned: dict[str, Learned],
        forget_before: datetime,
    ) -> None: ...
    def claim(self, alert_ids: list[str], now: datetime, until: datetime) -> list[Alert]:
        """Lease to this state, until `until`, those alerts still undelivered whose lease
        (if any) is this state's or ran out by `now`; each as it is now, to be sent."""
        ...

    def save_deliveries(self, alert: Alert) -> None: ...
    def silence(self, silence: Silence) -> None:
        """Keep a rule or a group quiet (replacing its earlier silence, if any)."""
        ...

    def unsilence(self, rule: str, group: str | None = None) -> int:
        """Lift the silences of a rule (all of them, or one group's); how many."""
        ...

    def silences(self, now: datetime, rule: str | None = None) -> list[Silence]:
        """The silences still running at `now`, by rule and group."""
        ...

    def undelivered(self, rule: str | None = None) -> list[Alert]: ...
    def history(
        self, rule: str | None = None, limit: int = 50, text: str | None = None
    ) -> list[Alert]: ...
    def close(self) -> None: ...


class Store(Protocol):
    """What every stage needs from storage; both backends implement all of it."""

    location: str
    backend: str  # "embedded" or "elasticsearch", as people are shown it

    def init(self) -> dict[str, Any]:
        """Set the store up, safe to rerun; say what was done (`econsec init`)."""
        ...

    # feed state (fetch stage; safe from parallel processes)
    def validators(self, feed: str, url: str) -> tuple[str | None, str | None]: ...
    def record_feed(
        self, result: FeedResult, etag: str | None, last_modified: str | None
    ) -> None: ...
    def stage_articles(self, articles: list[Article]) -> list[str]: ...
    def feed_health(self) -> list[FeedHealth]: ...

    # tag stage
    def untagged_articles(self, limit: int | None = None) -> list[Article]: ...
    def known_signatures(self, since: datetime) -> list[StoredSignature]: ...
    def save_tagged(self, tagged: list[TaggedArticle], events: list[Event]) -> list[Event]: ...
    def quarantine(self, items: list[Quarantined]) -> None:
        """Set articles aside: `untagged_articles` skips them until `requeue`."""
        ...

    def quarantined(self, limit: int | None = None) -> list[Quarantined]:
        """The articles set aside, newest first."""
        ...

    def requeue(self, article_ids: list[str] | None = None) -> int:
        """Put quarantined articles (all of them when `article_ids` is None) back in the
        queue for the next tag pass; how many were put back."""
        ...

    # index stage
    def index_pending(self) -> IndexReport: ...

    # reading
    @overload
    def search(
        self, query: SearchQuery, kind: Literal["events"] = "events"
    ) -> SearchResult[EventHit]: ...
    @overload
    def search(self, query: SearchQuery, kind: Literal["articles"]) -> SearchResult[ArticleHit]:
        """One page of events (one per story unless `collapse` is off) or of articles, in
        the query's `sort` order (`SortOrder`)."""
        ...

    def scan(self, query: SearchQuery) -> Iterator[EventHit]:
        """Every event matching `query` (its `limit`, `offset`, `collapse` and `facets`
        ignored), each once, in its `sort` order (newest first unless it says otherwise):
        however many, whatever the backend's paging limits, all read from one consistent
        view where the backend has one."""
        ...

    def check_query(self, q: str, kind: SearchKind = "events") -> None:
        """Raise `QueryError` now for a query this backend could never run."""
        ...

    def values(self, field: str, size: int = VALUES_LIMIT) -> dict[str, int]:
        """The values of an events' keyword field (`type`, `countries`…) among the
        searchable events, each with its number of events, most frequent first: what a
        filter on it can match (`econsec values`)."""
        ...

    def get_event(self, event_id: str) -> EventHit | None: ...
    def story_articles(self, story_id: str, limit: int = STORY_LIMIT) -> list[ArticleHit]:
        """Every searchable article of a story, first published first."""
        ...

    def counts(self) -> dict[str, int]: ...

    # cycles
    def record_cycle(self, report: CycleReport) -> None: ...
    def last_cycle(self) -> CycleReport | None: ...

    # alerts
    def alert_state(self) -> AlertState:
        """The alert state that lives with this store; the caller closes it."""
        ...

    def close(self) -> None: ...
