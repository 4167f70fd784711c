"""How new public bodies, security clearances and standards are worded in news leads: a body
set up, newly established or opened (not a plant's unit or a data centre), people vetted,
standards developed or a resolution on AI adopted (sentences written for these tests; loads
the model).

The patterns are checked without the learned policy, so that the cases hold whatever model
is trained on top of them.
"""

from __future__ import annotations

import pytest

from extractors.pipeline import EventTagger

pytestmark = pytest.mark.slow

BODY, CLEARANCE = "governance.new_body", "governance.security_clearance"
STANDARDS = "standards.setting"


@pytest.fixture(scope="module")
def patterns() -> EventTagger:
    return EventTagger(classifier=False)


def types(tagger: EventTagger, title: str, summary: str = "") -> set[str]:
    return {e.type for e in tagger.tag(title, summary).events}


@pytest.mark.parametrize(
    ("title", "summary", "wanted"),
    [
        # new bodies: newly established, opened, created
        (
            "The newly established economic security bureau of the trade ministry will begin"
            " work in April",
            "",
            BODY,
        ),
        (
            "Britain's national cyber security centre officially opens in London",
            "The government set it up to defend networks against attacks.",
            BODY,
        ),
        (
            "The Indian government announced the creation of an office for supply chain security",
            "",
            BODY,
        ),
        # clearances: people vetted, the clearance process reformed
        (
            "Academics working on sensitive chip research will have to undergo security"
            " vetting, the government said",
            "",
            CLEARANCE,
        ),
        (
            "The government will introduce security vetting for researchers in quantum computing",
            "",
            CLEARANCE,
        ),
        ("The defence ministry is overhauling the security clearance process", "", CLEARANCE),
        # standards and norms for technology developed or adopted
        (
            "The UN General Assembly adopted a resolution on safe and trustworthy artificial"
            " intelligence",
            "",
            STANDARDS,
        ),
        (
            "Japan and the EU agreed to create common technical standards for 6G networks",
            "",
            STANDARDS,
        ),
    ],
)
def test_found(patterns: EventTagger, title: str, summary: str, wanted: str) -> None:
    assert wanted in types(patterns, title, summary)


@pytest.mark.parametrize(
    ("title", "summary", "unwanted"),
    [
        # a plant's unit or a data centre is no public body; an announcement by a ministry
        # creates none
        (
            "The government approved a chipmaker's plan to set up a testing and packaging unit",
            "",
            BODY,
        ),
        ("The cloud firm will establish data centres in the country", "", BODY),
        (
            "The new export rule was announced today by the commerce department",
            "",
            BODY,
        ),
        # hypothetical and denied
        (
            "Tokyo could set up a new economic security office next year, analysts say",
            "",
            BODY,
        ),
        ("Seoul has no plans to create an agency for chip supply chains", "", BODY),
        # a reshuffle
        ("The prime minister reshuffled the cabinet and named a new trade minister", "", BODY),
        # a deal's security review, not a person's clearance
        ("The chip deal will undergo a national security review", "", CLEARANCE),
        # one person's clearance taken away changes no clearance system
        ("The president revoked the security clearances of two former officials", "", CLEARANCE),
        # a sanctions resolution sets no technology standard
        (
            "The Security Council adopted a resolution imposing sanctions on coal exports",
            "",
            STANDARDS,
        ),
    ],
)
def test_not_found(patterns: EventTagger, title: str, summary: str, unwanted: str) -> None:
    assert unwanted not in types(patterns, title, summary)
