"""Wordings of real leads: long first sentences, datelines, Title Case headlines, laws that
do several things (sentences written for these tests; loads the model)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def types(tagger, title: str, summary: str) -> set[str]:  # type: ignore[no-untyped-def]
    return {e.type for e in tagger.tag(title, summary).events}


@pytest.mark.parametrize(
    ("title", "summary", "wanted"),
    [
        # research security: protecting research, vetting researchers, talent programmes
        (
            "Britain sets up team to protect university research from hostile states",
            "The government said the unit will advise on national security risks.",
            "research_security.measure",
        ),
        (
            "The Dutch government will screen foreign scientists for security risks",
            "",
            "research_security.measure",
        ),
        (
            "US bans its researchers from joining foreign talent recruitment programmes",
            "",
            "research_security.measure",
        ),
        # procurement: bidders, agencies told to remove products, government buildings
        (
            "India bars firms from neighbouring states from bidding for public contracts",
            "The government cited national security.",
            "vendor_exclusion.procurement",
        ),
        (
            "The US government ordered all federal agencies to remove the antivirus maker's"
            " software",
            "",
            "vendor_exclusion.procurement",
        ),
        (
            "Chinese-made cameras will be removed from government buildings, Canada says",
            "",
            "vendor_exclusion.procurement",
        ),
        # verb and object through the parse, however far apart
        (
            "The ministry barred federal agencies and their many regional offices from buying"
            " routers made by two Chinese firms, citing national security",
            "",
            "vendor_exclusion.procurement",
        ),
        (
            "Germany has tightened the screening rules that apply when buyers from outside"
            " Europe acquire stakes in chip firms",
            "",
            "investment_screening.regime_change",
        ),
        # investment screening regimes in lead wording
        (
            "A framework for screening foreign investment entered into force in the EU",
            "",
            "investment_screening.regime_change",
        ),
        (
            "Canberra will introduce a national security test for foreign takeovers",
            "",
            "investment_screening.regime_change",
        ),
        (
            "Washington moves to restrict Chinese investment in chip firms",
            "",
            "investment_screening.regime_change",
        ),
        # strategies issued, or named as a country's first
        (
            "Germany calls China a rival in its first national security strategy",
            "",
            "legislation.strategy",
        ),
        (
            "A national AI strategy was released by the cabinet",
            "",
            "legislation.strategy",
        ),
        # Title Case headline and a dateline
        (
            "Norway Bans Exports Of Drone Components To Russia",
            "",
            "export_control.ban",
        ),
        (
            "OSLO, May 2 (Newswire) - Norway imposed sanctions on two banks on Friday.",
            "",
            "sanctions.imposed",
        ),
        # a law and what it does
        (
            "Lawmakers passed a law requiring operators to report cybersecurity incidents",
            "The president signed it into law on Friday.",
            "cyber.policy",
        ),
    ],
)
def test_found(tagger, title: str, summary: str, wanted: str) -> None:  # type: ignore[no-untyped-def]
    assert wanted in types(tagger, title, summary)


@pytest.mark.parametrize(
    ("title", "summary", "unwanted"),
    [
        # a company's own research budget, bids and removals are no state measure
        (
            "Students protect their research from rain with tarps",
            "",
            "research_security.measure",
        ),
        (
            "Builder barred from bidding after missing the deadline, club says",
            "",
            "vendor_exclusion.procurement",
        ),
        (
            "Old furniture will be removed from government buildings this summer",
            "",
            "vendor_exclusion.procurement",
        ),
        # denied or hypothetical
        (
            "Canberra rules out a national security test for foreign takeovers",
            "",
            "investment_screening.regime_change",
        ),
        (
            "Analysts say Washington could restrict Chinese investment",
            "",
            "investment_screening.regime_change",
        ),
        # a law that does something else gets no cyber type
        (
            "Lawmakers passed a law on fishing quotas",
            "",
            "cyber.policy",
        ),
    ],
)
def test_not_found(tagger, title: str, summary: str, unwanted: str) -> None:  # type: ignore[no-untyped-def]
    assert unwanted not in types(tagger, title, summary)
