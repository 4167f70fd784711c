"""The pages: search (`/`), an event (`/events/{id}`), alerts, feeds and the API docs.

Server-rendered from `templates/` with autoescape on; the only scripts are
static files (the timeline and the docs), which read their data from a JSON
block. Every facet, date and page is a link, so a page is a bookmark.
"""

from __future__ import annotations

import calendar
import math
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from econsec.errors import ConfigError, QueryError
from econsec.searches import SavedSearch, saved_searches
from econsec.store.hits import EventHit, SearchResult
from econsec.web import read_models
from econsec.web.exports import FEED_PATH
from econsec.web.params import FILTERS, MAX_PAGE, PAGE_SIZE, SearchParams, search_params

EVENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
FACETS = {  # URL parameter -> (facet in the search result, heading)
    "type": ("type", "Event type"),
    "category": ("category", "Category"),
    "initiator": ("initiator", "Initiator"),
    "tech": ("technologies", "Technology"),
    "country": ("countries", "Country"),
    "status": ("status", "Status"),
    "outlet": ("source", "Outlet"),
}
FACET_SHOWN = 8  # values listed before "more"
CONFIDENCE_LEVELS = (0.0, 0.3, 0.5, 0.7, 0.9)  # the search form's choices (0: any)
HISTORY_SHOWN = 50
QUARANTINE_SHOWN = 100  # articles the tagger failed on, newest first


@dataclass
class FacetItem:
    value: str
    count: int
    url: str
    selected: bool


def facet_blocks(params: SearchParams, facets: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    """Each facet's values, chosen ones first, then by count; each links to the search
    with that value toggled."""
    blocks = []
    for name, (key, heading) in FACETS.items():
        counts, chosen = facets.get(key, {}), params.values(name)
        ranked = sorted((v for v in counts if v not in chosen), key=lambda v: (-counts[v], v))
        items = [
            FacetItem(v, counts.get(v, 0), params.toggled(name, v).url(), v in chosen)
            for v in [*chosen, *ranked]
        ]
        if items:
            blocks.append({"name": name, "heading": heading, "items": items, "shown": FACET_SHOWN})
    return blocks


def date_facet(params: SearchParams, facets: dict[str, dict[str, int]]) -> list[FacetItem]:
    """Years, or the months of one year when the results (or the dates chosen) are in one."""
    months = facets.get("published", {})
    years: dict[str, int] = {}
    for month, count in months.items():
        years[month[:4]] = years.get(month[:4], 0) + count
    chosen_year = params.since[:4] if params.since[:4] == params.until[:4] != "" else ""
    if len(years) > 1 and not chosen_year:
        return [_dated(params, f"{y}-01-01", f"{y}-12-31", y, n) for y, n in sorted(years.items())]
    items = []
    for month, count in sorted(months.items()):
        year, number = int(month[:4]), int(month[5:7])
        last = f"{month[:8]}{calendar.monthrange(year, number)[1]:02d}"
        items.append(_dated(params, month, last, month[:7], count))
    return items


def _dated(params: SearchParams, since: str, until: str, label: str, count: int) -> FacetItem:
    selected = (params.since, params.until) == (since, until)
    target = params.dated("", "") if selected else params.dated(since, until)
    return FacetItem(label, count, target.url(), selected)


def saved_links(folder: Path) -> list[FacetItem]:
    """The saved searches (`econsec searches save`), each a link to its search; a folder
    with a broken file shows none rather than break the page (`searches list` says why)."""
    try:
        found = saved_searches(folder)
    except ConfigError:
        return []
    return [FacetItem(s.name, 0, saved_url(s), False) for s in found]


def saved_url(saved: SavedSearch) -> str:
    fields = {field: name for name, field in FILTERS.items()}
    chosen = {fields[f]: tuple(getattr(saved, f)) for f in fields if getattr(saved, f)}
    q = "" if saved.query.strip() == "*" else saved.query
    found = SearchParams(q, chosen, saved.since, saved.until, min_confidence=saved.min_confidence)
    return found.url()


def paging(params: SearchParams, result: SearchResult[EventHit]) -> dict[str, Any]:
    stories = result.clusters if result.clusters is not None else result.total
    last = min(max(1, math.ceil(stories / params.limit)), MAX_PAGE)
    return {
        "page": params.page,
        "last": last,
        "previous": params.at_page(params.page - 1).url() if params.page > 1 else "",
        "next": params.at_page(params.page + 1).url() if params.page < last else "",
    }


Params = Annotated[SearchParams, Depends(search_params)]


def routes() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/")
    def search(request: Request, params: Params) -> Response:
        web = request.app.state.web
        store = web.shared.get()
        result: SearchResult[EventHit] = SearchResult(total=0)
        error = ""
        chart: dict[str, Any] = {"months": [], "series": []}
        try:
            query = params.query(known=store.values)
            params = params.normalised(query)
            result = read_models.search_events(store, query)
            chart = read_models.timeline(store, query, result.facets)
        except (ValueError, QueryError) as exc:
            error = str(exc)
        context = {
            "params": params,
            "result": result,
            "facets": facet_blocks(params, result.facets),
            "dates": date_facet(params, result.facets),
            "chart": chart,
            "paging": paging(params, result),
            "error": error,
            "cleared": SearchParams(q=params.q).url(),
            "csv_url": replace(params, page=1, limit=PAGE_SIZE).url("/api/events.csv"),
            "atom_url": replace(params, page=1, limit=PAGE_SIZE, sort="newest").url(FEED_PATH),
            "confidence_levels": sorted({*CONFIDENCE_LEVELS, params.min_confidence}),
            "saved": saved_links(Path(web.settings.searches)),
        }
        return web.render(request, "search.html", context, 400 if error else 200)

    @router.get("/events/{event_id}")
    def event(request: Request, event_id: str, params: Params) -> Response:
        """The search it was opened from travels in its URL, so that "back" returns there."""
        web = request.app.state.web
        found = (
            read_models.event_story(web.shared.get(), event_id)
            if EVENT_ID.match(event_id)
            else None
        )
        if found is None:
            message = "No searchable event has this id (it may not be indexed yet)."
            return web.render(request, "error.html", {"status": 404, "message": message}, 404)
        same_type = SearchParams(filters={"type": (found.event.type,)}).url()
        context = {
            "event": found.event,
            "sources": found.sources,
            "outlets": found.outlets,
            "first": found.first,
            "updated": found.updated,
            "same_type": same_type,
            "back": params.url(),
        }
        return web.render(request, "event.html", context)

    @router.get("/alerts")
    def alerts(
        request: Request,
        rule: Annotated[str, Query(max_length=200)] = "",
        since: Annotated[str, Query(max_length=20)] = "30d",
    ) -> Response:
        web = request.app.state.web
        store = web.shared.get()
        rules, rules_error = read_models.rules_or_error(web.rules)
        tested, test_error = None, ""
        if rule:
            try:
                tested = read_models.run_backtest(
                    store, read_models.find_rule(web.rules, rule), since
                )
            except (LookupError, ValueError, ConfigError, QueryError) as exc:
                test_error = str(exc)
        context = {
            "rules": [read_models.rule_summary(r) for r in rules],
            "rules_error": rules_error,
            "rules_folder": str(web.rules),
            "history": read_models.alert_history(store, None, None, HISTORY_SHOWN),
            "chosen": rule,
            "since": since,
            "tested": tested,
            "test_error": test_error,
        }
        return web.render(request, "alerts.html", context, 400 if test_error else 200)

    @router.get("/feeds")
    def feeds(request: Request) -> Response:
        web = request.app.state.web
        store = web.shared.get()
        health = store.feed_health()
        failing = sum(h.status == "failed" for h in health)
        held = store.quarantined(limit=QUARANTINE_SHOWN)
        context = {
            "feeds": health,
            "failing": failing,
            "quarantined": held,
            "push": read_models.push_view(request.app.state.push_book, datetime.now(UTC)),
        }
        return web.render(request, "feeds.html", context)

    @router.get("/docs")
    def docs(request: Request) -> Response:
        return request.app.state.web.render(request, "docs.html", {})

    @router.get("/healthz")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return router
