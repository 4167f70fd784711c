"""A real uvicorn server on a free loopback port, in a thread, for API and browser tests."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from types import TracebackType

import httpx
import uvicorn
from fastapi import FastAPI

START_SECONDS = 120.0  # a loaded 2-core machine may take long; a server that is up is not held


class LiveServer:
    def __init__(self, app: FastAPI):
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        config = uvicorn.Config(app, log_level="warning", lifespan="on", server_header=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self.socket.getsockname()[:2]
        return f"http://{host}:{port}"

    def start(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + START_SECONDS
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the web server on {self.url} did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(START_SECONDS)
        self.socket.close()

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()


def wait_until_up(
    base: str, process: subprocess.Popen[str], seconds: float = START_SECONDS, answers: int = 1
) -> None:
    """Until an `econsec serve` subprocess answers its health check `answers` times in a
    row (or has exited): generous, since only a server that never comes up waits it out."""
    deadline, answered = time.monotonic() + seconds, 0
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"econsec serve exited with {process.returncode}")
        try:
            answered = answered + 1 if _healthy(base) else 0
        except httpx.TransportError:
            answered = 0
            time.sleep(0.2)
        if answered >= answers:
            return
    raise AssertionError(f"econsec serve did not answer on {base} within {seconds}s")


def _healthy(base: str) -> bool:
    with httpx.Client(timeout=30.0) as fresh:  # a new connection: any worker may take it
        return fresh.get(f"{base}/healthz").status_code == 200
