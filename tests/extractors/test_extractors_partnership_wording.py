"""Partnerships, trade pacts, infrastructure finance and vaccine donations in news wording:
what the patterns alone find (sentences written for these tests; loads the model without the
learned policy, so that the checks hold whatever the policy is trained on)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from extractors.pipeline import EventTagger

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def plain() -> Iterator[EventTagger]:
    yield EventTagger(classifier=False)


def types(tagger: EventTagger, title: str, summary: str) -> set[str]:
    return {e.type for e in tagger.tag(title, summary).events}


@pytest.mark.parametrize(
    ("title", "summary", "wanted"),
    [
        # joint statements released, agreeing to deepen cooperation
        (
            "Japan and Vietnam released a joint statement pledging closer work on chips",
            "",
            "partnership.agreement",
        ),
        (
            "India and France agree on strengthening their collaboration on semiconductor supply"
            " chains",
            "",
            "partnership.agreement",
        ),
        # cooperation on (economic) security, economic 2+2 meetings
        (
            "Canada and Germany agree to bolster cooperation on economic security",
            "",
            "partnership.security_cooperation",
        ),
        (
            "Norway and Brazil agreed to step up cooperation in cybersecurity",
            "",
            "partnership.security_cooperation",
        ),
        (
            "Japan and the United States launched a 2+2 dialogue on economic security",
            "",
            "partnership.security_cooperation",
        ),
        (
            'Japan and the US hold economic "two-plus-two" talks in Tokyo',
            "",
            "partnership.security_cooperation",
        ),
        # joint projects: joining forces, government-industry teams
        (
            "The government and six firms are joining forces to fund a new chip foundry",
            "Japan said the venture would make 2nm chips.",
            "partnership.joint_project",
        ),
        (
            "Seoul launches government-industry team to develop AI chips",
            "South Korea will put money into the group.",
            "partnership.joint_project",
        ),
        (
            "Seoul sets up a public-private consortium to develop AI chips",
            "The government and five firms will fund it.",
            "partnership.joint_project",
        ),
        # trade pacts implemented, the TPP and FTAs by their short names
        (
            "Mexico and Canada agree to implement their FTA next month",
            "",
            "trade_agreement.signing",
        ),
        (
            "Chile and Peru signed the Trans-Pacific Partnership on Thursday",
            "",
            "trade_agreement.signing",
        ),
        # allies' joint security guidance; becoming a member of a pact
        (
            "Five Eyes launch joint security advice for tech startups",
            "",
            "partnership.security_cooperation",
        ),
        (
            "Britain becomes the twelfth member of the CPTPP trade pact",
            "",
            "trade_agreement.accession",
        ),
        (
            "Costa Rica formally became a party to the digital economy agreement",
            "",
            "trade_agreement.accession",
        ),
        # a digital economy agreement is a trade agreement
        (
            "Singapore and Chile signed a digital economy agreement on Tuesday",
            "",
            "trade_agreement.signing",
        ),
        # a state's donation still is
        (
            "Japan donates a million vaccine doses to Taiwan",
            "",
            "health_security.vaccine_diplomacy",
        ),
        # aid funding for a cable abroad
        (
            "Australia delivers aid funding for a subsea cable to Papua New Guinea",
            "",
            "infrastructure_finance.project",
        ),
        (
            "Japan will finance Open RAN trials in the Philippines",
            "",
            "infrastructure_finance.project",
        ),
    ],
)
def test_found(plain: EventTagger, title: str, summary: str, wanted: str) -> None:
    assert wanted in types(plain, title, summary)


@pytest.mark.parametrize(
    ("title", "summary", "unwanted"),
    [
        # talks that only go on, or fail
        (
            "South Korea and Japan agreed to continue dialogue on their export control row",
            "",
            "partnership.security_cooperation",
        ),
        (
            "The EU and India failed to clinch a free trade deal after years of talks",
            "",
            "trade_agreement.signing",
        ),
        (
            "Japan and South Korea failed to agree on a dialogue to settle their export row",
            "",
            "partnership.security_cooperation",
        ),
        (
            "The US and UK will not implement the FTA this year",
            "",
            "trade_agreement.signing",
        ),
        (
            "Brazil and Argentina may form a free trade area, analysts say",
            "",
            "trade_agreement.signing",
        ),
        # firms, clubs and farmers are no states; cooperation with no security or technology
        (
            "Samsung and TSMC sign memorandum on chip packaging",
            "",
            "partnership.agreement",
        ),
        (
            "Rival clubs join forces to build a new stadium",
            "",
            "partnership.joint_project",
        ),
        (
            "Farmers in Chile and Peru join forces to develop new avocado exports",
            "",
            "partnership.joint_project",
        ),
        (
            "Two airlines agree to deepen their partnership on routes to Asia",
            "",
            "partnership.agreement",
        ),
        (
            "The United States and Germany agree to strengthen cooperation on football coaching",
            "",
            "partnership.security_cooperation",
        ),
        # a ministry's own campaign, a club's membership, a denied accession
        (
            "The ministry launched a joint campaign against drunk driving with police",
            "",
            "partnership.security_cooperation",
        ),
        (
            "The football club became a member of the league's new pact on wages",
            "",
            "trade_agreement.accession",
        ),
        (
            "Uruguay will not become a member of the CPTPP, its minister said",
            "",
            "trade_agreement.accession",
        ),
        # a drugmaker's own donation is no vaccine diplomacy
        (
            "French drugmaker Sanofi plans to donate millions of flu vaccine doses to the WHO",
            "",
            "health_security.vaccine_diplomacy",
        ),
        # a public-private project with no technology in it
        (
            "The city launched a public-private partnership to build a new hospital",
            "",
            "partnership.joint_project",
        ),
        # a digital partnership is no trade agreement
        (
            "UK and Japan sign digital partnership",
            "The framework covers cooperation on data and digital standards.",
            "trade_agreement.signing",
        ),
        # a carrier's own network at home
        (
            "Vodafone will fund 5G broadband across Britain and Ireland",
            "",
            "infrastructure_finance.project",
        ),
    ],
)
def test_not_found(plain: EventTagger, title: str, summary: str, unwanted: str) -> None:
    assert unwanted not in types(plain, title, summary)
