"""Fixes for wordings common in real news, on sentences written for these tests (loads the model).

Each case names the taxonomy rule or news habit it checks; none is taken from the eval sets.
"""

from __future__ import annotations

import pytest

from extractors.pipeline import EventTagger
from extractors.types import TagResult

pytestmark = pytest.mark.slow


def types(result: TagResult) -> set[str]:
    return {e.type for e in result.events}


@pytest.mark.parametrize(
    ("title", "summary", "wanted"),
    [
        # amounts written "$3bn" or "400 billion yen" before the aid noun
        (
            "Ministry sets aside $3bn in grants for new battery factories",
            "",
            "industrial_policy.subsidy",
        ),
        (
            "Tokyo earmarks 400 billion yen in support for domestic chipmakers",
            "",
            "industrial_policy.subsidy",
        ),
        # support packages and cheap state loans for strategic industries
        (
            "Government unveils support package for semiconductor makers",
            "",
            "industrial_policy.subsidy",
        ),
        pytest.param(
            "Finance ministry offers low-interest loans to battery plants",
            "The state bank will lend to lithium refiners at below-market rates.",
            "industrial_policy.subsidy",
            marks=pytest.mark.xfail(
                strict=True,
                reason="the pattern finds it; the learned policy, trained on real news, "
                "rates loans by a state bank too unlike the subsidies it has read and drops it",
            ),
        ),
        # raising a tax credit is an action on the credit
        (
            "Parliament votes to raise tax credits for chip factories",
            "",
            "industrial_policy.subsidy",
        ),
        # a headline's reduced passive: the firm receives, the state gives
        (
            "Memory maker awarded $2 billion in federal chip grants",
            "The Commerce Department said Micron will receive the money for its plant in Idaho.",
            "industrial_policy.subsidy",
        ),
        # investment-ban lists are sanctions
        (
            "U.S. adds two drone makers to its list of Chinese military companies",
            "",
            "sanctions.imposed",
        ),
        # one chamber passing a bill: still a proposal
        (
            "Senate passes bill curbing Chinese battery purchases by federal agencies",
            "",
            "legislation.proposal",
        ),
        # what a signed law could do is part of the law
        (
            "Governor signs law that could remove Chinese apps from state phones",
            "",
            "vendor_exclusion.app_or_platform",
        ),
        # rules on sending data abroad are data governance
        (
            "Watchdog loosens rules on exporting personal data overseas",
            "",
            "data_governance.data_flow",
        ),
        # licences and waivers granted, however many names sit in between
        (
            "Washington grants LG, Samsung and Hyundai one-year waiver to ship chip tools",
            "",
            "export_control.relaxation",
        ),
        # "the government" with no country named still acts
        (
            "Mobile game banned on government phones",
            "The government said officials must delete the app from work devices at once.",
            "vendor_exclusion.app_or_platform",
        ),
    ],
)
def test_wordings_that_carry_an_event(
    tagger: EventTagger, title: str, summary: str, wanted: str
) -> None:
    assert wanted in types(tagger.tag(title, summary))


@pytest.mark.parametrize(
    ("title", "summary", "unwanted"),
    [
        # opinion pages report no action
        (
            "Op-ed: Subsidies alone will not build a European battery industry",
            "",
            "industrial_policy.subsidy",
        ),
        ("Viewpoint: Why export controls on chips backfire", "", "export_control.restriction"),
        # a participle used as an adjective funds nothing it goes on to name
        (
            "State-backed group breached port infrastructure systems, officials say",
            "",
            "infrastructure_finance.project",
        ),
        # an anti-subsidy probe is a trade-defence case, not a subsidy
        (
            "Brussels opens anti-subsidy investigation into imported solar panels",
            "",
            "industrial_policy.subsidy",
        ),
        # the subsidies a WTO complaint is about are not news themselves
        ("India lodges WTO complaint over EU battery subsidies", "", "industrial_policy.subsidy"),
        # suspending controls relaxes them; it does not impose new ones
        (
            "Beijing suspends graphite export controls for six months",
            "",
            "export_control.restriction",
        ),
        ("Treasury lifts a ban on dealings with a state mining firm", "", "sanctions.imposed"),
        # consequences of a listing belong to the listing
        (
            "Beijing places two arms makers on unreliable entity list, barring them from trade",
            "",
            "economic_coercion.boycott",
        ),
        # what a suspect meant to build with stolen designs is part of the case
        (
            "Engineer charged with stealing memory designs to build a rival fab abroad",
            "",
            "supply_chain.production_investment",
        ),
        # the one-chamber vote is not yet a law
        ("House passes bill restricting state purchases of Chinese drones", "", "legislation.law"),
        # exporting data is not an export control
        (
            "Watchdog loosens rules on exporting personal data overseas",
            "",
            "export_control.restriction",
        ),
    ],
)
def test_wordings_that_carry_no_such_event(
    tagger: EventTagger, title: str, summary: str, unwanted: str
) -> None:
    assert unwanted not in types(tagger.tag(title, summary))


def test_a_state_funded_project_still_counts(tagger: EventTagger) -> None:
    """The hyphen rule keeps "Japanese-funded cable" (the participle names the funded thing)."""
    result = tagger.tag("Japanese-funded undersea cable to Palau goes live", "")
    assert "infrastructure_finance.project" in types(result)


def test_law_content_takes_the_laws_status(tagger: EventTagger) -> None:
    result = tagger.tag("President signs law that would bar Chinese apps nationwide", "")
    found = {e.type: e for e in result.events}
    assert found["vendor_exclusion.app_or_platform"].status == "enacted"
