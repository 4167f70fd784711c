"""A search as a file: CSV for a spreadsheet (`/api/events.csv`) and Atom for a feed
reader following it (`/feeds/search.atom`). Both take the filters of `/api/events`; the
CSV holds every story (up to `EXPORT_STORIES`), the feed the newest `FEED_ENTRIES`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from econsec.exports import atom_feed, csv_text
from econsec.web import read_models
from econsec.web.api import ANSWERS, BEARER, searching
from econsec.web.params import SORT, SearchParams, Sort, filter_params

EXPORT_STORIES = 5_000  # the embedded store collapses at most this many hits
EXPORT_PAGE = 500
FEED_ENTRIES = 50
FEED_PATH = "/feeds/search.atom"


# The API's answers, said to be JSON: FastAPI would otherwise give them the route's type.
PROBLEM = {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
JSON_ANSWERS: dict[int | str, dict[str, Any]] = {
    status: {"description": answer["description"], "content": PROBLEM}
    for status, answer in ANSWERS.items()
}


class CsvResponse(Response):
    media_type = "text/csv"


class AtomResponse(Response):
    media_type = "application/atom+xml"


Filters = Annotated[SearchParams, Depends(filter_params)]


def export_routes() -> APIRouter:
    router = APIRouter(responses=JSON_ANSWERS, dependencies=[Depends(BEARER)], tags=["events"])

    @router.get("/api/events.csv", response_class=CsvResponse)
    def events_csv(
        request: Request, params: Filters, sort: Annotated[Sort, SORT] = "newest"
    ) -> Response:
        """Every story of a search (at most 5,000) as CSV: one row a story, the columns of
        `econsec search --format csv`; the filters of `/api/events`.

        Example: `/api/events.csv?q=gallium&category=export_control`
        """
        store = request.app.state.web.shared.get()
        with searching():
            query = params.query(known=store.values).model_copy(update={"facets": False})
            query = query.model_copy(update={"sort": sort})
            hits = read_models.every_story(store, query, EXPORT_STORIES, EXPORT_PAGE)
        disposition = 'attachment; filename="econsec-events.csv"'
        return CsvResponse(csv_text(hits), headers={"Content-Disposition": disposition})

    @router.get(FEED_PATH, response_class=AtomResponse)
    def search_feed(request: Request, params: Filters) -> Response:
        """The newest 50 stories of a search as an Atom feed, to follow it in a feed
        reader; an entry's id is its story's, so a story shows once. With a server token,
        send it as `Authorization: Bearer`.

        Example: `/feeds/search.atom?q=gallium&country=CN`
        """
        store = request.app.state.web.shared.get()
        with searching():
            query = params.query(known=store.values).model_copy(
                update={"facets": False, "limit": FEED_ENTRIES, "offset": 0, "sort": "newest"}
            )
            hits = store.search(query).hits
        base = str(request.base_url).rstrip("/")
        search = params.url().removeprefix("/").removeprefix("?")
        title = f"econsec: {params.q or 'every event'}"
        return AtomResponse(atom_feed(hits, title=title, base=base, search=search))

    return router
