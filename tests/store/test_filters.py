"""Filters beyond terms and dates, on every backend: the least confidence of an event."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

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
        assert [round(hit.confidence, 3) for hit in found.hits] == expected
        assert found.total == len(expected)
        assert sum(found.facets["type"].values()) == len(expected)


def test_least_confidence_with_other_filters_and_a_scan(store: Store) -> None:
    fill(store)
    query = SearchQuery(
        q="curbs OR reviews", min_confidence=0.5, since=datetime(2024, 5, 6, tzinfo=UTC)
    )
    assert [hit.type for hit in store.search(query).hits] == ["investment_screening.review"]
    assert [e.confidence for e in store.scan(SearchQuery(min_confidence=0.6))] == [0.9, 0.65]


def test_articles_have_no_confidence_to_filter_on(store: Store) -> None:
    fill(store)
    assert store.search(SearchQuery(min_confidence=0.95), "articles").total == 3


@pytest.mark.parametrize("least", [-0.1, 1.5])
def test_a_confidence_outside_0_to_1_is_refused(least: float) -> None:
    with pytest.raises(ValueError, match="min_confidence"):
        SearchQuery(min_confidence=least)


def test_values_of_each_filter_with_counts(store: Store) -> None:
    fill(store)
    assert store.values("type") == {
        "export_control.ban": 1,
        "export_control.restriction": 1,
        "investment_screening.review": 1,
    }
    assert store.values("category") == {"export_control": 2, "investment_screening": 1}
    assert store.values("countries") == {"CN": 2, "EU": 1, "JP": 1}  # most first, then A-Z
    assert store.values("initiator") == {"CN": 1, "EU": 1, "JP": 1}
    assert store.values("technologies") == {"semiconductors": 3}
    assert store.values("status") == {"enacted": 3}
    assert store.values("countries", size=1) == {"CN": 2}


def test_values_count_only_searchable_events(store: Store) -> None:
    assert store.values("type") == {}
    late = factories.article(9, title="Korea bans chip exports", day=9)
    store.stage_articles([late])
    late = late.model_copy(update={"story_id": late.id})
    store.save_tagged([TaggedArticle(late, b"", [])], [factories.event(late, "export_control.ban")])
    assert store.values("type") == {}  # tagged, not yet indexed
    store.index_pending()
    assert store.values("type") == {"export_control.ban": 1}


def test_a_value_only_the_store_holds_is_searched(store: Store) -> None:
    """A code an older taxonomy gave, an organisation the tagger named from the text."""
    fill(store)
    old = factories.article(8, title="Acme Widgets embargoes chips", day=8)
    store.stage_articles([old])
    old = old.model_copy(update={"story_id": old.id})
    event = factories.event(old, "export_control.embargo", initiator=["Acme Widgets"])
    store.save_tagged([TaggedArticle(old, b"", [])], [event])
    store.index_pending()
    query = SearchQuery.from_user(
        types=["export_control.embargo"], initiators=["acme widgets"], known=store.values
    )
    assert (query.types, query.initiators) == (["export_control.embargo"], ["Acme Widgets"])
    assert [hit.title for hit in store.search(query).hits] == [old.title]
    with pytest.raises(ValueError, match=r"initiator 'Acme Widget': not in the store; did you"):
        SearchQuery.from_user(initiators=["Acme Widget"], known=store.values)
    with pytest.raises(ValueError, match="did you mean export_control.ban"):
        SearchQuery.from_user(types=["export_control.bna"], known=store.values)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ({"countries": ["China"]}, ["investment_screening.review", "export_control.ban"]),
        ({"initiators": ["Japanese"]}, ["export_control.restriction"]),
        ({"types": ["export_control"]}, ["export_control.restriction", "export_control.ban"]),
        (
            {"technologies": ["semiconductor"], "q": "type:export_control.*"},
            ["export_control.restriction", "export_control.ban"],
        ),
        (
            {"q": "initiator:(Japanese OR China)"},
            ["export_control.restriction", "export_control.ban"],
        ),
        (
            {"q": "initiator:Japan OR countries:european"},
            ["investment_screening.review", "export_control.restriction"],
        ),
    ],
)
def test_what_people_type_finds_what_the_index_holds(
    store: Store, typed: dict[str, Any], expected: list[str]
) -> None:
    fill(store)
    filters = {name: values for name, values in typed.items() if name != "q"}
    query = SearchQuery.from_user(typed.get("q", ""), known=store.values, **filters)
    assert [hit.type for hit in store.search(query).hits] == expected
