"""Item-level labelling conventions (TAXONOMY.md), applied once to an item's events.

Patterns and the classifier judge one type at a time; some conventions
compare types found in the same item: a WTO case is not also an ordinary
lawsuit, a sanctions list is not an export-control list, a bill is a law or
a proposal but not both, and a measure the item denies yields no event.
The rules remove or retype events; one adds the types of what a law or bill
does when its own sentence names them (a law that funds chipmaking is a
subsidy too), and one keeps the joint project an agreement launches. They
read only the events, the item's mention modalities, the pattern events the
learned policy held back, and the cue words of cues.yaml (`conventions:`).
After them, `item_statuses` sets the statuses the item fixes: those a type's
definition fixes, and that of a bill for what its own sentence says it does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache

from spacy.tokens import Token

from .status import Cues, Status
from .types import TaggedEvent

WTO = "trade_dispute.wto"
LAWSUIT = "trade_dispute.lawsuit"
LISTING = "export_control.entity_listing"
RELAXATION = "export_control.relaxation"
LAW = "legislation.law"
PROPOSAL = "legislation.proposal"
SANCTIONS = ("sanctions.imposed", "sanctions.lifted")


@dataclass(frozen=True)
class ItemFacts:
    """What the item says beyond its events: the modalities of each type's pattern
    mentions ("negated", "asserted", ...), the title's mention types without a verb, and the
    pattern events of types the learned policy did not report (extractors.classifier)."""

    modalities: Mapping[str, frozenset[str]]
    topic_only: frozenset[str] = frozenset()
    # pattern events (kept or set aside) of types the item does not report
    held: Mapping[str, TaggedEvent] = field(default_factory=dict)


def apply_conventions(
    events: list[TaggedEvent], facts: ItemFacts, words: Mapping[str, tuple[str, ...]]
) -> list[TaggedEvent]:
    """The events left once the item-level conventions are applied, in their order."""
    for rule in RULES:
        events = rule(events, facts, words)
    return events


Rule = Callable[[list[TaggedEvent], ItemFacts, Mapping[str, tuple[str, ...]]], list[TaggedEvent]]


def denied(
    events: list[TaggedEvent], facts: ItemFacts, words: Mapping[str, tuple[str, ...]]
) -> list[TaggedEvent]:
    """A measure the item denies yields no event, even when a verbless headline names it
    ("On export controls" over "has no plans to tighten export controls")."""
    return [e for e in events if not _only_denied(e.type, facts)]


def _only_denied(code: str, facts: ItemFacts) -> bool:
    seen = facts.modalities.get(code, frozenset())
    if "negated" not in seen:
        return False
    return "asserted" not in seen or code in facts.topic_only


def wto_not_lawsuit(
    events: list[TaggedEvent], facts: ItemFacts, words: Mapping[str, tuple[str, ...]]
) -> list[TaggedEvent]:
    """A WTO complaint is `trade_dispute.wto` even when called a lawsuit or an appeal."""
    if not _has(events, WTO):
        return events
    return [e for e in events if e.type != LAWSUIT]


def sanctions_list_not_entity_list(
    events: list[TaggedEvent], facts: ItemFacts, words: Mapping[str, tuple[str, ...]]
) -> list[TaggedEvent]:
    """A blacklist in a sanctions story is the sanctions list, unless the sentence names an
    export-control list."""
    if not any(_has(events, code) for code in SANCTIONS):
        return events
    return _drop_unless_named(events, LISTING, words.get("export_lists", ()))


def tax_list_not_entity_list(
    events: list[TaggedEvent], facts: ItemFacts, words: Mapping[str, tuple[str, ...]]
) -> list[TaggedEvent]:
    """Tax-haven and money-laundering lists name jurisdictions, not restricted parties."""
    return [
        e
        for e in events
        if e.type != LISTING or not _mentions(e.evidence, words.get("other_lists", ()))
    ]


def sanctions_relief_not_export_relaxation(
    events: list[TaggedEvent], facts: ItemFacts, words: Mapping[str, tuple[str, ...]]
) -> list[TaggedEvent]:
    """Suspended "restrictions" in a story of lifted sanctions are the sanctions' own, unless
    the sentence is about exports or licences."""
    if not _has(events, "sanctions.lifted"):
        return events
    return _drop_unless_named(events, RELAXATION, words.get("export_words", ()))


def law_or_proposal(
    events: list[TaggedEvent], facts: ItemFacts, words: Mapping[str, tuple[str, ...]]
) -> list[TaggedEvent]:
    """A bill is a law once enacted, and a proposal while only a cabinet, a government, a
    committee or one chamber has approved it; never both for one bill."""
    law = next((e for e in events if e.type == LAW), None)
    if law is None:
        return events
    final = _mentions(law.evidence, words.get("final_enactment", ()))
    early = not final and _mentions(law.evidence, words.get("pre_enactment_bodies", ()))
    if early:
        proposal = replace(law, type=PROPOSAL, status="planned")
        kept = [e for e in events if e.type != LAW]
        return kept if _has(kept, PROPOSAL) else _in_order(kept + [proposal], events)
    return [e for e in events if e.type != PROPOSAL]


COMMODITY_TYPES = frozenset(
    {"export_control.ban", "export_control.restriction", "export_control.relaxation"}
)
BOYCOTT = "economic_coercion.boycott"


def commodity_trade(
    events: list[TaggedEvent], facts: ItemFacts, words: Mapping[str, tuple[str, ...]]
) -> list[TaggedEvent]:
    """Farm, food and fuel trade (a beef export halt, oil shipments resuming) is commodity
    news, not an export control, unless a strategic good or an export control is named too;
    a food import halt over a disease is a sanitary measure, not a boycott (a coal import
    halt amid a diplomatic row still is one)."""
    return [e for e in events if not _commodity_news(e, words)]


def _commodity_news(event: TaggedEvent, words: Mapping[str, tuple[str, ...]]) -> bool:
    text = event.evidence
    if not _mentions(text, words.get("commodity_goods", ())):
        return False
    if _mentions(text, words.get("strategic_goods", ())):
        return False
    if event.type == BOYCOTT:
        return _mentions(text, words.get("sanitary_causes", ()))
    return event.type in COMMODITY_TYPES


LAW_CONTENT = "law_does:"  # cues.yaml conventions: the phrases that name what a law does


def law_content(
    events: list[TaggedEvent], facts: ItemFacts, words: Mapping[str, tuple[str, ...]]
) -> list[TaggedEvent]:
    """A law or bill also gets the types of what it does (TAXONOMY.md, "Several types at
    once") when its evidence sentence names them: "a bill to require reporting of cyber
    incidents" is a cyber rule as well, with the bill's status and initiators."""
    out = list(events)
    for law in (e for e in events if e.type in (LAW, PROPOSAL)):
        for key, phrases in words.items():
            code = key.removeprefix(LAW_CONTENT)
            if key.startswith(LAW_CONTENT) and not _has(out, code):
                doubted = facts.modalities.get(code, frozenset()) - {"asserted"}
                if _mentions(law.evidence, phrases) and not doubted:
                    out.append(replace(law, type=code, target=[], partner=[]))
    return out


AGREEMENT = "partnership.agreement"
JOINT_PROJECT = "partnership.joint_project"


def agreement_content(
    events: list[TaggedEvent], facts: ItemFacts, words: Mapping[str, tuple[str, ...]]
) -> list[TaggedEvent]:
    """An agreement that launches a joint project is a joint project too (TAXONOMY.md: both
    types when both are reported): "under the memorandum, the two institutes will jointly
    test models". The project is the one the patterns found and the policy held back, when
    the item asserts it and doubts it nowhere; it keeps its own status (an agreement signed
    for work still to come) and confidence, at most the agreement's. A new dialogue, council
    or task force that works together is the cooperation itself
    (`partnership.security_cooperation`), not a project of its own."""
    project = facts.held.get(JOINT_PROJECT)
    if project is None or _has(events, JOINT_PROJECT):
        return events
    if facts.modalities.get(JOINT_PROJECT) != {"asserted"}:
        return events
    agreement = next((e for e in events if e.type == AGREEMENT), None)
    if agreement is None:
        return events
    confidence = min(project.confidence, agreement.confidence)
    return [*events, replace(project, confidence=confidence)]


RULES: tuple[Rule, ...] = (
    commodity_trade,
    denied,
    wto_not_lawsuit,
    sanctions_list_not_entity_list,
    tax_list_not_entity_list,
    sanctions_relief_not_export_relaxation,
    law_or_proposal,
    law_content,
    agreement_content,
)


def _drop_unless_named(
    events: list[TaggedEvent], code: str, phrases: tuple[str, ...]
) -> list[TaggedEvent]:
    """The events, less those of `code` whose evidence names none of `phrases`."""
    return [e for e in events if e.type != code or _mentions(e.evidence, phrases)]


def _has(events: Iterable[TaggedEvent], code: str) -> bool:
    return any(e.type == code for e in events)


def _in_order(events: list[TaggedEvent], original: list[TaggedEvent]) -> list[TaggedEvent]:
    """`events` in the order of the original list (a retyped event keeps its place)."""
    place = {id(e): k for k, e in enumerate(original)}
    law_place = next((k for k, e in enumerate(original) if e.type == LAW), len(original))
    return sorted(events, key=lambda e: place.get(id(e), law_place))


def _mentions(text: str, phrases: tuple[str, ...]) -> bool:
    return bool(phrases) and _phrase_regex(phrases).search(text) is not None


@cache
def _phrase_regex(phrases: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE)


def item_facts(
    matches: Iterable[tuple[str, str, frozenset[str], Token]],
    title_end: int,
    held: Iterable[TaggedEvent] = (),
) -> ItemFacts:
    """ItemFacts from the item's pattern matches as (type, modality, modalities the pattern
    allows, anchor), and the pattern events the policy did not report (`held`). An allowed
    modality counts as asserted: "will no longer approve shipments" is how a ban is worded,
    not a denial of one."""
    modalities: dict[str, set[str]] = {}
    topic_only = set()
    for code, modality, allow, anchor in matches:
        modalities.setdefault(code, set()).add("asserted" if modality in allow else modality)
        if anchor.i < title_end and not any(t.pos_ in ("VERB", "AUX") for t in anchor.sent):
            topic_only.add(code)
    return ItemFacts(
        modalities={k: frozenset(v) for k, v in modalities.items()},
        topic_only=frozenset(topic_only),
        held={e.type: e for e in held},
    )


# Types whose definition fixes their status (TAXONOMY.md): a bill or draft is a proposal
# until it is law, whatever stage the item reports; an attack or a supply disruption is
# news once it has happened (a forecast shortage is reported with its cause at hand).
TYPE_STATUS: dict[str, Status] = {
    PROPOSAL: "planned",
    "cyber.incident": "enacted",
    "supply_chain.disruption": "enacted",
}


def item_statuses(events: list[TaggedEvent], cues: Cues) -> list[TaggedEvent]:
    """The item's events with the statuses their types fix, and what a bill does sharing the
    bill's status: a measure told by the same sentence as a proposal is planned with it
    ("Cabinet approves bill to create a clearance system": the system too is to come),
    unless that sentence makes the bill law ("signs bills to ...")."""
    fixed = [
        replace(e, status=TYPE_STATUS[e.type])
        if e.type in TYPE_STATUS and e.status != TYPE_STATUS[e.type]
        else e
        for e in events
    ]
    bills = {e.evidence for e in fixed if e.type == PROPOSAL and not _makes_law(e.evidence, cues)}
    return [
        replace(e, status="planned")
        if e.evidence in bills and e.type not in TYPE_STATUS and e.status != "planned"
        else e
        for e in fixed
    ]


def _makes_law(text: str, cues: Cues) -> bool:
    """Does the sentence name a final step of a bill ("signed", "enacts", "into force")?"""
    forms = tuple(f"{v}{end}" for v in cues.bill_final_verbs for end in ("", "s", "d", "ed", "ing"))
    return _mentions(text, forms) or _mentions(text, cues.conventions.get("final_enactment", ()))
