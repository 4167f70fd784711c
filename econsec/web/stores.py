"""The store each request thread reads.

FastAPI runs the (synchronous) routes in a pool of worker threads. The
embedded store's SQLite connection may only be used by the thread that opened
it, so every worker thread opens its own embedded store on the same directory
(Tantivy readers never block one another). An Elasticsearch store is one
thread-safe client, shared by all.
"""

from __future__ import annotations

import threading
from pathlib import Path

from econsec.config import Settings
from econsec.store import Store, open_store
from econsec.store.embedded import EmbeddedStore


class StorePool:
    def __init__(self, settings: Settings, given: Store | None = None):
        self._owned = given is None
        store = given if given is not None else open_store(settings.store, settings)
        self.backend = "embedded" if isinstance(store, EmbeddedStore) else "elasticsearch"
        self._root: Path | None = None
        self._shared: Store | None = store
        if isinstance(store, EmbeddedStore):
            self._root, self._shared = store.root, None
            if self._owned:
                store.close()  # it only told where the store lives
        self._local = threading.local()

    def get(self) -> Store:
        """This thread's store: call it in the route's body, not in a dependency, which
        FastAPI may run on another thread."""
        if self._shared is not None:
            return self._shared
        store: EmbeddedStore | None = getattr(self._local, "store", None)
        if store is None:
            assert self._root is not None
            store = self._local.store = EmbeddedStore(self._root)
        return store

    def close(self) -> None:
        """Closes the shared client it opened. The per-thread SQLite connections can only
        be closed by their own threads; they close when the pool is collected."""
        if self._owned and self._shared is not None:
            self._shared.close()
