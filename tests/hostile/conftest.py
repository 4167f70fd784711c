"""The hostile corpus and a loopback server that serves it and misbehaves."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import FEED_FIXTURES
from tests.hostile.hostile_server import HostileServer

CORPUS = Path(__file__).resolve().parent / "corpus"


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    server = HostileServer(CORPUS, FEED_FIXTURES).start()
    yield server
    server.stop()
