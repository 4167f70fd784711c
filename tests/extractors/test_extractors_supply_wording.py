"""Supply chains, public money and investment screening in the wording of news leads:
plants broken ground on, supplies cut by a stated cause, strategic reserves, research money
for named technologies, deals blocked or reopened for review, screening rules tightened
(sentences written for these tests; loads the model)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def types(tagger, title: str, summary: str = "") -> set[str]:  # type: ignore[no-untyped-def]
    return {e.type for e in tagger.tag(title, summary).events}


@pytest.mark.parametrize(
    ("title", "wanted"),
    [
        # plants: ground broken, money spent on one
        (
            "The groundbreaking of Samsung's chip packaging plant in Ohio drew the state's"
            " governor",
            "supply_chain.production_investment",
        ),
        (
            "Samsung will spend $4 billion on a chip packaging factory in Texas",
            "supply_chain.production_investment",
        ),
        # supplies cut, with the cause stated
        (
            "Antimony deliveries to Europe have stalled under the new export licensing regime",
            "supply_chain.disruption",
        ),
        (
            "Workers were evacuated from a memory chip plant after an explosion at the site",
            "supply_chain.disruption",
        ),
        (
            "Hurricane damage closed two chip packaging factories in Louisiana for a week",
            "supply_chain.disruption",
        ),
        (
            "A border war has cut cobalt shipments from Congo to Asian battery makers",
            "supply_chain.disruption",
        ),
        # reserves, access to critical materials, designated goods
        (
            "Seoul will create a national reserve of critical minerals to shield its supply chains",
            "supply_chain.diversification",
        ),
        (
            "India signs deals with three African states to secure access to cobalt and lithium",
            "supply_chain.diversification",
        ),
        (
            "Seoul designates gallium and tungsten as strategic materials",
            "supply_chain.diversification",
        ),
        # research money for a named technology
        (
            "Ottawa announces new funding for photonics and AI start-ups and university labs",
            "industrial_policy.research_funding",
        ),
        (
            "Seoul launches a national quantum computing programme worth 400 billion won",
            "industrial_policy.research_funding",
        ),
        # a chips act that becomes law pays out subsidies
        (
            "Lawmakers passed the chips act and the president signed it into law",
            "industrial_policy.subsidy",
        ),
        # deals blocked, reviews reopened
        (
            "Italy bars a Chinese state-owned group from purchasing a robotics plant, citing"
            " security",
            "investment_screening.decision",
        ),
        (
            "London opens a review of a foreign takeover of a drone maker",
            "investment_screening.review",
        ),
        # screening rules: outbound investment, harder takeovers, lower thresholds
        (
            "Congress votes to limit American investment in Chinese AI start-ups",
            "investment_screening.regime_change",
        ),
        (
            "Tokyo will prohibit Japanese funds from financing Chinese military suppliers",
            "investment_screening.regime_change",
        ),
        (
            "Italy's new rules will make it harder for foreign companies to buy stakes in"
            " defence firms",
            "investment_screening.regime_change",
        ),
        (
            "Canberra will make foreign takeovers of critical infrastructure much harder",
            "investment_screening.regime_change",
        ),
        (
            "Foreign investors will find it harder to acquire British firms in sensitive sectors"
            " under the new UK law",
            "investment_screening.regime_change",
        ),
        (
            "Madrid cuts the stake threshold for screening non-EU investors to 5%",
            "investment_screening.regime_change",
        ),
    ],
)
def test_found(tagger, title: str, wanted: str) -> None:  # type: ignore[no-untyped-def]
    assert wanted in types(tagger, title)


@pytest.mark.parametrize(
    ("title", "summary", "unwanted"),
    [
        # plants delayed, shelved or withheld are no investment
        (
            "Panasonic postpones the construction of a battery factory in Kansas",
            "The company cited weak demand.",
            "supply_chain.production_investment",
        ),
        (
            "Battery maker Voltra shelves plans to build a gigafactory in Spain",
            "",
            "supply_chain.production_investment",
        ),
        # market news: output cut because of a general shortage, a car plant shut by a storm
        (
            "Games console maker lowers its output target, blaming tight supply of chips",
            "",
            "supply_chain.disruption",
        ),
        (
            "Storm closes car parts factories in the west of the country",
            "Makers of seat covers and mirrors suspended operations for two days.",
            "supply_chain.disruption",
        ),
        # sport and commodity trade
        (
            "Storm halts play at the open as the stadium is evacuated",
            "",
            "supply_chain.disruption",
        ),
        (
            "Drought cuts wheat exports to their lowest in a decade",
            "",
            "supply_chain.disruption",
        ),
        # private money and a firm's own name
        (
            "Software giant announces a $10 billion investment in AI in India",
            "",
            "industrial_policy.research_funding",
        ),
        (
            "A private foundation announced new funding for quantum start-ups",
            "",
            "industrial_policy.research_funding",
        ),
        (
            "Nexo Investment Fund bought a stake in a Korean battery maker",
            "",
            "industrial_policy.subsidy",
        ),
        # an outbound investment ban is screening, not research money
        (
            "Tokyo's new rule restricts Japanese investment in Chinese quantum companies",
            "",
            "industrial_policy.research_funding",
        ),
        # denied or hypothetical
        (
            "Canberra rules out making foreign takeovers of farms harder",
            "",
            "investment_screening.regime_change",
        ),
        (
            "Analysts say Washington could set up a strategic reserve of critical minerals",
            "",
            "supply_chain.diversification",
        ),
        # a specific deal under review is not a new screening regime
        (
            "London opens a review of a foreign takeover of a drone maker",
            "",
            "investment_screening.regime_change",
        ),
        # a working group on supply chains is cooperation, not a measure of its own
        (
            "The US and Japan will set up a working group on securing chip supply chains",
            "",
            "supply_chain.diversification",
        ),
        # money named after a chips and science act pays for fabs, not research
        (
            "The Commerce Department will provide Chips and Science Act funding to help a"
            " chipmaker build fabs in Ohio",
            "",
            "industrial_policy.research_funding",
        ),
        # courts and sport use "blocked from buying" too
        (
            "Court blocks the club from buying new players for two transfer windows",
            "",
            "investment_screening.decision",
        ),
    ],
)
def test_not_found(tagger, title: str, summary: str, unwanted: str) -> None:  # type: ignore[no-untyped-def]
    assert unwanted not in types(tagger, title, summary)
