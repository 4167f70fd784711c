"""A loopback HTTP proxy in front of a search server, misbehaving on request.

- `fail(n, status)`: the next n matching requests are answered `status` (429, 503 ...)
  without reaching the server;
- `reject_items(n, status)`: the next n matching bulk requests are answered 200
  with every document rejected (`status` per item), nothing written;
- `go_down(after)`: once `after` more matching requests have passed, every
  request has its connection closed unanswered, as by a stopped server, until
  `come_back()`.

`seen` lists every request as "METHOD /path -> outcome". Forwarded requests
have the Elasticsearch vendor media types replaced by plain JSON, so that an
unmodified client (the CLI's) can talk to osmem-server through the proxy.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

PRODUCT = {"X-Elastic-Product": "Elasticsearch", "Content-Type": "application/json"}
MEDIA = ("accept", "content-type")


def _plain_type(value: str) -> str:
    if "vnd.elasticsearch+" not in value:
        return value
    return "application/x-ndjson" if "x-ndjson" in value else "application/json"


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass


class FaultProxy:
    def __init__(self, upstream: str):
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.seen: list[str] = []
        self.lock = threading.Lock()
        self._fail: tuple[int, int, str] = (0, 0, "")
        self._reject: tuple[int, int, str] = (0, 0, "")
        self._down_after: tuple[int, str] | None = None
        self.down = False
        self.httpd = _QuietServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FaultProxy:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def fail(self, count: int, status: int = 503, match: str = "") -> None:
        with self.lock:
            self._fail = (count, status, match)

    def reject_items(self, count: int, status: int = 429, match: str = "_bulk") -> None:
        with self.lock:
            self._reject = (count, status, match)

    def go_down(self, after: int = 0, match: str = "") -> None:
        with self.lock:
            self._down_after = (after, match)
            self.down = after == 0

    def come_back(self) -> None:
        with self.lock:
            self._down_after = None
            self.down = False

    def count(self, fragment: str) -> int:
        return sum(fragment in line for line in self.seen)

    # deciding ------------------------------------------------------------------

    def decide(self, request: str) -> tuple[str, int]:
        """What to do with one request: ("down" | "fail" | "reject" | "pass", status)."""
        with self.lock:
            if self.down:
                return "down", 0
            count, status, match = self._fail
            if count and match in request:
                self._fail = (count - 1, status, match)
                return "fail", status
            count, status, match = self._reject
            if count and match in request:
                self._reject = (count - 1, status, match)
                return "reject", status
            if self._down_after and self._down_after[1] in request:
                left, match = self._down_after
                self._down_after = (left - 1, match)
                self.down = left - 1 <= 0
            return "pass", 0

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()  # no Nagle: headers and body go out at once, no 40 ms stalls
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = f"{self.command} {self.path}"
                action, status = proxy.decide(request)
                with proxy.lock:
                    proxy.seen.append(f"{request} -> {action} {status or ''}".strip())
                if action == "down":
                    self.close_connection = True
                    return
                if action == "fail":
                    return self._reply(status, _error(status))
                if action == "reject":
                    return self._reply(200, _rejected(body, status))
                self._forward(body)

            def _forward(self, body: bytes) -> None:
                connection = http.client.HTTPConnection(*proxy.upstream, timeout=30)
                headers = {
                    name: _plain_type(value) if name.lower() in MEDIA else value
                    for name, value in self.headers.items()
                    if name.lower() != "host"
                }
                connection.request(self.command, self.path, body=body or None, headers=headers)
                response = connection.getresponse()
                data = response.read()
                connection.close()
                self.send_response(response.status)
                for name in ("Content-Type", "X-Elastic-Product"):
                    if response.getheader(name):
                        self.send_header(name, response.getheader(name) or "")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            def _reply(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                for name, value in PRODUCT.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _any

        return Handler


def _error(status: int) -> dict[str, Any]:
    kind = "es_rejected_execution_exception" if status == 429 else "unavailable_shards_exception"
    return {"error": {"type": kind, "reason": "injected by the test proxy"}, "status": status}


def _rejected(body: bytes, status: int) -> dict[str, Any]:
    """A bulk answer rejecting every document of the request, as a saturated node does."""
    items = []
    lines = [json.loads(line) for line in body.splitlines() if line.strip()]
    index = 0
    while index < len(lines):
        op, meta = next(iter(lines[index].items()))
        error = {"type": "es_rejected_execution_exception", "reason": "injected by the test proxy"}
        items.append({op: {"_id": meta.get("_id"), "status": status, "error": error}})
        index += 1 if op == "delete" else 2
    return {"took": 1, "errors": True, "items": items}
