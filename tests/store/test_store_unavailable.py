"""The embedded store's search index unavailable mid-cycle: another process holds the Tantivy
writer through the index stage. The cycle fails with a clear error after fetching and
tagging; the next cycle indexes everything, once. (Elasticsearch going down mid-bulk is
tests/store/test_elastic_faults.py, through a loopback proxy.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from econsec.errors import StoreBusyError
from econsec.ingest import cycle
from econsec.ingest.feedfile import load_feeds
from econsec.store.embedded import tantivy_index
from econsec.store.embedded.store import EmbeddedStore
from tests.support.faults import Feeds, Snapshot, assert_same_as_clean, rerun, snapshot

pytestmark = pytest.mark.slow

HOLD_WRITER = """
import sys, tantivy
from econsec.store.embedded.tantivy_index import EVENT_FIELDS, build_schema
index = tantivy.Index(build_schema(EVENT_FIELDS), path=sys.argv[1], reuse=True)
writer = index.writer(heap_size=15_000_000, num_threads=1)
print("holding", flush=True)
sys.stdin.read()
"""


def test_index_writer_held_by_another_process(
    feeds: Feeds,
    clean: Snapshot,
    tagger: object,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tantivy_index, "LOCK_RETRIES", 3)  # give up in 0.7 s, not 25 s
    root = tmp_path / "store"
    store = EmbeddedStore(root)
    store.events_index  # noqa: B018 (creates the index the holder opens)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_WRITER, str(root / "events")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=feeds.env(),
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        feeds.server.release()
        with pytest.raises(StoreBusyError, match=r"store .*events: events index writer"):
            cycle.run_cycle(load_feeds(feeds.file), store, feeds.settings(root), tagger=tagger)  # type: ignore[arg-type]
    finally:
        store.close()
        holder.communicate("", timeout=30)
    stranded = snapshot(root)
    assert stranded.events == clean.events and stranded.pending[2] == len(clean.events)
    assert stranded.index_docs[1] == 0
    assert_same_as_clean(rerun(feeds, root, tagger), clean)
