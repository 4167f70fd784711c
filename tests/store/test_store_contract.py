"""The `Store` contract, on every backend: same fixture, same queries, same results.

Runs on the embedded store, on osmem-server over HTTP, and on a real
Elasticsearch when `ECONSEC_TEST_ES_URL` is set (see conftest.py).
"""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from datasketch import MinHash

from econsec.errors import QueryError
from econsec.ingest.stories import NUM_PERM, SCHEME, from_bytes, to_bytes
from econsec.models import (
    CycleReport,
    FeedResult,
    Quarantined,
    SearchQuery,
    TaggedArticle,
)
from econsec.store import SearchKind, Store
from econsec.store.hits import EventHit
from econsec.store.protocols import AnyResult
from tests.support import factories
from tests.support.backends import Backend

MAY = datetime(2024, 5, 1, tzinfo=UTC)


def fill(store: Store) -> None:
    """Three events: a story told by two outlets (one cluster) and a separate one."""
    ban = factories.article(1, title="China bans gallium exports to the US", day=3)
    copy = factories.article(
        2,
        title="China bans gallium exports to the US",
        published=datetime(2024, 5, 3, 9, tzinfo=UTC),
        source="Other outlet",
        story_id=ban.id,
    )
    curbs = factories.article(3, title="Japan curbs chip tool sales", day=5)
    plain = factories.article(4, title="Rain expected in Osaka", day=6)
    store.stage_articles([ban, copy, curbs, plain])
    ban = ban.model_copy(update={"story_id": ban.id})
    curbs = curbs.model_copy(update={"story_id": curbs.id})
    events = [
        factories.event(ban, "export_control.ban"),
        factories.event(
            copy,
            "export_control.ban",
            story_id=ban.id,
            cluster_id=factories.stable_id(ban.id, "export_control.ban"),
        ),
        factories.event(
            curbs,
            "export_control.restriction",
            initiator=["JP"],
            countries=["JP"],
            technologies=["semiconductors"],
            status="planned",
        ),
    ]
    tagged = [TaggedArticle(a, b"", []) for a in (ban, copy, curbs, plain)]
    store.save_tagged(tagged, events)
    store.index_pending()


def test_staging_is_idempotent(store: Store) -> None:
    articles = [factories.article(1), factories.article(2)]
    assert store.stage_articles(articles) == [a.id for a in articles]
    assert store.stage_articles([*articles, factories.article(3)]) == [factories.article(3).id]
    assert store.counts()["articles"] == 3


def test_events_upsert_and_reindexing_never_duplicates(store: Store) -> None:
    fill(store)
    assert store.search(SearchQuery(collapse=False)).total == 3
    again = factories.article(1, title="China bans gallium exports to the US", day=3)
    again = again.model_copy(update={"story_id": again.id})
    new = store.save_tagged(
        [TaggedArticle(again, b"", [])], [factories.event(again, "export_control.ban")]
    )
    assert new == []
    store.index_pending()
    assert store.search(SearchQuery(collapse=False)).total == 3
    assert store.counts()["unindexed_events"] == 0


def test_search_collapses_a_story_and_lists_its_outlets(store: Store) -> None:
    fill(store)
    result = store.search(SearchQuery(q="gallium"))
    assert (result.total, result.clusters, len(result.hits)) == (2, 1, 1)
    hit = result.hits[0]
    assert hit.source_count == 2
    assert [s.source for s in hit.sources] == ["Other outlet", "Wire"]
    assert [hit.evidence[a:b].lower() for a, b in hit.highlights or ()] == ["gallium"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (SearchQuery(types=["export_control.restriction"]), ["export_control.restriction"]),
        (
            SearchQuery(categories=["export_control"], countries=["JP"]),
            ["export_control.restriction"],
        ),
        (SearchQuery(technologies=["critical_minerals"]), ["export_control.ban"]),
        (SearchQuery(since=datetime(2024, 5, 4, tzinfo=UTC)), ["export_control.restriction"]),
        (SearchQuery(until=datetime(2024, 5, 4, tzinfo=UTC)), ["export_control.ban"]),
        (SearchQuery(q="status:planned"), ["export_control.restriction"]),
        (SearchQuery(q="NOT type:export_control.ban"), ["export_control.restriction"]),
        (SearchQuery(q='"chip tool"'), ["export_control.restriction"]),
        (SearchQuery(q="initiator:CN AND gallium"), ["export_control.ban"]),
        (SearchQuery(q="japan OR gallium"), ["export_control.restriction", "export_control.ban"]),
    ],
)
def test_search_filters_and_query_syntax(
    store: Store, query: SearchQuery, expected: list[str]
) -> None:
    fill(store)
    assert [h.type for h in store.search(query).hits] == expected


def test_newest_first_and_pages(store: Store) -> None:
    fill(store)
    every = store.search(SearchQuery(collapse=False)).hits
    dates = [h.published for h in every]
    assert dates == sorted(dates, reverse=True)
    pages = [store.search(SearchQuery(collapse=False, limit=1, offset=n)).hits for n in range(4)]
    assert [h.id for page in pages for h in page] == [h.id for h in every]


def test_facets_count_types_and_months(store: Store) -> None:
    fill(store)
    facets = store.search(SearchQuery(facets=True)).facets
    assert facets["type"] == {"export_control.ban": 2, "export_control.restriction": 1}
    assert facets["initiator"] == {"CN": 2, "JP": 1}
    assert facets["technologies"] == {"critical_minerals": 2, "semiconductors": 1}
    assert facets["published"] == {"2024-05-01": 3}


def test_article_search(store: Store) -> None:
    fill(store)
    result = store.search(SearchQuery(q="Osaka"), "articles")
    assert [h.title for h in result.hits] == ["Rain expected in Osaka"]
    tagged = store.search(SearchQuery(types=["export_control.ban"]), "articles")
    assert sorted(h.source for h in tagged.hits) == ["Other outlet", "Wire"]


def test_one_event_by_id_and_every_article_of_its_story(store: Store) -> None:
    fill(store)
    (hit, copy) = store.search(SearchQuery(q="gallium", collapse=False, sort="relevance")).hits
    found = store.get_event(hit.id)
    assert found is not None
    assert found == replace(hit, highlights=None)
    articles = store.story_articles(found.story_id)
    assert [(a.source, a.story_id) for a in articles] == [
        ("Wire", found.story_id),
        ("Other outlet", found.story_id),
    ]
    assert {a.url for a in articles} == {hit.url, copy.url}
    assert [a.id for a in store.story_articles(found.story_id, limit=1)] == [articles[0].id]
    assert store.get_event("no-such-event") is None
    assert store.story_articles("no-such-story") == []


def test_events_and_articles_are_not_found_before_they_are_indexed(store: Store) -> None:
    later = factories.article(9, title="Korea screens a chip plant takeover", day=9)
    store.stage_articles([later])
    later = later.model_copy(update={"story_id": later.id})
    event = factories.event(later, "investment_screening.review")
    store.save_tagged([TaggedArticle(later, b"", [])], [event])
    assert (store.get_event(event.id), store.story_articles(later.id)) == (None, [])
    store.index_pending()
    assert store.get_event(event.id) == EventHit.from_source(event.model_dump(mode="json"))
    assert [a.id for a in store.story_articles(later.id)] == [later.id]


def test_bad_query_names_itself(store: Store) -> None:
    fill(store)
    with pytest.raises(QueryError, match="type:\\("):
        store.search(SearchQuery(q="type:("))


@pytest.mark.parametrize("q", ["*hip", "?hip", "title:*ban", "chips OR *ban", "NOT *ban"])
def test_a_leading_wildcard_is_a_query_error_on_every_backend(store: Store, q: str) -> None:
    """Elasticsearch refuses it; the embedded index would silently find nothing."""
    fill(store)
    with pytest.raises(QueryError, match="wildcard|first character"):
        store.search(SearchQuery(q=q))
    with pytest.raises(QueryError):
        store.check_query(q)


def test_a_wildcard_inside_a_phrase_or_after_a_letter_is_a_query(store: Store) -> None:
    fill(store)
    store.search(SearchQuery(q='"*hip"'))
    store.search(SearchQuery(q="chi* OR sanction?"))


def test_data_survives_reopening(backend: Backend) -> None:
    first = backend.open()
    fill(first)
    first.close()
    second = backend.open()
    assert second.search(SearchQuery(collapse=False)).total == 3
    second.close()


def test_queue_moves_articles_through_the_stages(store: Store) -> None:
    articles = [factories.article(n, day=7 - n) for n in range(1, 5)]
    store.stage_articles(articles)
    oldest_first = [a.id for a in sorted(articles, key=lambda a: a.published)]
    assert [a.id for a in store.untagged_articles()] == oldest_first
    assert [a.id for a in store.untagged_articles(limit=2)] == oldest_first[:2]
    first = store.untagged_articles(limit=2)
    events = [factories.event(a, "export_control.ban") for a in first]
    new = store.save_tagged([TaggedArticle(a, b"", ["semiconductors"]) for a in first], events)
    assert [e.id for e in new] == [e.id for e in events]
    assert store.counts() == {
        "articles": 4,
        "events": 2,
        "untagged_articles": 2,
        "unindexed_articles": 2,
        "unindexed_events": 2,
        "quarantined_articles": 0,
    }
    assert store.search(SearchQuery(collapse=False)).total == 0  # not indexed yet
    report = store.index_pending()
    assert (report.articles_indexed, report.events_indexed) == (2, 2)
    assert store.index_pending().events_indexed == 0
    assert store.counts()["unindexed_events"] == 0
    assert [a.id for a in store.untagged_articles()] == oldest_first[2:]


def test_known_signatures_come_back(store: Store) -> None:
    signature = MinHash(num_perm=NUM_PERM, scheme=SCHEME)
    signature.update(b"gallium")
    old, recent = factories.article(1, day=1), factories.article(2, day=20)
    store.stage_articles([old, recent])
    store.save_tagged(
        [
            TaggedArticle(old, to_bytes(signature), []),
            TaggedArticle(recent, to_bytes(signature), []),
        ],
        [],
    )
    known = store.known_signatures(MAY + timedelta(days=10))
    assert [k.article_id for k in known] == [recent.id]
    assert from_bytes(known[0].minhash).hashvalues.tolist() == signature.hashvalues.tolist()


def _fetch(status: str, etag: str | None = None, error: str | None = None) -> FeedResult:
    return FeedResult(
        feed="wire",
        url="https://example.com/feed",
        status=status,  # type: ignore[arg-type]
        error=error,
        fetched_at=datetime.now(UTC),
        entries_found=2 if status == "ok" else 0,
    )


def test_feed_state_keeps_validators_and_counts_failures(store: Store) -> None:
    store.record_feed(_fetch("ok"), '"v1"', "Wed, 01 May 2024 08:00:00 GMT")
    assert store.validators("wire", "https://example.com/feed") == (
        '"v1"',
        "Wed, 01 May 2024 08:00:00 GMT",
    )
    assert store.validators("wire", "https://example.com/other") == (None, None)
    store.record_feed(_fetch("failed", error="timed out"), None, None)
    store.record_feed(_fetch("failed", error="timed out"), None, None)
    (health,) = store.feed_health()
    assert (health.status, health.consecutive_failures, health.error) == ("failed", 2, "timed out")
    assert store.validators("wire", "https://example.com/feed")[0] == '"v1"'
    store.record_feed(_fetch("ok"), None, None)
    assert store.feed_health()[0].consecutive_failures == 0
    assert store.validators("wire", "https://example.com/feed") == (None, None)


def test_cycles_are_recorded(store: Store) -> None:
    assert store.last_cycle() is None
    for hour in (9, 11, 10):
        started = datetime(2024, 6, 1, hour, tzinfo=UTC)
        report = CycleReport(run_id=f"run-{hour}", started=started, feeds=[_fetch("ok")])
        report.tagging.events_by_type = {"export_control.ban": hour}
        store.record_cycle(report)
    last = store.last_cycle()
    assert last is not None and last.run_id == "run-11"
    assert last.tagging.events_by_type == {"export_control.ban": 11}


QUERIES: list[tuple[SearchQuery, SearchKind]] = [
    (SearchQuery(facets=True), "events"),
    (SearchQuery(q="gallium", collapse=False), "events"),
    (SearchQuery(q="chip OR gallium", facets=True), "events"),
    (SearchQuery(q="*", countries=["CN"], limit=1, offset=1, collapse=False), "events"),
    (SearchQuery(), "articles"),
    (SearchQuery(q="japan", types=["export_control.restriction"]), "articles"),
]


def comparable(result: AnyResult) -> dict[str, Any]:
    return {**asdict(result), "hits": [hit.to_json() for hit in result.hits]}


def test_relevance_finds_the_same_events(store: Store, backend: Backend) -> None:
    """Scores differ between engines, equal scores tie in engine order: same set, best first."""
    fill(store)
    query = SearchQuery(q="japan chip gallium", sort="relevance", collapse=False)
    hits = store.search(query).hits
    assert hits[0].type == "export_control.restriction"  # matches two of the three words
    assert sorted(h.type for h in hits[1:]) == ["export_control.ban"] * 2


@pytest.mark.parametrize(("query", "kind"), QUERIES)
def test_same_results_as_the_embedded_store(
    store: Store, backend: Backend, tmp_path_factory: pytest.TempPathFactory, query: Any, kind: Any
) -> None:
    reference = Backend("embedded", tmp_path_factory.mktemp("reference")).open()
    for each in (store, reference):
        fill(each)
    assert comparable(store.search(query, kind)) == comparable(reference.search(query, kind))
    reference.close()


def test_counting_only(store: Store) -> None:
    fill(store)
    result = store.search(SearchQuery(q="gallium OR chip", limit=0, facets=True))
    assert (result.total, result.clusters, result.hits) == (3, 2, [])
    assert result.facets["type"] == {"export_control.ban": 2, "export_control.restriction": 1}


def test_events_can_be_found_by_when_they_were_indexed(store: Store) -> None:
    """Alert rules read what became searchable since their checkpoint."""
    before = datetime.now(UTC)
    fill(store)
    checkpoint = datetime.now(UTC)
    later = factories.article(9, title="Korea screens a chip plant takeover", day=9)
    store.stage_articles([later])
    event = factories.event(later, "investment_screening.review")
    store.save_tagged([TaggedArticle(later, b"", [])], [event])
    assert store.search(SearchQuery(indexed_since=checkpoint)).total == 0  # not indexed yet
    store.index_pending()
    new = store.search(SearchQuery(indexed_since=checkpoint, collapse=False))
    assert [h.id for h in new.hits] == [event.id]
    old = SearchQuery(indexed_since=before, indexed_until=checkpoint, collapse=False)
    assert store.search(old).total == 3


DEEP = "(" * 12_000 + "huawei" + ")" * 12_000  # Tantivy's parser overflows its stack on this


def test_a_query_nested_too_deep_is_refused_before_any_parser(store: Store) -> None:
    with pytest.raises(QueryError, match="nested 12000 parentheses deep; at most 64"):
        store.check_query(DEEP)
    with pytest.raises(QueryError, match="nested 12000"):
        SearchQuery.from_user(DEEP)
    unchecked = SearchQuery().model_copy(update={"q": DEEP})  # skips validation
    with pytest.raises(QueryError, match="nested 12000"):
        store.search(unchecked)
    with pytest.raises(QueryError, match="nested 12000"):
        list(store.scan(unchecked))
    with pytest.raises(QueryError, match="longer than 10,000 characters"):
        SearchQuery(q="huawei " * 2_000)
    store.check_query('"' + "(" * 100 + '"')  # inside a phrase nothing nests
    store.check_query("(" * 64 + "huawei" + ")" * 64)


def test_quarantined_articles_wait_until_requeued(store: Store) -> None:
    articles = [factories.article(n, day=n) for n in range(1, 4)]
    store.stage_articles(articles)
    bad = articles[1]
    held = Quarantined(
        article_id=bad.id,
        feed=bad.feed,
        title=bad.title,
        url=bad.url,
        reason="ValueError: [E088] Text of length 1000001 exceeds maximum",
        quarantined_at=datetime(2024, 6, 1, 12, tzinfo=UTC),
    )
    store.quarantine([held])
    store.quarantine([held])  # twice is once
    assert [a.id for a in store.untagged_articles()] == [articles[0].id, articles[2].id]
    counts = store.counts()
    assert (counts["untagged_articles"], counts["quarantined_articles"]) == (2, 1)
    assert store.quarantined() == [held]
    assert store.requeue(["not-held"]) == 0
    assert store.requeue() == 1
    assert [a.id for a in store.untagged_articles()] == [a.id for a in articles]
    assert store.quarantined() == [] and store.counts()["quarantined_articles"] == 0


def test_requeue_by_id_leaves_the_others_set_aside(store: Store) -> None:
    articles = [factories.article(n, day=n) for n in range(1, 4)]
    store.stage_articles(articles)
    stamp = datetime(2024, 6, 1, tzinfo=UTC)
    store.quarantine(
        [
            Quarantined(
                article_id=a.id, feed=a.feed, title=a.title, reason="boom", quarantined_at=stamp
            )
            for a in articles
        ]
    )
    assert store.untagged_articles() == []
    assert store.requeue([articles[0].id]) == 1
    assert [a.id for a in store.untagged_articles()] == [articles[0].id]
    assert {q.article_id for q in store.quarantined()} == {articles[1].id, articles[2].id}


def test_an_id_twice_in_one_batch_is_one_article_with_the_later_text(store: Store) -> None:
    first = factories.article(1, title="Ban on gallium exports")
    later = factories.article(1, title="Ban on gallium and germanium exports")
    assert set(store.stage_articles([first, later])) == {first.id}
    [waiting] = store.untagged_articles()
    assert waiting.title == later.title
    assert store.counts()["articles"] == 1
