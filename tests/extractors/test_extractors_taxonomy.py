"""The taxonomy data file: complete, defined, and covered by patterns."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from extractors.patterns import load_patterns
from extractors.taxonomy import CATEGORIES, CODES, TECHNOLOGIES, load_taxonomy

SHARED = Path(__file__).parents[2].parent / "shared"
TAXONOMY_MD = SHARED / "TAXONOMY.md"


def test_every_type_has_a_definition_and_a_known_category() -> None:
    for etype in load_taxonomy():
        assert etype.definition.strip(), etype.code
        assert etype.category in CATEGORIES, etype.code


def test_every_code_has_at_least_one_pattern() -> None:
    covered = {p.code for p in load_patterns()}
    assert set(CODES) - covered == set()


def test_dominated_codes_exist() -> None:
    for etype in load_taxonomy():
        assert set(etype.dominates) <= set(CODES), etype.code


def test_twelve_technology_domains() -> None:
    assert len(TECHNOLOGIES) == 12
    assert "semiconductors" in TECHNOLOGIES and "space" in TECHNOLOGIES


@pytest.mark.skipif(not TAXONOMY_MD.exists(), reason="shared TAXONOMY.md not present")
def test_every_taxonomy_md_code_is_in_the_data_file() -> None:
    text = TAXONOMY_MD.read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| ([a-z_]+\.[a-z_]+) \|", text, flags=re.M))
    assert documented, "no codes parsed from TAXONOMY.md"
    assert documented - set(CODES) == set()


@pytest.mark.skipif(not TAXONOMY_MD.exists(), reason="shared TAXONOMY.md not present")
def test_every_taxonomy_md_technology_is_in_the_data_file() -> None:
    text = TAXONOMY_MD.read_text(encoding="utf-8")
    section = text.split("## Technology domains", 1)[1].split("##", 1)[0]
    documented = set(re.findall(r"`([a-z_]+)`", section))
    assert documented == set(TECHNOLOGIES)


def test_types_acting_against_no_one_are_marked() -> None:
    untargeted = {t.code for t in load_taxonomy() if not t.has_target}
    assert {"legislation.law", "partnership.agreement", "standards.setting"} <= untargeted
    assert not {"sanctions.imposed", "export_control.entity_listing"} & untargeted
