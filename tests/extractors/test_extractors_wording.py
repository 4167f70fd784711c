"""Wordings of real news the tagger once missed, on sentences written for these tests.

Each case names the news habit or taxonomy convention it checks (loads the model).
"""

from __future__ import annotations

import pytest

from extractors.pipeline import EventTagger
from extractors.types import TaggedEvent, TagResult

pytestmark = pytest.mark.slow


def types(result: TagResult) -> set[str]:
    return {e.type for e in result.events}


def event(result: TagResult, code: str) -> TaggedEvent:
    return next(e for e in result.events if e.type == code)


@pytest.mark.parametrize(
    ("title", "summary", "code", "initiator"),
    [
        # a firm named first in a headline is still an actor (sentence-initial proper noun)
        (
            "Wolfspeed opens $2bn silicon carbide fab in North Carolina",
            "",
            "supply_chain.production_investment",
            "Wolfspeed",
        ),
        (
            "Umicore opens rare-earth magnet plant in Poland",
            "",
            "supply_chain.production_investment",
            "Umicore",
        ),
        # "the company" in the summary refers back to the firm of the headline
        (
            "Chipmaker Amkor to build packaging site",
            "The company broke ground on the $2bn facility in Arizona on Tuesday.",
            "supply_chain.production_investment",
            "Amkor",
        ),
    ],
)
def test_company_initiators(
    tagger: EventTagger, title: str, summary: str, code: str, initiator: str
) -> None:
    result = tagger.tag(title, summary)
    assert initiator in event(result, code).initiator


@pytest.mark.parametrize(
    ("title", "summary", "wanted"),
    [
        # a fab that starts building or making after a few adjectives
        (
            "Samsung's Texas fab begins high-volume 2nm production",
            "",
            "supply_chain.production_investment",
        ),
        (
            "Micron starts building $15bn memory fab in Idaho",
            "",
            "supply_chain.production_investment",
        ),
        # firms that win or get public money for strategic production
        (
            "Lithium refiner gets A$400m loan from Canberra for new refinery",
            "",
            "industrial_policy.subsidy",
        ),
        (
            "Wolfspeed secures $750m in grants from the Commerce Department for its chip plant",
            "",
            "industrial_policy.subsidy",
        ),
        # a long list before the apps word
        (
            "Delhi bans Temu, Shein and 40 other Chinese-owned shopping apps",
            "",
            "vendor_exclusion.app_or_platform",
        ),
        # licences or authorisations withdrawn tighten export controls
        (
            "Commerce revokes licences for chip tool shipments to Chinese fabs",
            "US suppliers will need new licences to ship equipment to the plants.",
            "export_control.restriction",
        ),
        # a legislature amending a law is a law; tougher penalties for leaks: research security
        (
            "Seoul toughens penalties for leaking chip technology abroad",
            "Lawmakers amended the industrial technology protection act to raise fines for "
            "leaking core technology to foreign firms.",
            "legislation.law",
        ),
        (
            "Seoul toughens penalties for leaking chip technology abroad",
            "Lawmakers amended the industrial technology protection act to raise fines for "
            "leaking core technology to foreign firms.",
            "research_security.measure",
        ),
        # a headline led by the law reports a law in force
        (
            "New law bars state agencies from buying Chinese drones",
            "The statute, signed by the governor of Florida on Monday, cites national security.",
            "legislation.law",
        ),
        # "countries of concern" makes a law an economic-security one
        (
            "Governor signs law limiting university ties with countries of concern",
            "The Texas law bars public universities from accepting gifts from entities in "
            "countries of concern.",
            "legislation.law",
        ),
        # a clause after a semicolon does not put the listing in the background
        (
            "Two Chinese chip designers added to trade blacklist",
            "The US placed the two firms on the Entity List; one was linked to a smuggling ring.",
            "export_control.entity_listing",
        ),
    ],
)
def test_found(tagger: EventTagger, title: str, summary: str, wanted: str) -> None:
    assert wanted in types(tagger.tag(title, summary))


@pytest.mark.parametrize(
    ("title", "summary", "unwanted"),
    [
        # "permits" as a noun is a requirement, not an allowance
        (
            "Beijing to require export permits for some battery materials",
            "Shipments of cathode materials will need permits for exports from March.",
            "export_control.relaxation",
        ),
        # an allowance inside what is withdrawn is no relaxation
        (
            "Commerce withdraws authorisations that let chipmakers ship tools to China",
            "The authorisations that let Korean chipmakers ship US tools to their fabs were "
            "withdrawn.",
            "export_control.relaxation",
        ),
        # a sanctions licence is not an export-control relaxation
        (
            "Treasury issues licence for oil deals with Caracas",
            "The licence lets firms trade with the state oil company for six months under the "
            "sanctions programme.",
            "export_control.relaxation",
        ),
    ],
)
def test_not_found(tagger: EventTagger, title: str, summary: str, unwanted: str) -> None:
    assert unwanted not in types(tagger.tag(title, summary))


@pytest.mark.xfail(
    strict=True,
    reason="the patterns read it right; the learned policy, trained on real news where a "
    "paused curb is rare, drops the relaxation",
)
def test_suspended_ban_is_a_relaxation(tagger: EventTagger) -> None:
    result = tagger.tag(
        "Beijing pauses curbs on graphite shipments",
        "The commerce ministry said its ban on exports of graphite to the United States is "
        "suspended until next year.",
    )
    assert "export_control.relaxation" in types(result)
    assert "export_control.ban" not in types(result)
