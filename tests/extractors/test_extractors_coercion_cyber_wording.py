"""Wordings of boycotts, retaliation, research security, cyber and data rules that real news
uses and the patterns once missed, with their unhappy paths (sentences written for these
tests; loads the model).

The pattern layer is checked without the learned policy, which judges its events later.
"""

from __future__ import annotations

import pytest

from extractors.pipeline import EventTagger

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def patterns() -> EventTagger:
    return EventTagger(classifier=False)


def types(tagger: EventTagger, title: str, summary: str = "") -> set[str]:
    return {e.type for e in tagger.tag(title, summary).events}


@pytest.mark.parametrize(
    ("title", "summary", "wanted"),
    [
        # consumer boycotts of a foreign firm, named or not
        (
            "Shoppers in Seoul shun Uniqlo as the trade row with Tokyo deepens",
            "Sales at the chain's stores fell sharply this month.",
            "economic_coercion.boycott",
        ),
        (
            "Nike faces a boycott in China over its statement on cotton",
            "State media called on consumers to stop buying the brand.",
            "economic_coercion.boycott",
        ),
        (
            "Chinese consumers boycott foreign brands after the sanctions row",
            "Online retailers pulled several Western labels from their shelves.",
            "economic_coercion.boycott",
        ),
        # retaliation: threats, countermeasures against a named state, tit for tat
        (
            "Beijing vows countermeasures after Tokyo tightens chip export controls",
            "",
            "economic_coercion.retaliation",
        ),
        (
            "China warns the Netherlands of consequences over its curbs on chip equipment exports",
            "",
            "economic_coercion.retaliation",
        ),
        (
            "China will take measures against the United States over its new tariffs",
            "The commerce ministry said it would defend the country's trade interests.",
            "economic_coercion.retaliation",
        ),
        (
            "Canada imposes duties on US goods in a tit for tat move over steel tariffs",
            "",
            "economic_coercion.retaliation",
        ),
        # research security: securing campus research, probes of undisclosed foreign ties
        (
            "The UK government will strengthen security at universities doing sensitive research",
            "",
            "research_security.measure",
        ),
        (
            "US health officials open a probe into researchers' undisclosed foreign ties",
            "Grant holders at several universities failed to report funding from abroad.",
            "research_security.measure",
        ),
        # espionage cases: illegal technology exports, hackers charged
        (
            "An engineer was sentenced to four years for illegally exporting radar technology"
            " to China",
            "",
            "research_security.espionage_case",
        ),
        (
            "The United States charged three Chinese hackers over the theft of vaccine research",
            "",
            "research_security.espionage_case",
        ),
        # cyber incidents: break-ins, state-linked thefts, cyber spying
        (
            "State-backed hackers broke into the computer systems of two Asian telecom operators",
            "",
            "cyber.incident",
        ),
        (
            "The FBI says a North Korean hacking group was behind the theft of $300 million"
            " in cryptocurrency",
            "",
            "cyber.incident",
        ),
        # cyber rules: incident reporting, IT security laws, active cyber defence
        (
            "The Senate passes a cyber incident reporting bill for critical infrastructure",
            "",
            "cyber.policy",
        ),
        (
            "Germany adopts a new IT security law for its telecom networks",
            "",
            "cyber.policy",
        ),
        (
            "Japan's cabinet approves a bill on active cyberdefense against cyberattacks",
            "",
            "cyber.policy",
        ),
        # data localisation in the passive voice
        (
            "India's central bank says payment data must be stored only in the country",
            "",
            "data_governance.data_flow",
        ),
    ],
)
def test_wording_is_tagged(patterns: EventTagger, title: str, summary: str, wanted: str) -> None:
    assert wanted in types(patterns, title, summary)


@pytest.mark.parametrize(
    ("title", "summary", "unwanted"),
    [
        # a boycott of a sporting or diplomatic event is no economic coercion
        (
            "The United States announces a diplomatic boycott of the Winter Olympics in China",
            "",
            "economic_coercion.boycott",
        ),
        # a domestic consumer boycott names no other state or foreign firm
        (
            "Conservative shoppers boycott a beer brand over its advertising",
            "",
            "economic_coercion.boycott",
        ),
        # denials and hypotheticals of retaliation
        (
            "China says it has no plans to retaliate against Japan's chip export controls",
            "",
            "economic_coercion.retaliation",
        ),
        # a firm's lawsuit in response to a ban is no state retaliation
        (
            "A video app sues the US government in response to its ban",
            "",
            "economic_coercion.retaliation",
        ),
        # markets and sport: a club's sanctions, a team's tactics
        (
            "The club will take action against the fans who threw flares at the match",
            "",
            "economic_coercion.retaliation",
        ),
        # ordinary crime: a burglar breaks into a house, a shop theft
        (
            "Police say a man broke into a house and stole jewellery",
            "",
            "cyber.incident",
        ),
        # a company's own data storage is product news
        (
            "The new phone keeps photos stored locally on the device",
            "",
            "data_governance.data_flow",
        ),
        # commodity trade: a meat import halt over disease is a sanitary measure
        (
            "China suspends beef imports from Brazil after a case of mad cow disease",
            "",
            "economic_coercion.boycott",
        ),
    ],
)
def test_unhappy_paths_are_not_tagged(
    patterns: EventTagger, title: str, summary: str, unwanted: str
) -> None:
    assert unwanted not in types(patterns, title, summary)
