"""Wordings of export controls, sanctions, vendor exclusions and trade disputes that real leads
use, and their look-alikes (sentences written for these tests; loads the model)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def types(tagger, title: str, summary: str = "") -> set[str]:  # type: ignore[no-untyped-def]
    return {e.type for e in tagger.tag(title, summary).events}


@pytest.mark.parametrize(
    ("title", "wanted"),
    [
        # licences extended or issued, a country put back on the white list
        (
            "Washington extends the temporary general licence for a blacklisted telecom firm"
            " by 90 days",
            "export_control.relaxation",
        ),
        (
            "Seoul returns Tokyo to its white list of trusted trading partners",
            "export_control.relaxation",
        ),
        # firms added to a list, however many are named before it
        (
            "Taipei adds two mainland chipmakers and a drone maker based in Shenzhen to its"
            " strategic export control list",
            "export_control.entity_listing",
        ),
        # sanctions lists, packages agreed, lists of military-linked firms
        (
            "Canberra adds five firms and three officials to its sanctions list over cyber attacks",
            "sanctions.imposed",
        ),
        ("EU ministers reach agreement on new sanctions against Minsk", "sanctions.imposed"),
        (
            "The Pentagon added three more Chinese firms to a list of companies tied to the"
            " Chinese military",
            "sanctions.imposed",
        ),
        # WTO complaints, panels and the Appellate Body, the name spelled out
        (
            "Ottawa files a complaint at the World Trade Organization over Beijing's duties on"
            " its steel",
            "trade_dispute.wto",
        ),
        (
            "A World Trade Organization panel sides with Brussels in a dispute over Jakarta's"
            " ore export ban",
            "trade_dispute.wto",
        ),
        (
            "The WTO's Appellate Body upholds a ruling against Washington's solar tariffs",
            "trade_dispute.wto",
        ),
        # a suit against a measure filed as a motion or an action
        (
            "A Chinese telecom firm files a motion against the government's 5G ban in a"
            " federal court",
            "trade_dispute.lawsuit",
        ),
        # apps: people barred from downloading them
        (
            "Madrid bans residents from downloading two Chinese video apps",
            "vendor_exclusion.app_or_platform",
        ),
        # procurement: buyers prohibited from purchasing, gear removed from a ministry's
        # buildings, bidders restricted, federal use limited
        (
            "China prohibits operators of critical infrastructure from purchasing the"
            " chipmaker's products on national security grounds",
            "vendor_exclusion.procurement",
        ),
        (
            "Canberra's defence ministry will remove surveillance cameras made by two Chinese"
            " firms from its buildings",
            "vendor_exclusion.procurement",
        ),
        (
            "New Delhi will restrict companies from neighbouring countries from bidding for"
            " public contracts, citing national security",
            "vendor_exclusion.procurement",
        ),
        (
            "US lawmakers vote to limit federal use of chips made in China",
            "vendor_exclusion.procurement",
        ),
        # networks: vendors ruled out, designated threats, banned however far the network is
        (
            "Two Chinese vendors have been ruled out of supplying equipment for Portugal's 5G"
            " network",
            "vendor_exclusion.network_equipment",
        ),
        (
            "Washington designates two Chinese telecom equipment makers as national security"
            " threats to its networks",
            "vendor_exclusion.network_equipment",
        ),
        (
            "Romania passes a law that bans Chinese vendors from taking part in its 5G networks",
            "vendor_exclusion.network_equipment",
        ),
    ],
)
def test_found(tagger, title: str, wanted: str) -> None:  # type: ignore[no-untyped-def]
    assert wanted in types(tagger, title)


@pytest.mark.parametrize(
    ("title", "unwanted"),
    [
        # asked for, not done
        ("Tokyo ignores Seoul's requests to lift sanctions", "sanctions.lifted"),
        # "world" alone is no WTO
        ("The world's first AI safety standard is published by ISO", "trade_dispute.wto"),
        # a ban on car sales approved is no export licence
        (
            "Parliament approves a ban on sales of petrol cars from 2035",
            "export_control.relaxation",
        ),
        # outbound investment rules are screening, not sanctions
        ("Washington restricts investment in Chinese AI firms", "sanctions.imposed"),
        # "sanctioned" describing goods
        ("Army purchased sanctioned Chinese cameras, audit finds", "sanctions.imposed"),
        # a list of military goods is no list of military-linked firms
        (
            "Japan added drones to its list of military equipment that can be exported to partners",
            "sanctions.imposed",
        ),
        # an export ban on goods for military use is no procurement rule
        ("Beijing bans exports of gallium for military use", "vendor_exclusion.procurement"),
        # a judge's order names the app: the ruling, not a ban
        (
            "A judge blocks the ban on app downloads, saying in her order that users would suffer",
            "vendor_exclusion.app_or_platform",
        ),
        # sport, a league's own rule
        (
            "Sprinter ruled out of the national team after a doping ban",
            "vendor_exclusion.network_equipment",
        ),
        (
            "The league bans players from installing betting apps on team phones",
            "vendor_exclusion.app_or_platform",
        ),
        # a ban lifted is no exclusion
        (
            "Washington lifts its ban on suppliers selling to a Chinese telecom equipment maker",
            "vendor_exclusion.network_equipment",
        ),
        # hypothetical, denied
        (
            "Analysts say Lisbon could close its doors to Chinese 5G vendors",
            "vendor_exclusion.network_equipment",
        ),
        (
            "Madrid has no plans to ban residents from downloading Chinese apps",
            "vendor_exclusion.app_or_platform",
        ),
        (
            "Lisbon has not been ruled out of the 5G network trials",
            "vendor_exclusion.network_equipment",
        ),
    ],
)
def test_not_found(tagger, title: str, unwanted: str) -> None:  # type: ignore[no-untyped-def]
    assert unwanted not in types(tagger, title)


@pytest.fixture(scope="module")
def pattern_tagger():  # type: ignore[no-untyped-def]
    """The tagger without its learned policy: what the patterns alone report."""
    from extractors.pipeline import EventTagger

    return EventTagger(classifier=False)


@pytest.mark.parametrize(
    "title",
    [
        "A rival chipmaker files an antitrust action against a chip designer in a federal court",
        "Chipmaker sues rival over patents in a federal court",
        "The Justice Department sues a search giant in an antitrust case over its ad technology",
    ],
)
def test_ordinary_suits_are_no_trade_lawsuit_for_the_patterns(pattern_tagger, title: str) -> None:  # type: ignore[no-untyped-def]
    """Patent and antitrust suits name no disputed ban, sanction, listing or security measure."""
    assert "trade_dispute.lawsuit" not in types(pattern_tagger, title)


@pytest.mark.parametrize(
    "title",
    [
        "A Chinese app maker sues Washington over the executive order banning its app",
        "A Chinese telecom firm files a motion against the government's 5G ban in a federal court",
    ],
)
def test_suits_over_a_measure_are_trade_lawsuits_for_the_patterns(
    pattern_tagger, title: str
) -> None:  # type: ignore[no-untyped-def]
    assert "trade_dispute.lawsuit" in types(pattern_tagger, title)
