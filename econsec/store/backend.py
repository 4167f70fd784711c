"""Which backend a store location names: the one place that tells them apart."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from econsec.config import Settings
    from econsec.store.protocols import Store


def is_remote(location: str) -> bool:
    return location.startswith(("http://", "https://"))


def open_store(location: str, settings: Settings | None = None, **options: Any) -> Store:
    """The backend a location names; nothing connects until it is used.

    An `http(s)://` URL is Elasticsearch, configured by `settings` (credentials,
    prefix, timeouts; from the environment when not given); `options` go to its
    client (tests pass a `node_class`, or a ready `client`). Anything else is a
    directory for the embedded store.
    """
    if is_remote(location):
        from econsec.config import load_settings
        from econsec.store.elastic.store import ElasticStore

        return ElasticStore(location, settings or load_settings(store=location), **options)
    from econsec.store.embedded.store import EmbeddedStore

    return EmbeddedStore(Path(location).expanduser())
