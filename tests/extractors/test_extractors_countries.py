"""The countries facet: states and the home countries of well-known firms."""

from __future__ import annotations

import pytest

from extractors.countries import actor_countries, country_of, firm_countries


@pytest.mark.parametrize(
    ("actor", "code"),
    [
        ("CN", "CN"),
        ("EU", "EU"),
        ("Huawei", "CN"),
        ("SMIC", "CN"),
        ("ZTE", "CN"),
        ("CATL", "CN"),
        ("TSMC", "TW"),
        ("Samsung", "KR"),
        ("ASML", "NL"),
        ("G7", None),
        ("Quad", None),
        ("Zentrix Devices", None),
        ("", None),
    ],
)
def test_country_of(actor: str, code: str | None) -> None:
    assert country_of(actor) == code


def test_actor_countries_are_sorted_and_unique() -> None:
    assert actor_countries(["TW", "Huawei", "SMIC", "Trade Desk Brief"]) == ["CN", "TW"]


def test_no_actors_no_countries() -> None:
    assert actor_countries([]) == []


def test_gazetteer_codes_are_country_codes() -> None:
    assert all(len(code) == 2 and code.isupper() for code in firm_countries().values())
