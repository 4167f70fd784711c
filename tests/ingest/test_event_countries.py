"""Events' `countries` facet and an official feed's country as the fallback initiator."""

from __future__ import annotations

from pathlib import Path

import pytest

from econsec.ingest import feedfile
from econsec.ingest.cycle import fallback_initiator, to_events
from econsec.models import FeedSpec
from extractors.types import TaggedEvent, TagResult
from tests.support.factories import article


def events_of(*tagged: TaggedEvent, feed_country: str = "") -> list:  # type: ignore[type-arg]
    return to_events(article(1), TagResult(events=list(tagged), in_scope=True), feed_country)


@pytest.mark.parametrize(
    ("initiator", "target", "countries"),
    [
        (["TW"], ["Huawei", "SMIC"], ["CN", "TW"]),
        (["US"], ["TSMC", "Samsung"], ["KR", "TW", "US"]),
        (["EU"], ["Zentrix Devices"], ["EU"]),
        ([], [], []),
    ],
)
def test_countries_include_firms_home_countries(
    initiator: list[str], target: list[str], countries: list[str]
) -> None:
    tagged = TaggedEvent("export_control.entity_listing", "enacted", initiator, target)
    (event,) = events_of(tagged)
    assert event.countries == countries
    assert event.target == target  # names stay canonical in the role


def test_what_a_law_is_about_counts_in_countries_but_is_no_target() -> None:
    tagged = TaggedEvent("legislation.law", "enacted", ["US"], concerns=["ByteDance"])
    (event,) = events_of(tagged)
    assert event.target == []
    assert event.countries == ["CN", "US"]


def test_official_feed_country_fills_a_missing_initiator() -> None:
    tagged = TaggedEvent("export_control.restriction", "enacted", [], ["CN"])
    (event,) = events_of(tagged, feed_country="GB")
    assert event.initiator == ["GB"]
    assert event.countries == ["CN", "GB"]


def test_a_named_initiator_wins_over_the_feed_country() -> None:
    tagged = TaggedEvent("sanctions.imposed", "enacted", ["US"], ["RU"])
    (event,) = events_of(tagged, feed_country="GB")
    assert event.initiator == ["US"]


@pytest.mark.parametrize(
    ("event_type", "feed_country", "expected"),
    [
        ("legislation.law", "JP", ["JP"]),
        ("partnership.agreement", "JP", ["JP"]),
        ("cyber.incident", "JP", []),  # unattributed incidents stay empty
        ("supply_chain.production_investment", "JP", []),  # the builder is a firm
        ("supply_chain.disruption", "JP", []),
        ("trade_dispute.lawsuit", "JP", []),
        ("legislation.law", "", []),
        ("no_such.type", "JP", []),
    ],
)
def test_fallback_initiator(event_type: str, feed_country: str, expected: list[str]) -> None:
    assert fallback_initiator(event_type, feed_country) == expected


def test_only_official_feeds_with_a_country_give_a_fallback() -> None:
    specs = [
        FeedSpec(name="ministry", url="m.xml", country="gb", official=True),
        FeedSpec(name="paper", url="p.xml", country="GB"),
        FeedSpec(name="agency", url="a.xml", official=True),
    ]
    assert feedfile.official_countries(specs) == {"ministry": "GB"}


def test_official_countries_of_a_feeds_file(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text(
        "feeds:\n"
        "  - {name: meti, url: m.xml, country: JP, official: true}\n"
        "  - {name: daily, url: d.xml, country: GB}\n",
        encoding="utf-8",
    )
    assert feedfile.official_countries_of(path) == {"meti": "JP"}


@pytest.mark.parametrize("text", [None, "feeds: 3\n", "feeds: [\n"])
def test_a_missing_or_broken_feeds_file_gives_no_fallback(tmp_path: Path, text: str | None) -> None:
    path = tmp_path / "feeds.yaml"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    assert feedfile.official_countries_of(path) == {}


def test_sample_government_feeds_are_official() -> None:
    specs = feedfile.load_feeds(Path(__file__).parents[2] / "feeds" / "samples" / "feeds.yaml")
    official = feedfile.official_countries(specs)
    assert official["uk-gov-economic-security"] == "GB"
    assert "daily-ledger-latest" not in official
