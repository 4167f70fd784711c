"""The FastAPI application: the JSON API under `/api`, the pages, static files, `/docs`.

`create_app(settings, store=...)` is the one way to build it (`econsec serve`
uses it; tests and benchmarks call it with a store of their own).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from fastapi import FastAPI, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from econsec.alerts.notify import load_channels
from econsec.config import Settings
from econsec.errors import ConfigError, EconsecError, QueryError
from econsec.ingest.subscriptions import SubscriptionBook
from econsec.orchestration.push import LeaseKeeper, PushQueue, PushRunner, make_runner
from econsec.store.hits import iso
from econsec.store.protocols import Store
from econsec.version import __version__
from econsec.web import pages
from econsec.web.api import api_routes
from econsec.web.auth import API_PREFIXES, EndedSessions, TokenGuard, login_routes
from econsec.web.exports import export_routes
from econsec.web.hosts import HostGuard
from econsec.web.safety import (
    SECURITY_HEADERS,
    clean_highlight,
    day,
    marked_evidence,
    minute,
    safe_href,
    shown,
)
from econsec.web.shared_store import SharedStore
from econsec.web.websub import websub_routes

HERE = Path(__file__).resolve().parent


@dataclass
class WebContext:
    """What every route needs, kept on `app.state.web`."""

    settings: Settings
    shared: SharedStore
    rules: Path
    guard: TokenGuard
    templates: Jinja2Templates

    def render(
        self, request: Request, name: str, context: dict[str, Any], status: int = 200
    ) -> Response:
        common = {
            "version": __version__,
            "backend": self.shared.backend,
            "token_required": self.guard.required,
        }
        return self.templates.TemplateResponse(request, name, {**common, **context}, status)


def create_app(
    settings: Settings,
    store: Store | None = None,
    *,
    rules: Path | None = None,
    sessions: Path | None = None,
    runner: PushRunner | None = None,
) -> FastAPI:
    """The web application over `store` (default: the one `settings.store` names) and the
    alert rules in `rules` (default: the `rules` setting); the token is `settings.api_token`.
    `sessions` is a file that processes serving together share their logouts through.
    What a WebSub push sets off runs through `runner` (default: the `push_runner` one)."""
    token = settings.api_token.get_secret_value() if settings.api_token else None
    context = WebContext(
        settings=settings,
        shared=SharedStore(settings, store),
        rules=rules or Path(settings.rules),
        guard=TokenGuard(token, EndedSessions(sessions)),
        templates=Jinja2Templates(env=template_environment()),
    )

    runner = runner or make_runner(settings, context.shared.get(), context.rules)
    pushes = PushQueue(runner, settings.push_queue_limit)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        load_channels()  # seconds, once: before the first request, not during it
        pushes.start()
        leases = LeaseKeeper(settings).start()
        yield
        leases.close()
        pushes.close()
        context.shared.close()

    app = FastAPI(
        title="econsec",
        version=__version__,
        summary="Typed economic-security events from news feeds: search, stories, alerts, feeds.",
        docs_url=None,  # served by `pages.docs` from vendored files: nothing from a CDN
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.web = context
    app.state.pushes = pushes
    app.middleware("http")(context.guard)
    if not context.guard.required:
        app.middleware("http")(HostGuard(settings.allowed_hosts))
    app.middleware("http")(security_headers)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api_routes())
    app.include_router(export_routes())
    app.include_router(login_routes(context.guard, context.render))
    app.include_router(pages.routes())
    book = SubscriptionBook(settings.push_state)
    app.state.push_book = book  # the feeds page shows each feed's push subscription
    app.include_router(websub_routes(settings, book, pushes, context.shared.get))
    add_error_handlers(app)
    return app


def template_environment() -> jinja2.Environment:
    """Autoescape on for every template, whatever its name; undefined names fail loudly;
    no printed value carries a control that reorders the page (`safety.shown`)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        finalize=shown,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["href"] = safe_href
    env.filters["highlight"] = clean_highlight
    env.filters["marked"] = marked_evidence
    env.filters["iso"] = lambda value: iso(value) or ""
    env.filters["day"] = day
    env.filters["minute"] = minute
    env.filters["words"] = lambda code: str(code).replace("_", " ").replace(".", " · ")
    return env


async def security_headers(request: Request, call_next: Any) -> Response:
    response: Response = await call_next(request)
    response.headers.update(SECURITY_HEADERS)
    if not request.url.path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def add_error_handlers(app: FastAPI) -> None:
    """Errors as JSON for the API, as a page otherwise; each says what to change."""

    def reply(request: Request, status: int, message: str) -> Response:
        if request.url.path.startswith(API_PREFIXES):
            return JSONResponse({"detail": message}, status_code=status)
        web: WebContext = request.app.state.web
        return web.render(request, "error.html", {"status": status, "message": message}, status)

    @app.exception_handler(QueryError)
    async def bad_query(request: Request, exc: QueryError) -> Response:
        return reply(request, 400, str(exc))

    @app.exception_handler(ConfigError)
    async def bad_config(request: Request, exc: ConfigError) -> Response:
        # a broken rule file: the request is sound, the server's files are not (yet) fit
        return reply(request, 409, str(exc))

    @app.exception_handler(EconsecError)
    async def store_down(request: Request, exc: EconsecError) -> Response:
        return reply(request, 503, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return reply(request, exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def bad_parameter(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(part) for part in first.get("loc", ())[1:]) or "request"
        if request.url.path.startswith(API_PREFIXES):
            return JSONResponse({"detail": jsonable_encoder(exc.errors())}, status_code=422)
        return reply(request, 400, f"{where}: {first.get('msg', 'invalid')}")
