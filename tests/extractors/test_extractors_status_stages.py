"""Status by stage (TAXONOMY.md, "Status follows the wording about the measure"): bills and
their content, steps still to come, what happens on the day, a measure's own aim, and the
types whose definition fixes their status."""

from __future__ import annotations

import pytest

from extractors.conventions import item_statuses
from extractors.status import default_cues, read_mention, sentence_status
from extractors.types import TaggedEvent
from tests.extractors.test_extractors_status import status_of


@pytest.mark.parametrize(
    ("title", "summary", "code", "status"),
    [
        # what a bill does is planned while the bill is, however the headline hangs it on the
        # approving verb
        (
            "Cabinet approves law to bar Huawei from 5G networks",
            "The government on Tuesday approved a draft law that would bar Huawei and ZTE from "
            "the country's 5G networks; parliament still has to vote on it.",
            "vendor_exclusion.network_equipment",
            "planned",
        ),
        # ... and enacted once the sentence makes the bill law
        (
            "Biden signs bills to tighten federal cybersecurity",
            "President Biden signed two bills into law on Friday that require federal agencies "
            "to report hacks to the government.",
            "cyber.policy",
            "enacted",
        ),
        # a position adopted on a draft law is a step of the law still being made
        (
            "Council adopts its position on the cyber resilience act",
            "EU member states on Wednesday agreed their negotiating position on a law that would "
            "require makers of connected devices to report hacks.",
            "cyber.policy",
            "planned",
        ),
        # "is to start": a step still to come
        (
            "New foreign investment screening regime is to start on 1 May",
            "The government's new regime for screening foreign investment in sensitive sectors "
            "is to start operating on 1 May, the finance ministry said.",
            "investment_screening.regime_change",
            "planned",
        ),
        # "will ... today": it happens on the day reported
        (
            "Acme Chips will break ground today on its new chip plant in Ohio",
            "Acme Chips will officially break ground today on its $20 billion chip factory in "
            "Ohio, the company said.",
            "supply_chain.production_investment",
            "enacted",
        ),
        # a measure's own aim takes the measure's status
        (
            "France unveils quantum plan",
            "The government presented a national quantum strategy on Thursday. The five-year "
            "plan aims to fund research in quantum computing and sensing.",
            "industrial_policy.research_funding",
            "enacted",
        ),
        # a planning verb far above the measure, past the walk's usual length
        (
            "Japan plans subsidy conditions for chip plants",
            "The government plans to require chip companies to commit to at least ten years of "
            "production as one of the conditions for receiving a state subsidy to build new "
            "plants in Japan.",
            "industrial_policy.subsidy",
            "planned",
        ),
        # a supply disruption is news once its cause has struck, however the effect is worded
        (
            "Earthquake in Taiwan will create a shortage of chips for carmakers",
            "A strong earthquake halted production at several chip plants in Taiwan, and "
            "analysts said carmakers would face a shortage of chips for months.",
            "supply_chain.disruption",
            "enacted",
        ),
    ],
)
def test_status_by_stage(  # type: ignore[no-untyped-def]
    tagger, title: str, summary: str, code: str, status: str
) -> None:
    assert status_of(tagger, title, summary, code) == status


@pytest.mark.parametrize(
    ("title", "summary"),
    [
        # denied, with the day named
        (
            "Ministry says it will not remove Huawei gear today",
            "The telecoms ministry said it has no plans to remove Huawei equipment from the "
            "country's networks.",
        ),
        # sport: a ban on the day is no measure of a state
        (
            "Club to ban fans today after stadium violence",
            "The football club will ban a group of fans from its stadium today after violence "
            "at the weekend.",
        ),
        # farm trade: a shortage forecast with no strategic good
        (
            "Floods will create a wheat shortage",
            "Heavy floods are expected to cut wheat harvests and lift prices for bakers this year.",
        ),
        # markets: a trading day, not a measure
        (
            "Chip stocks are to open higher today as investors await earnings",
            "Shares of chipmakers will open higher today, traders said, as investors wait for "
            "quarterly results from the largest firms.",
        ),
    ],
)
def test_stage_words_make_no_event_alone(  # type: ignore[no-untyped-def]
    tagger, title: str, summary: str
) -> None:
    assert tagger.tag(title, summary).events == []


@pytest.mark.parametrize(
    ("sentence", "status"),
    [
        ("Upcoming amendments to the foreign investment screening rules", "planned"),
        ("Japan-India economic dialogue to boost cooperation on chip supply chains", "planned"),
        ("The new screening regime is to start operating on 1 May.", "planned"),
        ("The Council adopted its position on the chips bill.", "planned"),
        ("Acme will open its chip plant today.", "enacted"),
        # a past "was to" reports what was due, not a step still to come
        ("The minister was to sign the deal on Friday.", "enacted"),
        ("Acme will open its chip plant next year.", "planned"),
        # an approved plan to build is still to come; an approved aid plan is the measure
        ("The cabinet approved the company's plan to build a chip plant in Gujarat.", "planned"),
        ("Regulators gave their approval to the firm's plan to invest $2 billion.", "planned"),
        ("The Commission approved the state aid plan for the chip factory.", "enacted"),
        ("The ministry released its plan to make the country a leader in AI.", "enacted"),
    ],
)
def test_a_guessed_events_status_by_stage(  # type: ignore[no-untyped-def]
    tagger, sentence: str, status: str
) -> None:
    doc = tagger.nlp(sentence)
    assert sentence_status(next(iter(doc.sents)), default_cues()) == status


@pytest.mark.parametrize(
    ("sentence", "word", "status"),
    [
        ("The strategy aims to fund research in quantum sensing.", "fund", "enacted"),
        ("The ministry aims to fund research in quantum sensing.", "fund", "planned"),
        ("The government adopted rules that seek to curb data exports.", "curb", "enacted"),
        ("The government seeks to curb data exports.", "curb", "planned"),
        # an approved plan named by what it is is the measure; a plan to do is to come
        ("The Commission authorised the state aid plan for the chip plant.", "aid", "enacted"),
        ("The ministry unveiled a state aid plan for the chip plant.", "aid", "planned"),
        ("The cabinet approved a plan to subsidise chip plants.", "subsidise", "planned"),
    ],
)
def test_a_measures_own_aim_is_no_plan(  # type: ignore[no-untyped-def]
    tagger, sentence: str, word: str, status: str
) -> None:
    doc = tagger.nlp(sentence)
    anchor = next(t for t in doc if t.text == word)
    assert read_mention(anchor, default_cues()).status == status


def _event(code: str, status: str, evidence: str) -> TaggedEvent:
    return TaggedEvent(type=code, status=status, evidence=evidence)  # type: ignore[arg-type]


BILL = "The cabinet approved a bill to create a security clearance system."
SIGNED = "The president signed into law a bill creating a security clearance system."
OTHER = "The agency will start vetting staff next year."


def test_types_whose_definition_fixes_their_status() -> None:
    events = [
        _event("legislation.proposal", "enacted", BILL),
        _event("cyber.incident", "planned", "Hackers took the port's systems offline."),
        _event("supply_chain.disruption", "planned", "The quake will cut chip output."),
        _event("sanctions.imposed", "planned", "The ministry will impose sanctions."),
    ]
    fixed = item_statuses(events, default_cues())
    assert [e.status for e in fixed] == ["planned", "enacted", "enacted", "planned"]


def test_what_a_bill_does_shares_its_status() -> None:
    cues = default_cues()
    bill = _event("legislation.proposal", "planned", BILL)
    content = _event("governance.security_clearance", "enacted", BILL)
    elsewhere = _event("research_security.measure", "enacted", OTHER)
    assert [e.status for e in item_statuses([bill, content, elsewhere], cues)] == [
        "planned",
        "planned",
        "enacted",  # another sentence: its own words decide
    ]
    law = _event("legislation.proposal", "planned", SIGNED)
    signed = _event("governance.security_clearance", "enacted", SIGNED)
    assert item_statuses([law, signed], cues)[1].status == "enacted"
    assert item_statuses([content], cues) == [content]  # no bill, nothing to share
