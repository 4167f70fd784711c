"""Many clients at once against one server: the request threads share one store, and every
answer is the one a lone client gets. `econsec serve --workers 2` serves from two processes,
each with the command line's store, token and rules."""

from __future__ import annotations

import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from econsec.config import Settings
from econsec.errors import ConfigError
from econsec.store.embedded.store import EmbeddedStore
from econsec.web import create_app
from econsec.web.auth import COOKIE
from econsec.web.server import serve
from tests.support.live_server import LiveServer, wait_until_up
from tests.support.web_data import fill, write_rules
from tests.web.conftest import Site

CLIENTS = 8
PAUSE_SECONDS = 8  # longer than uvicorn's 5 s
# uvicorn's supervisor, replacing a worker it took for hung (or one that crashed)
LOST_WORKER = re.compile(r"Child process \[\d+\] (died|failed to start)")
TOKEN = "a-token-for-the-worker-processes"
PATHS = [
    "/api/events",
    "/api/events?" + urlencode({"q": "gallium"}),
    "/api/events?" + urlencode({"q": "chip OR gallium", "sort": "relevance"}),
    "/api/events?" + urlencode({"category": "export_control", "limit": 1, "page": 2}),
    "/api/timeline?" + urlencode({"q": "*"}),
    "/api/feeds",
    "/api/alerts/history",
]


def answers(base: str, paths: list[str], clients: int, **options: Any) -> list[Any]:
    """Each path's JSON, fetched by `clients` threads at once, each with its own client."""

    def fetch(chunk: list[str]) -> list[Any]:
        with httpx.Client(base_url=base, timeout=30.0, **options) as client:
            return [_json(client.get(path)) for path in chunk]

    chunks = [paths[n::clients] for n in range(clients)]
    with ThreadPoolExecutor(max_workers=clients) as pool:
        fetched = list(pool.map(fetch, chunks))
    by_path: dict[int, Any] = {}
    for n, chunk in enumerate(fetched):
        for position, answer in enumerate(chunk):
            by_path[n + position * clients] = answer
    return [by_path[n] for n in range(len(paths))]


def _json(response: httpx.Response) -> Any:
    assert response.status_code == 200, (response.url, response.text)
    return response.json()


def test_concurrent_clients_get_what_a_lone_client_gets(site: Site) -> None:
    alone = dict(zip(PATHS, answers(site.url, PATHS, 1), strict=True))
    many = PATHS * 6
    random.Random(2).shuffle(many)
    for path, answer in zip(many, answers(site.url, many, CLIENTS), strict=True):
        assert answer == alone[path], path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`econsec serve --workers 2` over a filled store, stopped (and waited for) after; a
    worker that uvicorn replaced meanwhile (as hung, or after a crash) fails the test."""
    store = EmbeddedStore(tmp_path / "store")
    fill(store)
    store.close()
    port = free_port()
    command = [
        str(Path(sys.executable).with_name("econsec")),
        "serve",
        "--port",
        str(port),
        "--store",
        str(tmp_path / "store"),
        "--rules",
        str(write_rules(tmp_path / "rules")),
        "--token",
        TOKEN,
        "--workers",
        "2",
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECONSEC_")}
    log = tmp_path / "serve.log"  # a file, not a pipe: a full pipe would block the server
    with log.open("w") as output:
        process = subprocess.Popen(
            command, env=env, stdout=output, stderr=subprocess.STDOUT, text=True
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, process, answers=6)
        yield base, process
    finally:
        process.terminate()
        process.wait(timeout=60)
    assert not LOST_WORKER.findall(log.read_text()), log.read_text()


def served_by(pid: int) -> list[int]:
    """The worker processes under the server's own process (uvicorn spawns them)."""
    workers = []
    for entry in Path("/proc").iterdir():
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue  # not a process, or one that just ended
        if parent == pid and b"spawn_main" in command:
            workers.append(int(entry.name))
    return workers


def test_worker_processes_share_the_port_and_the_settings(
    workers: tuple[str, subprocess.Popen[str]], tmp_path: Path
) -> None:
    base, process = workers
    assert len(served_by(process.pid)) == 2
    assert httpx.get(f"{base}/api/events", timeout=60).status_code == 401  # the token passed on
    bearer = {"headers": {"Authorization": f"Bearer {TOKEN}"}}
    searches = [path for path in PATHS if path.startswith("/api/events")]
    one_process = create_app(Settings(store=str(tmp_path / "store")))
    with LiveServer(one_process) as server:
        expected = answers(server.url, searches, 1)
    assert answers(base, searches * 4, 4, **bearer) == expected * 4
    rules = answers(base, ["/api/alerts/rules"], 1, **bearer)[0]
    assert {rule["name"] for rule in rules} == {"gallium-watch", "steel-deals"}


def test_a_worker_kept_waiting_is_not_killed_as_hung(
    workers: tuple[str, subprocess.Popen[str]],
) -> None:
    """On a busy machine a worker may not answer its supervisor's ping for seconds (the
    interpreter lock is taken); uvicorn's default took 5 s of silence for a hang and
    killed the worker. Stopped for longer than that, a worker is still the same after."""
    base, process = workers
    before = sorted(served_by(process.pid))
    os.kill(before[0], signal.SIGSTOP)
    try:
        time.sleep(PAUSE_SECONDS)
    finally:
        os.kill(before[0], signal.SIGCONT)
    time.sleep(2)  # the supervisor looks every half second
    assert sorted(served_by(process.pid)) == before
    with httpx.Client(base_url=base, timeout=60) as client:
        assert client.get("/healthz").status_code == 200


def test_a_logout_ends_the_session_in_every_worker(
    workers: tuple[str, subprocess.Popen[str]],
) -> None:
    base, _ = workers
    with httpx.Client(base_url=base, timeout=60, follow_redirects=False) as client:
        cookie = client.post("/login", data={"token": TOKEN}).cookies[COOKIE]
        client.cookies.set(COOKIE, cookie)
        assert client.get("/feeds").status_code == 200
        assert client.get("/logout").status_code == 303
    for _ in range(12):  # a new connection each time, taken by either worker
        with httpx.Client(base_url=base, timeout=60, cookies={COOKIE: cookie}) as copy:
            assert copy.get("/feeds", follow_redirects=False).status_code == 303


def test_no_workers_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--workers: must be 1 or more, not 0"):
        serve(Settings(store=str(tmp_path / "store")), "127.0.0.1", free_port(), workers=0)
