"""The JSON API (`/api/...`, described at `/openapi.json`, browsable at `/docs`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.security import HTTPBearer
from pydantic import BaseModel, Field

from econsec.alerts.rules import load_rules
from econsec.errors import FilterValueError
from econsec.models import Alert, FeedStatus, SearchQuery
from econsec.store.protocols import Store
from econsec.vocabulary import listed_values
from econsec.web import read_models
from econsec.web.params import SearchParams, search_params

EVENT_ID = Path(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="The event's id.")
RULE_NAME = Path(min_length=1, max_length=200, description="Rule name or file name stem.")
FILTER_NAME = Path(
    max_length=20, description="type, category, technology, country, initiator, status or outlet."
)


class Problem(BaseModel):
    detail: str = Field(description="What went wrong, and what to change.")


def _answer(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description}


# What every API route may answer besides its result (the middleware's and the error
# handlers'); the routes add their own 404 and 409.
ANSWERS: dict[int | str, dict[str, Any]] = {
    400: _answer("A query, date or parameter that cannot be searched; the message names it."),
    401: _answer("The server has a token and the request did not carry it."),
    503: _answer("The store cannot be reached; the message names it."),
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: _answer("No such event, rule or filter.")}
BROKEN_RULES: dict[int | str, dict[str, Any]] = {
    409: _answer("A file of the rules folder is broken; the message names it.")
}
# Declares the scheme (Swagger UI shows "Authorize"); the check itself is the middleware's,
# so that the pages and the API share it.
BEARER = HTTPBearer(
    auto_error=False,
    description="`Authorization: Bearer <token>`, when the server has a token "
    "(ECONSEC_API_TOKEN); without one, the API is open on loopback.",
)


class EventsPage(BaseModel):
    total: int = Field(description="Events that match (every copy of every story).")
    stories: int | None = Field(description="Stories (clusters) they make; one hit each.")
    page: int
    limit: int
    events: list[dict[str, Any]] = Field(
        description="One event per story, newest first: its fields (`confidence` among them, "
        "0 to 1; `published`: the story's first report; `updated`: its latest copy's date, "
        "present when later), `sources` (every outlet), "
        "`source_count`, `event_ids`, `highlights` (where the query matched in the evidence: "
        "[start, end] character offsets) and `evidence_html` (evidence, matched words in <b>)."
    )
    facets: dict[str, dict[str, int]] = Field(
        description="Counts of events by type, category, initiator, technologies, status, "
        "countries, source (outlet) and month published (`YYYY-MM-01`); a filtered field's "
        "counts are those without its filter, so its other values stay listed."
    )


class Timeline(BaseModel):
    months: list[str] = Field(description="Every month of the results, `YYYY-MM-01`.")
    series: list[dict[str, Any]] = Field(
        description="Per category (the biggest; the rest as `other`): `name` and `counts`, "
        "one count of events per month."
    )


class Story(BaseModel):
    event: dict[str, Any]
    sources: list[dict[str, Any]] = Field(
        description="Every article of the event's story, first published first; "
        "`reports_event` says whether the tagger found this event in it."
    )
    outlets: int = Field(description="Distinct outlets among the sources.")
    first: str = Field(description="When the story was first reported (its earliest article).")
    updated: str = Field(
        description="Its latest article's date, when later than `first`; else empty."
    )


def _query(params: SearchParams, store: Store) -> SearchQuery:
    try:
        return params.query(known=store.values)
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from exc


@contextmanager
def searching() -> Iterator[None]:
    """A query the store's parser refuses (too deep, too long, out of its range) is the
    request's fault, as on the search page: a 400 with the store's words."""
    try:
        yield
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from exc


Params = Annotated[SearchParams, Depends(search_params)]


def api_routes() -> APIRouter:
    router = APIRouter(prefix="/api", responses=ANSWERS, dependencies=[Depends(BEARER)])

    @router.get("/events", response_model=EventsPage, tags=["events"])
    def events(request: Request, params: Params) -> EventsPage:
        """Search events, one per story, with facets.

        Example: `/api/events?q=gallium&category=export_control&since=2024-01-01`
        """
        store = request.app.state.web.shared.get()
        with searching():
            result = read_models.search_events(store, _query(params, store))
        return EventsPage(
            total=result.total,
            stories=result.clusters,
            page=params.page,
            limit=params.limit,
            events=[read_models.hit_json(hit) for hit in result.hits],
            facets=result.facets,
        )

    @router.get("/values/{name}", tags=["events"], responses=NOT_FOUND)
    def values(request: Request, name: Annotated[str, FILTER_NAME]) -> dict[str, dict[str, int]]:
        """The values a filter takes in the store, each with its number of events, most
        frequent first (`econsec values --json`).

        Example: `/api/values/country`
        """
        try:
            return listed_values(request.app.state.web.shared.get().values, name)
        except FilterValueError as exc:
            raise HTTPException(404, str(exc)) from exc

    @router.get("/events/{event_id}", response_model=Story, tags=["events"], responses=NOT_FOUND)
    def event(request: Request, event_id: Annotated[str, EVENT_ID]) -> Story:
        """One event and every article (outlet) of its story."""
        found = read_models.event_story(request.app.state.web.shared.get(), event_id)
        if found is None:
            raise HTTPException(404, f"no searchable event {event_id!r}")
        return Story(**found.to_json())

    @router.get("/timeline", response_model=Timeline, tags=["events"])
    def timeline(request: Request, params: Params) -> Timeline:
        """Events a month by category, for the same search as `/api/events`."""
        store = request.app.state.web.shared.get()
        query = _query(params, store).model_copy(
            update={"limit": 0, "offset": 0, "collapse": False}
        )
        with searching():
            return Timeline(**read_models.timeline(store, query, store.search(query).facets))

    @router.get("/alerts/rules", tags=["alerts"], responses=BROKEN_RULES)
    def rules(request: Request) -> list[dict[str, Any]]:
        """The alert rules of the rules folder (channels by label: their URLs stay secret)."""
        return [read_models.rule_summary(rule) for rule in load_rules(request.app.state.web.rules)]

    @router.get(
        "/alerts/rules/{name}/backtest", tags=["alerts"], responses={**NOT_FOUND, **BROKEN_RULES}
    )
    def backtest(
        request: Request,
        name: Annotated[str, RULE_NAME],
        since: Annotated[str, Query(description="How far back: 30m, 6h, 7d, 2w.")] = "30d",
    ) -> dict[str, Any]:
        """What the rule would have fired over the events published since then; nothing
        is recorded and nobody is notified (`econsec alerts test`)."""
        web = request.app.state.web
        try:
            rule = read_models.find_rule(web.rules, name)
        except LookupError as exc:
            raise HTTPException(404, str(exc)) from exc
        try:
            return read_models.run_backtest(web.shared.get(), rule, since)
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from exc

    @router.get("/alerts/history", response_model=list[Alert], tags=["alerts"])
    def history(
        request: Request,
        rule: Annotated[str | None, Query(description="Only this rule's alerts.")] = None,
        text: Annotated[str | None, Query(description="Words found in the alert.")] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
    ) -> list[Alert]:
        """The alerts fired so far, newest first, with their delivery results."""
        return read_models.alert_history(request.app.state.web.shared.get(), rule, text, limit)

    @router.get("/feeds", response_model=list[FeedStatus], tags=["feeds"])
    def feeds(request: Request) -> list[FeedStatus]:
        """Per-feed health: last fetch, status, entries, consecutive failures, last error;
        and the feed's WebSub subscription (`push`: null when the feed is only polled, or
        when the push state cannot be read)."""
        health = request.app.state.web.shared.get().feed_health()
        push = read_models.push_view(request.app.state.push_book, datetime.now(UTC))
        return [FeedStatus(**h.model_dump(), push=push.states.get(h.feed)) for h in health]

    return router
