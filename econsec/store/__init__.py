"""Storage, the queue between stages: the protocols every backend implements
(`protocols`), `open_store` choosing the backend a location names, and the two
backends as twins, `embedded/` (Tantivy + SQLite) and `elastic/` (Elasticsearch)."""

from econsec.store.protocols import (
    STORY_LIMIT,
    SearchKind,
    Store,
    initialise,
    is_remote,
    open_store,
)

__all__ = ["STORY_LIMIT", "SearchKind", "Store", "initialise", "is_remote", "open_store"]
