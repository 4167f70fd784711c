"""A client node class for tests against osmem-server, which answers 406 to the
`application/vnd.elasticsearch+json; compatible-with=9` media types that the
Elasticsearch 9 client sends. It sends the plain types instead; nothing else
changes, and product code never uses it."""

from __future__ import annotations

from typing import Any

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


class PlainJsonNode(Urllib3HttpNode):
    def perform_request(
        self,
        method: str,
        target: str,
        body: bytes | None = None,
        headers: HttpHeaders | None = None,
        request_timeout: Any = DEFAULT,
    ) -> NodeApiResponse:
        return super().perform_request(
            method, target, body=body, headers=plain(headers), request_timeout=request_timeout
        )
