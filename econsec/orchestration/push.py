"""After a WebSub push: the pushed items are staged by the callback; tagging, indexing and
the alert rules run here, off the request, so that the hub gets its answer at once.

`PushQueue` coalesces: pushes for a feed while its run is waiting join that run, and
at most `push_queue_limit` of them do (more are refused until the run starts, and the
hub retries them), so a flood for one feed makes one run at a time and never holds the
index from the hourly poll. One worker thread runs the queued feeds through a
`PushRunner`, chosen once from the `push_runner` setting by `make_runner`: `inline`
(`InlineRunner`, the tagger loaded once in `econsec serve`) or `airflow` (a DAG run
triggered by `econsec.orchestration.trigger`, whose `runner(settings)` builds it).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from econsec.alerts.engine import run_folder
from econsec.config import Settings
from econsec.errors import ConfigError
from econsec.ingest.cycle import index_pending, load_tagger, tag_pending
from econsec.ingest.fetch import make_client
from econsec.ingest.subscriptions import SubscriptionBook
from econsec.ingest.websub import renew
from econsec.store.protocols import Store

if TYPE_CHECKING:
    from extractors.pipeline import EventTagger

log = logging.getLogger("econsec.push")
STOP_SECONDS = 30.0  # a run still going at shutdown is given this long
RENEW_EVERY = 3_600.0  # seconds between two looks for leases due


class PushRunner(Protocol):
    def run(self, feed_names: Sequence[str]) -> None:
        """Tag, index and alert on what was pushed for these feeds (already staged)."""


class InlineRunner:
    """Tag and index what is pending, then run the alert rules, in this process. The
    tagger is loaded by the first run, once."""

    def __init__(
        self, store: Store, settings: Settings, rules: Path, tagger: EventTagger | None = None
    ):
        self.store = store
        self.settings = settings
        self.rules = rules
        self._tagger = tagger
        self._lock = threading.Lock()

    def tagger(self) -> EventTagger:
        with self._lock:
            if self._tagger is None:
                self._tagger = load_tagger(self.settings)
            return self._tagger

    def run(self, feed_names: Sequence[str]) -> None:
        tagged = tag_pending(self.store, self.tagger(), self.settings)
        indexed = index_pending(self.store)
        try:
            ran = run_folder(self.store, self.rules)
        except ConfigError as exc:  # no rules folder: nothing to alert on
            log.warning("push run: no alert rules run: %s", exc)
            return
        for error in ran.rules.errors:
            log.warning("push run: rule file skipped: %s", error)
        log.info(
            "push run for %s: %d tagged, %d events indexed, %d alerts",
            ", ".join(feed_names),
            tagged.articles_tagged,
            indexed.events_indexed,
            len(ran.report.alerts),
        )


def make_runner(settings: Settings, store: Store, rules: Path) -> PushRunner:
    """The one place the runner is chosen, by the `push_runner` setting."""
    if settings.push_runner == "airflow":
        from econsec.orchestration.trigger import runner  # httpx client, only when chosen

        return runner(settings)
    return InlineRunner(store, settings, rules)


class LeaseKeeper:
    """Renews the leases that are due, every `every` seconds, in a thread of `econsec
    serve` (`econsec push renew` does the same from cron). Only with a callback URL set."""

    def __init__(self, settings: Settings, every: float = RENEW_EVERY):
        self.settings = settings
        self.every = every
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> LeaseKeeper:
        if self.settings.push_callback_url:
            self._thread = threading.Thread(target=self._work, name="websub-leases", daemon=True)
            self._thread.start()
        return self

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(STOP_SECONDS)

    def _work(self) -> None:
        while not self._stop.wait(self.every):
            try:
                self.renew_due()
            except Exception:  # the next round tries again; the thread must live on
                log.exception("renewing WebSub leases failed")

    def renew_due(self) -> None:
        book = SubscriptionBook(self.settings.push_state)
        if not book.path.exists():
            return
        with make_client(self.settings) as client:
            for sub in renew(book, self.settings, client):
                log.info("WebSub lease of %s renewed: %s", sub.feed, sub.state)


@dataclass
class QueueStats:
    accepted: int = 0
    refused: int = 0
    runs: int = 0
    failed_runs: int = 0
    last_error: str | None = None
    finished: list[float] = field(default_factory=list)  # monotonic ends of recent runs


class PushQueue:
    """Feeds waiting for a run, each with the number of pushes that joined it."""

    def __init__(self, runner: PushRunner, per_feed: int):
        self.runner = runner
        self.per_feed = per_feed
        self.stats = QueueStats()
        self._waiting: dict[str, int] = {}
        self._running: tuple[str, ...] = ()
        self._cond = threading.Condition()
        self._stopping = False
        self._thread: threading.Thread | None = None

    def offer(self, feed: str) -> bool:
        """Queue a run for `feed`, or join the one waiting; False when that one holds its
        share of pushes already (answer 429: the hub retries later)."""
        with self._cond:
            joined = self._waiting.get(feed, 0)
            if joined >= self.per_feed or self._stopping:
                self.stats.refused += 1
                return False
            self._waiting[feed] = joined + 1
            self.stats.accepted += 1
            self._cond.notify_all()
            return True

    def waiting(self) -> dict[str, int]:
        with self._cond:
            return dict(self._waiting)

    def idle(self) -> bool:
        with self._cond:
            return not self._waiting and not self._running

    def start(self) -> PushQueue:
        self._thread = threading.Thread(target=self._work, name="websub-runs", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(STOP_SECONDS)

    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._waiting and not self._stopping:
                    self._cond.wait()
                if self._stopping:
                    return
                self._running = tuple(self._waiting)
                self._waiting.clear()
            self._run(self._running)
            with self._cond:
                self._running = ()
                self._cond.notify_all()

    def _run(self, feeds: Sequence[str]) -> None:
        """One run; its failure is logged and counted, and the items stay queued in the
        store for the next run or the next poll."""
        try:
            self.runner.run(feeds)
        except Exception as exc:  # the worker must outlive a failing run
            self.stats.failed_runs += 1
            self.stats.last_error = f"{type(exc).__name__}: {exc}"
            log.exception("push run for %s failed", ", ".join(feeds))
        finally:
            self.stats.runs += 1
            self.stats.finished = [*self.stats.finished[-99:], time.monotonic()]
