"""The actor gazetteer: how news names states, groups and organisations, and the code or
canonical name each one normalises to (actors.yaml plus pycountry's country names).

No spaCy here: the search side normalises what an analyst types ("China", "Chinese",
"the Commission") through the same tables the tagger uses, without loading a model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pycountry

from .resources import DATA_DIR, read_yaml

ACTORS_FILE = "actors.yaml"

_STRIP_WORDS = {"the", "'s", "’s", "inc", "inc.", "corp", "corp.", "co", "co.", "ltd", "ltd."}


@dataclass
class Gazetteer:
    """Alias tables from actors.yaml plus pycountry names."""

    states: dict[str, str] = field(default_factory=dict)  # alias -> country code
    groups: dict[str, str] = field(default_factory=dict)  # alias -> canonical
    orgs: dict[str, str] = field(default_factory=dict)  # alias -> canonical
    generic: list[str] = field(default_factory=list)
    company_nouns: frozenset[str] = frozenset()
    not_actors: frozenset[str] = frozenset()
    not_actor_heads: frozenset[str] = frozenset()
    demonym_suffixes: frozenset[str] = frozenset()
    states_lower: dict[str, str] = field(default_factory=dict)
    not_actor_words: frozenset[str] = frozenset()
    title_words: frozenset[str] = frozenset()
    place_words: frozenset[str] = frozenset()
    name_words: frozenset[str] = frozenset()
    attacker_nouns: frozenset[str] = frozenset()
    cause_measure_words: frozenset[str] = frozenset()
    complaint_nouns: frozenset[str] = frozenset()


def _pycountry_aliases() -> dict[str, str]:
    aliases: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            name = getattr(country, attr, None)
            if name and "," not in name:
                aliases[name] = country.alpha_2
    return aliases


def _invert(table: dict[str, list[str]]) -> dict[str, str]:
    return {alias: canonical for canonical, aliases in table.items() for alias in aliases}


def load_gazetteer(path: Path) -> Gazetteer:
    """Read actors.yaml; data-file aliases override pycountry's."""
    data = read_yaml(path) or {}
    states = _pycountry_aliases()
    states.update(_invert(data.get("countries", {})))
    return Gazetteer(
        states=states,
        groups=_invert(data.get("groups", {})),
        orgs=_invert(data.get("organisations", {})),
        generic=list(data.get("generic_state", [])),
        company_nouns=frozenset(data.get("company_nouns", [])),
        not_actors=frozenset(data.get("not_actors", [])),
        not_actor_heads=frozenset(data.get("not_actor_heads", [])),
        demonym_suffixes=frozenset(data.get("demonym_suffixes", [])),
        states_lower={k.lower(): v for k, v in states.items() if k.islower()},
        **{key: _lower_set(data, key) for key in _WORD_LISTS},
    )


_WORD_LISTS = (
    "not_actor_words",
    "title_words",
    "place_words",
    "name_words",
    "attacker_nouns",
    "cause_measure_words",
    "complaint_nouns",
)


def _lower_set(data: dict[str, Any], key: str) -> frozenset[str]:
    return frozenset(str(w).lower() for w in data.get(key, []))


@cache
def default_gazetteer() -> Gazetteer:
    return load_gazetteer(DATA_DIR / ACTORS_FILE)


def normalise_actor(text: str, gazetteer: Gazetteer | None = None) -> str | None:
    """Code for a whole actor string ("Tokyo" -> "JP", "the Commission" -> "EU").

    Returns None for strings the gazetteer and pycountry do not know.
    """
    gaz = gazetteer or default_gazetteer()
    name = clean_name(text)
    for table in (gaz.states, gaz.groups, gaz.orgs):
        if name in table:
            return table[name]
    if name.lower() in gaz.states_lower:
        return gaz.states_lower[name.lower()]
    if len(name) <= 3:  # "SC", "ML", "IT": acronyms, not country codes; known ones are aliases
        return None
    try:
        return str(pycountry.countries.lookup(name).alpha_2)
    except LookupError:
        return None


def clean_name(text: str) -> str:
    """Drop a leading article, possessive and legal suffixes from a name."""
    words = text.replace("’", "'").split()
    while words and words[0].lower() == "the":
        words = words[1:]
    while words and words[-1].lower() in _STRIP_WORDS:
        words = words[:-1]
    name = " ".join(words)
    return name[:-2] if name.endswith("'s") else name
