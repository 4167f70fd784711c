"""The full tagger on short sentences written for these tests (loads the model)."""

from __future__ import annotations

import itertools

import pytest

from extractors.pipeline import EventTagger
from extractors.types import TagResult

pytestmark = pytest.mark.slow


def types(result: TagResult) -> set[str]:
    return {e.type for e in result.events}


def event(result: TagResult, code: str):  # type: ignore[no-untyped-def]
    found = [e for e in result.events if e.type == code]
    assert found, f"{code} not in {types(result)}"
    return found[0]


@pytest.mark.parametrize(
    ("title", "summary", "code", "status", "initiator"),
    [
        (
            "Japan restricts exports of chipmaking equipment to China",
            "",
            "export_control.restriction",
            "enacted",
            "JP",
        ),
        (
            "Seoul plans to restrict sales of memory chips abroad",
            "",
            "export_control.restriction",
            "planned",
            "KR",
        ),
        (
            "Vietnam halts exports of rare earth ore",
            "The ban took effect on Monday.",
            "export_control.ban",
            "enacted",
            "VN",
        ),
        (
            "Washington adds 12 Chinese firms to the Entity List",
            "",
            "export_control.entity_listing",
            "enacted",
            "US",
        ),
        (
            "Beijing lifts its ban on graphite exports",
            "",
            "export_control.relaxation",
            "enacted",
            "CN",
        ),
        ("EU imposes sanctions on Russian banks", "", "sanctions.imposed", "enacted", "EU"),
        (
            "Canada bans two Chinese vendors from its 5G networks",
            "",
            "vendor_exclusion.network_equipment",
            "enacted",
            "CA",
        ),
        (
            "Germany will subsidise a new chip plant in Saxony",
            "",
            "industrial_policy.subsidy",
            "planned",
            "DE",
        ),
        (
            "India files WTO complaint against EU steel tariffs",
            "",
            "trade_dispute.wto",
            "enacted",
            "IN",
        ),
        (
            "Japan and India sign memorandum on semiconductor supply chains",
            "",
            "partnership.agreement",
            "enacted",
            "IN",
        ),
        (
            "Vietnam applies to join the CPTPP trade pact",
            "",
            "trade_agreement.accession",
            "enacted",
            "VN",
        ),
        (
            "Cabinet approves bill on economic security",
            "Tokyo will send the bill to the Diet.",
            "legislation.proposal",
            "planned",
            "JP",
        ),
        ("Montana bans the TikTok app", "", "vendor_exclusion.app_or_platform", "enacted", "US"),
    ],
)
def test_positive_events(
    tagger: EventTagger, title: str, summary: str, code: str, status: str, initiator: str
) -> None:
    result = tagger.tag(title, summary)
    assert result.in_scope
    found = event(result, code)
    assert found.status == status
    assert initiator in found.initiator
    assert 0.0 < found.confidence <= 1.0
    assert found.evidence and found.evidence in f"{title} {summary}"


@pytest.mark.parametrize(
    ("title", "summary"),
    [
        ("Japan has no plans to ban rare earth exports, minister says", ""),
        ("Analysts say Beijing could restrict gallium exports", "Nothing has been decided."),
        ("Chipmaker's profit jumps on strong AI demand", "Shares rose 5%."),
        ("Opinion: Europe needs a bigger chips subsidy", "A columnist argues for more aid."),
        ("Samsung bans staff from using chatbots", "The company cited data leaks."),
        ("Huawei posts record profit", "Sales rose after Washington added it to the Entity List."),
        ("Merkel rejects calls to exclude Huawei from 5G networks", ""),
        ("Japan rules out export curbs on chip tools", ""),
        ("Seoul holds off on a ban of Chinese shopping apps", "Officials want more study."),
    ],
)
def test_no_event(tagger: EventTagger, title: str, summary: str) -> None:
    assert tagger.tag(title, summary).events == []


def test_lawsuit_swallows_the_ban_it_challenges(tagger: EventTagger) -> None:
    result = tagger.tag("Huawei sues Sweden over its 5G ban", "")
    assert "trade_dispute.lawsuit" in types(result)
    assert "vendor_exclusion.network_equipment" not in types(result)
    assert event(result, "trade_dispute.lawsuit").initiator == ["Huawei"]


def test_actors_are_normalised(tagger: EventTagger) -> None:
    result = tagger.tag(
        "Tokyo tightens export controls on chip materials",
        "The Commerce Department in Washington said it welcomed the move.",
    )
    assert event(result, "export_control.restriction").initiator == ["JP"]


def test_technologies_are_tagged_on_gated_out_items(tagger: EventTagger) -> None:
    result = tagger.tag("New quantum computer unveiled", "The lab showed a 100-qubit machine.")
    assert result.in_scope is False and result.events == []
    assert result.technologies == ["quantum"]


def test_tag_many_keeps_input_order_and_streams(tagger: EventTagger) -> None:
    items = [
        ("Snowfall closes roads", ""),
        ("EU imposes sanctions on Russian banks", ""),
        ("Bakery wins award", ""),
        ("Japan restricts exports of chip materials", ""),
        ("Marathon record falls", ""),
    ]
    endless = itertools.chain(items, itertools.repeat(("Filler", "")))
    first = list(itertools.islice(tagger.tag_many(endless), 5))  # would hang if not lazy
    assert [bool(r.events) for r in first] == [False, True, False, True, False]


@pytest.mark.parametrize(
    ("title", "summary", "code", "status"),
    [
        ("Ruritania's parliament passes chip subsidy law", "", "legislation.law", "enacted"),
        ("Cabinet approves bill on chip subsidies in Japan", "", "legislation.proposal", "planned"),
        (
            "Korea to build new chip fab, says ministry",
            "Samsung will invest $10bn in the plant.",
            "supply_chain.production_investment",
            "planned",
        ),
        (
            "Samsung opens new chip plant in Texas",
            "",
            "supply_chain.production_investment",
            "enacted",
        ),
        (
            "China threatens tariffs on EU goods over EV duties",
            "",
            "economic_coercion.retaliation",
            "planned",
        ),
        (
            "EU proposes rules on cross-border data flows",
            "The draft regulation covers clouds.",
            "legislation.proposal",
            "planned",
        ),
    ],
)
def test_status_follows_the_wording(
    tagger: EventTagger, title: str, summary: str, code: str, status: str
) -> None:
    assert event(tagger.tag(title, summary), code).status == status


@pytest.mark.parametrize(
    ("title", "summary", "absent"),
    [
        (
            "Korean exports rise",
            "Chip sales jumped after Japan restricted exports in 2019.",
            "export_control.restriction",
        ),
        (
            "Explainer: how export controls on chips work",
            "The rules date from 2022.",
            "export_control.restriction",
        ),
        ("Officials deny report that Tokyo will sanction Russian banks", "", "sanctions.imposed"),
        ("Beijing lifts export ban on graphite", "", "export_control.ban"),
    ],
)
def test_background_denied_and_lifted_measures(
    tagger: EventTagger, title: str, summary: str, absent: str
) -> None:
    assert absent not in types(tagger.tag(title, summary))


def test_agreement_lists_every_party(tagger: EventTagger) -> None:
    result = tagger.tag("Japan and Australia sign critical minerals partnership", "")
    assert set(event(result, "partnership.agreement").initiator) >= {"JP", "AU"}


def test_company_only_deal_is_out_of_scope(tagger: EventTagger) -> None:
    result = tagger.tag("Two chipmakers form joint venture", "They will jointly develop chips.")
    assert result.events == []


def test_dependency_pattern_bridges_a_long_gap(tagger: EventTagger) -> None:
    result = tagger.tag(
        "Japan banned, with immediate effect and without prior warning, all exports of gallium", ""
    )
    assert event(result, "export_control.ban").initiator == ["JP"]


def test_probe_items_written_for_these_tests(tagger: EventTagger) -> None:
    """A small labelled set in our own wording, to catch over-fitting to dev phrasing."""
    from pathlib import Path

    from extractors.learning.evaluate import predict, read_items, score

    items = read_items(Path(__file__).parent / "fixtures" / "probe_items.jsonl")
    scores = score(items, predict(tagger, items))
    assert scores["micro"]["f1"] >= 0.85
    assert scores["false_alarm_rate"] == 0.0
    assert scores["initiator_accuracy"] >= 0.85
    assert scores["technologies"]["f1"] >= 0.85


def test_the_tagger_reads_a_bounded_text_of_every_item() -> None:
    from extractors.pipeline import MAX_SUMMARY_CHARS, MAX_TITLE_CHARS, bounded_text

    text = bounded_text("ban " * 300_000, "curb " * 300_000)
    assert len(text) <= MAX_TITLE_CHARS + MAX_SUMMARY_CHARS + 2
    assert bounded_text("x" * 2_000_000, "")[: MAX_TITLE_CHARS + 1] == "x" * MAX_TITLE_CHARS
    title, summary = "Japan bans gallium exports", "The ministry said so."
    assert bounded_text(title, summary) == bounded_text(title + " ", summary)


@pytest.mark.slow
def test_a_megabyte_title_is_tagged_not_refused(tagger) -> None:  # type: ignore[no-untyped-def]
    """A feed once sent a 1 MB title: spaCy refuses such a text (E088), and just under the
    limit the parse ran for minutes, holding the queue."""
    title = "Japan bans gallium exports to China. " + "More words follow here. " * 45_000
    huge, normal = tagger.tag_many(
        [(title, "The ministry said so."), ("Japan bans gallium exports", "The ministry said so.")]
    )
    assert isinstance(huge, TagResult)  # read within bounds; the item beside it is untouched
    assert [e.type for e in normal.events] == ["export_control.ban"]


def test_the_settings_default_model_is_the_taggers() -> None:
    """The setting's default is written apart so that reading the settings stays light (no
    taxonomy or YAML imports at start-up); this keeps the two the same."""
    from econsec.config import Settings
    from extractors.pipeline import DEFAULT_MODEL

    assert Settings.model_fields["spacy_model"].default == DEFAULT_MODEL
