"""One embedded store shared by threads, as the web server shares it: searches from many
threads at once give what the same searches give one at a time, each thread reads SQLite
through a connection of its own, and those connections are closed when their thread ends or
the store closes."""

from __future__ import annotations

import os
import random
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from econsec.errors import StoreError
from econsec.models import SearchQuery
from econsec.store.embedded.store import EmbeddedStore
from tests.support.collapse_data import SECONDS, events, write

THREADS = 8
QUERIES = [
    SearchQuery(facets=True),
    SearchQuery(q="gallium", facets=True),
    SearchQuery(q="chip OR lithium", sort="relevance", offset=20),
    SearchQuery(q="NOT japan", limit=50, collapse=False),
    SearchQuery(q="ban", since=SECONDS[5], until=SECONDS[40] + timedelta(seconds=1)),
    SearchQuery(q="graphite", categories=["export_control"], limit=0, facets=True),
]


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStore]:
    store = EmbeddedStore(tmp_path_factory.mktemp("shared") / "store")
    write(store, events(900, seed=5), batches=3)
    yield store
    store.close()


def test_concurrent_searches_give_the_serial_results(shared: EmbeddedStore) -> None:
    serial = [shared.search(query) for query in QUERIES]
    counts = shared.counts()
    order = [n for n in range(len(QUERIES)) for _ in range(THREADS)]
    random.Random(1).shuffle(order)

    def one(n: int) -> tuple[int, dict[str, Any], dict[str, int]]:
        return n, shared.search(QUERIES[n]), shared.counts()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        answers = list(pool.map(one, order))
    assert len(answers) == len(order)
    for n, answer, answer_counts in answers:
        assert answer == serial[n], QUERIES[n]
        assert answer_counts == counts


def state_files(store: EmbeddedStore) -> int:
    """Open descriptors on the store's SQLite file in this process. SQLite keeps a closed
    connection's descriptor for the next one while another holds the file, so this bounds
    the connections rather than counting them."""
    target = os.path.realpath(store.state.path)
    return sum(1 for fd in Path("/proc/self/fd").iterdir() if os.path.realpath(fd) == target)


def test_threads_at_once_each_have_a_connection(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    inside, leave = threading.Barrier(THREADS + 1), threading.Event()
    connections: list[int] = []

    def reader() -> None:
        store.counts()
        connections.append(id(store.state.db))
        inside.wait()
        leave.wait()

    threads = [threading.Thread(target=reader) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    inside.wait()
    assert len(set(connections)) == THREADS and id(store.state.db) not in connections
    leave.set()
    for thread in threads:
        thread.join()
    store.close()


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts descriptors in /proc")
def test_threads_that_come_and_go_leave_no_connection_behind(tmp_path: Path) -> None:
    """A web server's pool ends idle threads and starts new ones."""
    store = EmbeddedStore(tmp_path / "store")
    for _ in range(30):
        thread = threading.Thread(target=store.counts)
        thread.start()
        thread.join()
    assert state_files(store) <= 2
    store.close()
    assert state_files(store) == 0


def test_a_closed_store_opens_no_new_connection(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    store.close()
    failures: list[BaseException] = []

    def late() -> None:
        try:
            store.counts()
        except StoreError as exc:
            failures.append(exc)

    thread = threading.Thread(target=late)
    thread.start()
    thread.join()
    assert len(failures) == 1 and "the state database was closed" in str(failures[0])
