"""Status follows the wording about the measure (TAXONOMY.md, labelling conventions)."""

from __future__ import annotations

import pytest


def status_of(tagger, title: str, summary: str, code: str) -> str | None:  # type: ignore[no-untyped-def]
    events = {e.type: e for e in tagger.tag(title, summary).events}
    return events[code].status if code in events else None


@pytest.mark.parametrize(
    ("title", "summary", "code", "status"),
    [
        # a bill's stage rules the measures it carries
        (
            "Senate approves cybersecurity incident reporting bill",
            "The Senate on Monday passed a bill that makes grid operators report hacks to the "
            "government within three days.",
            "cyber.policy",
            "planned",
        ),
        (
            "Governor signs bill banning Chinese apps on state phones",
            "The governor signed into law a bill banning the app TikTok on state devices "
            "over national security concerns.",
            "vendor_exclusion.app_or_platform",
            "enacted",
        ),
        (
            "Parliament enacts bill on security clearance",
            "Parliament on Wednesday enacted a bill to introduce a security clearance system "
            "for staff handling sensitive economic information.",
            "governance.security_clearance",
            "enacted",
        ),
        # a step still to come
        (
            "Trade pact to take effect next month",
            "The free trade agreement between Japan, China and South Korea is set to take "
            "effect in March after all three ratified it.",
            "trade_agreement.signing",
            "planned",
        ),
        (
            "Cabinet is moving to create an economic security office",
            "Japan's government is moving to create a new economic security division within "
            "its security secretariat, officials said.",
            "governance.new_body",
            "planned",
        ),
        (
            "Chipmaker to break ground on new fab in Ohio",
            "Acme Semiconductor will break ground next week on its planned chip plant in Ohio.",
            "supply_chain.production_investment",
            "planned",
        ),
        # a plant's building stage
        (
            "Acme Semiconductor holds groundbreaking ceremony for new chip plant in Osaka",
            "Acme Semiconductor held a groundbreaking ceremony on Monday for its new chip "
            "factory in Osaka, Japan.",
            "supply_chain.production_investment",
            "enacted",
        ),
        (
            "Acme Semiconductor to hold groundbreaking for chip plant in Osaka",
            "Acme Semiconductor will hold a groundbreaking ceremony next month for its new "
            "chip factory in Osaka, Japan.",
            "supply_chain.production_investment",
            "planned",
        ),
        # a purpose, not a plan
        (
            "China releases new rules on cross-border data",
            "The Cyberspace Administration of China released guidelines aimed at clarifying "
            "the rules governing cross-border data transfers.",
            "data_governance.data_flow",
            "enacted",
        ),
    ],
)
def test_status_follows_the_wording(  # type: ignore[no-untyped-def]
    tagger, title: str, summary: str, code: str, status: str
) -> None:
    assert status_of(tagger, title, summary, code) == status


@pytest.mark.parametrize(
    ("sentence", "status"),
    [
        (
            "The Senate on Tuesday passed a bill that requires grid operators to report hacks.",
            "planned",
        ),
        ("Congress passed the chip subsidy bill on Friday.", "planned"),
        ("The president signed the bill into law on Monday.", "enacted"),
        ("The company said it will invest $2 billion in a new chip plant.", "planned"),
        ("The ministry said it banned exports of gallium to the country.", "enacted"),
        ("The ministry banned exports of gallium on Monday.", "enacted"),
        ("The ministry announced it would remove Huawei gear from its networks.", "planned"),
        ("The ministry announced a ban on Huawei gear in its networks.", "enacted"),
    ],
)
def test_a_guessed_events_status_reads_the_main_clause(  # type: ignore[no-untyped-def]
    tagger, sentence: str, status: str
) -> None:
    """A text model's guess has no anchor word: the sentence's main clause (past a reporting
    verb) and the stage of a bill it approves give the status."""
    from extractors.status import default_cues, sentence_status

    doc = tagger.nlp(sentence)
    assert sentence_status(next(iter(doc.sents)), default_cues()) == status
