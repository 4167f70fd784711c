"""A real HTTP server on loopback that serves feed fixtures and misbehaves on request.

Paths: `/feed/NAME` serves a fixture with ETag and Last-Modified (304 when the
validators match); `/page/NAME` an article page of tests/fixtures/pages as HTML;
`/status/CODE`, `/slow/SECONDS`, `/trickle` (a body that never ends),
`/redirect-loop`, `/big/BYTES`.
"""

from __future__ import annotations

import hashlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Self

from tests.support.paths import PAGE_FIXTURES

LAST_MODIFIED = "Wed, 01 May 2024 08:00:00 GMT"


class QuietServer(ThreadingHTTPServer):
    """Clients that hang up on purpose (timeouts, caps) are expected, not errors."""

    def handle_error(self, request: object, client_address: object) -> None:
        pass


class LoopbackServer:
    """A threaded HTTP server on a free loopback port, run in a thread; subclasses give the
    request handler."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]):
        self.stopping = threading.Event()
        self.httpd = QuietServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def start(self) -> Self:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()


class FeedServer(LoopbackServer):
    def __init__(self, root: Path):
        self.root = root
        self.requests: list[tuple[str, dict[str, str]]] = []
        super().__init__(self._handler())

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                server.requests.append((self.path, dict(self.headers)))
                kind, _, arg = self.path.lstrip("/").partition("/")
                getattr(self, f"serve_{kind.replace('-', '_')}", self.serve_missing)(arg)

            def serve_missing(self, _: str) -> None:
                self.send_error(404)

            def serve_feed(self, name: str) -> None:
                path = server.root / name
                if not path.is_file():
                    return self.send_error(404)
                body = path.read_bytes()
                etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return None
                self._send(200, body, {"ETag": etag, "Last-Modified": LAST_MODIFIED})
                return None

            def serve_page(self, name: str) -> None:
                path = PAGE_FIXTURES / name
                if not path.is_file():
                    return self.send_error(404)
                self._send(200, path.read_bytes(), {"Content-Type": "text/html; charset=utf-8"})
                return None

            def serve_status(self, code: str) -> None:
                self._send(int(code), b"<html>error</html>", {"Content-Type": "text/html"})

            def serve_slow(self, seconds: str) -> None:
                time.sleep(float(seconds))
                self._send(200, b"<rss version='2.0'><channel></channel></rss>", {})

            def serve_trickle(self, _: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.end_headers()
                self.wfile.write(b"<rss version='2.0'><channel>")
                while not server.stopping.is_set():
                    try:
                        self.wfile.write(b"<!-- ... -->")
                        self.wfile.flush()
                    except OSError:
                        return
                    time.sleep(0.2)

            def serve_redirect_loop(self, _: str) -> None:
                self.send_response(302)
                self.send_header("Location", "/redirect-loop/again")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def serve_big(self, size: str) -> None:
                self._send(200, b"<" + b"x" * int(size), {"Content-Type": "application/xml"})

            def _send(self, code: int, body: bytes, headers: dict[str, str]) -> None:
                self.send_response(code)
                headers.setdefault("Content-Type", "application/rss+xml; charset=utf-8")
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler
