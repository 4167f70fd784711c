"""A search as its URL states it, shared by the API and the pages, so every page is a
bookmark and every facet is a link."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlencode

from fastapi import Depends, Query

from econsec.models import SearchQuery
from econsec.vocabulary import Known

PAGE_SIZE = 20
MAX_LIMIT = 100
MAX_QUERY_CHARS = 2_000
MAX_PAGE = 250  # 5,000 stories deep: the embedded store collapses at most that many hits
# URL parameter -> `SearchQuery` field; the order is the facets' order on the search page
FILTERS = {
    "type": "types",
    "category": "categories",
    "initiator": "initiators",
    "tech": "technologies",
    "country": "countries",
    "status": "statuses",
    "outlet": "outlets",
}
Sort = Literal["newest", "oldest", "relevance"]


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    since: str = ""
    until: str = ""
    sort: Sort = "newest"
    page: int = 1
    limit: int = PAGE_SIZE
    min_confidence: float = 0.0

    def query(self, known: Known | None = None) -> SearchQuery:
        """The store query; a `ValueError` names a date that does not parse or a filter
        value that could never match (`known`: the store's values, `Store.values`)."""
        wanted: dict[str, Any] = {
            FILTERS[name]: list(values) for name, values in self.filters.items()
        }
        return SearchQuery.from_user(
            self.q,
            known=known,
            since=self.since,
            until=self.until,
            sort=self.sort,
            min_confidence=self.min_confidence,
            limit=self.limit,
            offset=(self.page - 1) * self.limit,
            facets=True,
            **wanted,
        )

    def normalised(self, query: SearchQuery) -> SearchParams:
        """The same search as the index reads it (`China` -> `CN`), so that the facets
        show a chosen value as chosen and their links carry what was searched."""
        filters = {name: tuple(getattr(query, field)) for name, field in FILTERS.items()}
        q = query.q if self.q.strip() else self.q
        return replace(self, q=q, filters={k: v for k, v in filters.items() if v})

    def values(self, name: str) -> tuple[str, ...]:
        return self.filters.get(name, ())

    def pairs(self) -> list[tuple[str, str]]:
        found = [("q", self.q)] if self.q else []
        found += [(name, value) for name in FILTERS for value in self.values(name)]
        found += [(name, value) for name, value in (("since", self.since), ("until", self.until))]
        if self.min_confidence:
            found.append(("min_confidence", f"{self.min_confidence:g}"))
        if self.sort != "newest":
            found.append(("sort", self.sort))
        if self.limit != PAGE_SIZE:
            found.append(("limit", str(self.limit)))
        if self.page != 1:
            found.append(("page", str(self.page)))
        return [(name, value) for name, value in found if value]

    def url(self, path: str = "/") -> str:
        pairs = self.pairs()
        return f"{path}?{urlencode(pairs)}" if pairs else path

    def event_url(self, event_id: str) -> str:
        """An event's page, carrying this search (its page too) for "back to search"."""
        return self.url(f"/events/{quote(event_id, safe='')}")

    def toggled(self, name: str, value: str) -> SearchParams:
        """The same search with one facet value added or removed, from its first page."""
        values = self.values(name)
        changed = tuple(v for v in values if v != value) if value in values else (*values, value)
        filters = {**self.filters, name: changed}
        return replace(self, filters={k: v for k, v in filters.items() if v}, page=1)

    def dated(self, since: str, until: str) -> SearchParams:
        return replace(self, since=since, until=until, page=1)

    def at_page(self, page: int) -> SearchParams:
        return replace(self, page=page)

    @property
    def filtered(self) -> bool:
        return bool(
            self.q.strip("* ") or self.filters or self.since or self.until or self.min_confidence
        )


def filter_params(
    q: Annotated[
        str,
        Query(
            max_length=MAX_QUERY_CHARS,
            description="Lucene-style query over title, evidence and summary ('*': all).",
        ),
    ] = "",
    type_: Annotated[
        list[str] | None,
        Query(
            alias="type",
            description="Event type code, or a category for its every type; repeatable.",
        ),
    ] = None,
    category: Annotated[list[str] | None, Query(description="Category code, repeatable.")] = None,
    initiator: Annotated[
        list[str] | None,
        Query(
            description="Initiating actor: ISO code, country name or demonym, or an "
            "organisation; repeatable."
        ),
    ] = None,
    tech: Annotated[
        list[str] | None, Query(description="Technology domain (singular or plural), repeatable.")
    ] = None,
    country: Annotated[
        list[str] | None,
        Query(description="Country of any actor: ISO code, name or demonym; repeatable."),
    ] = None,
    status: Annotated[
        list[str] | None, Query(description="planned or enacted, repeatable.")
    ] = None,
    outlet: Annotated[
        list[str] | None,
        Query(description="Outlet (the source a feed names), repeatable; /api/values/outlet."),
    ] = None,
    since: Annotated[str, Query(description="Published from: 2024-06-01 or 30d.")] = "",
    until: Annotated[
        str, Query(description="Published until: 2024-12-31 (the whole day) or 1d.")
    ] = "",
    min_confidence: Annotated[
        float,
        Query(ge=0.0, le=1.0, description="Only events the tagger is this sure of (0 to 1)."),
    ] = 0.0,
) -> SearchParams:
    """What a request searches, without order or paging (the exports and the Atom feed
    take every story, or the newest); a FastAPI dependency."""
    given = {
        "type": type_,
        "category": category,
        "initiator": initiator,
        "tech": tech,
        "country": country,
        "status": status,
        "outlet": outlet,
    }
    filters = {
        name: tuple(dict.fromkeys(v.strip() for v in values if v.strip()))
        for name, values in given.items()
        if values
    }
    return SearchParams(
        q=q.strip(),
        filters={name: values for name, values in filters.items() if values},
        since=since.strip(),
        until=until.strip(),
        min_confidence=min_confidence,
    )


SORT = Query(description="newest first, oldest first, or best match first.")


def search_params(
    searched: Annotated[SearchParams, Depends(filter_params)],
    sort: Annotated[Sort, SORT] = "newest",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page of stories.")] = 1,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Stories per page.")] = PAGE_SIZE,
) -> SearchParams:
    """The search parameters of a request (a FastAPI dependency for the API and the pages)."""
    return replace(searched, sort=sort, page=page, limit=limit)
