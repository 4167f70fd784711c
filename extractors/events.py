"""The event component: pattern matches -> checked mentions -> one event per type.

Patterns (patterns/*.jsonl) find candidate mentions. Each mention is then
read in context (status.py: negated? background? planned?), checked against
its type's needs (context words, a state initiator, enough parties), and
mentions swallowed by a dominating type are dropped ("lifts the ban on"
is a relaxation, not a ban). What is left is aggregated per type into a
`TaggedEvent` with status, actors, confidence and the evidence sentence.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from .actors import ORG, SPANS_KEY, STATE, home_country, in_sentence
from .classifier import CLASSIFIER, Policy, TypeScore, TypeScores, combine
from .conventions import apply_conventions, item_facts, item_statuses
from .matching import PatternIndex, compile_pattern, run_patterns
from .patterns import LEXICON_FILE, EventPattern, load_lexicon, load_patterns
from .resources import DATA_DIR, PATTERNS_DIR
from .roles import Roles, assign_roles, governing_verb, is_state, subject_tokens
from .segment import headline_end, headline_only, span_text
from .status import (
    CUES_FILE,
    Cues,
    Reading,
    has_context,
    is_action_mention,
    is_non_event_title,
    load_cues,
    may_qualify,
    read_mention,
    sentence_status,
)
from .taxonomy import EventType, event_types_by_code
from .types import TaggedEvent

for _name in ("events", "pattern_events", "item_facts"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)

SOURCE_RANK = {"subject": 5, "complainant": 5, "modifier": 4, "sentence": 3, "item": 2, "none": 0}


@dataclass
class Mention:
    """One pattern match that survived the checks."""

    pattern: EventPattern
    anchor: Token
    span: Span
    reading: Reading
    in_title: bool
    roles: Roles | None = None

    @property
    def code(self) -> str:
        return self.pattern.code

    @property
    def status(self) -> str:
        return self.pattern.status or self.reading.status


class EventExtractor:
    """Sets `doc._.events` (list of TaggedEvent); needs the parse and econsec_actors."""

    def __init__(
        self, nlp: Language, name: str, patterns_dir: str = "", data_dir: str = ""
    ) -> None:
        self.name = name
        self.nlp = nlp
        self.types = event_types_by_code()
        self._doc_lower: str | None = None  # the doc's lower-cased words, once asked for
        self._readings: dict[int, Reading] = {}  # the doc's mentions read, by token index
        # Training reads what the conventions read of every item (`doc._.item_facts`), as it
        # applies them to the events the policy would keep; tagging needs them only for
        # items with events.
        self.keep_item_facts = False
        self.initialize(patterns_dir=patterns_dir, data_dir=data_dir)

    def initialize(
        self,
        get_examples: Any = None,
        *,
        nlp: Any = None,
        patterns_dir: str = "",
        data_dir: str = "",
    ) -> None:
        """(Re)load patterns, lexicon and cues (defaults: the package's files)."""
        self.patterns_dir = Path(patterns_dir or PATTERNS_DIR)
        self.data_dir = Path(data_dir or DATA_DIR)
        self.cues: Cues = self._tokenised_contexts(load_cues(self.data_dir / CUES_FILE))

        lexicon = load_lexicon(self.data_dir / LEXICON_FILE)
        self.set_patterns(load_patterns(self.patterns_dir, lexicon))

    def _tokenised_contexts(self, cues: Cues) -> Cues:
        """Context phrases as the tokenizer splits them ("5g" -> "5 g")."""
        contexts = {
            name: tuple(" ".join(t.lower_ for t in self.nlp.make_doc(p)) for p in phrases)
            for name, phrases in cues.contexts.items()
        }
        return replace(cues, contexts=contexts)

    def set_patterns(self, patterns: list[EventPattern]) -> None:
        self.patterns = {p.key: p for p in patterns}
        self.compiled = [compile_pattern(self.nlp.vocab, p) for p in patterns]
        self.index = PatternIndex(self.compiled)

    def to_disk(self, path: Path, *, exclude: Any = ()) -> None:
        """Copy the pattern files and the data files they use under `path`."""
        path = Path(path)
        (path / "patterns").mkdir(parents=True, exist_ok=True)
        for src in sorted(self.patterns_dir.glob("*.jsonl")):
            shutil.copy(src, path / "patterns" / src.name)
        for name in (CUES_FILE, LEXICON_FILE):
            shutil.copy(self.data_dir / name, path / name)

    def from_disk(self, path: Path, *, exclude: Any = ()) -> EventExtractor:
        self.initialize(patterns_dir=str(Path(path) / "patterns"), data_dir=str(path))
        return self

    def __call__(self, doc: Doc) -> Doc:
        self._readings = {}
        end = headline_end(doc)
        if is_non_event_title(span_text(doc[:end]), self.cues):
            doc._.events = []
            return doc
        matches = self._matches(doc, end)
        self._extract(doc, matches)
        # Item-level labelling conventions, once per item (extractors.conventions).
        if doc._.events or self.keep_item_facts:
            read = [(m.code, m.reading.modality, m.pattern.allow, m.anchor) for m in matches]
            doc._.item_facts = item_facts(read, end, _held_events(doc))
        if doc._.events:
            conventions = self.cues.conventions
            doc._.events = item_statuses(
                apply_conventions(doc._.events, doc._.item_facts, conventions), self.cues
            )
        return doc

    def _extract(self, doc: Doc, matches: list[Mention]) -> Doc:
        actors = list(doc.spans[SPANS_KEY]) if SPANS_KEY in doc.spans else []
        home = home_country(actors)
        techs = doc._.technologies or []
        self._doc_lower = None
        sound = [m for m in matches if self._sound(m) and self._states_named(m, techs, actors)]
        mentions = [m for m in sound if self._keep(m, techs, actors)]
        scores = doc._.type_scores
        # With the classifier's scores at hand, mentions that failed only a strict check are
        # candidates it may vouch for (extractors.classifier).
        strict_ids = {id(m) for m in mentions}
        set_aside = [m for m in sound if id(m) not in strict_ids] if scores is not None else []
        for m in mentions + set_aside:
            m.roles = assign_roles(m.anchor, self.types[m.code], actors, home, m.span)
        # Only mentions of types that make an event may swallow others.
        events = self._aggregate(mentions, actors)
        survivors = {e.type for e in events}
        dominant = [m for m in mentions if m.code in survivors]
        undominated = [m for m in mentions if not _dominated(m, dominant, self.types)]
        if len(undominated) < len(mentions):  # else the events stand as aggregated
            mentions = undominated
            events = self._aggregate(mentions, actors)
        doc._.pattern_events = events  # before the classifier and the conventions
        if scores is None:
            doc._.events = events
            return doc
        found = {e.type for e in events}
        pending = [m for m in mentions + set_aside if m.code not in found]
        pending = [m for m in pending if not _dominated(m, dominant, self.types)]
        candidates = self._aggregate(pending, actors)
        policy = self._policy()
        named = found | {e.type for e in candidates}
        guesses = self._guesses(doc, scores, named, policy.guess_floor, actors, home)
        doc._.candidate_events = candidates
        doc._.guessed_events = guesses
        doc._.events = combine(events, candidates, scores, policy, guesses, headline_only(doc))
        return doc

    def _guesses(
        self,
        doc: Doc,
        scores: TypeScores,
        named: set[str],
        floor: float,
        actors: list[Span],
        home: str,
    ) -> list[TaggedEvent]:
        """Events of the types a text model rates at `floor` or more and no pattern named:
        the evidence is the sentence the models rate highest for the type among those that
        may tell it (`guess`: asserted, naming the actor it needs), read for status and
        actors from the sentence's main verb."""
        wanted = [t for t in scores.at_least(floor) if t not in named]
        if not wanted or CLASSIFIER not in self.nlp.pipe_names:
            return []
        sentences = list(doc.sents)
        by_sentence = doc._.sentence_scores
        if by_sentence is None or len(by_sentence) != len(sentences):
            classifier = self.nlp.get_pipe(CLASSIFIER).classifier  # type: ignore[attr-defined]
            by_sentence = classifier.score_texts([sent.text for sent in sentences])
        guesses = []
        techs = doc._.technologies or []
        traits: dict[int, SentenceTraits] = {}
        for code in wanted:
            for k in ranked_sentences(by_sentence, code)[:GUESS_SENTENCES]:
                if k not in traits:
                    traits[k] = sentence_traits(sentences[k], actors, self.cues, self._read)
                sent, score = sentences[k], scores[code].best
                event = self.guess(sent, code, score, actors, home, techs, traits[k])
                if event is not None:
                    guesses.append(event)
                    break
        return guesses

    def guess(
        self,
        sent: Span,
        code: str,
        score: float,
        actors: list[Span],
        home: str,
        techs: list[str],
        traits: SentenceTraits,
    ) -> TaggedEvent | None:
        """An event of type `code` told by `sent`, if the sentence meets everything the type
        asks of a pattern mention: the actors it needs, its context, its parties, asserted
        (checked last: it costs most). Call it while the doc is being processed (the doc's
        words are read for contexts)."""
        etype = self.types[code]
        if not names_needed_actor(traits, etype):
            return None
        if etype.context and not self._context(etype.context, sent, techs, actors):
            return None
        roles = assign_roles(sent.root, etype, actors, home, sent)
        initiator = list(roles.initiator)
        if not initiator and etype.initiator == "state":
            initiator = state_codes([a for a in actors if in_sentence(a, sent)])[:1]
        if not initiator and etype.initiator in ("state", "company"):
            return None
        if not _enough_parties(etype, initiator, actors):
            return None
        if etype.other_state and not _other_state_named([sent], initiator, actors):
            return None
        if not traits.asserted:
            return None
        target, concerns = _targets_and_concerns(etype, roles.target, initiator)
        return TaggedEvent(
            type=code,
            status=sentence_status(sent, self.cues),
            initiator=initiator,
            target=target,
            partner=initiator[1:] if etype.parties else [],
            concerns=concerns,
            confidence=round(score, 3),
            evidence=span_text(sent).strip(),
        )

    def _policy(self) -> Policy:
        """The policy saved with the classifier in this pipeline (the default without one)."""
        if CLASSIFIER in self.nlp.pipe_names:
            return self.nlp.get_pipe(CLASSIFIER).classifier.policy  # type: ignore[attr-defined]
        return Policy()

    def _matches(self, doc: Doc, title_end: int) -> list[Mention]:
        found: dict[tuple[str, int], Mention] = {}
        for pattern, start, end, anchor in run_patterns(self.index, doc):
            self._add(found, pattern, doc[anchor], doc[start:end], title_end)
        return list(found.values())

    def _add(
        self,
        found: dict[tuple[str, int], Mention],
        pattern: EventPattern,
        anchor: Token,
        span: Span,
        title_end: int,
    ) -> None:
        if span.start < span.sent.start or span.end > span.sent.end:
            return  # a window crossed a sentence boundary
        key = (pattern.code, anchor.i)
        old = found.get(key)
        if old is None or pattern.weight > old.pattern.weight:
            reading = self._read(anchor)
            found[key] = Mention(pattern, anchor, span, reading, anchor.i < title_end)

    def _read(self, anchor: Token) -> Reading:
        """`read_mention` of `anchor`, once per token of the doc being processed (several
        patterns and a guess's sentence may read the same word)."""
        reading = self._readings.get(anchor.i)
        if reading is None:
            reading = self._readings[anchor.i] = read_mention(anchor, self.cues)
        return reading

    def _sound(self, m: Mention) -> bool:
        """Checks no evidence can overrule: the mention is denied, hypothetical, blocked, or
        not the action at all (part of a name or of a hyphenated word)."""
        p = m.pattern
        if m.reading.modality != "asserted" and m.reading.modality not in p.allow:
            return False
        walk_lemmas = {t.lemma_.lower() for t in m.reading.walk[1:]}
        if walk_lemmas & p.blocked_by:
            return False
        last = m.span[-1]
        if p.last_not_compound and (
            last.dep_ == "compound" and last.head.i > last.i or _inside_name(last)
        ):
            return False
        return not _word_part(m.anchor, m.span)

    def _states_named(self, m: Mention, techs: list[str], actors: list[Span]) -> bool:
        """The scope rule's part of the context checks: a type or pattern that needs states
        named (`state`, `multi_state`) gets none without them, whatever the classifier says."""
        etype = self.types[m.code]
        return all(
            self._context(name, m.anchor.sent, techs, actors)
            for name in (m.pattern.context, etype.context)
            if name in STATE_CONTEXTS
        )

    def _keep(self, m: Mention, techs: list[str], actors: list[Span]) -> bool:
        """The strict checks of a sound mention: its action reading, subject and context."""
        p = m.pattern
        if p.needs_action and not is_action_mention(m.anchor, self.cues, m.in_title):
            return False
        if p.not_subject and subject_words(m.anchor) & p.not_subject:
            return False
        sent = m.anchor.sent
        if p.context and not self._context(p.context, sent, techs, actors):
            return False
        etype = self.types[m.code]
        return not etype.context or self._context(etype.context, sent, techs, actors)

    def _context(self, name: str, sent: Span, techs: list[str], actors: list[Span]) -> bool:
        """Named context of cues.yaml (in the doc being processed), or `state` (a state named
        in the doc) / `multi_state` (two named in `sent`, the sentence of the mention)."""
        if name in STATE_CONTEXTS:
            found = {a.kb_id_ for a in actors if a.label_ == STATE and a.kb_id_}
            if name == "multi_state":
                found = {
                    a.kb_id_
                    for a in actors
                    if a.label_ == STATE and a.kb_id_ and in_sentence(a, sent)
                }
            return len(found) >= (2 if name == "multi_state" else 1)
        if self._doc_lower is None:
            self._doc_lower = " ".join([t.lower_ for t in sent.doc])
        return has_context(self._doc_lower, name, self.cues, techs)

    def _aggregate(self, mentions: list[Mention], actors: list[Span]) -> list[TaggedEvent]:
        by_type: dict[str, list[Mention]] = {}
        for m in mentions:
            by_type.setdefault(m.code, []).append(m)
        events = []
        for code, group in by_type.items():
            event = self._event(self.types[code], group, actors)
            if event is not None:
                events.append(event)
        order = list(self.types)
        return sorted(events, key=lambda e: order.index(e.type))

    def _event(
        self, etype: EventType, group: list[Mention], actors: list[Span]
    ) -> TaggedEvent | None:
        """One event from a type's mentions; None when no mention names the actors the type
        needs (the scope rule: a state's act, a firm's plant, enough parties)."""
        ranked = sorted(group, key=_mention_rank, reverse=True)
        for best in ranked:  # the best-ranked mention whose actors make an event
            roles = best.roles or Roles()
            initiator = _initiators(group, roles)
            if _enough_actors(etype, initiator, group, actors):
                break
        else:
            return None
        found = [c for m in group if m.roles for c in m.roles.target]
        target, concerns = _targets_and_concerns(etype, found, initiator)
        return TaggedEvent(
            type=etype.code,
            status=_status(group),  # type: ignore[arg-type]
            initiator=initiator,
            target=target,
            partner=initiator[1:] if etype.parties else [],
            concerns=concerns,
            confidence=_confidence(best, group, roles),
            evidence=span_text(best.anchor.sent).strip(),
        )


def _targets_and_concerns(
    etype: EventType, found: list[str], initiator: list[str]
) -> tuple[list[str], list[str]]:
    """What the parse found beside the initiator: the parties acted against, for a type that
    has them; else what the event is about ("a law on Chinese apps", "a pact to cut reliance
    on China"), which is no role but counts in the countries facet."""
    others = [c for c in dict.fromkeys(found) if c not in initiator]
    return (others, []) if etype.has_target else ([], others)


STATE_CONTEXTS = frozenset({"state", "multi_state"})


def _held_events(doc: Doc) -> list[TaggedEvent]:
    """The pattern events and candidates of types the item's events do not hold (the learned
    policy did not report them)."""
    reported = {e.type for e in doc._.events}
    found = (doc._.pattern_events or []) + (doc._.candidate_events or [])
    return [e for e in found if e.type not in reported]


GUESS_SENTENCES = 3  # a guess is told by one of the sentences the text models rate highest


def ranked_sentences(by_sentence: Sequence[Mapping[str, TypeScore]], code: str) -> list[int]:
    """Indices of the sentences, the one the text models rate highest for `code` first."""
    return sorted(range(len(by_sentence)), key=lambda i: -by_sentence[i][code].mean)


CLAIM_POS = frozenset({"VERB", "AUX", "NOUN"})


class SentenceTraits:
    """What a classifier guess may rest on in a sentence: the actors it names (`state`,
    `company`), and whether it is asserted (no word of it denied, negated or hypothetical).
    The second reads every claim word, so it is worked out only when a guess needs it."""

    def __init__(
        self,
        sent: Span,
        actors: list[Span],
        cues: Cues,
        read: Callable[[Token], Reading] | None = None,
    ) -> None:
        self.sent, self.cues = sent, cues
        self.read = read or (lambda token: read_mention(token, cues))
        named = set()
        for actor in actors:
            if actor.start >= sent.start and actor.end <= sent.end:
                if is_state(actor):
                    named.add("state")
                elif actor.label_ == ORG:
                    named.add("company")
        self.named = frozenset(named)

    @cached_property
    def asserted(self) -> bool:
        if not may_qualify(self.sent, self.cues):
            return True
        return all(self.read(t).modality == "asserted" for t in self.sent if t.pos_ in CLAIM_POS)


def sentence_traits(
    sent: Span, actors: list[Span], cues: Cues, read: Callable[[Token], Reading] | None = None
) -> SentenceTraits:
    return SentenceTraits(sent, actors, cues, read)


def names_needed_actor(traits: SentenceTraits, etype: EventType) -> bool:
    """The scope rule for a guess: the sentence names the actor its type needs."""
    if etype.initiator == "state":
        return "state" in traits.named
    if etype.initiator == "company":
        return "company" in traits.named
    return True


PREFIXES = frozenset({"anti", "counter", "non", "post", "pre"})


def _word_part(anchor: Token, span: Span) -> bool:
    """The anchor is half of a hyphenated word, not the action itself.

    "state-backed hackers" (a participle used as an adjective) funds nothing
    the match goes on to name, and an "anti-subsidy probe" is not a subsidy;
    "a state-funded cable" still reports who paid for the cable.
    """
    doc = anchor.doc
    if anchor.i < 2 or doc[anchor.i - 1].text != "-" or doc[anchor.i - 1].whitespace_:
        return False
    if doc[anchor.i - 2].lower_ in PREFIXES:
        return True
    return (
        anchor.tag_ == "VBN"
        and anchor.dep_ in ("amod", "compound", "acl")
        and anchor.head.i != span[-1].i
    )


def _inside_name(tok: Token) -> bool:
    """A capitalised word inside a proper name ("the Science and Technology Act")."""
    doc = tok.doc
    nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
    return (
        tok.pos_ == "PROPN"
        and tok.is_title
        and nxt is not None
        and nxt.pos_ == "PROPN"
        and nxt.is_title
    )


def subject_words(anchor: Token) -> set[str]:
    """Lower-case words of the subject of the clause that holds the anchor."""
    toks, _ = subject_tokens(governing_verb(anchor))
    return {t.lower_ for t in toks}


def _mention_rank(m: Mention) -> tuple[float, int, int]:
    source = SOURCE_RANK.get(m.roles.source if m.roles else "none", 0)
    return (m.pattern.weight + (0.1 if m.in_title else 0.0), source, -m.anchor.i)


def _initiators(group: list[Mention], best: Roles) -> list[str]:
    """The best mention's initiators, plus those other mentions name as subjects."""
    seen = dict.fromkeys(best.initiator)
    for m in sorted(group, key=lambda m: m.anchor.i):
        if m.roles and m.roles.source in ("subject", "modifier", "complainant"):
            seen.update(dict.fromkeys(m.roles.initiator))
    return list(seen)


def _enough_actors(
    etype: EventType, initiator: list[str], group: list[Mention], actors: list[Span]
) -> bool:
    """State types need a state; plants a builder; agreements enough parties."""
    sources = {m.roles.source for m in group if m.roles}
    if not initiator:
        if etype.initiator == "state":
            return "unresolved" in sources
        if etype.initiator == "company":
            return False
    if not _enough_parties(etype, initiator, actors):
        return False
    if etype.other_state:
        return _other_state_named([m.anchor.sent for m in group], initiator, actors)
    return True


def _enough_parties(etype: EventType, initiator: list[str], actors: list[Span]) -> bool:
    """Agreements need `min_parties` initiators, or a group (the EU) among them."""
    if etype.min_parties <= 1 or len(initiator) >= etype.min_parties:
        return True
    groups = {a.kb_id_ for a in actors if a.label_ == "GROUP"}
    return bool(groups & set(initiator))


def _other_state_named(sents: list[Span], initiator: list[str], actors: list[Span]) -> bool:
    """A state (or a demonym for one) other than the initiators is named in `sents`."""
    named = {
        a.kb_id_
        for sent in sents
        for a in actors
        if in_sentence(a, sent) and a.kb_id_ and _country_like(a)
    }
    return bool(named - set(initiator))


def _country_like(span: Span) -> bool:
    """A state, or a demonym used for a country's firms or goods ("Japanese seafood")."""
    return span.label_ == STATE or (len(span.kb_id_) == 2 and span.kb_id_.isupper())


def _status(group: list[Mention]) -> str:
    """Forced statuses first (enacted wins), then the first explicit cue, title first.

    A headline's "X to do" yields to a summary that reports the decision as
    taken ("Ministers signed off on ...").
    """
    forced = {_forced(m) for m in group if m.pattern.status}
    if forced:
        return "enacted" if "enacted" in forced else "planned"
    ordered = sorted(group, key=lambda m: (not m.in_title, m.anchor.i))
    explicit = [m for m in ordered if m.reading.explicit]
    if not explicit:
        return "enacted"
    first = explicit[0]
    if (
        first.in_title
        and first.reading.status == "planned"
        and any(not m.in_title and m.reading.status == "enacted" and _decided(m) for m in explicit)
    ):
        return "enacted"
    return first.reading.status


def _forced(m: Mention) -> str:
    """A pattern's own status, unless the words around say otherwise: "will break ground" is
    still planned, and a plant found as "a new factory" is enacted once ground is broken."""
    forced, reading = m.pattern.status or "", m.reading
    if forced == "enacted" and reading.explicit and reading.status == "planned":
        return "planned" if reading.stage != "bill" else forced
    if forced == "planned" and reading.stage == "built":
        return "enacted"
    return forced


DECISION_VERBS = frozenset(
    {
        "sign",
        "approve",
        "adopt",
        "impose",
        "enact",
        "pass",
        "decide",
        "order",
        "finalise",
        "finalize",
        "announce",
    }
)


def _decided(m: Mention) -> bool:
    return any(
        t.lemma_.lower() in DECISION_VERBS and t.tag_ in ("VBD", "VBN") for t in m.reading.walk
    )


def _confidence(best: Mention, group: list[Mention], roles: Roles) -> float:
    """Prior precision of the pattern, raised by corroboration, lowered by weak actors."""
    score = best.pattern.weight
    score += 0.08 if any(m.in_title for m in group) else -0.05
    score += 0.05 if len({m.anchor.i for m in group}) > 1 else 0.0
    score -= {"item": 0.1, "none": 0.15, "sentence": 0.05}.get(roles.source, 0.0)
    return round(min(0.99, max(0.05, score)), 3)


def _dominated(m: Mention, dominant: list[Mention], types: dict[str, EventType]) -> bool:
    """Is `m` inside a dominating mention ("lifts the ban", "sues over the ban")?"""
    return any(_dominates(d, m, types) for d in dominant if d is not m)


CLAUSE_DEPS = frozenset({"conj", "ccomp", "parataxis"})


def _dominates(d: Mention, m: Mention, types: dict[str, EventType]) -> bool:
    if m.code not in types[d.code].dominates or d.anchor.sent != m.anchor.sent:
        return False
    if d.span.start < m.span.end and m.span.start < d.span.end:
        return True
    if d.in_title and m.in_title and d.anchor.i < m.anchor.i:
        return True  # headline parses are unreliable: "X sues over Y's ban"
    return _governs_locally(d.anchor, m.anchor)


def _governs_locally(head: Token, tok: Token) -> bool:
    """`head` governs `tok` without a conjoined or complement clause between them.

    Relative clauses count as governed: "a lawsuit against a provision that
    bars agencies from buying" swallows the procurement ban.
    """
    while tok.head.i != tok.i:
        if tok.dep_ in CLAUSE_DEPS:
            return False
        tok = tok.head
        if tok.i == head.i:
            return True
    return False


def state_codes(actors: list[Span]) -> list[str]:
    return [a.kb_id_ for a in actors if is_state(a)]


@Language.factory("econsec_events", default_config={"patterns_dir": "", "data_dir": ""})
def make_event_extractor(
    nlp: Language, name: str, patterns_dir: str, data_dir: str
) -> EventExtractor:
    return EventExtractor(nlp, name, patterns_dir=patterns_dir, data_dir=data_dir)
