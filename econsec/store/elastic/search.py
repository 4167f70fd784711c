"""The search model on Elasticsearch: the same queries, filters, facets and hits as the
embedded backend (`embedded.py`), built as one request.

- the query string is Lucene syntax (`query_string`) over title, evidence and
  summary (events) or title and summary (articles), without leading wildcards
  (`*ban` walks every term of the index: one user could stall the cluster), so
  such a query is a `QueryError` naming it; structured filters are `terms`, a
  `range` on `published` and one on `confidence`;
- only indexed documents (`indexed_at` set by `index_pending`) are searched,
  as the embedded store only searches what it has copied into Tantivy, and
  `indexed_since` / `indexed_until` (alert rules' checkpoints) are a range on it;
- newest first is `published` descending, then `id` (a total order, so pages
  and `search_after` are stable), oldest first ascending; relevance is the score;
- events collapse on `cluster_id`, the inner hits giving every outlet and
  the dates of the first and latest copy (`store.hits.story_hit`);
  the cluster count is a `cardinality` aggregation;
- facets are `terms` aggregations and a monthly `date_histogram`;
- where the words matched in the evidence comes back as character spans
  (`highlights`), as from the embedded store; no HTML is made here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from econsec.models import SearchQuery, SortOrder, check_query_size
from econsec.store.hits import ArticleHit, EventHit, SearchResult, as_spans, story_hit
from econsec.store.protocols import AnyResult

TEXT_FIELDS = {"events": ["title", "evidence", "summary"], "articles": ["title", "summary"]}
INTERNAL = {
    "events": ["indexed_at", "created_at"],
    "articles": ["indexed_at", "tagged_at", "staged_at", "minhash"],
}
FACET_FIELDS = ("type", "category", "initiator", "technologies", "status", "countries", "source")
FACET_SIZE = 50
OUTLETS_SHOWN = 100  # inner hits per cluster (Elasticsearch's default cap)
MAX_WINDOW = 10_000  # index.max_result_window
NEWEST = [{"published": {"order": "desc"}}, {"id": {"order": "asc"}}]
OLDEST = [{"published": {"order": "asc"}}, {"id": {"order": "asc"}}]
RELEVANCE = ["_score", *NEWEST]
SORTS = {SortOrder.NEWEST: NEWEST, SortOrder.OLDEST: OLDEST, SortOrder.RELEVANCE: RELEVANCE}
MARK, UNMARK = "\ue000", "\ue001"  # private-use characters around a match: never in feed text


def is_match_all(q: str) -> bool:
    return not q.strip("* ")


def text_query(q: str, kind: str) -> dict[str, Any]:
    check_query_size(q)
    if is_match_all(q):
        return {"match_all": {}}
    return user_query(q, TEXT_FIELDS[kind])


def user_query(q: str, fields: list[str]) -> dict[str, Any]:
    """A user's Lucene-syntax query; a leading wildcard is a parse error, not a term scan."""
    return {"query_string": {"query": q.strip(), "fields": fields, "allow_leading_wildcard": False}}


def filters(query: SearchQuery, kind: str) -> list[dict[str, Any]]:
    clauses: list[dict[str, Any]] = [{"exists": {"field": "indexed_at"}}]
    clauses += [{"terms": {field: values}} for field, values in query.term_filters(kind).items()]
    if query.since or query.until:
        clauses.append(_range("published", query.since, query.until))
    if kind == "events" and (query.indexed_since or query.indexed_until):
        clauses.append(_range("indexed_at", query.indexed_since, query.indexed_until))
    if kind == "events" and query.min_confidence:
        clauses.append({"range": {"confidence": {"gte": query.min_confidence}}})
    return clauses


def _range(field: str, since: datetime | None, until: datetime | None) -> dict[str, Any]:
    bounds = {"gte": since, "lte": until}
    return {"range": {field: {k: v.isoformat() for k, v in bounds.items() if v}}}


def request(query: SearchQuery, kind: str) -> dict[str, Any]:
    """Keyword arguments for `Elasticsearch.search` (without the index)."""
    text = text_query(query.q, kind)
    body: dict[str, Any] = {
        "query": {"bool": {"must": [text], "filter": filters(query, kind)}},
        "sort": SORTS[query.sort],
        "from_": query.offset,
        "size": max(query.limit, 0),
        "track_total_hits": True,
        "source_excludes": INTERNAL[kind],
    }
    if kind != "events":
        return body
    if query.collapse:
        body["aggs"] = {"clusters": {"cardinality": {"field": "cluster_id"}}}
        if body["size"]:  # nothing to collapse in a count-only request
            body["collapse"] = _collapse(body["sort"])
    if not is_match_all(query.q):
        body["highlight"] = _highlight(text)
    if query.facets:
        body.setdefault("aggs", {}).update(facet_aggs())
    return body


def _collapse(sort: list[Any]) -> dict[str, Any]:
    """Every outlet (up to `OUTLETS_SHOWN`), and the first copy apart, so that a story
    with more copies than that is still dated by its first report."""
    outlets = {
        "name": "outlets",
        "size": OUTLETS_SHOWN,
        "sort": sort,
        "_source": ["id", "source", "url", "published"],
    }
    first = {"name": "first", "size": 1, "sort": OLDEST, "_source": ["id", "published"]}
    return {"field": "cluster_id", "inner_hits": [outlets, first]}


def _highlight(text: dict[str, Any]) -> dict[str, Any]:
    evidence = {"number_of_fragments": 0}  # the whole field, so that offsets are the field's
    return {
        "encoder": "default",
        "pre_tags": [MARK],
        "post_tags": [UNMARK],
        "highlight_query": text,
        "fields": {"evidence": evidence},
    }


def facet_aggs() -> dict[str, Any]:
    aggs: dict[str, Any] = {
        name: {"terms": {"field": name, "size": FACET_SIZE}} for name in FACET_FIELDS
    }
    aggs["published"] = {
        "date_histogram": {
            "field": "published",
            "calendar_interval": "month",
            "min_doc_count": 1,
            "format": "yyyy-MM-dd",
            "time_zone": "UTC",
        }
    }
    return aggs


def values_request(field: str, size: int) -> dict[str, Any]:
    """Every value of an events' keyword field among the searchable events, with counts
    (a `terms` aggregation, as the embedded store's)."""
    return {
        "query": {"bool": {"filter": [{"exists": {"field": "indexed_at"}}]}},
        "size": 0,
        "aggs": {"values": {"terms": {"field": field, "size": size}}},
    }


def values_result(response: dict[str, Any]) -> dict[str, int]:
    buckets = response.get("aggregations", {}).get("values", {}).get("buckets", [])
    return {str(b["key"]): int(b["doc_count"]) for b in buckets}


def result(response: dict[str, Any], query: SearchQuery, kind: str) -> AnyResult:
    """The embedded backend's `SearchResult` from an Elasticsearch response."""
    raw = response["hits"]["hits"]
    total = int(response["hits"]["total"]["value"])
    if kind != "events":
        return SearchResult(total, hits=[ArticleHit.from_source(hit["_source"]) for hit in raw])
    found = SearchResult(total, hits=[_event(hit, query.collapse) for hit in raw])
    aggs = response.get("aggregations", {})
    if query.collapse:
        found.clusters = int(aggs.get("clusters", {}).get("value", 0))
    if query.facets:
        found.facets = facets(aggs)
    return found


def _event(hit: dict[str, Any], collapsed: bool) -> EventHit:
    """One event hit, with where the query matched in its evidence."""
    marked = hit.get("highlight", {}).get("evidence")
    found = spans(marked[0]) if marked else []
    if collapsed:
        return _collapsed(hit, found)
    return EventHit.from_source(hit["_source"], highlights=as_spans(found))


def spans(marked: str) -> list[tuple[int, int]]:
    """(start, end) character offsets of the marked stretches, in the text without marks."""
    found: list[tuple[int, int]] = []
    at = start = 0
    for char in marked:
        if char == MARK:
            start = at
        elif char == UNMARK:
            found.append((start, at))
        else:
            at += 1
    return found


def _collapsed(hit: dict[str, Any], highlights: list[tuple[int, int]]) -> EventHit:
    """The top event of a cluster with every outlet that told it, as the embedded store
    gives; beyond the outlets listed, the first copy (an inner hit of its own) may be
    earlier still."""
    inner = hit.get("inner_hits", {})
    copies = inner.get("outlets", {}).get("hits", {}).get("hits", [])
    first = inner.get("first", {}).get("hits", {}).get("hits", [])
    return story_hit(
        hit["_source"],
        [copy["_source"] for copy in copies or [hit]],
        earlier=[doc["_source"] for doc in first],
        highlights=highlights,
    )


def facets(aggs: dict[str, Any]) -> dict[str, dict[str, int]]:
    found = {
        name: {b["key"]: b["doc_count"] for b in aggs.get(name, {}).get("buckets", [])}
        for name in FACET_FIELDS
    }
    months = aggs.get("published", {}).get("buckets", [])
    found["published"] = {b["key_as_string"]: b["doc_count"] for b in months if b["doc_count"]}
    return found
