"""The API token: `Authorization: Bearer` for the API, a session cookie for the pages.

The cookie holds when it was issued, a nonce and an HMAC of the token over both, not
the token itself; it is refused after COOKIE_DAYS or once logged out (the server keeps
the sessions ended early), and every comparison is constant-time. A page reached with
`?token=` sets the cookie and redirects to the same address without it, so the token
does not stay in the address bar or the history. Health checks, static files, the
login form and the WebSub callbacks (`econsec.web.websub`) stay open.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse

from econsec.web.safety import local_path

COOKIE = "econsec_session"
COOKIE_DAYS = 7
OPEN_PATHS = ("/healthz", "/login", "/favicon.ico")
# /websub/: a hub cannot send the token; each callback checks its subscription instead
OPEN_PREFIXES = ("/static/", "/websub/")
# answered as the API is (JSON errors, a 401 rather than the login page): a feed reader
# cannot log in
API_PREFIXES = ("/api/", "/openapi.json", "/feeds/search.atom")
MAX_FORM_BYTES = 4_096

Next = Callable[[Request], Awaitable[Response]]


class EndedSessions:
    """Sessions logged out before their time, so that a copied cookie dies with the logout.

    Kept in memory, and in `path` when given: `econsec serve --workers N` hands its
    processes one file, so a logout on one ends the session on all of them.
    """

    def __init__(self, path: Path | None = None):
        self.path = path
        self._ended: set[str] = set()
        self._read = 0  # bytes of the file already read
        self._lock = threading.Lock()

    def end(self, cookie: str) -> None:
        with self._lock:
            self._ended.add(cookie)
            if self.path is not None:
                with self.path.open("a", encoding="utf-8") as shared:
                    shared.write(cookie + "\n")

    def __contains__(self, cookie: str) -> bool:
        with self._lock:
            if self.path is not None:
                self._catch_up(self.path)
            return cookie in self._ended

    def _catch_up(self, path: Path) -> None:
        try:
            with path.open("rb") as shared:
                shared.seek(self._read)
                added = shared.read()
        except FileNotFoundError:
            return
        complete = added[: added.rfind(b"\n") + 1]  # a line still being written waits
        self._read += len(complete)
        self._ended.update(complete.decode("utf-8", "replace").split())


class TokenGuard:
    """Checks requests against one token (no token: everything is open, on loopback)."""

    def __init__(self, token: str | None, ended: EndedSessions | None = None):
        self.token = token.encode("utf-8") if token else None
        self.ended = ended or EndedSessions()

    @property
    def required(self) -> bool:
        return self.token is not None

    def accepts(self, offered: str | None) -> bool:
        if self.token is None or offered is None:
            return False
        return hmac.compare_digest(offered.encode("utf-8"), self.token)

    def authorized(self, request: Request) -> bool:
        if self.token is None:
            return True
        scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and self.accepts(credentials.strip()):
            return True
        return self.valid_session(request.cookies.get(COOKIE, ""))

    def session(self, issued: int | None = None) -> str:
        """`<issued>.<nonce>.<HMAC of the token over both>`: checked, and aged, on every
        request; the nonce tells apart two logins of the same second, so that ending one
        leaves the other."""
        assert self.token is not None
        issued = int(time.time()) if issued is None else issued
        nonce = secrets.token_hex(8)
        return f"{issued}.{nonce}.{_signature(self.token, f'{issued}.{nonce}')}"

    def valid_session(self, cookie: str, now: float | None = None) -> bool:
        if self.token is None:
            return False
        issued_text, _, rest = cookie.partition(".")
        nonce, _, signature = rest.partition(".")
        if not issued_text.isascii() or not issued_text.isdigit():
            return False
        issued = int(issued_text)
        expected = _signature(self.token, f"{issued}.{nonce}")
        fresh = 0 <= (now or time.time()) - issued <= COOKIE_DAYS * 86_400
        signed = hmac.compare_digest(signature.encode("utf-8"), expected.encode("utf-8"))
        return signed and fresh and cookie not in self.ended

    def log_out(self, response: Response, request: Request) -> Response:
        """End the session on the server too: the browser may forget the cookie, but a
        copy of it must stop working as well."""
        cookie = request.cookies.get(COOKIE, "")
        if self.valid_session(cookie):
            self.ended.end(cookie)
        response.delete_cookie(COOKIE)
        return response

    def log_in(self, response: Response, request: Request) -> Response:
        response.set_cookie(
            COOKIE,
            self.session(),
            max_age=COOKIE_DAYS * 86_400,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
        return response

    async def __call__(self, request: Request, call_next: Next) -> Response:
        """The middleware: let the request through, or answer 401 (API) or the login page."""
        path = request.url.path
        if self.token is None or path in OPEN_PATHS or path.startswith(OPEN_PREFIXES):
            return await call_next(request)
        is_api = path.startswith(API_PREFIXES)
        offered = request.query_params.get("token")
        if offered is not None and not is_api:
            return self._from_link(request, offered)
        if self.authorized(request):
            return await call_next(request)
        if is_api:
            return JSONResponse(
                {"detail": "a token is required: send 'Authorization: Bearer <token>'"},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        return RedirectResponse(f"/login?{urlencode({'next': _here(request)})}", status_code=303)

    def _from_link(self, request: Request, offered: str) -> Response:
        """`/?token=…`: the same page without the token, with the cookie when it was right."""
        rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
        # The path as sent, still percent-encoded: decoded, "/%2F%2Fevil" would become
        # "//evil", another site.
        raw = request.scope.get("raw_path") or request.url.path.encode("utf-8")
        path = raw.decode("latin-1") if isinstance(raw, bytes) else str(raw)
        target = local_path(path + (f"?{urlencode(rest)}" if rest else ""))
        if not self.accepts(offered):
            return RedirectResponse(
                f"/login?{urlencode({'next': target, 'failed': '1'})}", status_code=303
            )
        return self.log_in(RedirectResponse(target, status_code=303), request)


def _signature(token: bytes, session: str) -> str:
    return hmac.new(token, f"econsec web session {session}".encode(), hashlib.sha256).hexdigest()


def _here(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def login_routes(guard: TokenGuard, render: Callable[..., Response]) -> APIRouter:
    """`GET /login` (the form), `POST /login` (check it), `GET /logout`."""
    router = APIRouter(include_in_schema=False)

    @router.get("/login")
    def login_form(
        request: Request,
        target: Annotated[str, Query(alias="next", max_length=2_000)] = "/",
        failed: str = "",
    ) -> Response:
        context = {"next": local_path(target), "failed": bool(failed)}
        return render(request, "login.html", context, 401 if failed else 200)

    @router.post("/login")
    async def login(request: Request) -> Response:
        body = await request.body()
        form = parse_qs(body[:MAX_FORM_BYTES].decode("utf-8", "replace"))
        target = local_path(form.get("next", ["/"])[0])
        if not guard.required:
            return RedirectResponse(target, status_code=303)
        if not guard.accepts(form.get("token", [""])[0]):
            return render(request, "login.html", {"next": target, "failed": True}, 401)
        return guard.log_in(RedirectResponse(target, status_code=303), request)

    @router.get("/logout")
    def logout(request: Request) -> Response:
        response = RedirectResponse("/login" if guard.required else "/", status_code=303)
        return guard.log_out(response, request)

    return router
