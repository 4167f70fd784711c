"""How laws, bills and strategies are worded in news leads: the stage a bill has reached, a
law taking effect however long its name, a plan that is policy (sentences written for these
tests; loads the model).

The patterns are checked without the learned policy, so that the cases hold whatever model
is trained on top of them.
"""

from __future__ import annotations

import pytest

from extractors.pipeline import EventTagger

pytestmark = pytest.mark.slow

LAW, PROPOSAL = "legislation.law", "legislation.proposal"
STRATEGY = "legislation.strategy"


@pytest.fixture(scope="module")
def patterns() -> EventTagger:
    return EventTagger(classifier=False)


def types(tagger: EventTagger, title: str, summary: str = "") -> set[str]:
    return {e.type for e in tagger.tag(title, summary).events}


@pytest.mark.parametrize(
    ("title", "summary", "wanted", "unwanted"),
    [
        # a legislature's own vote is the final one: a law, not also a proposal
        (
            "Parliament on Friday passed a bill tightening the screening of foreign takeovers"
            " of chip firms",
            "",
            LAW,
            PROPOSAL,
        ),
        (
            "Lawmakers on Tuesday approved a bill requiring grid operators to report cyberattacks",
            "",
            LAW,
            PROPOSAL,
        ),
        (
            "The chip export bill was passed by parliament on Monday, Japan's trade ministry said",
            "",
            LAW,
            PROPOSAL,
        ),
        # enacted without a verb before the law: promulgated, commencing, taking effect
        (
            "China's amended foreign investment screening act was promulgated on Monday",
            "",
            LAW,
            None,
        ),
        (
            "Britain's national security and investment act, which gives ministers powers to"
            " block takeovers, will commence on 1 March",
            "",
            LAW,
            None,
        ),
        (
            "Taiwan's amendments to the trade secrets act that raise penalties for leaking chip"
            " technology abroad took effect on Sunday",
            "",
            LAW,
            None,
        ),
        (
            "The EU's digital platforms act applies from today",
            "The rules oblige large platforms to let users move their data.",
            LAW,
            None,
        ),
        # a cabinet, a government, one chamber or a committee: the bill is still a proposal
        (
            "The cabinet approved a bill to create a security clearance system for industry",
            "",
            PROPOSAL,
            LAW,
        ),
        (
            "Government adopts legislation to fund advanced chip factories",
            "The bill goes to parliament next month.",
            PROPOSAL,
            LAW,
        ),
        (
            "The chip support bill cleared the lower house on Thursday",
            "",
            PROPOSAL,
            LAW,
        ),
        (
            "A South Korean parliamentary committee passed the semiconductor industry bill",
            "",
            PROPOSAL,
            LAW,
        ),
        (
            "Amendments to the cybersecurity act were tabled in parliament on Monday",
            "",
            PROPOSAL,
            None,
        ),
        # passed by both chambers but not yet signed; a step closer to becoming law
        (
            "The chip security bill passed both chambers of Congress and now heads to the US"
            " president's desk",
            "",
            PROPOSAL,
            LAW,
        ),
        (
            "EU states endorse the AI act, which moves a step closer to becoming law",
            "",
            PROPOSAL,
            None,
        ),
    ],
)
def test_bill_stages(
    patterns: EventTagger, title: str, summary: str, wanted: str, unwanted: str | None
) -> None:
    found = types(patterns, title, summary)
    assert wanted in found
    assert unwanted not in found


@pytest.mark.parametrize(
    ("title", "summary", "unwanted"),
    [
        # a domestic bill with no technology or security in it
        ("Parliament passed a bill on fishing quotas on Friday", "", LAW),
        (
            "The diet enacted a bill to promote green investment for a carbon neutral economy",
            "",
            LAW,
        ),
        # a bill whose passage fell through
        (
            "Passage of the chip subsidy bill was cancelled amid the political crisis",
            "",
            PROPOSAL,
        ),
        # denied and hypothetical
        (
            "The government has no plans to submit a bill on chip export controls",
            "",
            PROPOSAL,
        ),
        ("Parliament could pass the chip security bill next year, analysts say", "", LAW),
        # sport and courts use the same words
        ("The football league is a step closer to passage of its new transfer rules", "", PROPOSAL),
        ("The football league passed new rules on player transfers", "", LAW),
        ("The court upheld the transfer ban on the club", "", LAW),
        # a bill passed as the government proposed it is not a new proposal
        (
            "The diet passed the foreign investment bill on Friday",
            "The bill was passed as proposed by the government, without amendment.",
            PROPOSAL,
        ),
    ],
)
def test_bill_stages_not_found(
    patterns: EventTagger, title: str, summary: str, unwanted: str
) -> None:
    assert unwanted not in types(patterns, title, summary)


@pytest.mark.parametrize(
    ("title", "summary", "wanted"),
    [
        # strategies disclosed, and multi-year or national plans released
        ("The industry ministry disclosed a basic strategy to revive chipmaking", "", STRATEGY),
        (
            "The government released its ten-year plan to make the country an AI leader",
            "",
            STRATEGY,
        ),
        ("Beijing unveils its 'Digital Silk Road 2030' plan", "", STRATEGY),
    ],
)
def test_strategy_found(patterns: EventTagger, title: str, summary: str, wanted: str) -> None:
    assert wanted in types(patterns, title, summary)


@pytest.mark.parametrize(
    ("title", "summary", "unwanted"),
    [
        # a company's plans, a report outlining a policy
        ("The chipmaker announced plans on Tuesday to build a plant in Ohio", "", STRATEGY),
        (
            "The ministry published a report outlining the risks of AI chips to security",
            "",
            STRATEGY,
        ),
    ],
)
def test_strategy_not_found(patterns: EventTagger, title: str, summary: str, unwanted: str) -> None:
    assert unwanted not in types(patterns, title, summary)
