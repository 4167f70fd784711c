"""Web tests run a real uvicorn server on loopback over a real store: the embedded store, and
osmem-server speaking the Elasticsearch REST API (from `tests/support/backends.py`). One
filled store and one server per module and backend keep the suite fast."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from econsec.alerts import load_rules, run_rules
from econsec.models import Event
from econsec.store import Store
from econsec.web import create_app
from tests.support.backends import (  # noqa: F401 (fixtures shared with the store suite)
    Backend,
    delete_prefix,
    make_backend,
    osmem_server,
)
from tests.support.live_server import LiveServer
from tests.support.web_data import RULES, fill, write_rules

WEB_BACKENDS = ["embedded", "osmem"]


@dataclass
class Site:
    """A running server over a filled store."""

    backend: Backend
    store: Store
    events: dict[str, Event]
    rules: Path
    server: LiveServer

    @property
    def url(self) -> str:
        return self.server.url

    def client(self, **options: object) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30.0, **options)  # type: ignore[arg-type]


def fire_alerts(store: Store, rules: Path, name: str) -> int:
    """Run one rule of the folder for real, so that the alert history has something."""
    chosen = [rule for rule in load_rules(rules) if rule.name == name]
    state = store.alert_state()
    try:
        return len(run_rules(store, chosen, state).alerts)
    finally:
        state.close()


@contextmanager
def running_site(
    name: str,
    request: pytest.FixtureRequest,
    tmp: pytest.TempPathFactory,
    filler: Callable[[Store], dict[str, Event]] = fill,
    rules: dict[str, dict[str, Any]] = RULES,
    fired: tuple[str, ...] = ("gallium-watch",),
    **settings: Any,
) -> Iterator[Site]:
    """A store on backend `name` filled by `filler`, its rules run, and a server over it."""
    backend = make_backend(name, request, tmp.mktemp("web"))
    store = backend.open()
    try:
        made = filler(store)
        folder = write_rules(tmp.mktemp("rules"), rules)
        for rule in fired:
            assert fire_alerts(store, folder, rule) >= 1, rule
        app = create_app(backend.settings(**settings), store, rules=folder)
        with LiveServer(app) as server:
            yield Site(backend, store, made, folder, server)
    finally:
        store.close()
        if backend.url:
            delete_prefix(backend)


@pytest.fixture(scope="module", params=WEB_BACKENDS)
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    with running_site(request.param, request, tmp_path_factory) as running:
        yield running


@pytest.fixture
def client(site: Site) -> Iterator[httpx.Client]:
    with site.client() as opened:
        yield opened
