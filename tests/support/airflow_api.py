"""A small stand-in for Airflow's API server on loopback: the few routes `AirflowTrigger` uses
(`POST /auth/token`, `GET /api/v2/dags/ID`, `POST` and `GET .../dagRuns`, the `announce`
XCom), answering as Airflow 3 does, with knobs for the failures the client must name.

The real api-server is tested in tests/dags/test_scheduler.py; this one lets a test say
"the token expired" or "the DAG is paused" in one line and see every request sent.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.support.feed_server import LoopbackServer

USER, PASSWORD = "econsec", "s3cret"


@dataclass
class Behaviour:
    users: dict[str, str] = field(default_factory=lambda: {USER: PASSWORD})
    dags: dict[str, bool] = field(default_factory=lambda: {"econsec_ingest": False})  # paused?
    tokens: set[str] = field(default_factory=set)  # tokens it accepts now
    fail_trigger: tuple[int, str] | None = None  # status and detail for the next POST dagRuns
    states: list[str] = field(default_factory=lambda: ["queued", "running", "success"])
    summary: dict[str, Any] | None = field(
        default_factory=lambda: {"feeds_ok": 1, "new_articles": 3, "new_events": 2}
    )


class AirflowApi(LoopbackServer):
    def __init__(self) -> None:
        self.behaviour = Behaviour()
        self.requests: list[tuple[str, str, dict[str, Any] | None, str | None]] = []
        self.runs: dict[str, dict[str, Any]] = {}
        super().__init__(self._handler())

    def issue_token(self) -> str:
        token = secrets.token_urlsafe(16)
        self.behaviour.tokens.add(token)
        return token

    def sent(self, method: str, path_start: str) -> list[dict[str, Any] | None]:
        """The JSON bodies of the requests sent so far to paths starting so."""
        return [b for m, p, b, _ in self.requests if m == method and p.startswith(path_start)]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                self._route("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._route("POST")

            def _route(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                auth = self.headers.get("Authorization")
                api.requests.append((method, self.path, body, auth))
                if method == "POST" and self.path == "/auth/token":
                    return self._login(body or {})
                if not auth or auth.removeprefix("Bearer ") not in api.behaviour.tokens:
                    return self._json(401, {"detail": "Not authenticated"})
                parts = self.path.split("?", 1)[0].removeprefix("/api/v2/dags/").split("/")
                dag_id = parts[0]
                if dag_id not in api.behaviour.dags:
                    return self._json(404, {"detail": f"The Dag with ID: `{dag_id}` was not found"})
                if len(parts) == 1:
                    paused = api.behaviour.dags[dag_id]
                    return self._json(200, {"dag_id": dag_id, "is_paused": paused})
                if method == "POST":
                    return self._trigger(body or {})
                if len(parts) == 3:
                    return self._run(parts[2])
                return self._xcom(parts[2])

            def _login(self, body: dict[str, Any]) -> None:
                if api.behaviour.users.get(body.get("username", "")) != body.get("password"):
                    return self._json(401, {"detail": "Invalid credentials"})
                self._json(201, {"access_token": api.issue_token()})

            def _trigger(self, body: dict[str, Any]) -> None:
                if api.behaviour.fail_trigger:
                    status, detail = api.behaviour.fail_trigger
                    api.behaviour.fail_trigger = None
                    return self._json(status, {"detail": detail})
                run_id = body["dag_run_id"]
                if run_id in api.runs:
                    return self._json(409, {"detail": "Unique constraint violation"})
                api.runs[run_id] = {"dag_run_id": run_id, "conf": body["conf"], "polls": 0}
                self._json(200, {"dag_run_id": run_id, "state": "queued"})

            def _run(self, run_id: str) -> None:
                run = api.runs[run_id]
                states = api.behaviour.states
                state = states[min(run["polls"], len(states) - 1)]
                run["polls"] += 1
                self._json(200, {"dag_run_id": run_id, "state": state})

            def _xcom(self, run_id: str) -> None:
                if api.behaviour.summary is None:
                    return self._json(404, {"detail": "XCom entry not found"})
                self._json(200, {"key": "return_value", "value": api.behaviour.summary})

            def _json(self, status: int, data: dict[str, Any]) -> None:
                payload = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        return Handler
