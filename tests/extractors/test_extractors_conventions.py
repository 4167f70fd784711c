"""Item-level labelling conventions (extractors.conventions), on events written for the tests."""

from __future__ import annotations

import pytest

from extractors.conventions import ItemFacts, apply_conventions
from extractors.status import default_cues
from extractors.types import TaggedEvent

WORDS = default_cues().conventions
NO_FACTS = ItemFacts(modalities={})


def ev(code: str, evidence: str = "", status: str = "enacted") -> TaggedEvent:
    return TaggedEvent(type=code, status=status, evidence=evidence)  # type: ignore[arg-type]


def codes(events: list[TaggedEvent]) -> list[str]:
    return [e.type for e in events]


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        # a WTO case is trade_dispute.wto, not also an ordinary lawsuit
        (
            [ev("trade_dispute.wto"), ev("trade_dispute.lawsuit")],
            ["trade_dispute.wto"],
        ),
        ([ev("trade_dispute.lawsuit")], ["trade_dispute.lawsuit"]),
        # a blacklist in a sanctions story is the sanctions list
        (
            [
                ev("export_control.entity_listing", "The oligarch stays blacklisted."),
                ev("sanctions.lifted"),
            ],
            ["sanctions.lifted"],
        ),
        # ... unless the sentence names an export-control list
        (
            [
                ev("export_control.entity_listing", "Firms were put on the Entity List."),
                ev("sanctions.imposed"),
            ],
            ["export_control.entity_listing", "sanctions.imposed"],
        ),
        ([ev("export_control.entity_listing", "A firm was blacklisted.")], None),
        # restrictions suspended with sanctions are sanctions relief, not an export relaxation
        (
            [
                ev("export_control.relaxation", "Ministers suspended banking restrictions."),
                ev("sanctions.lifted"),
            ],
            ["sanctions.lifted"],
        ),
        (
            [
                ev("export_control.relaxation", "Export licences were granted again."),
                ev("sanctions.lifted"),
            ],
            ["export_control.relaxation", "sanctions.lifted"],
        ),
        # an enacted bill is a law, not also a proposal
        (
            [
                ev("legislation.law", "The parliament passed the screening bill on Friday."),
                ev("legislation.proposal", "The lower house approved it in May.", "planned"),
            ],
            ["legislation.law"],
        ),
        (
            [
                ev("legislation.law", "The president signed the chip bill into law."),
                ev("legislation.proposal", "The cabinet approved the bill.", "planned"),
            ],
            ["legislation.law"],
        ),
        # a bill approved by a cabinet or a committee is still a proposal
        (
            [
                ev("legislation.law", "The cabinet approved the data bill on Tuesday."),
                ev("legislation.proposal", "Data bill heads to parliament", "planned"),
            ],
            ["legislation.proposal"],
        ),
        (
            [ev("legislation.law", "A committee passed the semiconductor bill.")],
            ["legislation.proposal"],
        ),
        ([ev("legislation.law", "Lawmakers passed the cyber bill.")], None),
    ],
)
def test_conventions(events: list[TaggedEvent], expected: list[str] | None) -> None:
    kept = apply_conventions(events, NO_FACTS, WORDS)
    assert codes(kept) == (codes(events) if expected is None else expected)


def test_a_bill_retyped_as_proposal_is_planned() -> None:
    law = ev("legislation.law", "The government approved the draft screening law.")
    (kept,) = apply_conventions([law], NO_FACTS, WORDS)
    assert (kept.type, kept.status) == ("legislation.proposal", "planned")


@pytest.mark.parametrize(
    ("events", "added"),
    [
        # a law gets the types of what it does, named in its own sentence
        (
            [ev("legislation.law", "Parliament enacted a law on cybersecurity duties.")],
            ["cyber.policy"],
        ),
        (
            [ev("legislation.law", "The law extends screening of foreign takeovers.")],
            ["investment_screening.regime_change"],
        ),
        (
            [ev("legislation.law", "The act grants tax credits to chip plants.")],
            ["industrial_policy.subsidy"],
        ),
        # a bill passes its status on
        (
            [ev("legislation.proposal", "A bill on cyber incidents was tabled.", "planned")],
            ["cyber.policy"],
        ),
        # the type is already there: nothing added twice
        (
            [
                ev("legislation.law", "The law strengthens cybersecurity."),
                ev("cyber.policy", "The law strengthens cybersecurity."),
            ],
            [],
        ),
        # other events and laws that do something else get nothing
        ([ev("export_control.ban", "The ban covers cybersecurity tools.")], []),
        ([ev("legislation.law", "The law grants access to classified files.")], []),
        ([ev("legislation.law", "Lawmakers passed the cyber bill.")], []),
    ],
)
def test_law_content(events: list[TaggedEvent], added: list[str]) -> None:
    kept = apply_conventions(events, NO_FACTS, WORDS)
    assert codes(kept)[len(events) :] == added
    assert all(e.status == events[0].status for e in kept[len(events) :])


def test_law_content_not_for_a_doubted_type() -> None:
    """A type the item denies or puts in the background is not added from the law."""
    law = ev("legislation.law", "The law on cybersecurity took effect.")
    facts = ItemFacts(modalities={"cyber.policy": frozenset({"negated"})})
    assert codes(apply_conventions([law], facts, WORDS)) == ["legislation.law"]


PROJECT = "partnership.joint_project"


def project_facts(modalities: set[str]) -> ItemFacts:
    project = TaggedEvent(type=PROJECT, status="planned", confidence=0.55)
    return ItemFacts(modalities={PROJECT: frozenset(modalities)}, held={PROJECT: project})


@pytest.mark.parametrize(
    ("reported", "modalities", "added"),
    [
        # an agreement under which the parties will work jointly: the project too, as found
        ("partnership.agreement", {"asserted"}, True),
        # a project the item doubts somewhere is not added
        ("partnership.agreement", {"asserted", "hypothetical"}, False),
        # a dialogue or task force working together is the cooperation itself
        ("partnership.security_cooperation", {"asserted"}, False),
    ],
)
def test_agreement_content(reported: str, modalities: set[str], added: bool) -> None:
    events = [TaggedEvent(type=reported, status="enacted", confidence=0.9)]
    kept = apply_conventions(events, project_facts(modalities), WORDS)
    assert (codes(kept) == [reported, PROJECT]) is added
    if added:
        assert (kept[1].status, kept[1].confidence) == ("planned", 0.55)


def test_agreement_content_needs_a_project_the_patterns_found() -> None:
    facts = ItemFacts(modalities={PROJECT: frozenset({"asserted"})})
    events = [ev("partnership.agreement")]
    assert codes(apply_conventions(events, facts, WORDS)) == ["partnership.agreement"]


@pytest.mark.parametrize(
    ("modalities", "topic_only", "kept"),
    [
        # every mention denied: no event
        ({"negated"}, frozenset(), False),
        # the only other mention is a verbless headline naming the topic
        ({"negated", "asserted"}, frozenset({"export_control.restriction"}), False),
        # a denial beside a reported action of the same type: the action stands
        ({"negated", "asserted"}, frozenset(), True),
        ({"asserted"}, frozenset({"export_control.restriction"}), True),
        ({"hypothetical", "asserted"}, frozenset(), True),
    ],
)
def test_denied_measures(modalities: set[str], topic_only: frozenset[str], kept: bool) -> None:
    facts = ItemFacts(
        modalities={"export_control.restriction": frozenset(modalities)}, topic_only=topic_only
    )
    events = [ev("export_control.restriction")]
    assert bool(apply_conventions(events, facts, WORDS)) is kept


@pytest.mark.slow
@pytest.mark.parametrize(
    ("title", "summary", "absent"),
    [
        (
            "Press conference (extract): on export controls on chip chemicals",
            "The minister said the government has no plans to tighten export controls on "
            "photoresists to China.",
            "export_control.restriction",
        ),
        (
            "Tokyo has no plans to restrict chip tool exports, minister says",
            "",
            "export_control.restriction",
        ),
    ],
)
def test_denials_give_no_event(tagger, title: str, summary: str, absent: str) -> None:  # type: ignore[no-untyped-def]
    assert absent not in {e.type for e in tagger.tag(title, summary).events}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("title", "summary", "absent"),
    [
        # a player suspended for games is not an app ban
        (
            "League suspends striker for four games",
            "The league suspended the forward for four games after a high tackle.",
            "vendor_exclusion.app_or_platform",
        ),
        # a tax-haven blacklist is not an export-control list
        (
            "Finance ministers add two islands to tax haven blacklist",
            "EU finance ministers added two island states to their blacklist of "
            "uncooperative tax jurisdictions.",
            "export_control.entity_listing",
        ),
        # extending sanctions for another term keeps them: no new measure
        (
            "EU extends Russia sanctions for another six months",
            "The European Union extended its economic sanctions against Russia for another "
            "six months on Monday.",
            "sanctions.imposed",
        ),
        # farm and fuel trade is commodity news
        (
            "Argentina halts beef exports to China after disease case",
            "Argentina suspended beef exports to China after a case of mad cow disease.",
            "export_control.ban",
        ),
        (
            "Argentina halts beef exports to China after disease case",
            "Argentina suspended beef exports to China after a case of mad cow disease.",
            "economic_coercion.boycott",
        ),
        (
            "EU lifts ban on exports of Irish pork",
            "EU veterinary experts agreed to lift the export ban on Irish pork.",
            "export_control.relaxation",
        ),
    ],
)
def test_out_of_scope_senses(tagger, title: str, summary: str, absent: str) -> None:  # type: ignore[no-untyped-def]
    assert absent not in {e.type for e in tagger.tag(title, summary).events}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("title", "summary", "present"),
    [
        # a blacklist of foreign firms framed as a countermeasure is an entity listing
        (
            "Beijing blacklists two US drone makers",
            "China's commerce ministry blacklisted two US drone companies in a retaliatory "
            "move over arms sales to Taiwan.",
            "export_control.entity_listing",
        ),
        # export controls named beside coal still count
        (
            "Beijing answers with tariffs and export controls",
            "China put tariffs on US coal and imposed export controls on tungsten and "
            "two other metals.",
            "export_control.restriction",
        ),
    ],
)
def test_in_scope_near_misses(tagger, title: str, summary: str, present: str) -> None:  # type: ignore[no-untyped-def]
    assert present in {e.type for e in tagger.tag(title, summary).events}
