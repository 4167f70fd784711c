"""The hostile corpus and a loopback server that serves it and misbehaves; the killed
cycle reuses one clean run of the sample feeds (`feeds`, `clean`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.faults import clean, feeds  # noqa: F401 (fixtures)
from tests.support.hostile_server import HostileServer
from tests.support.paths import FEED_FIXTURES, FIXTURES

CORPUS = FIXTURES / "hostile"


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    server = HostileServer(CORPUS, FEED_FIXTURES).start()
    yield server
    server.stop()
