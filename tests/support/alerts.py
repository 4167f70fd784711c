"""Alert tests run on both real backends (the embedded store, and osmem-server speaking the
Elasticsearch REST API on loopback, from `tests/support/backends.py`) with events from
`tests.support.factories` (no spaCy), and deliver to a real HTTP receiver on loopback."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from econsec.alerts.rules import Rule, load_rule
from econsec.models import Event
from econsec.store import AlertState, Store
from econsec.store.elastic.store import ElasticStore
from econsec.store.embedded.store import EmbeddedStore
from tests.support import factories
from tests.support.backends import (  # noqa: F401 (fixtures shared with the store suite)
    Backend,
    delete_prefix,
    make_backend,
    osmem,
    osmem_server,
    proxy,
)

ALERT_BACKENDS = ["embedded", "osmem"]


@pytest.fixture(params=ALERT_BACKENDS)
def alert_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    chosen = make_backend(request.param, request, tmp_path)
    yield chosen
    if chosen.url:
        delete_prefix(chosen)


@pytest.fixture
def store(alert_backend: Backend) -> Iterator[Store]:
    opened = alert_backend.open()
    yield opened
    opened.close()


@pytest.fixture
def state(store: Store) -> Iterator[AlertState]:
    opened = store.alert_state()
    yield opened
    opened.close()


def add_events(store: Store, *events: Event) -> None:
    """Save and index events the way the tag and index stages do."""
    store.save_tagged([], list(events))
    store.index_pending()


def restamp(store: Store, stamp: str, ids: list[str] | None = None) -> None:
    """Pretend events (`ids`, or all) were indexed at `stamp`, on either backend."""
    if isinstance(store, EmbeddedStore):
        where, args = (f" WHERE id IN ({','.join('?' * len(ids))})", ids) if ids else ("", [])
        with sqlite3.connect(store.root / "state.sqlite3") as db:
            db.execute(f"UPDATE events SET indexed_at = ?{where}", [stamp, *args])
        return
    assert isinstance(store, ElasticStore)
    calls, index = store.calls, store.names.events
    query = {"ids": {"values": ids}} if ids else {"match_all": {}}
    for hit in list(calls.scan(index, query, [{"id": {"order": "asc"}}], source=False)):
        calls.client.update(
            index=hit["_index"], id=hit["_id"], doc={"indexed_at": stamp}, refresh="wait_for"
        )


def story(
    n: int, type_: str = "export_control.restriction", copies: int = 1, **extra: Any
) -> list[Event]:
    """One story told by `copies` outlets: events sharing a story and a cluster id."""
    day = extra.pop("day", 1)
    first = factories.article(n, title=f"Story {n} about chips", day=day)
    cluster = factories.stable_id(first.id, type_)
    found = []
    for copy in range(copies):
        art = factories.article(
            n * 100 + copy,
            title=f"Story {n} about chips",
            day=day,
            source=f"Outlet {copy}",
            story_id=first.id,
        )
        found.append(factories.event(art, type_, cluster_id=cluster, **extra))
    return found


def two_types(n: int, *types: str, **extra: Any) -> list[Event]:
    """One article tagged with several types: one story, one cluster per type, as the tag
    stage makes them."""
    day = extra.pop("day", 1)
    art = factories.article(n, title=f"Story {n} about chips", day=day)
    return [factories.event(art, type_, **extra) for type_ in types]


def write_rule(folder: Path, **options: Any) -> Rule:
    options.setdefault("name", "test-rule")
    options.setdefault("condition", {"type": "any"})
    path = folder / f"{options['name']}.yaml"
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(options), encoding="utf-8")
    return load_rule(path)


def now() -> datetime:
    return datetime.now(UTC)


class Receiver:
    """An HTTP server on 127.0.0.1 taking Apprise `json://` posts; it can be told to fail."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        self.fail_next = 0
        self.hold = 0.0  # seconds each answer waits, so that runners overlap
        self.auth: list[str | None] = []  # each POST's Authorization header
        self.paths: list[str] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                time.sleep(receiver.hold)
                receiver.auth.append(self.headers.get("Authorization"))
                receiver.paths.append(self.path)
                if receiver.fail_next:
                    receiver.fail_next -= 1
                    self.send_response(503)
                else:
                    receiver.posts.append(json.loads(body))
                    self.send_response(200)
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.httpd.server_address[1]}/hook"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    running.thread.start()
    yield running
    running.httpd.shutdown()
    running.httpd.server_close()
