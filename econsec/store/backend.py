"""Which backend a store location names: the one place that tells them apart."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from econsec.errors import ConfigError, StoreError

if TYPE_CHECKING:
    from econsec.config import Settings
    from econsec.store.protocols import Store


SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
STATE_FILE = "state.sqlite3"  # what makes a directory an embedded store


def is_remote(location: str) -> bool:
    return location.startswith(("http://", "https://"))


def check_location(location: str, *, existing: bool) -> None:
    """Refuse a location that cannot be a store before anything is made there: nothing,
    another scheme, a file; with `existing`, a directory that holds no store (reading
    commands must not create one where a path was mistyped). Remote stores are left to
    their first request."""
    if not location.strip():
        raise ConfigError("empty: give a directory or an http(s):// URL", field="store")
    if is_remote(location):
        return
    if SCHEME.match(location):
        raise ConfigError(
            f"{location!r} is neither a directory nor an http(s):// URL", field="store"
        )
    path = Path(location).expanduser()
    if path.exists() and not path.is_dir():
        raise StoreError(location, "is not a directory")
    if existing and not path.exists():
        raise StoreError(
            location, "does not exist (create it with `econsec init` or `econsec ingest`)"
        )
    if existing and not (path / STATE_FILE).is_file():
        raise StoreError(location, f"is not an econsec store: it holds no {STATE_FILE}")


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
