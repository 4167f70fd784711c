"""The disk fills mid-cycle: the cycle runs in a subprocess with a file-size limit
(RLIMIT_FSIZE, which binds root too; Python ignores SIGXFSZ, so a write past it fails with
EFBIG as on a full disk). The cycle stops with a clear error naming the store; the next
cycle, with room again, completes with no article or event lost and none duplicated."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest

from econsec.ingest import cycle
from econsec.ingest.feedfile import load_feeds
from econsec.store.embedded.store import EmbeddedStore
from tests.support.faults import (
    Feeds,
    Snapshot,
    assert_same_as_clean,
    count,
    ingest_command,
    rerun,
)

pytestmark = pytest.mark.slow

STAGED = "SELECT COUNT(*) FROM articles"
TAGGED = "SELECT COUNT(*) FROM articles WHERE tagged_at IS NOT NULL"
INDEX_TASK = (
    "import sys; from econsec.orchestration import ingest; ingest.index({'store': sys.argv[1]})"
)


def _run_limited(command: list[str], feeds: Feeds, limit: int) -> subprocess.CompletedProcess[str]:
    def limit_file_size() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        command,
        env=feeds.env(),
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=limit_file_size,
    )


@pytest.mark.parametrize(
    ("limit", "stage"),
    [(100_000, "opening"), (1_000_000, "fetching"), (4_000_000, "tagging")],
)
def test_a_full_disk_stops_the_cycle_clearly_and_the_next_one_loses_nothing(
    feeds: Feeds, clean: Snapshot, tagger: object, tmp_path: Path, limit: int, stage: str
) -> None:
    root = tmp_path / "store"
    feeds.server.release()
    run = _run_limited(ingest_command(feeds, root), feeds, limit)
    stderr = " ".join(run.stderr.split())
    assert run.returncode == 1 and "Traceback" not in stderr, stderr[-2000:]
    assert f"error: store {root / 'state.sqlite3'}: " in stderr
    assert "disk I/O error" in stderr
    staged, tagged = count(root, STAGED), count(root, TAGGED)
    where = {"opening": staged == 0, "fetching": 0 < staged < len(clean.articles)}
    where["tagging"] = staged == len(clean.articles) and 0 < tagged < staged
    assert where[stage], (staged, tagged)
    assert_same_as_clean(rerun(feeds, root, tagger), clean)


def test_a_full_disk_while_indexing(
    feeds: Feeds, clean: Snapshot, tagger: object, tmp_path: Path
) -> None:
    """The DAG's index task on a full disk: Tantivy's segment files are refused."""
    root = tmp_path / "store"
    feeds.server.release()
    settings = feeds.settings(root)
    store = EmbeddedStore(root)
    try:
        for spec in load_feeds(feeds.file):
            cycle.fetch_feed(spec, store, settings)
        cycle.tag_pending(store, tagger, settings)  # type: ignore[arg-type]
    finally:
        store.close()
    run = _run_limited([sys.executable, "-c", INDEX_TASK, str(root)], feeds, 200_000)
    stderr = " ".join(run.stderr.split())
    assert run.returncode == 1
    assert "StoreError: store " in stderr and "cannot write the articles index" in stderr
    # Tantivy names the OS error, or, when a writer thread met it first, a killed writer.
    assert "File too large" in stderr or "(is the disk full?)" in stderr, stderr[-2000:]
    assert count(root, "SELECT COUNT(*) FROM events WHERE indexed_at IS NULL") == len(clean.events)
    assert_same_as_clean(rerun(feeds, root, tagger), clean)
