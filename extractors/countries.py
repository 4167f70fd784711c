"""The countries an event is about, for the `countries` search facet.

Roles keep canonical names ("Huawei" stays "Huawei" in `target`), but an
analyst filtering on CN wants the events that hit Chinese firms too; a
gazetteer (firm_countries.yaml) gives well-known firms their home country.
No spaCy here: the search side imports this without loading a model.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from .resources import DATA_DIR, read_yaml

FIRM_COUNTRIES_FILE = "firm_countries.yaml"


@cache
def firm_countries() -> dict[str, str]:
    """Canonical firm name -> ISO code (EU for the Union's bodies)."""
    data = read_yaml(DATA_DIR / FIRM_COUNTRIES_FILE) or {}
    return {str(name): str(code) for code, names in data.items() for name in names}


def is_country(actor: str) -> bool:
    """Actor codes of states are two capitals (ISO 3166-1 alpha-2, or EU)."""
    return len(actor) == 2 and actor.isalpha() and actor.isupper()


def country_of(actor: str) -> str | None:
    """The actor's country: itself for a state code, the home country for a known firm."""
    return actor if is_country(actor) else firm_countries().get(actor)


def actor_countries(actors: Iterable[str]) -> list[str]:
    """Sorted, unique countries of the actors (unknown names add nothing)."""
    return sorted({code for a in actors if (code := country_of(a))})
