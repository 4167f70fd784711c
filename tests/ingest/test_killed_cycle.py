"""`econsec ingest` killed with SIGKILL mid-cycle (no chance to clean up), then the next cycle:
every article and event of a clean run is there, once, and nothing is left pending."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import pytest

from tests.support.faults import (
    ITEMS_PER_FEED,
    STALLED_FEED,
    Feeds,
    Snapshot,
    assert_same_as_clean,
    count,
    ingest_command,
    rerun,
    wait_for,
)

pytestmark = pytest.mark.slow

STAGED = "SELECT COUNT(*) FROM articles"
TAGGED = "SELECT COUNT(*) FROM articles WHERE tagged_at IS NOT NULL"


def _kill(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL


def test_killed_while_fetching(
    feeds: Feeds, clean: Snapshot, tagger: object, tmp_path: Path
) -> None:
    """Killed while one feed hangs: the feeds before it are staged, the rest are not."""
    root = tmp_path / "store"
    feeds.server.hold()  # the session's server may have been released by an earlier test
    process = subprocess.Popen(ingest_command(feeds, root), env=feeds.env())
    try:
        wait_for(feeds.server.stalled.is_set, 60, "the stalled feed to be requested")
        staged_before = (STALLED_FEED - 1) * ITEMS_PER_FEED * 0.9
        wait_for(lambda: count(root, STAGED) >= staged_before, 30, "the first feeds to be staged")
    finally:
        _kill(process)
        feeds.server.release()
    assert 0 < count(root, STAGED) < len(clean.articles)
    assert count(root, TAGGED) == 0
    assert_same_as_clean(rerun(feeds, root, tagger), clean)


def test_killed_while_tagging(
    feeds: Feeds, clean: Snapshot, tagger: object, tmp_path: Path
) -> None:
    """Killed after some batches of tagged articles and their events were saved."""
    root = tmp_path / "store"
    feeds.server.release()
    process = subprocess.Popen(ingest_command(feeds, root), env=feeds.env())
    try:
        wait_for(lambda: count(root, TAGGED) > 0, 120, "the first tagged batch")
    finally:
        _kill(process)
    tagged = count(root, TAGGED)
    assert 0 < tagged < len(clean.articles), "killed too late to test anything"
    assert_same_as_clean(rerun(feeds, root, tagger), clean)
