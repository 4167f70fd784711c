"""Storage, the queue between stages: the protocols every backend implements
(`protocols`), `open_store` choosing the backend a location names (`backend`), and the
two backends as twins, `embedded/` (Tantivy + SQLite) and `elastic/` (Elasticsearch),
each with its own alert state."""

from econsec.store.backend import is_remote, open_store
from econsec.store.protocols import STORY_LIMIT, AlertState, Learned, SearchKind, Silence, Store

__all__ = [
    "STORY_LIMIT",
    "AlertState",
    "Learned",
    "SearchKind",
    "Silence",
    "Store",
    "is_remote",
    "open_store",
]
