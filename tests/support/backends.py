"""Backends for the store contract suite: embedded always, osmem-server (a real HTTP server
speaking the Elasticsearch REST API, started here on a free loopback port) always, and a
real Elasticsearch when `ECONSEC_TEST_ES_URL` is set (credentials from the usual
`ECONSEC_ES_*` variables). Every Elasticsearch-side test works under its own
`test-<random>` prefix and deletes its indices and templates afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import Elasticsearch
from osmem_server import OsmemServer

from econsec.config import Settings
from econsec.store import Store, open_store
from econsec.store.elastic.client import make_client
from econsec.store.elastic.store import ElasticStore
from tests.support.fault_proxy import FaultProxy
from tests.support.paths import FIXTURES
from tests.support.plain_json import PlainJsonNode

ES_URL = os.environ.get("ECONSEC_TEST_ES_URL", "")
BACKENDS = [
    "embedded",
    "osmem",
    pytest.param(
        "elasticsearch",
        marks=pytest.mark.skipif(not ES_URL, reason="set ECONSEC_TEST_ES_URL for a real cluster"),
    ),
]
BACKOFF = 0.01  # seconds; retries are exercised, not waited for


@dataclass
class Backend:
    """One store location, and how to open a store there."""

    name: str
    root: Path
    url: str = ""
    prefix: str = "econsec"
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def location(self) -> str:
        return self.url or str(self.root / "store")

    def settings(self, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "store": self.location,
            "feeds": str(FIXTURES / "cycle_feeds.yaml"),
            "es_index_prefix": self.prefix,
            "es_max_retries": 2,
            "es_request_timeout": 10.0,
            "connect_timeout": 1.0,
            "read_timeout": 1.0,
            "fetch_deadline": 3.0,
            **overrides,
        }
        return Settings(**values)

    def open(self, **overrides: Any) -> Store:
        settings = self.settings(**overrides)
        return open_store(settings.store, settings, backoff=BACKOFF, **self.options)

    def behind(self, proxy: FaultProxy) -> Backend:
        """The same indices, reached through `proxy`."""
        return Backend(self.name, self.root, proxy.url, self.prefix, self.options)

    def admin(self) -> Elasticsearch:
        return make_client(self.url, self.settings(), BACKOFF, **self.options)


@pytest.fixture(scope="session")
def osmem_server() -> Iterator[OsmemServer]:
    """One osmem-server for the session, on a free loopback port, writable (not frozen)."""
    server = OsmemServer.start(freeze=False, japanese=False)
    yield server
    server.close()


def elastic_backend(name: str, url: str, root: Path, options: dict[str, Any]) -> Backend:
    return Backend(name, root, url, f"test-{uuid.uuid4().hex[:10]}", options)


def osmem_backend(request: pytest.FixtureRequest, root: Path) -> Backend:
    server: OsmemServer = request.getfixturevalue("osmem_server")
    return elastic_backend("osmem", server.url, root, {"node_class": PlainJsonNode})


def delete_prefix(backend: Backend) -> None:
    """Drop the test's indices, templates and policy (by name: wildcard deletes may be refused)."""
    client = backend.admin()
    try:
        quiet = client.options(ignore_status=404)
        for index in quiet.indices.get(index=f"{backend.prefix}-*"):
            quiet.indices.delete(index=index)
        found = quiet.indices.get_index_template(name=f"{backend.prefix}-*")
        for template in found.get("index_templates", []):
            quiet.indices.delete_index_template(name=template["name"])
        parts = quiet.cluster.get_component_template(name=f"{backend.prefix}-*")
        for part in parts.get("component_templates", []):  # after the templates using them
            quiet.cluster.delete_component_template(name=part["name"])
        if backend.name == "elasticsearch":  # osmem-server has no ILM
            quiet.ilm.delete_lifecycle(name=f"{backend.prefix}-rollover")
    finally:
        client.close()


def make_backend(name: str, request: pytest.FixtureRequest, root: Path) -> Backend:
    if name == "embedded":
        return Backend(name, root)
    if name == "osmem":
        return osmem_backend(request, root)
    return elastic_backend(name, ES_URL, root, {})


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    chosen = make_backend(request.param, request, tmp_path)
    yield chosen
    if chosen.url:
        delete_prefix(chosen)


@pytest.fixture
def osmem(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """An osmem backend alone, for tests of what only the Elasticsearch side does."""
    chosen = osmem_backend(request, tmp_path)
    yield chosen
    delete_prefix(chosen)


@pytest.fixture
def es(osmem: Backend) -> Iterator[ElasticStore]:
    """The osmem backend's store, typed as the Elasticsearch store it is."""
    opened = osmem.open()
    assert isinstance(opened, ElasticStore)
    yield opened
    opened.close()


@pytest.fixture
def store(backend: Backend) -> Iterator[Store]:
    opened = backend.open()
    yield opened
    opened.close()


@pytest.fixture
def proxy(osmem_server: OsmemServer) -> Iterator[FaultProxy]:
    """A fault-injecting proxy in front of the session's osmem-server."""
    running = FaultProxy(osmem_server.url).start()
    yield running
    running.stop()
