"""Actor normalisation: countries, metonyms, agencies, firms."""

from __future__ import annotations

import pytest
import spacy
from spacy.language import Language

import extractors.actors  # noqa: F401
from extractors.actors import SPANS_KEY, clean_name, normalise_actor


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Japan", "JP"),
        ("Tokyo", "JP"),
        ("Chinese", "CN"),
        ("Beijing", "CN"),
        ("Washington", "US"),
        ("the United States", "US"),
        ("Brussels", "EU"),
        ("the Commission", "EU"),
        ("European Commission", "EU"),
        ("METI", "JP"),
        ("Commerce Department", "US"),
        ("MOFCOM", "CN"),
        ("Montana", "US"),
        ("South Korea", "KR"),
        ("Britain", "GB"),
        ("Kremlin", "RU"),
        ("Germany", "DE"),
        ("Viet Nam", "VN"),
        ("Huawei", "Huawei"),
        ("Taiwan Semiconductor Manufacturing", "TSMC"),
        ("World Trade Organization", "WTO"),
        ("Quad", "Quad"),
        ("Zorblandia", None),
    ],
)
def test_normalise_actor(text: str, code: str | None) -> None:
    assert normalise_actor(text) == code


def test_clean_name() -> None:
    assert clean_name("the Huawei Technologies Co.") == "Huawei Technologies"
    assert clean_name("Nexperia's") == "Nexperia"


@pytest.fixture(scope="module")
def nlp() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("econsec_actors")
    return nlp


def spans(nlp: Language, text: str) -> list[tuple[str, str, str]]:
    doc = nlp(text)
    return [(s.text, s.label_, s.kb_id_) for s in doc.spans[SPANS_KEY]]


def test_pronoun_us_is_not_the_united_states(nlp: Language) -> None:
    assert spans(nlp, "They told us the US would act") == [("US", "STATE", "US")]


def test_generic_body_takes_the_possessor_country(nlp: Language) -> None:
    found = spans(nlp, "Japan said China's commerce ministry acted")
    assert ("commerce ministry", "STATE", "CN") in found


def test_generic_body_defaults_to_home_country(nlp: Language) -> None:
    found = spans(nlp, "Seoul responds. The trade ministry said it would act")
    assert ("trade ministry", "STATE", "KR") in found


def test_demonym_before_company_noun_is_an_organisation(nlp: Language) -> None:
    found = spans(nlp, "Chinese suppliers were excluded")
    assert found == [("Chinese", "ORG", "CN")]
