"""Scope and sense through the whole tagger (patterns, conventions and the learned policy):
ordinary news that borrows the beat's words gives no event, and the near misses that are
events still give theirs. The items are written for the test, one per kind of error seen on
real news."""

from __future__ import annotations

import pytest

from extractors.pipeline import EventTagger

pytestmark = pytest.mark.slow


def types(tagger: EventTagger, title: str, summary: str) -> set[str]:
    return {e.type for e in tagger.tag(title, summary).events}


@pytest.mark.parametrize(
    ("title", "summary"),
    [
        # ordinary lawsuits and court rulings
        (
            "Regulators sue search giant over advertising monopoly",
            "The antitrust suit says the company abused its dominance in online ads.",
        ),
        (
            "Jury orders phone maker to pay $300m in patent case",
            "The court found the handsets infringed two wireless patents held by a rival.",
        ),
        (
            "Opposition party sues election board over ballot count",
            "The complaint asks the court to order a recount in three districts.",
        ),
        # word senses
        (
            "Visitors' defence holds firm in rugby win",
            "The back row made 200 tackles as the side beat the hosts 12-9.",
        ),
        (
            "Striker suspended for three matches after red card",
            "The league's disciplinary panel upheld the ban on appeal.",
        ),
        (
            "Bill Gates pledges $1bn to fight malaria",
            "The philanthropist said the money would fund bed nets and vaccines research.",
        ),
        # hypothetical and denied measures
        (
            "Minister says there are no plans to tighten export controls on photoresists",
            "Japan's trade minister told reporters no change to the rules was under review.",
        ),
        (
            "Commission sees no case for an EU-wide ban on the video app",
            "A spokesperson said member states remain free to set their own rules.",
        ),
        # commodity trade and market news
        (
            "Poultry exports to Asia rise 12% in the first quarter",
            "Producers said demand from restaurants drove the increase.",
        ),
        (
            "Chipmaker's quarterly profit beats forecasts on AI demand",
            "Shares rose 6% in after-hours trading.",
        ),
        # domestic rules with no technology or security content
        (
            "State lawmakers pass bill to ban plastic straws",
            "Restaurants will have a year to switch to paper alternatives.",
        ),
        # stalled talks and reshuffles
        (
            "Trade talks stall again with no date set for the next round",
            "Negotiators said gaps remained on farm access and car tariffs.",
        ),
        (
            "Prime minister reshuffles cabinet, names new finance minister",
            "The changes follow a poor result in last month's local elections.",
        ),
    ],
)
def test_ordinary_news_gives_no_event(tagger: EventTagger, title: str, summary: str) -> None:
    assert types(tagger, title, summary) == set()


@pytest.mark.parametrize(
    ("title", "summary", "wanted"),
    [
        (
            "Telecom firm sues government over order to remove its network gear",
            "The company asked the federal court to overturn the security ban.",
            "trade_dispute.lawsuit",
        ),
        (
            "Tokyo adds 20 items to export licensing list for chipmaking tools",
            "The trade ministry said shipments to any destination will need approval.",
            "export_control.restriction",
        ),
        (
            "Government bans the video app on officials' phones",
            "The cabinet office ordered ministries to delete the app from work devices.",
            "vendor_exclusion.app_or_platform",
        ),
    ],
)
def test_the_near_misses_that_are_events_keep_them(
    tagger: EventTagger, title: str, summary: str, wanted: str
) -> None:
    assert wanted in types(tagger, title, summary)
