"""The actor gazetteer without spaCy: what the search side normalises names with."""

from __future__ import annotations

import subprocess
import sys

import pytest

from extractors.countries import is_country
from extractors.gazetteer import default_gazetteer, normalise_actor


def test_every_state_alias_gives_a_country_code() -> None:
    """YAML reads a bare `NO:` (Norway) as false: every code must stay a code."""
    bad = {
        alias: code
        for alias, code in default_gazetteer().states.items()
        if not (isinstance(code, str) and is_country(code))
    }
    assert bad == {}


@pytest.mark.parametrize(
    ("name", "code"),
    [("Norway", "NO"), ("Norwegian", "NO"), ("Chinese", "CN"), ("the Commission", "EU")],
)
def test_names_and_demonyms(name: str, code: str) -> None:
    assert normalise_actor(name) == code


def test_importing_the_gazetteer_loads_no_spacy() -> None:
    code = (
        "import sys, extractors.gazetteer as g; g.default_gazetteer(); "
        "print('spacy' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
