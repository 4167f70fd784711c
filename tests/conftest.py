"""Shared fixtures. Airflow reads AIRFLOW_HOME at import: it is set before anything imports it."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

_AIRFLOW_HOME = tempfile.mkdtemp(prefix="econsec-airflow-")
os.environ["AIRFLOW_HOME"] = _AIRFLOW_HOME
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(Path(__file__).resolve().parents[1] / "dags")

import pytest  # noqa: E402

from econsec.config import Settings  # noqa: E402
from econsec.store.embedded.store import EmbeddedStore  # noqa: E402
from tests.support.backends import es, osmem, osmem_server, proxy  # noqa: E402,F401 (fixtures)
from tests.support.feed_server import FeedServer  # noqa: E402
from tests.support.paths import FEED_FIXTURES, FIXTURES  # noqa: E402


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Small caps for speed; loopback allowed explicitly, since the feed servers live there
    (the default refuses it: tests/ingest/test_network_safety.py)."""
    return Settings(
        store=str(tmp_path / "store"),
        feeds=str(FIXTURES / "cycle_feeds.yaml"),
        connect_timeout=1.0,
        read_timeout=1.0,
        fetch_deadline=3.0,
        max_feed_bytes=1_000_000,
        allowed_feed_hosts=["127.0.0.0/8"],
    )


@pytest.fixture
def store(settings: Settings) -> Iterator[EmbeddedStore]:
    st = EmbeddedStore(Path(settings.store))
    yield st
    st.close()


@pytest.fixture(scope="session")
def tagger():  # type: ignore[no-untyped-def]
    """The real spaCy tagger, loaded once per session."""
    from extractors.pipeline import EventTagger

    return EventTagger()


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer(FEED_FIXTURES)
    server.start()
    yield server
    server.stop()
