"""What people type for a filter, as the index holds it; what no event can have, refused
with the nearest valid values (`econsec.vocabulary`, used by `SearchQuery.from_user`)."""

from __future__ import annotations

import pytest

from econsec.errors import FilterValueError
from econsec.models import SearchQuery
from econsec.vocabulary import listed_values, normalise, rewrite_query

EXPORT_CONTROL = [
    "export_control.ban",
    "export_control.restriction",
    "export_control.entity_listing",
    "export_control.relaxation",
]


@pytest.mark.parametrize(
    ("field", "typed", "stored"),
    [
        ("countries", ["China", "Chinese", "cn", " Japan "], ["CN", "JP"]),
        ("countries", ["uk", "Norway", "european union"], ["GB", "NO", "EU"]),
        ("initiators", ["China", "us", "the Commission", "huawei"], ["CN", "US", "EU", "Huawei"]),
        ("types", ["export_control"], EXPORT_CONTROL),
        ("types", ["export_control.*", "EXPORT_CONTROL.BAN"], EXPORT_CONTROL),
        ("types", ["sanctions", "sanctions.lifted"], ["sanctions.imposed", "sanctions.lifted"]),
        ("categories", ["Export_Control", "export_control.*"], ["export_control"]),
        ("technologies", ["semiconductor", "Semiconductors"], ["semiconductors"]),
        (
            "technologies",
            ["critical mineral", "critical-minerals", "AI"],
            ["critical_minerals", "ai"],
        ),
        ("statuses", ["Planned"], ["planned"]),
    ],
)
def test_what_people_type(field: str, typed: list[str], stored: list[str]) -> None:
    assert normalise(field, [t.strip() for t in typed]) == stored


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        (
            "technologies",
            "semiconductr",
            "technology 'semiconductr': unknown; did you mean semiconductors?",
        ),
        ("technologies", "chips", "unknown; use one of semiconductors, telecom, ai"),
        ("types", "export_contol.ban", "did you mean export_control.ban"),
        ("types", "weather", "type 'weather': unknown (`econsec taxonomy` lists them)"),
        ("categories", "sanctoins", "did you mean sanctions?"),
        ("categories", "export_control.ban", "is an event type: filter on type instead"),
        ("statuses", "done", "status 'done': unknown; use one of planned, enacted"),
        ("countries", "Chnia", "country 'Chnia': unknown; did you mean China (CN)?"),
        ("countries", "Xanadu", "(`econsec values country` or /api/values/country lists"),
        ("countries", "XX", "country 'XX': unknown"),
        ("countries", "Huawei", "is not a country but Huawei: filter on initiator instead"),
        ("initiators", "Nippon Stele", "did you mean Nippon Steel?"),
        ("initiators", "Chnia", "did you mean China (CN)?"),
    ],
)
def test_what_no_event_can_have_is_refused(field: str, typed: str, message: str) -> None:
    with pytest.raises(FilterValueError) as refused:
        normalise(field, [typed])
    assert message in str(refused.value)
    assert isinstance(refused.value, ValueError)  # every caller's usage error already


def test_an_unknown_organisation_is_searched_as_written_without_a_store() -> None:
    assert normalise("initiators", ["Acme Widgets"]) == ["Acme Widgets"]


def test_the_store_holds_what_the_taxonomy_and_gazetteer_do_not() -> None:
    stored = {
        "type": {"export_control.embargo": 3},  # a code an older taxonomy had
        "initiator": {"Acme Widgets": 2, "Globex": 1},
    }

    def known(field: str) -> dict[str, int]:
        return stored.get(field, {})

    assert normalise("types", ["export_control.embargo"], known) == ["export_control.embargo"]
    assert normalise("initiators", ["acme widgets", "CN"], known) == ["Acme Widgets", "CN"]
    with pytest.raises(FilterValueError, match="not in the store; did you mean Globex?"):
        normalise("initiators", ["Globexx"], known)
    with pytest.raises(FilterValueError, match="initiator 'Initech': unknown"):
        normalise("initiators", ["Initech"], known)


@pytest.mark.parametrize(
    ("q", "rewritten"),
    [
        ("type:export_control.*", "category:export_control"),
        ("gallium AND type:export_control", "gallium AND category:export_control"),
        ('initiator:China OR initiator:"nippon steel"', 'initiator:CN OR initiator:"Nippon Steel"'),
        (
            "technologies:semiconductor AND countries:japan",
            "technologies:semiconductors AND countries:JP",
        ),
        ('"type:export_control.*" in a phrase', '"type:export_control.*" in a phrase'),
        (
            "countries:* AND NOT type:export_control.ban",
            "countries:* AND NOT type:export_control.ban",
        ),
        ("confidence:[0.9 TO 1] AND status:Planned", "confidence:[0.9 TO 1] AND status:planned"),
        ("(type:export_control.ban)", "(type:export_control.ban)"),
        ("type:export_control.ban^2 OR status:plan~", "type:export_control.ban^2 OR status:plan~"),
        (
            "countries:[A TO C] AND type:export_control*",
            "countries:[A TO C] AND category:export_control",
        ),
        ("initiator:(China OR Japan)", "(initiator:CN OR initiator:JP)"),
        (
            'type:(export_control OR sanctions.lifted) AND initiator:("nippon steel")',
            '(category:export_control OR type:sanctions.lifted) AND (initiator:"Nippon Steel")',
        ),
    ],
)
def test_the_filters_of_a_query_text(q: str, rewritten: str) -> None:
    assert rewrite_query(q) == rewritten


def test_a_query_text_with_an_unknown_value_is_refused() -> None:
    with pytest.raises(FilterValueError, match="did you mean export_control.ban"):
        rewrite_query("gallium AND type:export_contol.ban")


def test_one_constructor_normalises_every_filter_and_the_text() -> None:
    query = SearchQuery.from_user(
        "type:export_control.* AND gallium",
        types=["export_control"],
        countries=["China", "CN", ""],
        technologies=["semiconductor"],
        initiators=["Japanese"],
        statuses=["ENACTED"],
    )
    assert query.q == "category:export_control AND gallium"
    assert (query.types, query.countries) == (EXPORT_CONTROL, ["CN"])
    assert (query.technologies, query.initiators, query.statuses) == (
        ["semiconductors"],
        ["JP"],
        ["enacted"],
    )


def test_listed_values() -> None:
    counts = {"type": {"export_control.ban": 2}, "technologies": {"ai": 1}}

    def known(field: str) -> dict[str, int]:
        return counts.get(field, {})

    assert listed_values(known, "type") == {"type": {"export_control.ban": 2}}
    assert listed_values(known, "tech") == {"tech": {"ai": 1}}
    assert list(listed_values(known)) == [
        "type",
        "category",
        "technology",
        "country",
        "initiator",
        "status",
        "outlet",
    ]
    with pytest.raises(FilterValueError, match="use one of type, category, technology"):
        listed_values(known, "weather")


def test_every_name_the_tagger_gives_an_initiator_is_searched_as_it_is() -> None:
    """What the gazetteer writes into events (codes, canonical names) must find them."""
    from extractors.gazetteer import default_gazetteer

    gazetteer = default_gazetteer()
    written = {*gazetteer.states.values(), *gazetteer.groups.values(), *gazetteer.orgs.values()}
    changed = {name: normalise("initiators", [name]) for name in written}
    assert {name: to for name, to in changed.items() if to != [name]} == {}
    assert normalise("initiators", ["reliance"]) == ["Reliance"]  # no alias of its own


def test_every_country_the_tagger_writes_is_searched_as_it_is() -> None:
    from extractors.countries import firm_countries
    from extractors.gazetteer import default_gazetteer

    written = {*default_gazetteer().states.values(), *firm_countries().values()}
    assert {code for code in written if normalise("countries", [code]) != [code]} == set()
