from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from econsec.errors import QueryError
from econsec.models import SearchQuery
from econsec.store.embedded import EmbeddedStore
from tests import factories


def _fill(store: EmbeddedStore) -> None:
    ban = factories.article(1, title="China bans gallium exports to the US", day=3)
    copy = factories.article(
        2,
        title="China bans gallium exports to the US",
        day=3,
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
    tagged = [(a, b"", []) for a in (ban, copy, curbs, plain)]
    store.save_tagged(tagged, events)
    store.index_pending()


def test_staging_is_idempotent(store: EmbeddedStore) -> None:
    articles = [factories.article(1), factories.article(2)]
    assert len(store.stage_articles(articles)) == 2
    assert store.stage_articles(articles) == []
    assert store.counts()["articles"] == 2


def test_events_upsert_and_reindexing_never_duplicates(store: EmbeddedStore) -> None:
    _fill(store)
    assert store.search(SearchQuery(collapse=False)).total == 3
    again = factories.article(1, title="China bans gallium exports to the US", day=3)
    again = again.model_copy(update={"story_id": again.id})
    new = store.save_tagged([(again, b"", [])], [factories.event(again, "export_control.ban")])
    assert new == []
    store.index_pending()
    assert store.search(SearchQuery(collapse=False)).total == 3
    assert store.counts()["unindexed_events"] == 0


def test_search_collapses_a_story_and_lists_its_outlets(store: EmbeddedStore) -> None:
    _fill(store)
    result = store.search(SearchQuery(q="gallium"))
    assert result.total == 2
    assert len(result.hits) == 1
    assert result.hits[0]["source_count"] == 2
    assert "<b>gallium</b>" in result.hits[0]["evidence_html"]


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
    ],
)
def test_search_filters_and_query_syntax(
    store: EmbeddedStore, query: SearchQuery, expected: list[str]
) -> None:
    _fill(store)
    assert [h["type"] for h in store.search(query).hits] == expected


def test_newest_first(store: EmbeddedStore) -> None:
    _fill(store)
    dates = [h["published"] for h in store.search(SearchQuery()).hits]
    assert dates == sorted(dates, reverse=True)


def test_facets_count_types_and_months(store: EmbeddedStore) -> None:
    _fill(store)
    facets = store.search(SearchQuery(facets=True)).facets
    assert facets["type"] == {"export_control.ban": 2, "export_control.restriction": 1}
    assert facets["published"] == {"2024-05-01": 3}


def test_article_search(store: EmbeddedStore) -> None:
    _fill(store)
    result = store.search(SearchQuery(q="Osaka"), "articles")
    assert [h["title"] for h in result.hits] == ["Rain expected in Osaka"]


def test_bad_query_names_itself(store: EmbeddedStore) -> None:
    _fill(store)
    with pytest.raises(QueryError, match="type:\\("):
        store.search(SearchQuery(q="type:("))


def test_data_survives_reopening(tmp_path: Path) -> None:
    first = EmbeddedStore(tmp_path / "s")
    _fill(first)
    first.close()
    second = EmbeddedStore(tmp_path / "s")
    assert second.search(SearchQuery(collapse=False)).total == 3
    second.close()
