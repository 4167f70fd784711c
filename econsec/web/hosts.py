"""The `Host` header a tokenless server answers to: its loopback names, and those configured.

Without a token, the only defence of a loopback server is that other machines cannot
reach it. A web page can: its domain may resolve to the attacker's address first and
to 127.0.0.1 a moment later (DNS rebinding), and the analyst's browser then sends the
page's requests here, under the attacker's domain, which sees the answers. The browser
still sends that domain in `Host`, so a server that answers only its own names is safe.
With a token the check is not needed (a rebound page has neither the token nor the
cookie, which belongs to the real host), and the names a server is reached by are then
the operator's to choose.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

from fastapi import Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
# A hub reaches the WebSub callbacks under the public name of a reverse proxy; they give
# a rebound page nothing to read (an unknown id is a 404, a push needs the secret).
OPEN_PATHS = ("/websub/",)

Next = Callable[[Request], Awaitable[Response]]


def host_name(header: str) -> str:
    """`Host` without its port, lower-case: `[::1]:8000` is `[::1]`, `Example:80` `example`;
    a bare IPv6 address (as configured or bound) gets its brackets."""
    header = header.strip().lower()
    if header.count(":") > 1 and not header.startswith("["):
        return f"[{header}]"
    if header.startswith("["):
        return header[: header.find("]") + 1] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class HostGuard:
    """The middleware: a request for a host this server does not serve is a 400."""

    def __init__(self, allowed: Iterable[str]):
        self.allowed = {host_name(name) for name in (*LOOPBACK_NAMES, *allowed) if name.strip()}

    def accepts(self, header: str | None) -> bool:
        return header is not None and host_name(header) in self.allowed

    async def __call__(self, request: Request, call_next: Next) -> Response:
        header = request.headers.get("host")
        if self.accepts(header) or request.url.path.startswith(OPEN_PATHS):
            return await call_next(request)
        message = (
            f"this server does not answer to the host {header!r}; "
            "add it to ECONSEC_ALLOWED_HOSTS if it is one of its names"
        )
        if request.url.path.startswith(("/api/", "/openapi.json")):
            return JSONResponse({"detail": message}, status_code=400)
        return PlainTextResponse(message, status_code=400)
