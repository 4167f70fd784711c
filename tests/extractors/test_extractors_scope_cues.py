"""Scope read on the parse: the word that governs a measure decides whether it is news.

A measure in the infinitive of a failure ("failed to sign the pact"), the object of a delay
("postponed its plant"), a prediction ("is sure to hit back"), the reason a market moved
("stocks slid as Brussels weighed controls"), a round of talks resumed after a gap ("the
first dialogue in five years"), an agreement only to continue, or a summary of a stretch of
time ("over the past decade") is not reported as an action; the same words in other places
leave a measure alone. The items are written for the test.
"""

from __future__ import annotations

import pytest

from extractors.pipeline import EventTagger
from extractors.status import default_cues, is_non_event_title, read_mention

pytestmark = pytest.mark.slow


def modality(tagger: EventTagger, text: str, word: str) -> str:
    """The reading of the first token `word` of `text`."""
    doc = tagger.nlp(text)
    anchor = next(t for t in doc if t.text == word)
    return read_mention(anchor, default_cues()).modality


@pytest.mark.parametrize(
    ("text", "word", "wanted"),
    [
        # a failure governs the infinitive that holds the measure
        ("Ministers failed to sign the supply chain pact at the summit.", "pact", "negated"),
        ("The two governments were unable to agree on a data transfer pact.", "pact", "negated"),
        # ... but not a measure beside it, nor a failed review
        (
            "After talks failed, Tokyo imposed export controls on chip materials.",
            "controls",
            "asserted",
        ),
        (
            "The vendor's routers failed an audit by the telecoms regulator.",
            "audit",
            "asserted",
        ),
        # a delayed or withheld plant or grant is not news of one
        (
            "The battery maker postponed work on its new plant in Spain by a year.",
            "plant",
            "negated",
        ),
        (
            "The ministry is withholding the promised grants for the solar panel factory.",
            "grants",
            "negated",
        ),
        # a prediction by a copula adjective
        ("Moscow is sure to hit back with an export ban on fertiliser.", "ban", "hypothetical"),
        ("Moscow hit back with an export ban on fertiliser.", "ban", "asserted"),
        # pressure from others to act is a call, not the act
        (
            "The government is under pressure to screen the sale of the port operator.",
            "screen",
            "hypothetical",
        ),
        (
            "Under pressure from Washington, the Dutch government restricted exports of "
            "chipmaking machines.",
            "restricted",
            "asserted",
        ),
        # a measure that a market move reacts to
        (
            "Toolmaker stocks slid as Brussels weighed wider export controls.",
            "controls",
            "background",
        ),
        # ... but the subject of the move is no measure, and a separate clause is news
        ("Brussels adopted wider export controls on Monday.", "controls", "asserted"),
        ("Tungsten prices rose after the export curbs took effect.", "prices", "asserted"),
        # a round resumed after a gap
        (
            "Brazil and India held their first technology dialogue in five years.",
            "dialogue",
            "kept",
        ),
        ("The envoys met in Geneva for the first such talks in six years.", "met", "kept"),
        (
            "Brazil and India held the first round of their new technology dialogue.",
            "round",
            "asserted",
        ),
        # an agreement only to go on with what exists
        (
            "The regulators agreed to maintain their joint working group on chip supplies.",
            "agreed",
            "kept",
        ),
        (
            "The regulators agreed to set up a joint working group on chip supplies.",
            "agreed",
            "asserted",
        ),
        # a summary of a stretch of time, not a new action
        (
            "Washington has blacklisted dozens of drone makers over the past decade.",
            "blacklisted",
            "background",
        ),
        (
            "In recent years Ottawa has tightened its screening of mining takeovers.",
            "tightened",
            "background",
        ),
        ("Ottawa tightened its screening of mining takeovers on Friday.", "tightened", "asserted"),
        (
            "Ottawa will tighten its screening of mining takeovers for the next two years.",
            "tighten",
            "asserted",
        ),
    ],
)
def test_the_governing_word_decides(tagger: EventTagger, text: str, word: str, wanted: str) -> None:
    assert modality(tagger, text, word) == wanted


@pytest.mark.parametrize(
    ("title", "wanted"),
    [
        ("Regulator's FAQs on the data transfer rules", True),
        ("New screening rules: what foreign investors need to know", True),
        ("Ministry answers questions on new export rules", False),
        ("EU adopts new rules on foreign subsidies", False),
    ],
)
def test_explainer_titles(title: str, wanted: bool) -> None:
    assert is_non_event_title(title, default_cues()) is wanted


def types(tagger: EventTagger, title: str, summary: str) -> set[str]:
    return {e.type for e in tagger.tag(title, summary).events}


@pytest.mark.parametrize(
    ("title", "summary"),
    [
        (
            "Ministers fail to agree on a supply chain pact at the summit",
            "Negotiators said talks would resume next month.",
        ),
        (
            "Brazil and India hold the first meeting of their technology council in five years",
            "Officials discussed chip supplies.",
        ),
        (
            "Treasury publishes FAQs on the outbound investment rules",
            "The guidance covers AI and quantum deals.",
        ),
        (
            "Battery maker postpones its planned gigafactory in Spain by a year",
            "The company cited weak demand for electric cars.",
        ),
        (
            "Moscow is sure to hit back with an export ban on fertiliser, analysts say",
            "They spoke at a conference on Monday.",
        ),
    ],
)
def test_near_misses_give_no_event(tagger: EventTagger, title: str, summary: str) -> None:
    assert types(tagger, title, summary) == set()


@pytest.mark.parametrize(
    ("title", "summary", "wanted"),
    [
        (
            "US imposes export controls on AI chips to China",
            "The Commerce Department said the rules take effect at once.",
            "export_control.restriction",
        ),
        (
            "Seoul and Tokyo launch a new economic security dialogue",
            "Officials will meet twice a year to coordinate export controls on chip materials.",
            "partnership.security_cooperation",
        ),
    ],
)
def test_the_events_beside_them_stay(
    tagger: EventTagger, title: str, summary: str, wanted: str
) -> None:
    assert wanted in types(tagger, title, summary)
