"""The hit records: built alike from what each backend stores and answers, dated in UTC
whatever the stored date's form, highlights as spans into the evidence, and their JSON the
shape the API and `--json` have always given."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from econsec.models import SearchQuery, SortOrder, TaggedArticle
from econsec.store.elastic import search as elastic_search
from econsec.store.embedded.store import EmbeddedStore
from econsec.store.hits import (
    ArticleHit,
    EventHit,
    Outlet,
    iso,
    parse_instant,
    story_hit,
    with_highlights,
)
from tests.support import factories

WIRE = factories.article(1, title="China bans gallium exports")
WIRE = WIRE.model_copy(update={"story_id": WIRE.id})
COPY = factories.article(2, title="Gallium ban", source="Other outlet", day=3).model_copy(
    update={"story_id": WIRE.id}
)
BAN = factories.event(WIRE, "export_control.ban", target=["US"])
BAN_COPY = factories.event(
    COPY, "export_control.ban", target=["US"], cluster_id=BAN.cluster_id, evidence=COPY.title
)


def source(event: Any) -> dict[str, Any]:
    """A document as both backends store it."""
    return dict(event.model_dump(mode="json"))


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ("2024-05-01T08:30:00Z", datetime(2024, 5, 1, 8, 30, tzinfo=UTC)),
        ("2024-05-01T08:30:00+00:00", datetime(2024, 5, 1, 8, 30, tzinfo=UTC)),
        ("2024-05-01T10:30:00+02:00", datetime(2024, 5, 1, 8, 30, tzinfo=UTC)),
        ("2024-05-01T08:30:00", datetime(2024, 5, 1, 8, 30, tzinfo=UTC)),  # naive: UTC
        ("2024-05-01T08:30:00.250Z", datetime(2024, 5, 1, 8, 30, 0, 250_000, tzinfo=UTC)),
        ("2024-05-01", datetime(2024, 5, 1, tzinfo=UTC)),  # a bare date: its midnight
        (datetime(2024, 5, 1, 8, 30), datetime(2024, 5, 1, 8, 30, tzinfo=UTC)),
        (
            datetime(2024, 5, 1, 3, 30, tzinfo=timezone(timedelta(hours=-5))),
            datetime(2024, 5, 1, 8, 30, tzinfo=UTC),
        ),
        ("", None),
        (None, None),
        ("not a date", None),
        (20240501, None),
    ],
)
def test_stored_dates_become_utc_instants(stored: object, expected: datetime | None) -> None:
    found = parse_instant(stored)
    assert found == expected
    assert found is None or found.utcoffset() == timedelta(0)
    hit = EventHit.from_source({"id": "e", "published": stored})
    assert hit.published == expected


def test_dates_are_written_as_the_records_always_wrote_them() -> None:
    assert iso(datetime(2024, 5, 1, 8, 30, tzinfo=UTC)) == "2024-05-01T08:30:00Z"
    assert iso(datetime(2024, 5, 1, 8, 30, 0, 250_000, tzinfo=UTC)) == (
        "2024-05-01T08:30:00.250000Z"
    )
    assert iso(datetime(2024, 5, 1, 10, 30, tzinfo=timezone(timedelta(hours=2)))) == (
        "2024-05-01T08:30:00Z"
    )
    assert iso(None) is None


def test_an_event_from_its_stored_document_and_back() -> None:
    hit = EventHit.from_source({**source(BAN), "created_at": "ignored"})
    assert (hit.id, hit.type, hit.status, hit.target) == (BAN.id, BAN.type, "enacted", ("US",))
    assert hit.published == BAN.published and hit.confidence == BAN.confidence
    assert hit.to_json() == source(BAN)  # no collapse, no search: just the event's fields
    assert EventHit.from_source(hit.to_json()) == hit


def test_an_article_from_its_stored_document_and_back() -> None:
    stored = {**WIRE.model_dump(mode="json"), "technologies": ["gallium"], "event_types": ["x"]}
    hit = ArticleHit.from_source(stored)
    assert hit.to_json() == stored
    assert list(hit.to_json()) == list(stored)  # the keys in the order they were written
    assert (hit.published, hit.fetched) == (WIRE.published, WIRE.fetched)


def test_records_are_frozen_and_slotted() -> None:
    hit = EventHit.from_source(source(BAN))
    with pytest.raises(dataclasses.FrozenInstanceError):
        hit.title = "changed"  # type: ignore[misc]
    assert not hasattr(hit, "__dict__") and not hasattr(ArticleHit("a"), "__dict__")


def test_a_story_is_dated_by_its_first_report_with_every_outlet_once() -> None:
    later = {**source(BAN_COPY), "published": "2024-05-03T08:00:00+00:00"}
    again = {**source(BAN), "id": "third", "published": "2024-05-02T08:00:00"}
    story = story_hit(later, [later, source(BAN), again])
    assert story.sources == (
        Outlet("Other outlet", "https://example.com/2"),
        Outlet("Wire", "https://example.com/1"),
    )
    assert (story.source_count, story.event_ids) == (2, (BAN_COPY.id, BAN.id, "third"))
    assert story.published == BAN.published and story.updated == parse_instant(later["published"])
    assert story.outlets == ["Other outlet", "Wire"] and story.last_date == story.updated
    alone = story_hit(source(BAN), [source(BAN)])
    assert (alone.updated, alone.source_count) == (None, 1)


def test_the_json_of_a_story_is_the_old_api_shape() -> None:
    """Keys in the order the dictionaries had them: the event's fields, then the story's,
    `updated` only when later copies exist, then the highlights."""
    story = with_highlights(story_hit(source(BAN_COPY), [source(BAN_COPY), source(BAN)]), [[0, 7]])
    expected = {
        **source(BAN_COPY),
        "published": "2024-05-01T08:00:00Z",
        "sources": [
            {"source": "Other outlet", "url": "https://example.com/2"},
            {"source": "Wire", "url": "https://example.com/1"},
        ],
        "event_ids": [BAN_COPY.id, BAN.id],
        "source_count": 2,
        "updated": "2024-05-03T08:00:00Z",
        "highlights": [[0, 7]],
    }
    assert json.dumps(story.to_json()) == json.dumps(expected)


def test_an_elasticsearch_answer_gives_the_same_records() -> None:
    """A collapsed hit with its inner hits, and where the query matched marked in the
    evidence, read into the records the embedded store gives."""
    marked = f"{elastic_search.MARK}China{elastic_search.UNMARK} bans gallium exports"
    first_copy = {**source(BAN), "published": "2024-04-30T08:00:00Z"}
    answer = {
        "hits": {
            "total": {"value": 2},
            "hits": [
                {
                    "_source": source(BAN_COPY),
                    "highlight": {"evidence": [marked]},
                    "inner_hits": {
                        "outlets": {"hits": {"hits": [{"_source": source(BAN_COPY)}]}},
                        "first": {"hits": {"hits": [{"_source": first_copy}]}},
                    },
                }
            ],
        },
        "aggregations": {"clusters": {"value": 1}},
    }
    found = elastic_search.result(answer, SearchQuery(q="china"), "events")
    [hit] = found.hits
    assert isinstance(hit, EventHit) and (found.total, found.clusters) == (2, 1)
    assert hit.highlights == ((0, 5),)
    assert hit.published == datetime(2024, 4, 30, 8, tzinfo=UTC)  # the first copy, listed apart
    assert hit.updated == BAN_COPY.published
    articles = {
        "hits": {"total": {"value": 1}, "hits": [{"_source": WIRE.model_dump(mode="json")}]}
    }
    [article] = elastic_search.result(articles, SearchQuery(), "articles").hits
    assert isinstance(article, ArticleHit) and article.id == WIRE.id


@pytest.fixture
def store(tmp_path: Path) -> EmbeddedStore:
    st = EmbeddedStore(tmp_path / "store")
    st.stage_articles([WIRE, COPY])
    st.save_tagged([TaggedArticle(a, b"", ["gallium"]) for a in (WIRE, COPY)], [BAN, BAN_COPY])
    st.index_pending()
    return st


def test_the_embedded_store_gives_the_records(store: EmbeddedStore) -> None:
    result = store.search(SearchQuery(q="gallium"))
    [hit] = result.hits
    assert [hit.evidence[a:b].lower() for a, b in hit.highlights or ()] == ["gallium"]
    assert hit.source_count == 2 and hit.published == WIRE.published
    assert all(isinstance(e, EventHit) and e.highlights is None for e in store.scan(SearchQuery()))
    articles = store.story_articles(WIRE.id)
    assert [a.id for a in articles] == [WIRE.id, COPY.id]  # first published first
    assert articles[0].technologies == ("gallium",)
    everything = SearchQuery(collapse=False)
    assert store.search(everything).hits[0].highlights == ()  # no words, nothing marked
    store.close()


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        (SortOrder.NEWEST, [BAN_COPY.id, BAN.id]),
        (SortOrder.OLDEST, [BAN.id, BAN_COPY.id]),
        ("oldest", [BAN.id, BAN_COPY.id]),  # as a URL or a saved search spells it
    ],
)
def test_one_sort_order_for_every_read(
    store: EmbeddedStore, order: SortOrder, expected: list[str]
) -> None:
    query = SearchQuery(collapse=False, sort=order)
    assert [hit.id for hit in store.search(query).hits] == expected
    assert [hit.id for hit in store.scan(query)] == expected
    store.close()
