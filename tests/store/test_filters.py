"""Filters beyond terms and dates, on every backend: the least confidence of an event."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from econsec.models import SearchQuery, TaggedArticle
from econsec.store import Store
from tests.support import factories


def fill(store: Store) -> None:
    """Three stories whose events the tagger was 0.3, 0.65 and 0.9 sure of."""
    made = [
        factories.article(1, title="China bans gallium exports", day=3),
        factories.article(2, title="Japan curbs chip tool sales", day=5),
        factories.article(3, title="EU reviews a port takeover", day=7),
    ]
    store.stage_articles(made)
    made = [a.model_copy(update={"story_id": a.id}) for a in made]
    kinds = [
        ("export_control.ban", 0.3, {}),
        ("export_control.restriction", 0.65, {"initiator": ["JP"], "countries": ["JP"]}),
        ("investment_screening.review", 0.9, {"initiator": ["EU"], "countries": ["EU", "CN"]}),
    ]
    events = [
        factories.event(a, code, confidence=confidence, technologies=["semiconductors"], **extra)
        for a, (code, confidence, extra) in zip(made, kinds, strict=True)
    ]
    store.save_tagged([TaggedArticle(a, b"", []) for a in made], events)
    store.index_pending()


@pytest.mark.parametrize(
    ("least", "expected"),
    [
        (0.0, [0.9, 0.65, 0.3]),
        (0.3, [0.9, 0.65, 0.3]),  # a bound is inclusive
        (0.5, [0.9, 0.65]),
        (0.65, [0.9, 0.65]),
        (0.66, [0.9]),
        (1.0, []),
    ],
)
def test_least_confidence(store: Store, least: float, expected: list[float]) -> None:
    fill(store)
    for collapse in (True, False):
        found = store.search(SearchQuery(min_confidence=least, collapse=collapse, facets=True))
        assert [round(hit["confidence"], 3) for hit in found.hits] == expected
        assert found.total == len(expected)
        assert sum(found.facets["type"].values()) == len(expected)


def test_least_confidence_with_other_filters_and_a_scan(store: Store) -> None:
    fill(store)
    query = SearchQuery(
        q="curbs OR reviews", min_confidence=0.5, since=datetime(2024, 5, 6, tzinfo=UTC)
    )
    assert [hit["type"] for hit in store.search(query).hits] == ["investment_screening.review"]
    assert [e["confidence"] for e in store.scan(SearchQuery(min_confidence=0.6))] == [0.9, 0.65]


def test_articles_have_no_confidence_to_filter_on(store: Store) -> None:
    fill(store)
    assert store.search(SearchQuery(min_confidence=0.95), "articles").total == 3


@pytest.mark.parametrize("least", [-0.1, 1.5])
def test_a_confidence_outside_0_to_1_is_refused(least: float) -> None:
    with pytest.raises(ValueError, match="min_confidence"):
        SearchQuery(min_confidence=least)
