"""Publish-to-indexed and publish-to-alert latency by WebSub push, against the hourly poll.

A feed is served on loopback and announces a WebSub hub (the test suite's real hub,
`tests/support/websub_hub.py`); `econsec serve`'s app runs under uvicorn in a thread with
the inline push runner; the feed is subscribed through the real discovery and
verification. Then N items (policy items of the sample feeds, each its own story, each
tagged with an event) are published at intervals: the publisher adds the item and pings
the hub, which fetches the feed and pushes it, signed, to the callback. Each item's
latency ends when its event is searchable (indexed) and when the alert rule (`any`, one
alert a story) has fired for it.

Polling, in the same run: the wait from a publication moment (1,000 drawn at random over
a week, seeded) until the next run of the ingest DAG's real schedule (read from
`dags/econsec_ingest.py`, `@hourly`), plus the time a poll cycle measured here takes to
fetch, tag and index the same items (and then to run the rules). Airflow's own
scheduling delay is not counted, so polling is flattered. The ratios are polling's p95
over push's; the target is a push publish-to-alert p95 under 60 s.
"""

from __future__ import annotations

import random
import re
import tempfile
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from bench import Options
from bench.corpus import Item, sample_in_scope
from bench.search_load import percentile
from bench.tagger_speed import load_tagger, note

NAME = "push_latency"
PUBLISH_EVERY = 2.0  # seconds between two publications
DEADLINE = 180.0  # seconds an item may take before the run gives up on it
TARGET_ALERT_P95 = 60.0
ROOT = Path(__file__).resolve().parents[1]
INGEST_DAG = ROOT / "dags" / "econsec_ingest.py"
PERIODS = {"@hourly": timedelta(hours=1), "@daily": timedelta(days=1)}
RULE = "name: bench-any\ndescription: Every story.\ncondition:\n  type: any\nnotify: []\n"
POLL_DRAWS = 1_000  # publication moments drawn for polling (cheap: its wait is computed)
POLLING_NOTE = (
    "polling latency = wait from a publication moment (drawn at random over a week, seeded) "
    "to the next run of the ingest DAG's real schedule ({schedule}) + the poll cycle measured "
    "in this run over the same items (fetch, tag, index; then the alert rules); Airflow's own "
    "scheduling delay is not counted. Push latency is measured end to end"
)


def count_for(options: Options) -> int:
    """Publications: 20 for `make bench` (5,000 items), 4 for --quick, at least 3."""
    return max(3, min(20, options.items // 250))


def ingest_schedule(path: Path = INGEST_DAG) -> str:
    found = re.search(r"""schedule\s*=\s*["'](@\w+)["']""", path.read_text(encoding="utf-8"))
    if not found or found[1] not in PERIODS:
        raise ValueError(f"{path}: no schedule this benchmark knows ({', '.join(PERIODS)})")
    return found[1]


def next_run(after: datetime, schedule: str) -> datetime:
    """The next run of a preset schedule (`@hourly`: each hour's start) strictly after."""
    period = PERIODS[schedule]
    start = after.replace(minute=0, second=0, microsecond=0)
    if schedule == "@daily":
        start = start.replace(hour=0)
    while start <= after:
        start += period
    return start


def distinct_items(tagger: Any, count: int) -> list[Item]:
    """`count` sample policy items, each tagged with an event and sharing few words with
    the others (so each is a story of its own, and alerts once)."""
    chosen: list[Item] = []
    words: list[set[str]] = []
    for item in sample_in_scope():
        mine = set(f"{item.title} {item.summary}".lower().split())
        if any(len(mine & other) / len(mine | other) > 0.2 for other in words):
            continue
        if not tagger.tag(item.title, item.summary).events:
            continue
        chosen.append(item)
        words.append(mine)
        if len(chosen) == count:
            return chosen
    raise RuntimeError(f"only {len(chosen)} distinct tagged items in the sample feeds")


class Watch:
    """Polls the store for when each title became searchable and when it alerted."""

    def __init__(self, store: Any, titles: Sequence[str]):
        self.store = store
        self.indexed: dict[str, float] = {}
        self.alerted: dict[str, float] = {}
        self.titles = set(titles)

    def poll(self, state: Any) -> None:
        from econsec.models import SearchQuery

        now = time.monotonic()
        for event in self.store.scan(SearchQuery.from_user("*")):
            if event.title in self.titles:
                self.indexed.setdefault(event.title, now)
        for alert in state.history("bench-any", limit=500):
            for evidence in alert.evidence:
                if evidence.get("title") in self.titles:
                    self.alerted.setdefault(evidence["title"], now)

    def until_done(self, deadline: float) -> None:
        state = self.store.alert_state()
        try:
            while time.monotonic() < deadline:
                self.poll(state)
                if len(self.alerted) == len(self.titles) == len(self.indexed):
                    return
                time.sleep(0.05)
        finally:
            state.close()


def measure_push(folder: Path, items: list[Item], tagger: Any) -> dict[str, Any]:
    """Serve, subscribe, publish `items`; per item, seconds to indexed and to alert (None
    for one not seen within the deadline)."""
    from econsec.ingest import cycle, websub
    from econsec.ingest.fetch import make_client
    from econsec.ingest.subscriptions import SubscriptionBook
    from econsec.models import FeedSpec
    from econsec.orchestration.push import InlineRunner
    from econsec.store.backend import open_store
    from econsec.web.app import create_app
    from tests.support.live_server import LiveServer
    from tests.support.websub_hub import PublishedFeed, WebSubHub

    hub = WebSubHub().start()
    feed = PublishedFeed(hub.url("/")).start()
    settings = _settings(folder, feed.topic)
    store = open_store(settings.store, settings)
    runner = InlineRunner(store, settings, Path(settings.rules), tagger)
    server = LiveServer(create_app(settings, store, rules=Path(settings.rules), runner=runner))
    try:
        server.start()
        settings = settings.model_copy(update={"push_callback_url": server.url})
        spec = FeedSpec(name="pushed", url=feed.topic, push=True)
        cycle.fetch_feed(spec, store, settings)  # discovery, as the hourly poll does it
        link = SubscriptionBook(settings.push_state).hub_of("pushed")
        assert link is not None, "the feed's hub was not discovered"
        book = SubscriptionBook(settings.push_state)
        with make_client(settings) as client:
            websub.subscribe(book, settings, "pushed", websub.HubLink(*link), client)
        hub.wait_verified(1)
        assert book.for_feed("pushed").state == "verified"  # type: ignore[union-attr]
        published = _publish(items, feed, hub, store)
    finally:
        server.stop()
        store.close()
        feed.stop()
        hub.stop()
    return published


def _publish(items: list[Item], feed: Any, hub: Any, store: Any) -> dict[str, Any]:
    watch = Watch(store, [item.title for item in items])
    watcher = threading.Thread(target=watch.until_done, args=(time.monotonic() + 10 * DEADLINE,))
    watcher.start()
    sent: dict[str, float] = {}
    with httpx.Client(timeout=60.0) as publisher:
        for n, item in enumerate(items):
            if n:
                time.sleep(PUBLISH_EVERY)
            feed.add(item.title, item.summary)
            sent[item.title] = time.monotonic()
            ping = publisher.post(hub.url("/"), data={"hub.mode": "publish", "hub.url": feed.topic})
            ping.raise_for_status()
    watcher.join(DEADLINE + len(items) * PUBLISH_EVERY)
    return {
        "indexed": _latencies(sent, watch.indexed, items),
        "alerted": _latencies(sent, watch.alerted, items),
    }


def _latencies(
    sent: dict[str, float], seen: dict[str, float], items: list[Item]
) -> list[float | None]:
    return [seen[i.title] - sent[i.title] if i.title in seen else None for i in items]


def measure_poll_cycle(folder: Path, items: list[Item], tagger: Any) -> dict[str, float]:
    """One poll of a feed holding the items, in a fresh store: seconds to indexed, to alerts."""
    from econsec.alerts.engine import run_alerts
    from econsec.ingest import cycle
    from econsec.models import FeedSpec
    from econsec.store.backend import open_store
    from tests.support.websub_hub import PublishedFeed

    feed = PublishedFeed("http://127.0.0.1:9/").start()
    for item in items:
        feed.add(item.title, item.summary)
    settings = _settings(folder, feed.topic)
    store = open_store(settings.store, settings)
    try:
        started = time.monotonic()
        cycle.fetch_feed(FeedSpec(name="polled", url=feed.topic), store, settings)
        cycle.tag_pending(store, tagger, settings)
        cycle.index_pending(store)
        indexed = time.monotonic() - started
        fired = run_alerts(store, Path(settings.rules))
        alerted = time.monotonic() - started
    finally:
        store.close()
        feed.stop()
    if len(fired) < len(items):
        raise RuntimeError(f"the poll cycle alerted {len(fired)} of {len(items)} items")
    return {"to_indexed": indexed, "to_alert": alerted}


def _settings(folder: Path, topic: str) -> Any:
    from econsec.config import Settings

    folder.mkdir(parents=True, exist_ok=True)
    rules = folder / "rules"
    rules.mkdir(exist_ok=True)
    (rules / "bench-any.yaml").write_text(RULE, encoding="utf-8")
    feeds = folder / "feeds.yaml"
    feeds.write_text(f"feeds:\n  - name: pushed\n    url: {topic}\n    push: true\n", "utf-8")
    return Settings(
        store=str(folder / "store"),
        feeds=str(feeds),
        rules=str(rules),
        push_state=str(folder / "websub.sqlite3"),
        allowed_feed_hosts=["127.0.0.0/8"],
    )


def summary(values: Sequence[float | None]) -> dict[str, Any]:
    done = [v for v in values if v is not None]
    if not done:
        return {"p50_s": None, "p95_s": None, "missed": len(values)}
    return {
        "p50_s": round(percentile(done, 0.5), 3),
        "p95_s": round(percentile(done, 0.95), 3),
        "max_s": round(max(done), 3),
        "missed": len(values) - len(done),
    }


def polling(
    published: Sequence[datetime], cycle_seconds: float, schedule: str
) -> list[float | None]:
    return [(next_run(at, schedule) - at).total_seconds() + cycle_seconds for at in published]


def ratio(slow: dict[str, Any], fast: dict[str, Any]) -> float | None:
    if not slow.get("p95_s") or not fast.get("p95_s"):
        return None
    return round(slow["p95_s"] / fast["p95_s"], 1)


def run(
    options: Options,
    *,
    folder: Path | None = None,
    count: int | None = None,
    tagger: Any = None,
) -> dict[str, Any]:
    """`tagger`: one already loaded (the tests'); else the real one is loaded here."""
    count = count or count_for(options)
    schedule = ingest_schedule()
    note(f"{NAME}: loading the tagger, choosing {count} items")
    loading = time.monotonic()
    tagger = tagger or load_tagger()
    load_seconds = time.monotonic() - loading
    items = distinct_items(tagger, count)
    with tempfile.TemporaryDirectory(prefix="econsec-push-") as scratch:
        root = folder or Path(scratch)
        note(f"{NAME}: publishing {count} items {PUBLISH_EVERY:g} s apart, pushed by the hub")
        pushed = measure_push(root / "push", items, tagger)
        note(f"{NAME}: one poll cycle over the same items")
        cycle = measure_poll_cycle(root / "poll", items, tagger)
    moments = publish_moments(options.seed, schedule)
    return report(pushed, cycle, schedule, moments, load_seconds)


def publish_moments(seed: int, schedule: str, count: int = POLL_DRAWS) -> list[datetime]:
    """Publication times drawn at random (seeded) over a week: a publisher does not wait for
    the poll, so a poll's wait is the schedule's, seen from any moment."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday
    span = timedelta(days=7).total_seconds()
    return sorted(start + timedelta(seconds=rng.uniform(0, span)) for _ in range(count))


def report(
    pushed: dict[str, Any],
    cycle: dict[str, float],
    schedule: str,
    moments: Sequence[datetime],
    load: float,
) -> dict[str, Any]:
    count = len(pushed["indexed"])
    push = {"to_indexed": summary(pushed["indexed"]), "to_alert": summary(pushed["alerted"])}
    poll = {
        "to_indexed": summary(polling(moments, cycle["to_indexed"], schedule)),
        "to_alert": summary(polling(moments, cycle["to_alert"], schedule)),
        "publications_drawn": len(moments),
        "cycle_to_indexed_s": round(cycle["to_indexed"], 3),
        "cycle_to_alert_s": round(cycle["to_alert"], 3),
        "schedule": schedule,
    }
    alert_p95 = push["to_alert"]["p95_s"]
    return {
        "publications": count,
        "publish_every_s": PUBLISH_EVERY,
        "push": push,
        "poll": poll,
        "poll_over_push_p95": {
            "to_indexed": ratio(poll["to_indexed"], push["to_indexed"]),
            "to_alert": ratio(poll["to_alert"], push["to_alert"]),
        },
        "target": f"push publish-to-alert p95 < {TARGET_ALERT_P95:g} s",
        "target_met": alert_p95 is not None
        and alert_p95 < TARGET_ALERT_P95
        and not push["to_alert"]["missed"],
        "tagger_load_s": round(load, 3),
        "note": POLLING_NOTE.format(schedule=schedule)
        + "; the tagger is loaded before the first push (econsec serve loads it on its first)",
    }
