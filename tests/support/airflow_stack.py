"""Airflow as a team deploys it, for one test: api-server, dag-processor and scheduler as
separate processes (LocalExecutor, SQLite metadata in a temporary AIRFLOW_HOME, the project's
`dags/`), driven through the REST API (v2, JWT) like an operator would.

Every wait polls against a generous deadline: a loaded 2-core machine is slow, and only a
stack that never gets there waits it out. Each component runs in its own process group,
so stopping it also stops the task processes it started.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx

from econsec.orchestration.dag_runs import pool_command

DAGS = Path(__file__).resolve().parents[2] / "dags"
AIRFLOW = str(Path(sys.executable).with_name("airflow"))
COMPONENTS = (["api-server", "--workers", "1"], ["dag-processor"], ["scheduler"])
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def airflow_env(home: Path, port: int, econsec: dict[str, str]) -> dict[str, str]:
    """Settings for the three components and the task processes they start."""
    return {
        **os.environ,
        **econsec,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": "4",  # a 2-core machine
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
    }


class AirflowStack:
    def __init__(self, home: Path, econsec_env: dict[str, str]):
        self.home = home
        self.port = free_port()
        self.env = airflow_env(home, self.port, econsec_env)
        self.base = f"http://127.0.0.1:{self.port}"
        self.processes: list[subprocess.Popen[bytes]] = []
        self.client = httpx.Client(base_url=self.base, timeout=60.0)

    def start(self) -> None:
        """Migrate, create the fetch pool as `econsec run` does, then start each component."""
        self.home.mkdir(parents=True, exist_ok=True)
        for setup in (["db", "migrate"], pool_command()[1:]):
            with (self.home / "setup.log").open("ab") as log:
                subprocess.run([AIRFLOW, *setup], env=self.env, stdout=log, stderr=log,
                               check=True)  # fmt: skip
        for args in COMPONENTS:
            log = (self.home / f"{args[0]}.log").open("wb")
            self.processes.append(
                subprocess.Popen(
                    [AIRFLOW, *args], env=self.env, stdout=log, stderr=log, start_new_session=True
                )  # fmt: skip
            )
        token = self.wait("the api-server answers", self._token, seconds=300)
        self.client.headers["Authorization"] = f"Bearer {token}"

    def stop(self) -> None:
        """SIGTERM to each process group, then SIGKILL to what is left."""
        self.client.close()
        for process in self.processes:
            _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + 60
        for process in self.processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(max(1.0, deadline - time.monotonic()))
            _signal_group(process, signal.SIGKILL)
            process.wait()

    def api(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.client.request(method, f"/api/v2{path}", **kwargs)
        response.raise_for_status()
        return response.json()

    def wait(self, what: str, probe: Callable[[], T | None], seconds: float = 900) -> T:
        """Until `probe` returns something (None, or an HTTP error, means not yet)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for process in self.processes:
                if process.poll() is not None:
                    raise AssertionError(f"{process.args} exited; logs in {self.home}")
            try:
                found = probe()
            except httpx.HTTPError:
                found = None
            if found is not None:
                return found
            time.sleep(2)
        raise AssertionError(f"waited {seconds:.0f} s for: {what}; logs in {self.home}")

    def _token(self) -> str | None:
        response = self.client.get("/auth/token")  # all users are admins here
        return str(response.json()["access_token"]) if response.is_success else None

    def dag_is_parsed(self, dag_id: str) -> bool | None:
        return True if self.client.get(f"/api/v2/dags/{dag_id}").is_success else None

    def finished_run(self, dag_id: str, run_id: str) -> dict[str, Any] | None:
        run: dict[str, Any] = self.api("GET", f"/dags/{dag_id}/dagRuns/{run_id}")
        return run if run["state"] in ("success", "failed") else None

    def task_instances(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        path = f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances"
        found: list[dict[str, Any]] = self.api("GET", path, params={"limit": 100})["task_instances"]
        return found


def _signal_group(process: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
