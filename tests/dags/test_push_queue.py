"""The queue between a WebSub push and its run: coalescing, the per-feed bound, a failing
run that leaves the worker alive, and the runner chosen from the settings."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from pathlib import Path

from econsec.config import Settings
from econsec.orchestration.push import InlineRunner, PushQueue, make_runner
from econsec.store.embedded.store import EmbeddedStore

DEADLINE = 120.0


class Held:
    def __init__(self, fail: bool = False):
        self.hold = threading.Event()
        self.started = threading.Event()
        self.runs: list[list[str]] = []
        self.fail = fail

    def run(self, feed_names: Sequence[str]) -> None:
        self.started.set()
        assert self.hold.wait(DEADLINE)
        self.runs.append(sorted(feed_names))
        if self.fail:
            raise RuntimeError("the index is busy")


def wait_idle(queue: PushQueue) -> None:
    deadline = time.monotonic() + DEADLINE
    while not queue.idle():
        assert time.monotonic() < deadline
        time.sleep(0.02)


def test_pushes_while_a_run_waits_join_it_up_to_the_bound() -> None:
    runner = Held()
    queue = PushQueue(runner, per_feed=2).start()
    try:
        assert queue.offer("a")
        assert runner.started.wait(DEADLINE)  # "a" is running, held
        assert [queue.offer("a") for _ in range(3)] == [True, True, False]
        assert queue.offer("b")  # another feed has a share of its own
        assert queue.waiting() == {"a": 2, "b": 1}
        runner.hold.set()
        wait_idle(queue)
    finally:
        queue.close()
    assert runner.runs == [["a"], ["a", "b"]]
    assert (queue.stats.accepted, queue.stats.refused, queue.stats.runs) == (4, 1, 2)


def test_a_failing_run_is_counted_and_the_next_one_still_runs() -> None:
    runner = Held(fail=True)
    runner.hold.set()
    queue = PushQueue(runner, per_feed=5).start()
    try:
        assert queue.offer("a")
        wait_idle(queue)
        assert queue.offer("a")
        wait_idle(queue)
    finally:
        queue.close()
    assert queue.stats.failed_runs == 2 and "busy" in (queue.stats.last_error or "")
    assert runner.runs == [["a"], ["a"]]


def test_a_closed_queue_refuses() -> None:
    queue = PushQueue(Held(), per_feed=5).start()
    queue.close()
    assert not queue.offer("a")


def test_the_inline_runner_is_the_default(settings: Settings, store: EmbeddedStore) -> None:
    assert settings.push_runner == "inline"
    assert isinstance(make_runner(settings, store, Path("rules")), InlineRunner)


def test_the_inline_runner_without_rules_still_tags_and_indexes(
    settings: Settings, store: EmbeddedStore, tagger: object, tmp_path: Path
) -> None:
    from econsec.ingest.cycle import fetch_feed
    from econsec.ingest.feedfile import load_feeds

    for spec in load_feeds(settings.feeds)[:1]:
        fetch_feed(spec, store, settings)
    runner = InlineRunner(store, settings, tmp_path / "no-rules", tagger)  # type: ignore[arg-type]
    runner.run(["any"])
    counts = store.counts()
    assert counts["untagged_articles"] == 0 and counts["unindexed_articles"] == 0
