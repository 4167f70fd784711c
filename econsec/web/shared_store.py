"""The one store every request thread reads.

FastAPI runs the (synchronous) routes in a pool of worker threads, and both
stores may be shared by them: the embedded store's Tantivy searchers are safe
to share and its SQLite state gives each thread a connection of its own; an
Elasticsearch store is one thread-safe client. One store for all keeps one
index reader and its caches warm, instead of one per thread.
"""

from __future__ import annotations

from econsec.config import Settings
from econsec.store.backend import open_store
from econsec.store.protocols import Store


class SharedStore:
    def __init__(self, settings: Settings, given: Store | None = None):
        self._owned = given is None
        self._store = given if given is not None else open_store(settings.store, settings)
        self.backend = self._store.backend

    def get(self) -> Store:
        return self._store

    def close(self) -> None:
        """Closes the store if it was opened here; a store it was given stays its owner's."""
        if self._owned:
            self._store.close()
