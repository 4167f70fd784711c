"""Is a pattern match reported news, and is the measure planned or enacted?

The labelling conventions key status and negation on the words around the
measure ("plans to", "has no plans to", "after Washington blacklisted").
We walk from the match's anchor up the dependency tree, reading auxiliaries,
markers and head words (cue lists in data/cues.yaml); the nearest status cue
wins, and any negation, hypothetical, background or keep cue on the way
cancels the mention. Some statuses are the item's: the types whose definition
fixes their status, and what a bill carries in its sentence
(`extractors.conventions.item_statuses`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

from spacy.tokens import Span, Token

from .resources import DATA_DIR, read_yaml
from .segment import doc_text

CUES_FILE = "cues.yaml"
MAX_WALK = 8
PAST_TAGS = frozenset({"VBD", "VBN"})
Modality = Literal["asserted", "negated", "hypothetical", "background", "kept"]
Status = Literal["planned", "enacted"]
Stage = Literal["", "bill", "built"]


@dataclass(frozen=True)
class Cues:
    """The cue lists of cues.yaml as frozensets (see that file for meanings)."""

    planned_heads: frozenset[str] = frozenset()
    planned_modals: frozenset[str] = frozenset()
    hypothetical_modals: frozenset[str] = frozenset()
    hypothetical_heads: frozenset[str] = frozenset()
    negation_heads: frozenset[str] = frozenset()
    negation_phrasals: frozenset[str] = frozenset()
    kept_heads: frozenset[str] = frozenset()
    reporting_verbs: frozenset[str] = frozenset()
    announcing_verbs: frozenset[str] = frozenset()
    background_preps: frozenset[str] = frozenset()
    background_heads: frozenset[str] = frozenset()
    action_verbs: frozenset[str] = frozenset()
    planned_xcomp_heads: frozenset[str] = frozenset()
    planned_progressive_heads: frozenset[str] = frozenset()
    planned_step_nouns: frozenset[str] = frozenset()
    purpose_participles: frozenset[str] = frozenset()
    enacted_stage_words: frozenset[str] = frozenset()
    bill_verbs: frozenset[str] = frozenset()
    bill_final_verbs: frozenset[str] = frozenset()
    bill_early_bodies: frozenset[str] = frozenset()
    contexts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    conventions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    non_event_titles: tuple[re.Pattern[str], ...] = ()


def load_cues(path: Path) -> Cues:
    data = read_yaml(path) or {}
    sets = {k: frozenset(str(w) for w in v) for k, v in data.items() if isinstance(v, list)}
    sets.pop("non_event_titles", None)
    return Cues(
        **sets,
        contexts={k: tuple(v) for k, v in data.get("contexts", {}).items()},
        conventions={k: tuple(v) for k, v in data.get("conventions", {}).items()},
        non_event_titles=tuple(re.compile(p, re.I) for p in data.get("non_event_titles", [])),
    )


@cache
def default_cues() -> Cues:
    return load_cues(DATA_DIR / CUES_FILE)


@dataclass
class Reading:
    """What the words around one mention say about it."""

    modality: Modality = "asserted"
    status: Literal["planned", "enacted"] = "enacted"
    explicit: bool = False  # status came from a cue, not the default
    stage: Stage = ""  # the cue was a bill's stage or a plant's building stage
    walk: list[Token] = field(default_factory=list)


def status_walk(anchor: Token, cues: Cues) -> list[Token]:
    """The anchor and its heads, up to the sentence root, a reporting verb or a semicolon.

    Clauses on either side of a semicolon report separate facts, however the
    parser joins them: "X was listed; it was linked to Y" lists X.
    """
    walk = [anchor]
    tok = anchor
    while tok.head.i != tok.i and len(walk) < MAX_WALK:
        if _semicolon_between(tok, tok.head):
            break
        tok = tok.head
        if tok.pos_ == "VERB" and tok.lemma_.lower() in cues.reporting_verbs:
            break
        walk.append(tok)
    return walk


def _semicolon_between(tok: Token, head: Token) -> bool:
    first, last = (tok, head) if tok.i < head.i else (head, tok)
    # Most walks step between words with no ";" in the text at all: skip reading the tokens.
    if ";" not in doc_text(tok.doc)[first.idx + len(first) : last.idx]:
        return False
    return any(t.text == ";" for t in tok.doc[first.i + 1 : last.i])


def read_mention(anchor: Token, cues: Cues) -> Reading:
    """Modality and status of the mention anchored at `anchor`."""
    reading = Reading(walk=status_walk(anchor, cues))
    for k, tok in enumerate(reading.walk):
        if _law_content(tok):
            continue  # "a law that could ban ...": what the law does; the law's status rules
        modality = _modality_at(tok, k, cues)
        if k and tok.lemma_.lower() == "call" and reading.walk[k - 1].dep_ in CALL_DEPS:
            modality = "hypothetical"  # "calls to exclude", "calls for a ban"
        if modality != "asserted" and reading.modality == "asserted":
            reading.modality = modality
        if not reading.explicit:
            prev = reading.walk[k - 1] if k else None
            status, stage = _stage_at(tok, cues)
            if stage == "bill" and status is None:
                continue  # the bill's own verb says whether it became law
            status = status or _status_at(tok, k, cues, prev)
            if status is not None:
                reading.status, reading.explicit, reading.stage = status, True, stage
    if not reading.explicit and len(reading.walk) == MAX_WALK:
        _status_beyond(reading, cues)
    if any(_built(tok, cues) for tok in reading.walk):
        reading.status, reading.explicit, reading.stage = "enacted", True, "built"
    return reading


def _status_beyond(reading: Reading, cues: Cues) -> None:
    """A long walk cut before its clause's verbs: the status cue of the verbs above it
    ("The government plans to require firms to commit to ten years of output as one of the
    conditions for a subsidy"). Only verbs are read, and only for status."""
    tok = reading.walk[-1]
    prev = reading.walk[-2]
    for _ in range(MAX_WALK):
        if tok.head.i == tok.i or _semicolon_between(tok, tok.head):
            return
        prev, tok = tok, tok.head
        if tok.pos_ == "VERB" and tok.lemma_.lower() in cues.reporting_verbs:
            return
        if tok.pos_ not in ("VERB", "AUX"):
            continue
        status = _status_at(tok, MAX_WALK, cues, prev)
        if status is not None:
            reading.status, reading.explicit = status, True
            return


def sentence_status(sent: Span, cues: Cues) -> Status:
    """The status a sentence gives a measure found in it with no anchor word (a text model's
    guess): its main clause, past a reporting or announcing verb ("said it will invest",
    "announced it would remove"), read as a mention's anchor would be, and a bill that clause
    approves read by its stage ("the Senate passed a bill": planned until it is law)."""
    verb = sent.root
    while verb.lemma_.lower() in cues.reporting_verbs | cues.announcing_verbs:
        clause = next((c for c in verb.children if c.dep_ in ("ccomp", "xcomp")), None)
        if clause is None:
            break
        verb = clause
    if verb.pos_ not in ("VERB", "AUX"):  # "Tokyo-Seoul dialogue to boost cooperation"
        verb = next((c for c in verb.children if _to_infinitive(c)), verb)
    status = _approved_bill_status(verb, cues)
    if status is not None:
        return status
    reading = read_mention(verb, cues)
    if reading.status == "enacted" and _plan_object(verb):
        return "planned"
    return reading.status


PLAN_NOUNS = frozenset({"plan", "proposal"})
APPROVING_VERBS = frozenset(
    {"approve", "accept", "authorise", "authorize", "clear", "endorse", "give", "grant", "ok"}
)


def _plan_object(verb: Token) -> bool:
    """ "The cabinet approved the firm's plan to build a plant", "gave its approval to a plan
    to invest": what an approved plan is to do is still to come (TAXONOMY.md: a plant
    approved is `planned`). A plan named by what it is ("a state aid plan") is the measure
    itself, and a plan released or presented is a strategy, not an approval."""
    if verb.lemma_.lower() not in APPROVING_VERBS:
        return False
    for tok in verb.subtree:
        if tok.lemma_.lower() not in PLAN_NOUNS or tok.pos_ != "NOUN":
            continue
        if not any(_to_infinitive(c) for c in tok.children):
            continue
        head = tok.head
        while head.i != verb.i and head.pos_ not in ("VERB", "AUX") and head.head.i != head.i:
            head = head.head
        if head.i == verb.i:
            return True
    return False


QUALIFYING_WORDS = frozenset({"no", "longer", "if", "unless", "whether", "still", "call"})
_qualifiers: dict[int, tuple[Cues, frozenset[str]]] = {}


def may_qualify(span: Span, cues: Cues) -> bool:
    """Could any mention in `span` read as other than asserted? False means `read_mention`
    finds every word of it asserted, without walking a single head: no negation, no word
    or lemma that any modality cue of `cues` names."""
    cached = _qualifiers.get(id(cues))
    if cached is None or cached[0] is not cues:
        words = QUALIFYING_WORDS.union(
            cues.hypothetical_modals,
            cues.background_preps,
            cues.negation_heads,
            cues.kept_heads,
            cues.hypothetical_heads,
            cues.background_heads,
            (phrasal.split()[0] for phrasal in cues.negation_phrasals),
        )
        cached = _qualifiers[id(cues)] = (cues, words)
    words = cached[1]
    return any(t.dep_ == "neg" or t.lower_ in words or t.lemma_.lower() in words for t in span)


LAW_NOUNS = frozenset(
    {
        "law",
        "act",
        "bill",
        "legislation",
        "regulation",
        "rule",
        "ordinance",
        "statute",
        "decree",
        "order",
        "directive",
        "measure",
        "provision",
    }
)


def _law_content(tok: Token) -> bool:
    """A relative clause saying what a law or bill does ("a bill that could bar ...")."""
    return (
        tok.dep_ == "relcl"
        and tok.head.lemma_.lower() in LAW_NOUNS
        and any(c.dep_ == "aux" for c in tok.children)
    )


CALL_DEPS = frozenset({"xcomp", "prep", "acl", "ccomp"})


def _modality_at(tok: Token, k: int, cues: Cues) -> Modality:
    lemma = tok.lemma_.lower()
    for child in tok.children:
        low = child.lower_
        if child.dep_ == "neg" or _no_longer(child):
            return "negated"
        if child.dep_ == "det" and low == "no":
            return "negated"
        if child.dep_ == "aux" and low in cues.hypothetical_modals:
            return "hypothetical"
        if child.dep_ == "mark" and low in ("if", "unless", "whether"):
            return "hypothetical"
        if child.dep_ == "mark" and low in cues.background_preps and not _recent(child):
            return "background"
        if child.dep_ == "advmod" and low == "still":
            return "kept"
    if (
        tok.dep_ in ("pobj", "pcomp")
        and tok.head.lower_ in cues.background_preps
        and not (_recent(tok.head))
    ):
        return "background"
    if k == 0 and tok.pos_ != "VERB":
        return "asserted"
    if lemma in cues.negation_heads or _phrasal(tok) in cues.negation_phrasals:
        return "negated"
    if lemma in cues.kept_heads:
        return "kept"
    if lemma in cues.hypothetical_heads and k > 0:
        return "hypothetical"
    if lemma in cues.background_heads and k > 0:
        return "background"
    return "asserted"


def _phrasal(tok: Token) -> str:
    """The verb's lemma and its particle, if it has one: 'rule out' for 'ruled out'."""
    particles = [child.lower_ for child in tok.children if child.dep_ == "prt"]
    return f"{tok.lemma_.lower()} {particles[0]}" if particles else ""


RECENT_WORDS = frozenset(
    {"shortly", "just", "day", "days", "hours", "hour", "soon", "immediately", "moments", "minutes"}
)


def _recent(prep: Token) -> bool:
    """ "shortly after", "a day after", or "will be built after": the earlier event is news too."""
    if prep.lower_ != "after":
        return False
    if any(c.lower_ in RECENT_WORDS for c in prep.children) or (
        prep.i > 0 and prep.doc[prep.i - 1].lower_ in RECENT_WORDS
    ):
        return True
    head = prep.head
    return any(
        c.dep_ in ("aux", "auxpass") and c.lower_ in ("will", "would", "'ll") for c in head.children
    )


def _status_at(tok: Token, k: int, cues: Cues, prev: Token | None = None) -> Status | None:
    if (k > 0 or tok.pos_ == "VERB") and _planned_head(tok, cues):
        return "planned"
    if prev is not None and _planned_step(tok, prev, cues):
        return "planned"
    if _to_come(tok) or _position_adopted(tok):
        return "planned"
    for child in tok.children:
        if child.dep_ in ("aux", "auxpass") and child.lower_ in cues.planned_modals:
            return "enacted" if _today(tok) else "planned"
        if child.dep_ == "advmod" and child.lower_ == "now":
            return "enacted"
        if child.dep_ == "amod" and child.lower_ in (
            "preliminary",
            "tentative",
            "draft",
            "proposed",
            "planned",
            "possible",
            "upcoming",
            "forthcoming",
        ):
            return "planned"
    if _preliminary_object(tok):
        return "planned"
    if _headline_infinitive(tok):
        return "planned"
    if tok.pos_ in ("VERB", "AUX") and tok.tag_ in PAST_TAGS and tok.dep_ != "amod":
        return "enacted"
    if tok.pos_ == "VERB" and tok.tag_ in ("VBZ", "VBP") and _in_title(tok):
        return "enacted"  # headline present tense reports what happened
    return None


def _planned_head(tok: Token, cues: Cues) -> bool:
    """A head of planning ("plans to", "a proposal"), but not a participle saying what a
    measure is for ("guidelines aimed at clarifying"), nor a measure's own aim ("the act
    aims to tighten screening", "a strategy that seeks to cut reliance"): what the measure
    does takes the measure's status."""
    lemma = tok.lemma_.lower()
    if lemma in cues.purpose_participles and tok.dep_ == "acl":
        return False
    if lemma in PURPOSE_VERBS and _measure_subject(tok):
        return False
    if lemma in PLAN_NOUNS and tok.pos_ == "NOUN" and _plan_approved(tok):
        return False
    return lemma in cues.planned_heads or lemma in cues.planned_step_nouns


PURPOSE_VERBS = frozenset({"aim", "seek"})
MEASURE_NOUNS = LAW_NOUNS | frozenset(
    {
        "plan",
        "strategy",
        "programme",
        "program",
        "scheme",
        "framework",
        "package",
        "policy",
        "initiative",
        "guideline",
        "guidance",
        "fund",
        "system",
        "amendment",
        "revision",
        "reform",
        "regime",
        "roadmap",
    }
)


def _plan_approved(plan: Token) -> bool:
    """ "authorised the state aid plan": a plan named by what it is, approved, is the measure
    itself (a plan to build or to invest is still to come when approved)."""
    if any(_to_infinitive(c) for c in plan.children):
        return False
    head = plan.head
    while head.pos_ not in ("VERB", "AUX") and head.head.i != head.i:
        head = head.head
    return head.lemma_.lower() in APPROVING_VERBS and head.tag_ in PAST_TAGS


def _measure_subject(verb: Token) -> bool:
    """The verb's subject is a measure ("the plan aims ...", "rules that seek ...")."""
    if verb.dep_ == "relcl" and verb.head.lemma_.lower() in MEASURE_NOUNS:
        return True
    return any(
        c.dep_ in ("nsubj", "nsubjpass") and c.lemma_.lower() in MEASURE_NOUNS
        for c in verb.children
    )


def _to_come(tok: Token) -> bool:
    """ "The framework is to begin operating", "the pact is to be applied from May": `be`
    with a to-infinitive is a step still to come."""
    return (
        tok.lemma_.lower() == "be"
        and tok.tag_ in ("VBZ", "VBP")
        and any(
            c.dep_ == "xcomp"
            and any(a.dep_ in ("aux", "auxpass") and a.tag_ == "TO" for a in c.children)
            for c in tok.children
        )
    )


def _position_adopted(tok: Token) -> bool:
    """ "The Council adopted its position on the act": a step of a law still being made."""
    return tok.pos_ == "VERB" and any(
        c.dep_ in ("dobj", "nsubjpass") and c.lemma_.lower() == "position" for c in tok.children
    )


TODAY_WORDS = frozenset({"today", "tonight"})


def _today(verb: Token) -> bool:
    """ "will break ground today", "will commence today": it happens on the day reported."""
    return any(c.lower_ in TODAY_WORDS and c.dep_ in ("npadvmod", "advmod") for c in verb.children)


def _planned_step(tok: Token, prev: Token, cues: Cues) -> bool:
    """ "is set to take effect", "is to establish", "is moving to create": a to-infinitive
    under a head that puts it in the future."""
    if prev.dep_ not in ("xcomp", "acl") or not any(
        c.dep_ == "aux" and c.tag_ == "TO" for c in prev.children
    ):
        return False
    lemma = tok.lemma_.lower()
    if lemma in cues.planned_xcomp_heads:
        return True
    return tok.tag_ == "VBG" and lemma in cues.planned_progressive_heads


PRELIMINARY = frozenset({"preliminary", "tentative", "non-binding", "draft", "provisional"})


def _preliminary_object(tok: Token) -> bool:
    """ "reached a preliminary agreement to provide ...": what was agreed is still to come."""
    return tok.pos_ == "VERB" and any(
        c.dep_ == "dobj" and any(a.lower_ in PRELIMINARY for a in c.children if a.dep_ == "amod")
        for c in tok.children
    )


BILL_NOUNS = frozenset({"bill", "legislation", "law", "act"})


def _stage_at(tok: Token, cues: Cues) -> tuple[Status | None, Stage]:
    """A bill's stage outranks the words around the measure it carries (TAXONOMY.md: a bill
    passed by one chamber or a cabinet stays `planned`; enacted or signed, it is law). The
    walk meets the bill itself, or the verb approving it when the measure hangs on that verb
    ("Government approves law to bar ...", as headlines are often parsed)."""
    verb = _bill_verb(tok, cues)
    if verb is not None:
        return _bill_status(tok, verb, cues), "bill"
    status = _approved_bill_status(tok, cues) if tok.pos_ == "VERB" else None
    return (status, "bill") if status is not None else (None, "")


def _approved_bill_status(verb: Token, cues: Cues) -> Status | None:
    """The stage of a bill `verb` approves ("passed a bill", "approves law to bar ..."), as
    `_bill_status` reads it; None when the verb approves no bill or its stage says nothing."""
    if verb.lemma_.lower() not in cues.bill_verbs:
        return None
    for child in verb.children:
        if _bill_verb(child, cues) == verb:
            status = _bill_status(child, verb, cues)
            if status is not None:
                return status
    return None


def _built(tok: Token, cues: Cues) -> bool:
    """ "held a groundbreaking ceremony", "the plant's inauguration": the plant is being built
    (`enacted`, whatever pattern found it and whatever plans the sentence recalls)."""
    words = cues.enacted_stage_words
    if tok.pos_ in ("NOUN", "PROPN"):
        return tok.lower_ in words
    if tok.tag_ not in PAST_TAGS:
        return False  # "will hold a groundbreaking"
    return tok.lemma_.lower() in words or any(
        c.lemma_.lower() in words
        or (c.dep_ in ("dobj", "attr") and any(g.lower_ in words for g in c.children))
        for c in tok.children
    )


def _bill_verb(tok: Token, cues: Cues) -> Token | None:
    """The approving verb of a bill noun ("the Senate passed the bill", "bill passes")."""
    if tok.lemma_.lower() not in BILL_NOUNS or tok.pos_ not in ("NOUN", "PROPN"):
        return None
    if tok.dep_ not in ("dobj", "nsubj", "nsubjpass", "dep"):
        return None
    head = tok.head
    return head if head.lemma_.lower() in cues.bill_verbs else None


def _bill_status(bill: Token, verb: Token, cues: Cues) -> Status | None:
    """Enacted when the verb makes it law, planned when an early body approved it, else
    None (the verb's own tense decides)."""
    bill_ids = _subtree_ids(bill)
    words = " ".join(t.lower_ for t in verb.subtree if t.i not in bill_ids)
    padded = f" {words} ".replace(" white house ", " ")
    if verb.lemma_.lower() in cues.bill_final_verbs or any(
        f" {p} " in padded for p in cues.conventions.get("final_enactment", ())
    ):
        return "enacted"
    if any(f" {b} " in padded for b in cues.bill_early_bodies):
        return "planned"
    return None


def _subtree_ids(tok: Token) -> set[int]:
    return {t.i for t in tok.subtree}


def _in_title(tok: Token) -> bool:
    end = tok.doc._.title_end if tok.doc.has_extension("title_end") else None
    return end is not None and tok.i < end


def _no_longer(child: Token) -> bool:
    """ "no longer need licences": the measure ends."""
    return child.lower_ == "longer" and any(c.lower_ == "no" for c in child.children)


def _to_infinitive(tok: Token) -> bool:
    """A to-infinitive hanging on a noun or verb ("dialogue to boost", "plans to build")."""
    return tok.dep_ in ("acl", "relcl", "xcomp") and any(
        c.dep_ == "aux" and c.tag_ == "TO" for c in tok.children
    )


def _headline_infinitive(tok: Token) -> bool:
    """ "Japan to tighten ..." : a to-infinitive that is its clause's root."""
    has_to = any(c.dep_ == "aux" and c.tag_ == "TO" for c in tok.children)
    if not has_to:
        return False
    head = tok.head
    return tok.dep_ == "ROOT" or (
        head.dep_ == "ROOT"
        and head.i < tok.i
        and (head.pos_ == "PROPN" or head.pos_ == "NOUN" and not _action_noun(head))
    )


ACTION_SUFFIXES = ("tion", "sion", "ment", "al")


def _action_noun(tok: Token) -> bool:
    """ "Application to join": a noun naming the act itself, whose infinitive is its content."""
    return tok.lower_.endswith(ACTION_SUFFIXES)


EFFECT_VERBS = frozenset(
    {
        "take",
        "enter",
        "come",
        "go",
        "apply",
        "begin",
        "start",
        "kick",
        "become",
        "target",
        "hit",
        "include",
        "cover",
        "require",
        "bar",
        "ban",
        "affect",
        "mean",
    }
)


def is_action_mention(anchor: Token, cues: Cues, in_title: bool = False) -> bool:
    """A noun anchor counts only when an action verb governs it (or it heads a headline).

    "imposed sanctions" and "the ban took effect" report a measure; "sanctions
    violations", "information on subsidies" or "curbs could cost toolmakers"
    only refer to one. Headlines report news and parse badly, so there any
    governing verb will do.
    """
    if anchor.pos_ in ("VERB", "AUX"):
        return True
    if anchor.dep_ == "compound":
        return False  # modifies another noun: "security review powers"
    tok, hops = anchor, 0
    while tok.pos_ not in ("VERB", "AUX") and tok.head.i != tok.i and hops < 4:
        if (
            tok.dep_ in ("pobj", "pcomp")
            and tok.head.head.pos_ in ("NOUN", "PROPN")
            and tok.head.lower_ != "with"
        ):
            return False  # modifies another noun: "information on subsidies"
        child, tok, hops = tok, tok.head, hops + 1
    if tok.pos_ not in ("VERB", "AUX"):
        return tok.dep_ == "ROOT"
    lemma = tok.lemma_.lower()
    if hops and child.dep_ in ("nsubj", "csubj"):
        return lemma in EFFECT_VERBS
    if in_title and (tok.dep_ == "ROOT" or (tok.dep_ == "conj" and tok.head.dep_ == "ROOT")):
        return True
    return lemma in cues.action_verbs


def is_non_event_title(title: str, cues: Cues) -> bool:
    """Explainers, opinion, questions, anniversaries: no event in the item."""
    return any(p.search(title) for p in cues.non_event_titles)


def has_context(text_lower: str, name: str, cues: Cues, technologies: list[str]) -> bool:
    """Does the text (lower-cased tokens joined by spaces) hold a phrase of the list?

    `technology` asks for a tagged technology domain instead of a phrase list.
    """
    if name == "technology":
        return bool(technologies)
    phrases = cues.contexts.get(name, ())
    padded = f" {text_lower} "
    return any(f" {p} " in padded or f" {p}s " in padded for p in phrases) or (
        name == "econsec" and bool(technologies)
    )
