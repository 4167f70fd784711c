"""No request ends in a 500: what cannot be answered is a 4xx that says why, the OpenAPI
document declares every answer the app gives, and a property-based fuzzer holds the API
to that document."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from econsec.config import Settings
from econsec.models import SearchQuery
from econsec.store.embedded.store import EmbeddedStore
from econsec.store.protocols import AnyResult, SearchKind
from econsec.web import create_app
from tests.support.live_server import LiveServer
from tests.support.web_data import RULES, fill, write_rules
from tests.web.conftest import Site, running_site

FUZZ_EXAMPLES = 40
TOKEN = "a-token-the-fuzzer-sends"
OUT_OF_RANGE = [
    ("until", "9999-12-31", "9999-12-31 is out of range"),
    ("since", "2262-04-12", "2262-04-12 is out of range"),
    ("until", "0001-01-01", "0001-01-01 is out of range"),
    ("since", "200000y", "before year 1"),
]


@pytest.mark.parametrize("path", ["/api/events", "/api/timeline"])
@pytest.mark.parametrize(("name", "value", "words"), OUT_OF_RANGE)
def test_a_date_no_store_can_search_is_a_400_naming_it(
    client: httpx.Client, path: str, name: str, value: str, words: str
) -> None:
    response = client.get(path, params={name: value})
    assert response.status_code == 400, response.text
    assert words in response.json()["detail"]
    page = client.get("/", params={name: value})
    assert page.status_code == 400 and words in page.text


def test_the_last_day_that_can_be_searched_is_searched(client: httpx.Client) -> None:
    found = client.get("/api/events", params={"since": "1678-01-01", "until": "2261-12-31"})
    assert found.status_code == 200 and found.json()["total"] == 5


@pytest.mark.parametrize("q", ["title:*", "evidence:*", "NOT summary:*", "(title:* OR x)"])
def test_any_value_of_a_text_field_is_never_a_server_error(client: httpx.Client, q: str) -> None:
    """Elasticsearch reads `title:*` as "has a title"; the embedded store cannot, and says so."""
    for path in ("/api/events", "/api/timeline"):
        response = client.get(path, params={"q": q})
        assert response.status_code in (200, 400), response.text
        if response.status_code == 400:
            assert ":* asks whether a field is present" in response.json()["detail"]


def test_the_embedded_store_refuses_any_value_of_a_text_field(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    fill(store)
    app = create_app(Settings(store=str(tmp_path / "store")), store, rules=tmp_path)
    try:
        with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=60) as client:
            response = client.get("/api/events", params={"q": "title:*"})
            assert response.status_code == 400
            assert "title:* asks whether a field is present" in response.json()["detail"]
            assert client.get("/api/events", params={"q": "type:*"}).json()["total"] == 5
    finally:
        store.close()


def test_a_query_nested_too_deep_is_a_400_on_the_api_and_the_pages(
    client: httpx.Client,
) -> None:
    """Limited before any parser sees it (a parser nested 9,000 deep crashed the process);
    200 levels fit in an address and are well past the limit."""
    deep = "(" * 200 + "gallium" + ")" * 200
    for path in ("/api/events", "/api/timeline"):
        response = client.get(path, params={"q": deep})
        assert response.status_code == 400, (path, response.text)
        assert "nested 200 parentheses deep; at most 64" in response.json()["detail"]
    page = client.get("/", params={"q": deep})
    assert page.status_code == 400 and "at most 64" in page.text


SPIKE_PAST_YEAR_ONE = {
    "name": "spiky",
    "query": "*",
    "condition": {"type": "spike", "window": "36500d", "factor": 2, "baseline_windows": 100},
}


@pytest.fixture
def broken_rules(tmp_path: Path) -> Iterator[tuple[httpx.Client, Path]]:
    """A server whose rules folder the test breaks."""
    store = EmbeddedStore(tmp_path / "store")
    fill(store)
    rules = write_rules(tmp_path / "rules", RULES)
    app = create_app(Settings(store=str(tmp_path / "store")), store, rules=rules)
    try:
        with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=60) as client:
            yield client, rules
    finally:
        store.close()


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"name: caf\xe9\nquery: '*'\n", "bad.yaml: cannot read rule: 'utf-8' codec"),
        (
            yaml.safe_dump(SPIKE_PAST_YEAR_ONE).encode(),
            "bad.yaml: condition: looks back 10200y",
        ),
        (  # parsed, it overflowed the C stack and killed the server
            yaml.safe_dump(
                {"name": "deep", "query": "(" * 12_000, "condition": {"type": "any"}}
            ).encode(),
            "nested 12000 parentheses deep; at most 64",
        ),
    ],
    ids=["not-utf8", "spike-baseline-past-year-one", "query-nested-12000-deep"],
)
def test_a_broken_rule_file_is_a_409_naming_it(
    broken_rules: tuple[httpx.Client, Path], content: bytes, words: str
) -> None:
    client, rules = broken_rules
    (rules / "bad.yaml").write_bytes(content)
    for path in ("/api/alerts/rules", "/api/alerts/rules/gallium-watch/backtest"):
        response = client.get(path)
        assert response.status_code == 409, response.text
        assert words in response.json()["detail"]
    page = client.get("/alerts")
    assert page.status_code == 200 and "bad.yaml" in page.text


def test_openapi_declares_every_answer_and_the_bearer_scheme(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    schemes = spec["components"]["securitySchemes"]
    assert schemes["HTTPBearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["HTTPBearer"]["description"],
    }
    for path, operations in spec["paths"].items():
        answers = set(operations["get"]["responses"])
        assert {"200", "400", "401", "503"} <= answers, path
        assert operations["get"]["security"] == [{"HTTPBearer": []}], path
        if "{" in path:
            assert "404" in answers, path
        if path.startswith("/api/alerts/rules"):
            assert "409" in answers, path
    assert spec["paths"]["/api/events"]["get"]["responses"]["400"]["content"]


@pytest.fixture(scope="module")
def fuzzed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    with running_site("embedded", request, tmp_path_factory, api_token=TOKEN) as running:
        yield running


def test_fuzzing_the_api_finds_no_server_error_and_nothing_undeclared(fuzzed: Site) -> None:
    """Hypothesis draws requests from the OpenAPI document, valid and not; every answer
    must be declared there and match its schema, none may be a server error, and a
    request with a wrong token must be refused (the server has one here). Bounded:
    a fixed number of examples an operation, derandomized, so each run does the same work."""
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    api = schemathesis.openapi.from_url(
        f"{fuzzed.url}/openapi.json", headers=bearer, wait_for_schema=60
    )
    operations = [found.ok() for found in api.get_all_operations()]
    assert len(operations) == 10
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=FUZZ_EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
            derandomize=True,
        )
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(
                base_url=fuzzed.url,
                headers=bearer,
                timeout=60,
                # a query or a date the schema allows may still not parse: a 400 is right
                excluded_checks=[positive_data_acceptance],
            )

        check()


class RefusingStore(EmbeddedStore):
    """A store whose parser refuses every query with a ValueError, as a limit on the depth
    or length of queries does."""

    def search(self, query: SearchQuery, kind: SearchKind = "events") -> AnyResult:  # type: ignore[override]
        raise ValueError(f"query {query.q!r} is too deep")


def test_a_query_the_store_refuses_with_a_value_error_is_a_400(tmp_path: Path) -> None:
    store = RefusingStore(tmp_path / "store")
    app = create_app(Settings(store=str(tmp_path / "store")), store, rules=tmp_path)
    try:
        with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=60) as client:
            for path in ("/api/events", "/api/timeline", "/"):
                response = client.get(path, params={"q": "((a))"})
                assert response.status_code == 400, path
                assert "((a))" in response.text and "is too deep" in response.text, path
    finally:
        store.close()
