"""A loopback HTTP server that serves hostile feeds and misbehaves the ways servers on the open
web do. Each path names its behaviour:

- `/file/NAME`: a file from the corpus folders;
- `/flood/BYTES`: a feed-looking body of BYTES bytes, chunked, with no Content-Length;
- `/endless`: a body that never ends, as fast as the client reads;
- `/trickle`: a body that never ends, a few bytes now and then;
- `/gzip-bomb/BYTES`: gzip of BYTES zero bytes (200 MB pack into about 200 KB);
- `/bad-gzip`, `/brotli`: a body that is not the gzip it claims, an encoding we never asked for;
- `/redirect-loop`, `/redirect?to=URL`: redirects;
- `/busy/KEY?times=N&status=503&retry_after=VALUE`: N answers `status` (with Retry-After when
  given), then the valid feed;
- `/counted/KEY`: the valid feed after a pause, counting how many such requests overlap;
- `/stall/NAME`: holds the request until `release()`, then serves the file.
"""

from __future__ import annotations

import gzip
import threading
import time
from collections import Counter
from functools import cache
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tests.support.feed_server import LoopbackServer

VALID_FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Counted Wire</title>
<item><title>Canada orders a Chinese firm to sell its lithium stake</title>
<link>https://fixtures.example.com/counted/1</link>
<pubDate>Wed, 02 Nov 2022 20:00:00 GMT</pubDate>
<description>The industry minister cited national security.</description></item>
</channel></rss>
"""
FEED_START = b"<?xml version='1.0'?><rss version='2.0'><channel><title>Flood</title>"


@cache
def gzip_bomb(size: int) -> bytes:
    return gzip.compress(b"\0" * size, compresslevel=9)


class HostileServer(LoopbackServer):
    def __init__(self, *roots: Path, hold_seconds: float = 0.3):
        self.roots = roots
        self.hold_seconds = hold_seconds
        self.paths: list[str] = []
        self.user_agents: list[str] = []
        self.busy_answers: Counter[str] = Counter()
        self.in_flight = 0
        self.most_in_flight = 0
        self.lock = threading.Lock()
        self.released = threading.Event()
        self.stalled = threading.Event()
        super().__init__(self._handler())

    def stop(self) -> None:
        self.released.set()  # free the requests held at /stall/
        super().stop()

    def release(self) -> None:
        self.released.set()

    def hold(self) -> None:
        """Make `/stall/` hold requests again (after an earlier `release()`)."""
        self.stalled.clear()
        self.released.clear()

    def file(self, name: str) -> bytes | None:
        for root in self.roots:
            if (root / name).is_file():
                return (root / name).read_bytes()
        return None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                with server.lock:
                    server.paths.append(self.path)
                    server.user_agents.append(self.headers.get("User-Agent", ""))
                parts = urlsplit(self.path)
                kind, _, arg = parts.path.lstrip("/").partition("/")
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                handler = getattr(self, f"serve_{kind.replace('-', '_')}", None)
                if handler is None:
                    return self.send_error(404)
                return handler(arg, query)

            def serve_file(self, name: str, _: dict[str, str]) -> None:
                body = server.file(name)
                if body is None:
                    return self.send_error(404)
                return self._send(200, body)

            def serve_flood(self, size: str, _: dict[str, str]) -> None:
                self._start_unsized()
                left = int(size)
                chunk = b"<item><title>flood</title></item>" * 2000
                self._write(FEED_START)
                while left > 0 and self._write(chunk[:left]):
                    left -= len(chunk)

            def serve_endless(self, _: str, __: dict[str, str]) -> None:
                self._start_unsized()
                chunk = b"<!-- more -->" * 5000
                self._write(FEED_START)
                while not server.stopping.is_set() and self._write(chunk):
                    pass

            def serve_trickle(self, _: str, __: dict[str, str]) -> None:
                self._start_unsized()
                self._write(FEED_START)
                while not server.stopping.is_set() and self._write(b"<!-- . -->"):
                    time.sleep(0.2)

            def serve_gzip_bomb(self, size: str, _: dict[str, str]) -> None:
                self._send(200, gzip_bomb(int(size)), {"Content-Encoding": "gzip"})

            def serve_bad_gzip(self, _: str, __: dict[str, str]) -> None:
                self._send(200, b"this is not gzip at all" * 10, {"Content-Encoding": "gzip"})

            def serve_brotli(self, _: str, __: dict[str, str]) -> None:
                self._send(200, b"\x1b\x03\x00\xf8", {"Content-Encoding": "br"})

            def serve_redirect_loop(self, _: str, __: dict[str, str]) -> None:
                self._redirect("/redirect-loop/again")

            def serve_redirect(self, _: str, query: dict[str, str]) -> None:
                self._redirect(query["to"])

            def serve_busy(self, key: str, query: dict[str, str]) -> None:
                with server.lock:
                    server.busy_answers[key] += 1
                    answered = server.busy_answers[key]
                if answered > int(query.get("times", "1")):
                    return self._send(200, VALID_FEED)
                headers = {"Content-Type": "text/html"}
                if "retry_after" in query:
                    headers["Retry-After"] = query["retry_after"]
                return self._send(int(query.get("status", "503")), b"busy", headers)

            def serve_counted(self, _: str, __: dict[str, str]) -> None:
                with server.lock:
                    server.in_flight += 1
                    server.most_in_flight = max(server.most_in_flight, server.in_flight)
                time.sleep(server.hold_seconds)
                with server.lock:
                    server.in_flight -= 1
                self._send(200, VALID_FEED)

            def serve_stall(self, name: str, query: dict[str, str]) -> None:
                server.stalled.set()
                server.released.wait()
                self.serve_file(name, query)

            def _redirect(self, location: str) -> None:
                self.send_response(302)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _start_unsized(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Connection", "close")
                self.end_headers()

            def _write(self, data: bytes) -> bool:
                try:
                    self.wfile.write(data)
                    self.wfile.flush()
                except OSError:
                    return False
                return True

            def _send(self, code: int, body: bytes, headers: dict[str, str] | None = None) -> None:
                self.send_response(code)
                headers = {"Content-Type": "application/rss+xml; charset=utf-8", **(headers or {})}
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self._write(body)

        return Handler
