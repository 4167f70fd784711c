"""A client node class for tests against osmem-server, which speaks OpenSearch's dialect
where Elasticsearch 9's differs:

- it answers 406 to the `application/vnd.elasticsearch+json; compatible-with=9` media
  types that the Elasticsearch 9 client sends: the plain types are sent instead;
- it keeps points in time under OpenSearch's paths (`POST /INDEX/_search/point_in_time`,
  `DELETE /_search/point_in_time` with `pit_id`), not `POST /INDEX/_pit` and `DELETE /_pit`
  with `id`: those two requests and their answers are translated.

The searches under a PIT are the same in both. Nothing else changes, and product code
never uses it (unmodified clients, as the CLI's through `FaultProxy`, see a cluster
without the PIT API and page without one)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from elastic_transport import HttpHeaders, Urllib3HttpNode
from elastic_transport._node import NodeApiResponse
from elastic_transport.client_utils import DEFAULT

VENDOR = "vnd.elasticsearch+"


def plain(headers: HttpHeaders | None) -> HttpHeaders | None:
    if headers is None:
        return None
    fixed = headers.copy()
    for name in ("accept", "content-type"):
        value = fixed.get(name)
        if value and VENDOR in value:
            fixed[name] = "application/x-ndjson" if "x-ndjson" in value else "application/json"
    return fixed


def opensearch_pit(method: str, target: str, body: bytes | None) -> tuple[str, bytes | None]:
    """The OpenSearch request for an Elasticsearch PIT open or close; others unchanged."""
    parts = urlsplit(target)
    if method == "POST" and parts.path.endswith("/_pit"):
        path = parts.path[: -len("/_pit")] + "/_search/point_in_time"
        return urlunsplit(parts._replace(path=path)), body
    if method == "DELETE" and parts.path == "/_pit" and body:
        pit_id = json.loads(body)["id"]
        target = urlunsplit(parts._replace(path="/_search/point_in_time"))
        return target, json.dumps({"pit_id": [pit_id]}).encode()
    return target, body


def elasticsearch_pit(method: str, target: str, answer: bytes) -> bytes:
    """The Elasticsearch answer to a PIT open or close from OpenSearch's."""
    path = urlsplit(target).path
    if method == "POST" and path.endswith("/_pit"):
        return json.dumps({"id": json.loads(answer)["pit_id"]}).encode()
    if method == "DELETE" and path == "/_pit":
        freed = json.loads(answer).get("pits", [])
        return json.dumps({"succeeded": True, "num_freed": len(freed)}).encode()
    return answer


class PlainJsonNode(Urllib3HttpNode):
    def perform_request(
        self,
        method: str,
        target: str,
        body: bytes | None = None,
        headers: HttpHeaders | None = None,
        request_timeout: Any = DEFAULT,
    ) -> NodeApiResponse:
        sent, sent_body = opensearch_pit(method, target, body)
        meta, answer = super().perform_request(
            method, sent, body=sent_body, headers=plain(headers), request_timeout=request_timeout
        )
        if 200 <= meta.status < 300:
            answer = elasticsearch_pit(method, target, answer)
        return NodeApiResponse(meta, answer)
