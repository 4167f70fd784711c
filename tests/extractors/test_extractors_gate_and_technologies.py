"""The cheap pass: technologies and the relevance gate on tokenizer output only."""

from __future__ import annotations

import pytest
import spacy
from spacy.language import Language

import extractors.gate  # noqa: F401  (registers the factory)
import extractors.technologies  # noqa: F401
from extractors.text import join_item


@pytest.fixture(scope="module")
def nlp() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("econsec_technologies")
    nlp.add_pipe("econsec_gate")
    return nlp


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tokyo curbs exports of chipmaking equipment", ["semiconductors", "advanced_materials"]),
        ("Beijing limits gallium and germanium shipments", ["critical_minerals"]),
        ("New AI chips from the start-up", ["semiconductors", "ai"]),
        ("Carriers must remove 5G gear by 2027", ["telecom"]),
        ("Regulator orders the video app removed from app stores", ["digital_platforms"]),
        ("A new smartphone goes on sale", []),
        ("Hackers hit the space agency's satellites", ["cybersecurity", "space"]),
    ],
)
def test_technologies(nlp: Language, text: str, expected: list[str]) -> None:
    assert nlp(text)._.technologies == expected


@pytest.mark.parametrize(
    ("title", "summary"),
    [
        ("Ruritania adds three firms to its Entity List", "The trade ministry said so."),
        ("Ministry tightens export controls on drones", ""),
        ("Parliament passes law on economic security", "The act covers supply chains."),
        ("Country files WTO complaint over tariffs", ""),
        ("Government bans the video app on official phones", "Staff must delete TikTok."),
        ("Regulator blocks takeover of chip designer", "It cited national security."),
    ],
)
def test_gate_passes_economic_security_news(nlp: Language, title: str, summary: str) -> None:
    doc = nlp(join_item(title, summary))
    assert doc._.in_scope
    assert doc._.gate_categories


@pytest.mark.parametrize(
    ("title", "summary"),
    [
        ("Striker signs new contract with club", "He scored 20 goals this season."),
        ("Storm brings heavy snow to the north", "Roads were closed overnight."),
        ("Bakery wins national bread award", "The rye loaf impressed the judges."),
        ("School bans phones in classrooms", "Parents backed the rule."),
    ],
)
def test_gate_turns_away_other_news(nlp: Language, title: str, summary: str) -> None:
    assert not nlp(join_item(title, summary))._.in_scope


def test_gate_on_general_news_fixture(nlp: Language) -> None:
    """Most general news must fail the gate, or the speed-up is lost."""
    from pathlib import Path

    from extractors.evaluate import read_items

    items = read_items(Path(__file__).parent / "fixtures" / "general_news.jsonl")
    passed = sum(nlp(join_item(i["title"], i["summary"]))._.in_scope for i in items)
    assert passed / len(items) <= 0.1
