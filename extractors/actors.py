"""Actor mentions, normalised: ISO country codes, EU, canonical org names.

News rarely names a state plainly: it says "Tokyo", "Chinese regulators",
"the Commerce Department" or "the trade ministry". A gazetteer (data file)
plus pycountry turns those into codes; NER fills in unknown organisations.
Spans go to `doc.spans["econsec_actors"]` with label STATE, GROUP or ORG and
the normalised code in `kb_id_`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token

from .gazetteer import (
    ACTORS_FILE,
    Gazetteer,
    clean_name,
    default_gazetteer,
    load_gazetteer,
    normalise_actor,
)
from .places import is_town
from .resources import DATA_DIR

SPANS_KEY = "econsec_actors"
STATE, GROUP, ORG, GENERIC = "STATE", "GROUP", "ORG", "GENERIC"


def in_sentence(span: Span, sent: Span) -> bool:
    """`span.sent == sent`, without `Span.sent`'s walk through the doc to find the sentence."""
    return sent.start <= span.start < sent.end


class ActorRecognizer:
    """Marks actor mentions and normalises them (see module docstring)."""

    def __init__(self, nlp: Language, name: str, data_dir: str = "") -> None:
        self.name = name
        self.nlp = nlp
        self.gaz = Gazetteer()
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.initialize(data_dir=data_dir)

    def initialize(self, get_examples: Any = None, *, nlp: Any = None, data_dir: str = "") -> None:
        """(Re)load actors.yaml from `data_dir` (default: the package data)."""
        self.data_dir = data_dir
        self.set_gazetteer(load_gazetteer(Path(data_dir or DATA_DIR) / ACTORS_FILE))

    def set_gazetteer(self, gaz: Gazetteer) -> None:
        self.gaz = gaz
        self.state_codes = frozenset(gaz.states.values())  # a set: tested per name found
        self.exact = PhraseMatcher(self.nlp.vocab, attr="ORTH")
        self.lower = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        for kind, table in ((STATE, gaz.states), (GROUP, gaz.groups), (ORG, gaz.orgs)):
            for alias, code in table.items():
                matcher = self.lower if alias.islower() else self.exact
                matcher.add(f"{kind}|{code}", [self.nlp.make_doc(s) for s in spellings(alias)])
        self.lower.add(f"{GENERIC}|", [self.nlp.make_doc(g) for g in gaz.generic])

    def __call__(self, doc: Doc) -> Doc:
        spans = self._gazetteer_spans(doc)
        spans = [self._demote(s) for s in self._add_ner_spans(doc, spans)]
        home = home_country(spans)  # after demotion: "Chinese firms" do not make CN home
        doc.spans[SPANS_KEY] = [self._resolve(s, home) for s in sorted(spans, key=_start)]
        return doc

    def _gazetteer_spans(self, doc: Doc) -> list[Span]:
        found = []
        for matcher in (self.exact, self.lower):
            for mid, start, end in matcher(doc):
                kind, code = self.nlp.vocab.strings[mid].split("|", 1)
                found.append(Span(doc, start, end, label=kind, kb_id=code))
        return _longest_first(found)

    def _add_ner_spans(self, doc: Doc, spans: list[Span]) -> list[Span]:
        taken = {i for s in spans for i in range(s.start, s.end)}
        out = list(spans)
        ents = doc.ents if doc.has_annotation("ENT_IOB") else proper_noun_runs(doc)
        for ent in ents:
            if ent.label_ not in ("ORG", "GPE", "NORP"):
                continue
            overlap = taken.intersection(range(ent.start, ent.end))
            longer_org = ent.label_ == "ORG" and len(ent) - len(overlap) >= 2
            if overlap and not longer_org:
                continue
            inner = [s for s in out if ent.start <= s.start and s.end <= ent.end]
            span = self._ner_span(ent, _named_firm(inner))
            if span is None:
                continue
            if overlap:  # "Japan Industrial Partners" is a firm, not Japan
                out = [s for s in out if s not in inner]
            out.append(span)
        return out

    def _ner_span(self, ent: Span, firm: str = "") -> Span | None:
        """The actor a name found by the parse (or a run of proper nouns) stands for; `firm`
        is the one known organisation inside it, whose canonical name it takes."""
        if is_junk_name(ent, self.gaz):
            return None
        code = normalise_actor(ent.text, self.gaz)
        if ent.label_ == "ORG":
            name = code or firm or clean_name(ent.text)
            kind = STATE if code and code in self.state_codes else ORG
            return Span(ent.doc, ent.start, ent.end, label=kind, kb_id=name) if name else None
        if code is None:
            return None
        return Span(ent.doc, ent.start, ent.end, label=STATE, kb_id=code)

    def _resolve(self, span: Span, home: str) -> Span:
        """Give generic bodies a country: the possessor's ("Japan's economy minister"),
        else the item's home country."""
        if span.label_ == GENERIC:
            code = _possessor_country(span) or home
            return Span(span.doc, span.start, span.end, label=STATE, kb_id=code, span_id=GENERIC)
        return span

    def _demote(self, span: Span) -> Span:
        """ "Chinese firms" is a company of that country, not the state."""
        if span.label_ == STATE and self._heads_company_noun(span):
            return Span(span.doc, span.start, span.end, label=ORG, kb_id=span.kb_id_)
        return span

    def _heads_company_noun(self, span: Span) -> bool:
        doc = span.doc
        if (
            span.end + 1 < len(doc)
            and doc[span.end].text == "-"
            and (doc[span.end + 1].lower_ in self.gaz.demonym_suffixes)
        ):
            return True
        nxt = doc[span.end] if span.end < len(doc) else None
        candidates = [span.root.head, nxt] if span.root.head.i != span.root.i else [nxt]
        return any(
            t is not None and t.lower_ in self.gaz.company_nouns and t.i >= span.end
            for t in candidates
        )

    def to_disk(self, path: Path, *, exclude: Any = ()) -> None:
        import shutil

        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        shutil.copy(Path(self.data_dir or DATA_DIR) / ACTORS_FILE, path / ACTORS_FILE)

    def from_disk(self, path: Path, *, exclude: Any = ()) -> ActorRecognizer:
        self.initialize(data_dir=str(path))
        return self


def _named_firm(inner: list[Span]) -> str:
    """The known organisation a longer name is built on ("AO Kaspersky Lab", "United Company
    Rusal", "WTO Working Party"): its subsidiaries, full legal names and organs are reported
    under its canonical name. Empty when the name holds a state ("Japan Industrial Partners"
    is a firm of its own) or several organisations."""
    firms = {s.kb_id_ for s in inner if s.label_ == ORG}
    if len(firms) != 1 or any(s.label_ != ORG for s in inner):
        return ""
    return firms.pop()


def spellings(alias: str) -> list[str]:
    """An alias as news sites print it: with a straight or a curly apostrophe. The phrase
    matcher compares the words exactly, and "’s" is not "'s" ("People’s Republic of
    China")."""
    return [alias, alias.replace("'", "’")] if "'" in alias else [alias]


def is_junk_name(ent: Span, gaz: Gazetteer) -> bool:
    """A run of names that is no actor: a stop-listed word, a date, an outlet, a person
    with a title, a town, province or venue, a law or body name, a fragment, a dateline."""
    name = clean_name(ent.text)
    words = [t.lower_ for t in ent if t.is_alpha]
    return (
        not name
        or name in gaz.not_actors
        or is_town(name, gaz)
        or not name[0].isupper()
        and not name[0].isdigit()
        or any(c in name for c in "()[]{}|/\\")
        or len(name) < 2
        or len(name) == 2
        and name.isupper()  # "G", "TX": fragments; codes are aliases
        or not words
        or all(w in gaz.not_actor_words for w in words)
        or any(t.lower_ in gaz.title_words or t.lower_ in gaz.place_words for t in ent)
        or ent.root.lemma_.lower() in gaz.not_actor_heads
        or ent[-1].lower_ in gaz.not_actor_heads
        or _name_fragment(ent, gaz)
        or _dateline(ent)
        or _bracketed_aside(ent, gaz)
        or _unconfirmed_title_case(ent)
    )


_JOINERS = frozenset({"of", "for", "and", "&", ",", "the", "on"})


def _name_fragment(ent: Span, gaz: Gazetteer) -> bool:
    """Part of a longer capitalised name joined by of/for/and ("Minister of Innovation,
    Science and Industry"): the pieces are not actors of their own."""
    doc = ent.doc
    for step, edge in ((-1, ent.start - 1), (1, ent.end)):
        i, joined = edge, False
        for _ in range(8):
            if not 0 <= i < len(doc) or doc[i].is_sent_start and step == 1:
                break
            tok = doc[i]
            if tok.lower_ in _JOINERS:
                joined = True
            elif tok.text[:1].isupper():
                if joined and tok.lower_ in gaz.name_words:
                    return True
            else:
                break
            i += step
    return False


DASHES = frozenset({"-", "--", "—", "–"})
DATELINE_MARKS = DASHES | {"(", "•", ":", ","}


def _dateline(ent: Span) -> bool:
    """ "WASHINGTON (Reuters) -": a capitalised place opening a sentence says where the
    report was filed, not who acts."""
    doc = ent.doc
    if not ent[0].is_sent_start or ent.end >= len(doc) or doc[ent.end].text not in DATELINE_MARKS:
        return False
    return all(t.is_upper or not t.is_alpha for t in ent) and len(ent.text) > 2


def _bracketed_aside(ent: Span, gaz: Gazetteer) -> bool:
    """A name in brackets that is no actor of its own: the outlet of a dateline
    ("SAN FRANCISCO (CBS SF) —", "05:14 AM EST (MT Newswires) --") or a stock ticker
    ("ZTE (OTCPK:ZTCOF)", a wire's spaced "Illumina ( ILMN )"). Abbreviations and lists of
    names in brackets ("(KOTRA)", "(JHICC and XMC)") stay actors."""
    doc = ent.doc
    opening, closing = ent.start - 1, ent.end
    if ent.start > 1 and doc[ent.start - 1].text == ":":
        opening -= 2  # "(OTCPK:ZTCOF)": the exchange, a colon, the ticker
    if opening < 0 or closing >= len(doc) or doc[opening].text != "(" or doc[closing].text != ")":
        return False
    if opening < ent.start - 1:
        return doc[opening + 1].text in gaz.not_actors  # EXCHANGE:TICKER ("(Source: X)" stays)
    if doc[opening].whitespace_ and ent[-1].whitespace_ and ent.text.isupper():
        # a wire's "( ILMN )", unless it abbreviates the name before it ("Trade
        # Representative ( USTR )")
        return not _initials_of(ent.text, doc[max(opening - INITIALS_REACH, 0) : opening])
    after = doc[closing + 1] if closing + 1 < len(doc) else None
    return after is not None and after.text in DASHES and _opens_dateline(doc[opening], gaz)


DATELINE_WORDS = 6  # at most this many tokens of place and date before a dateline's outlet
INITIALS_REACH = 8  # words before a bracket whose initials an abbreviation may take


def _initials_of(letters: str, before: Span) -> bool:
    """Whether `letters` are, in order, initials of the capitalised words of `before`."""
    initials = iter(t.text[0] for t in before if t.text[:1].isupper())
    return all(letter in initials for letter in letters)


def _opens_dateline(opening: Token, gaz: Gazetteer) -> bool:
    """Whether the bracket follows a dateline: a place in capitals, a time or a date at the
    start of the sentence ("SAN FRANCISCO (", "Feb. 9 (")."""
    doc = opening.doc
    if not doc.has_annotation("SENT_START"):
        return False
    before = doc[opening.sent.start : opening.i]
    if not 0 < len(before) <= DATELINE_WORDS:
        return False
    return all(
        t.is_upper or t.like_num or not t.is_alpha or t.text in gaz.not_actors for t in before
    )


def _unconfirmed_title_case(ent: Span) -> bool:
    """In a Title Case headline every word is capitalised; a name found only there and not
    again in the lead is a headline word ("Plant", "Long-Stalled"), not a firm."""
    doc = ent.doc
    end = doc._.title_end if doc.has_extension("title_end") else None
    if end is None or ent.start >= end or ent.text.isupper() or not _title_case(doc[:end]):
        return False
    return ent.text not in doc[end:].text


def _title_case(title: Span) -> bool:
    words = [t for t in title if t.is_alpha and len(t) > 3]
    return len(words) >= 3 and sum(t.text[:1].isupper() for t in words) >= 0.8 * len(words)


def proper_noun_runs(doc: Doc) -> list[Span]:
    """Runs of proper nouns as ORG candidates, for pipelines without NER.

    Cheaper than the NER model and enough here: known states and firms come
    from the gazetteer; this only names the unknown firms and bodies.
    """
    runs: list[Span] = []
    start = None
    for tok in [*doc, None]:
        inside = tok is not None and tok.pos_ == "PROPN" and _name_word(tok)
        if inside and start is None:
            start = tok.i  # type: ignore[union-attr]
        elif not inside and start is not None:
            end = tok.i if tok is not None else len(doc)
            runs.append(Span(doc, start, end, label="ORG"))
            start = None
    return runs


def _name_word(tok: Token) -> bool:
    """A proper-noun token that may start or continue a name.

    Sentence-initial words are capitalised whatever they are, so there only
    words the tagger reads as names before a verb (the headline's actor,
    "Acme opens ...") count; a capitalised common noun ("Cabinet clears")
    is left to the gazetteer.
    """
    if not tok.is_sent_start:
        return True
    gaz = default_gazetteer()
    if tok.lower_ in gaz.company_nouns or tok.lower_ in gaz.generic or not tok.text[:1].isalpha():
        return False
    nxt = tok.doc[tok.i + 1] if tok.i + 1 < len(tok.doc) else None
    return nxt is not None and (
        nxt.pos_ == "PROPN" or nxt.pos_ in ("VERB", "AUX") or nxt.lower_ in ("'s", "’s")
    )


def _start(span: Span) -> int:
    return span.start


def _longest_first(spans: list[Span]) -> list[Span]:
    """Non-overlapping spans, preferring the longer one (stable on ties)."""
    taken: set[int] = set()
    kept = []
    for span in sorted(spans, key=lambda s: (-(s.end - s.start), s.start)):
        if taken.isdisjoint(range(span.start, span.end)):
            kept.append(span)
            taken.update(range(span.start, span.end))
    return kept


def home_country(spans: list[Span]) -> str:
    """The item's home country: first named state in the first sentence, else anywhere."""
    named = [
        s
        for s in sorted(spans, key=_start)
        if s.label_ == STATE and s.kb_id_ and len(s.kb_id_) == 2
    ]
    if not named:
        return ""
    first_sent = named[0].doc[0].sent if named[0].doc.has_annotation("SENT_START") else None
    in_title = [s for s in named if first_sent is not None and s.start < first_sent.end]
    return (in_title or named)[0].kb_id_


def _possessor_country(span: Span) -> str:
    """ "China's commerce ministry", "Japan's economy minister" -> the possessive's country,
    skipping lower-case modifiers between it and the span."""
    doc = span.doc
    i = span.start - 1
    while i >= 0 and span.start - i <= 3 and doc[i].is_lower and doc[i].is_alpha:
        i -= 1  # "economy" in "Japan's economy minister"
    if i < 0 or doc[i].lower_ not in ("'s", "’s"):
        i = span.start - 1
    while i >= 0 and doc[i].lower_ in ("the", "'s", "’s"):
        i -= 1
    if i < 0 or i == span.start - 1:
        return ""
    return normalise_actor(doc[i].text) or ""


@Language.factory("econsec_actors", default_config={"data_dir": ""})
def make_actor_recognizer(nlp: Language, name: str, data_dir: str) -> ActorRecognizer:
    return ActorRecognizer(nlp, name, data_dir=data_dir)
