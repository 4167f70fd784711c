"""Who acts and against whom: initiator, target and partners of a mention.

The parse gives the subject of the clause that carries the measure; the
taxonomy says what kind of initiator a type needs (a state, a company, the
complainant of a dispute). When the subject does not fit ("Apple pulls
WhatsApp" after a state order), we fall back to a possessor of the measure
("China's ban"), then to a state named in the sentence, then to the item's
home country.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from .actors import GENERIC, GROUP, ORG, STATE, in_sentence
from .gazetteer import default_gazetteer
from .taxonomy import EventType

SUBJECT_DEPS = ("nsubj", "nsubjpass", "csubj")
CLIMB_DEPS = ("xcomp", "conj", "advcl", "ccomp", "pcomp", "acl", "relcl", "prep", "pobj", "dobj")
MODIFIER_DEPS = ("poss", "compound", "amod", "nmod", "npadvmod", "nummod")
COURT_WORDS = frozenset(
    {"court", "judge", "justice", "justices", "panel", "tribunal", "jury", "magistrate", "wto"}
)
RECEIVE_VERBS = frozenset({"receive", "get", "win", "secure", "obtain", "land", "accept"})
GIVE_VERBS = frozenset({"award", "grant", "give", "hand", "offer", "promise", "allocate"})
ATTRIBUTE_VERBS = frozenset({"link", "attribute", "tie", "trace", "blame", "accuse"})
PARTY_PREPS = frozenset({"with", "and", "between"})
OWNER_DEPS = frozenset({"compound", "poss", "nmod", "amod"})
COMPLAINANT_PREPS = frozenset({"by", "with", "from"})


@dataclass
class Roles:
    """Normalised actor codes per role; `source` says how the initiator was found."""

    initiator: list[str] = field(default_factory=list)
    target: list[str] = field(default_factory=list)
    partner: list[str] = field(default_factory=list)
    source: str = "none"


def is_state(span: Span) -> bool:
    """A state, public body or intergovernmental group with a known code."""
    return span.label_ in (STATE, GROUP) and bool(span.kb_id_)


def codes(spans: list[Span]) -> list[str]:
    """Unique codes in text order."""
    seen: dict[str, None] = {}
    for s in sorted(spans, key=lambda s: s.start):
        if s.kb_id_:
            seen[s.kb_id_] = None
    return list(seen)


def governing_verb(anchor: Token) -> Token:
    """The verb of the clause that holds the anchor (the anchor if it is one)."""
    tok = anchor
    for _ in range(6):
        if tok.pos_ in ("VERB", "AUX") or tok.head.i == tok.i:
            return tok
        tok = tok.head
    return tok


def subject_tokens(verb: Token) -> tuple[list[Token], bool]:
    """Subject tokens of the verb's clause (climbing xcomp/conj chains); passive flag."""
    tok = verb
    for _ in range(4):
        subj = [c for c in tok.children if c.dep_ in SUBJECT_DEPS]
        if subj:
            passive = any(c.dep_ == "nsubjpass" for c in subj) or any(
                c.dep_ == "auxpass" for c in tok.children
            )
            return [t for s in subj for t in s.subtree], passive
        if tok.dep_ == "relcl":
            return [tok.head], False
        if tok.dep_ not in CLIMB_DEPS or tok.head.i == tok.i:
            break
        tok = tok.head
    return [], False


def agent_tokens(verb: Token) -> list[Token]:
    """Tokens of a passive's "by ..." phrase."""
    return [t for c in verb.children if c.dep_ == "agent" for t in c.subtree]


def spans_over(tokens: list[Token], actors: list[Span]) -> list[Span]:
    idx = {t.i for t in tokens}
    return [a for a in actors if a.root.i in idx or a.start in idx]


def prep_tokens(head: Token, preps: frozenset[str]) -> list[Token]:
    """Tokens inside "with X" / "by X" phrases attached to `head`."""
    return [
        t
        for c in head.children
        if c.dep_ in ("prep", "agent") and c.lower_ in preps
        for t in c.subtree
        if t is not c
    ]


def modifier_tokens(anchor: Token) -> list[Token]:
    """Possessors and compounds of a noun anchor ("China's ban", "US chip curbs")."""
    return [t for c in anchor.children if c.dep_ in MODIFIER_DEPS for t in c.subtree]


def assign_roles(
    anchor: Token, etype: EventType, actors: list[Span], home: str, span: Span | None = None
) -> Roles:
    """Roles for the mention anchored at `anchor` (actors: the doc's actor spans).

    `span` is the whole pattern match; plants look there for their builder
    ("funds TSMC research centre").
    """
    sent = anchor.sent
    sent_actors = [a for a in actors if in_sentence(a, sent)]
    receiving = False
    verb = governing_verb(anchor)
    subj_toks, passive = subject_tokens(verb)
    subject = spans_over(subj_toks, sent_actors)
    destinations = [s for s in subject if _in_prep_phrase(s, subj_toks)]
    subject = [s for s in subject if s not in destinations]
    agent = spans_over(agent_tokens(verb), sent_actors)
    inside = spans_over(list(anchor.subtree), sent_actors) + destinations
    if passive:
        first, targets = agent, subject + inside
    elif receiving := _headline_passive(verb, subj_toks, subject):
        first, targets = [], subject  # the firm gets the money; who gives it is found below
    elif verb.lemma_.lower() in RECEIVE_VERBS:
        first, targets = spans_over(prep_tokens(verb, frozenset({"from"})), sent_actors), subject
    elif verb.lemma_.lower() in ATTRIBUTE_VERBS:  # "attributed the hack to X", "blamed X"
        first = spans_over(_attributed_tokens(verb), sent_actors)
        targets = [s for s in inside if s not in first]
    else:
        first, targets = subject, inside
    if etype.initiator == "complainant":
        roles = _complainant_roles(verb, subj_toks, first, targets, sent_actors)
        if not roles.initiator and not subj_toks:  # headline parse lost the subject
            before = [s for s in sent_actors if s.start < anchor.i and s.kb_id_ != "WTO"]
            roles.initiator, roles.source = codes(before), "sentence"
        if not roles.initiator:
            roles = _ruling_plaintiffs(anchor, roles, targets)
        roles.target = [c for c in roles.target if not _dispute_forum(c)]
        return roles
    if etype.initiator == "attributed":
        return _attributed_roles(verb, first, targets, sent_actors)
    if etype.initiator == "company" and not any(s.label_ == ORG for s in first) and span:
        first = [s for s in spans_over(list(span), sent_actors) if s.label_ == ORG] or first
    company_subject = _is_company_subject(subj_toks, first) and not receiving
    if etype.initiator == "company" and not first and company_subject:
        first = _item_company(anchor)  # "the company broke ground": the firm the item is about
    roles = _pick_initiator(anchor, etype, first, targets, sent_actors, home, company_subject)
    roles = _member_state_aid(verb, roles, sent_actors)
    if etype.parties:
        roles = _add_parties(verb, anchor, roles, sent_actors)
    return roles


def _in_prep_phrase(span: Span, subj_toks: list[Token]) -> bool:
    """ "China" in a headline subject "curbs on exports to China": a destination inside
    the subject phrase, not a co-actor of the verb."""
    heads = {t.i for t in subj_toks if t.dep_ in SUBJECT_DEPS}
    tok = span.root
    for _ in range(8):
        if tok.i in heads or tok.head.i == tok.i:
            return False
        if tok.dep_ == "pobj" and tok.head.lower_ in NON_PARTY_PREPS:
            return True
        tok = tok.head
    return False


def _headline_passive(verb: Token, subj_toks: list[Token], subject: list[Span]) -> bool:
    """ "Chipmaker awarded $2bn": a headline drops the "was" of a passive giving verb,
    and the firm before it is the recipient, not the giver."""
    end = verb.doc._.title_end if verb.doc.has_extension("title_end") else None
    if end is None or verb.i >= end or verb.lemma_.lower() not in GIVE_VERBS:
        return False
    if verb.tag_ not in ("VBN", "VBD") or any(c.dep_ in ("aux", "auxpass") for c in verb.children):
        return False
    has_recipient = any(
        c.dep_ == "dative" or (c.dep_ == "prep" and c.lower_ == "to") for c in verb.children
    )
    nouns = default_gazetteer().company_nouns
    firm = any(s.label_ == ORG for s in subject) or any(t.lower_ in nouns for t in subj_toks)
    return not has_recipient and firm


def _attributed_tokens(verb: Token) -> list[Token]:
    if verb.lemma_.lower() in ("blame", "accuse"):
        return [t for c in verb.children if c.dep_ == "dobj" for t in c.subtree]
    return prep_tokens(verb, frozenset({"to"}))


def _item_company(anchor: Token) -> list[Span]:
    """The first named firm of the item (a later "the company" refers back to it)."""
    actors = anchor.doc.spans.get("econsec_actors", [])
    firms = [s for s in actors if s.label_ == ORG and s.start < anchor.i]
    return firms[:1]


def _is_company_subject(subj_toks: list[Token], first: list[Span]) -> bool:
    """A firm acts: a named organisation, or "the company" / "the carmaker"."""
    if any(s.label_ == ORG for s in first):
        return True
    nouns = default_gazetteer().company_nouns
    return any(t.dep_ in ("nsubj", "nsubjpass") and t.lower_ in nouns for t in subj_toks)


def _pick_initiator(
    anchor: Token,
    etype: EventType,
    first: list[Span],
    targets: list[Span],
    sent_actors: list[Span],
    home: str,
    company_subject: bool,
) -> Roles:
    kind = etype.initiator
    wanted = _fits(kind)
    if kind == "cause":
        first = [s for s in first if _owns_measure(s)]
    chosen = [s for s in first if wanted(s)]
    source = "subject"
    company_subject = company_subject and kind in ("state", "cause")
    if not chosen:
        targets = [s for s in first if not wanted(s)] + targets
        chosen, source = (
            [s for s in spans_over(modifier_tokens(anchor), sent_actors) if wanted(s)],
            "modifier",
        )
    if not chosen and company_subject:
        chosen = _owners(anchor, wanted, sent_actors)  # "Huawei placed on US Entity List"
    if not chosen and not first and not company_subject and kind != "cause":
        chosen, source = _sentence_fallback(anchor, wanted, targets, sent_actors), "sentence"
    if kind == "cause":
        chosen = [s for s in chosen if _owns_measure(s)]
        if not chosen:  # "a shortage after China's export ban": the measure's owner
            chosen, source = (
                [s for s in sent_actors if is_state(s) and _owns_measure(s)],
                "sentence",
            )
    init = codes(chosen)
    if not init and any(s.label_ == STATE and not s.kb_id_ for s in first):
        source = "unresolved"  # "the cabinet" in an item that names no country
    elif not init and home and not company_subject and (kind == "state" or etype.parties):
        init, source = [home], "item"
    elif (
        not init
        and kind == "state"
        and any(s.label_ == STATE and not s.kb_id_ for s in sent_actors)
    ):
        source = "unresolved"  # "the government" in an item that names no country
    elif not init:
        source = "none"
    target = [c for c in codes(targets) if c not in init]
    return Roles(initiator=init, target=target, source=source)


def _owners(anchor: Token, wanted: Callable[[Span], bool], sent_actors: list[Span]) -> list[Span]:
    """States that own the thing the anchor governs: "US" in "on US Entity List"."""
    inside = spans_over(list(anchor.subtree), sent_actors)
    return [s for s in inside if wanted(s) and s.root.dep_ in OWNER_DEPS]


def _sentence_fallback(
    anchor: Token, wanted: Callable[[Span], bool], targets: list[Span], sent_actors: list[Span]
) -> list[Span]:
    """The nearest fitting actor before the anchor, else the first after it."""
    taken = {s.start for s in targets}
    before = [s for s in sent_actors if wanted(s) and s.start not in taken and s.start < anchor.i]
    after = [s for s in sent_actors if wanted(s) and s.start not in taken]
    return before[-1:] or after[:1]


def _fits(kind: str) -> Callable[[Span], bool]:
    if kind == "state":
        return is_state
    if kind == "company":
        return lambda s: s.label_ == ORG
    if kind == "cause":
        return is_state
    return lambda s: bool(s.kb_id_)


def _add_parties(verb: Token, anchor: Token, roles: Roles, sent_actors: list[Span]) -> Roles:
    """Agreements: every party goes in initiator (and in partner)."""
    extra = spans_over(
        prep_tokens(verb, PARTY_PREPS) + prep_tokens(anchor, PARTY_PREPS), sent_actors
    )
    named_subject = roles.source == "subject" and any(
        is_state(s) and s.id_ != GENERIC for s in spans_over(subject_tokens(verb)[0], sent_actors)
    )
    if not named_subject and len(roles.initiator) < 2:
        # Headline parses often miss "X and Y sign ..."; then the sentence,
        # and failing that the item, names the parties.
        extra = _party_candidates(sent_actors) or _party_candidates(
            list(anchor.doc.spans.get("econsec_actors", []))
        )
    parties = roles.initiator + [
        c for c in codes([s for s in extra if is_state(s)]) if c not in roles.initiator
    ]
    partners = [c for c in parties if c not in roles.initiator[:1]]
    target = [c for c in roles.target if c not in parties]
    return Roles(initiator=parties, target=target, partner=partners, source=roles.source)


NON_PARTY_PREPS = frozenset({"to", "against", "on", "from", "over", "into", "in", "at"})


def _party_candidates(actors: list[Span]) -> list[Span]:
    """States not named as a destination or target ("sales to China", "summit in Tokyo")."""
    return [
        s
        for s in actors
        if is_state(s) and not (s.root.dep_ == "pobj" and s.root.head.lower_ in NON_PARTY_PREPS)
    ]


def _complainant_roles(
    verb: Token,
    subj_toks: list[Token],
    first: list[Span],
    targets: list[Span],
    sent_actors: list[Span],
) -> Roles:
    """Disputes: the complainant is the initiator, also when a court or panel rules."""
    court = any(t.lower_ in COURT_WORDS for t in subj_toks) or any(s.kb_id_ == "WTO" for s in first)
    if court:
        plaintiffs = spans_over(_complainant_tokens(verb), sent_actors)
        against = spans_over(prep_tokens(verb, frozenset({"against"})), sent_actors)
        rest = [s for s in targets if s not in plaintiffs]
        init = codes([s for s in plaintiffs if s.kb_id_ != "WTO"])
        return Roles(
            initiator=init,
            target=[c for c in codes(against + rest) if c not in init],
            source="complainant" if init else "none",
        )
    init = codes([s for s in first if s.kb_id_ != "WTO"])
    target = [c for c in codes(targets) if c not in init]
    return Roles(initiator=init, target=target, source="subject" if init else "none")


def _dispute_forum(code: str) -> bool:
    """The WTO and its bodies hear a dispute ("WTO panel rules against Indonesia"): they are
    no party to it."""
    return code == "WTO" or any(body in code for body in ("Appellate Body", "Dispute Settlement"))


def _complainant_tokens(verb: Token) -> list[Token]:
    """Tokens in "by X", "with X", "sought by X", "complaints by X" anywhere under the verb."""
    out: list[Token] = []
    for tok in verb.subtree:
        if tok.dep_ in ("prep", "agent") and tok.lower_ in COMPLAINANT_PREPS:
            out.extend(t for t in tok.subtree if t is not tok)
    return out


NOMINAL_DEPS = frozenset({"poss", "compound", "amod", "nmod", "npadvmod", "pobj", "prep", "agent"})


def _tied_to(span: Span, words: frozenset[str], first_deps: frozenset[str], hops: int = 4) -> bool:
    """Does the span modify one of `words` ("China's export ban", "Chinese hackers",
    "hackers linked to the Russian military", "controls by Japan")? Only its own first
    step may use `first_deps` (a subject: "China halted exports")."""
    tok = span.root
    for k in range(hops):
        if tok.head.i == tok.i or tok.dep_ not in (
            NOMINAL_DEPS | first_deps if k == 0 else NOMINAL_DEPS | {"acl", "xcomp"}
        ):
            return False
        tok = tok.head
        if tok.lower_ in words or tok.lemma_.lower() in words:
            return True
    return False


def _owns_measure(span: Span) -> bool:
    """A disruption's cause is a state's measure; a state named with a quake, a flood or a
    plant did not cause it (TAXONOMY.md: empty for accidents)."""
    words = default_gazetteer().cause_measure_words
    return is_state(span) and _tied_to(span, words, frozenset({"nsubj"}), hops=3)


def _attributed_roles(
    verb: Token, first: list[Span], targets: list[Span], sent_actors: list[Span]
) -> Roles:
    """Cyber incidents: the state or group the attack is attributed to, else nobody; the
    victim ("Japan's space agency hit by ...") is a target, never the initiator."""
    words = default_gazetteer().attacker_nouns
    tied = [
        s
        for s in sent_actors
        if s.kb_id_ and (_tied_to(s, words, frozenset()) or _hyphen_linked(s))
    ]
    attributing = verb.lemma_.lower() in ATTRIBUTE_VERBS
    named = [s for s in first if attributing or (s.label_ == ORG and _attack_clause(verb))]
    init = codes(tied + named)
    target = [c for c in codes(first + targets) if c not in init]
    return Roles(initiator=init, target=target, source="subject" if init else "none")


LINK_SUFFIXES = frozenset({"linked", "backed", "sponsored", "affiliated", "based", "aligned"})


def _hyphen_linked(span: Span) -> bool:
    """ "China-linked hackers": headline parses lose the noun, the hyphenated word stays."""
    doc = span.doc
    end = span.end
    return end + 1 < len(doc) and doc[end].text == "-" and doc[end + 1].lower_ in LINK_SUFFIXES


ATTACK_VERBS = frozenset(
    {"hack", "breach", "attack", "target", "steal", "infiltrate", "penetrate", "compromise"}
)


def _attack_clause(verb: Token) -> bool:
    """A named group carries out the attack ("DarkSide hacked ...", "X is behind the hack")."""
    return verb.lemma_.lower() in ATTACK_VERBS or any(
        t.lower_ in ("behind", "responsible") for t in verb.subtree
    )


def _ruling_plaintiffs(anchor: Token, roles: Roles, targets: list[Span]) -> Roles:
    """A ruling that names no complainant in its sentence: the complainants another sentence
    names ("a case brought by Panama"), else the firm the ruled measure hits, who sued
    ("judge blocks restrictions against Xiaomi")."""
    actors = list(anchor.doc.spans.get("econsec_actors", []))
    found = codes(_item_complainants(anchor.doc, actors))
    if not found:
        found = codes([s for s in targets if s.label_ == ORG and _measure_target(s)])
    if not found:
        return roles
    target = [c for c in roles.target if c not in found]
    return Roles(initiator=found, target=target, source="complainant")


def _measure_target(span: Span) -> bool:
    """ "restrictions against Xiaomi", "a ban on Huawei": the firm a measure hits."""
    tok = span.root
    for _ in range(3):
        if tok.dep_ == "pobj" and tok.head.lower_ in ("against", "on"):
            return True
        if tok.dep_ not in ("appos", "compound", "pobj") or tok.head.i == tok.i:
            return False
        tok = tok.head
    return False


FILE_VERBS = frozenset({"file", "bring", "lodge", "launch", "initiate", "submit"})
SIDE_PHRASES = (("side", "with"), ("favor", "of"), ("favour", "of"))


def _filers(verb: Token) -> list[Token]:
    """Who filed: the subject, or for "X, Y and Z, each of which filed", X, Y and Z."""
    if verb.dep_ == "relcl":
        return [t for c in [verb.head, *verb.head.conjuncts] for t in (c, *c.children)]
    return subject_tokens(verb)[0]


def _item_complainants(doc: Doc, actors: list[Span]) -> list[Span]:
    """States a dispute names as complainants anywhere in the item: "complaint filed by X",
    "X filed a complaint", "the panel sided with X"."""
    nouns = default_gazetteer().complaint_nouns
    found: list[Span] = []
    for tok in doc:
        heads: list[Token] = []
        if tok.lower_ in nouns:
            filing = [c for c in tok.children if c.dep_ == "acl"] + [tok.head]
            heads = [tok] + [v for v in filing if v.lemma_.lower() in FILE_VERBS]
            if tok.dep_ == "dobj" and tok.head.lemma_.lower() in FILE_VERBS:
                found += spans_over(_filers(tok.head), actors)
        elif any(tok.lemma_.lower() == w for w, _ in SIDE_PHRASES):
            preps = frozenset(p for w, p in SIDE_PHRASES if w == tok.lemma_.lower())
            found += spans_over(prep_tokens(tok, preps), actors)
        for head in heads:
            found += spans_over(prep_tokens(head, frozenset({"by", "from"})), actors)
    return [s for s in found if is_state(s) and s.kb_id_ != "WTO"]


EU_APPROVALS = frozenset({"approve", "authorise", "authorize", "clear", "greenlight", "endorse"})


def _member_state_aid(verb: Token, roles: Roles, sent_actors: list[Span]) -> Roles:
    """ "The Commission approved Germany's aid to X": the EU clears it, the member state
    grants it and is the initiator. The verb's subtree is read only for such a verb (it
    often spans the whole sentence)."""
    if roles.initiator != ["EU"] or verb.lemma_.lower() not in EU_APPROVALS:
        return roles
    inside = spans_over(list(verb.subtree), sent_actors)
    givers = [s for s in inside if is_state(s) and _giver(s)]
    members = [c for c in codes(givers) if c != "EU"]
    if not members:
        return roles
    target = [c for c in roles.target if c not in members]
    return Roles(initiator=members, target=target, partner=roles.partner, source=roles.source)


def _giver(span: Span) -> bool:
    """ "Germany's aid", "aid from Germany" (not "sanctions against Belarusian officials")."""
    root = span.root
    return root.dep_ == "poss" or (root.dep_ == "pobj" and root.head.lower_ == "from")
