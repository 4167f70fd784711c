"""Running many event patterns fast: skip the ones whose words are absent.

One spaCy Matcher holding every pattern spends most of its time advancing
partial matches of patterns that cannot complete (a window opened by "add"
waiting for "list"). Most patterns need several specific words, so we
index each pattern by the words its required tokens accept and run only the
patterns whose every required token finds a word in the document. Token
patterns then run sentence by sentence, on the sentences that hold all their
words: a match may not cross a sentence boundary anyway, and a window
pattern ("add ... {,12} ... list") costs in proportion to the text it scans.
For the same reason a pattern whose first and last tokens need given words
runs only on the stretch from the first such first word to the last such
last word of the sentence: no match can start or end outside it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

from spacy.matcher import DependencyMatcher, Matcher
from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

from .patterns import EventPattern
from .resources import DataFileError

OPTIONAL_OPS = ("?", "*", "!")
WORD_ATTRS = ("LEMMA", "LOWER", "ORTH", "NORM", "TEXT")


@dataclass
class Compiled:
    pattern: EventPattern
    matcher: Matcher | DependencyMatcher
    required: list[frozenset[str]]
    first: frozenset[str] | None = None  # words the first token must be, if it must be one
    last: frozenset[str] | None = None


def _is_required(spec: dict[str, Any]) -> bool:
    op = str(spec.get("OP", ""))
    return not (op in OPTIONAL_OPS or op.startswith("{,") or op.startswith("{0"))


def spec_words(spec: dict[str, Any]) -> frozenset[str] | None:
    """The (lower-cased) words a required token spec accepts; None if any word may do."""
    if not _is_required(spec):
        return None
    for attr in WORD_ATTRS:
        value = spec.get(attr)
        if isinstance(value, str):
            return frozenset({value.lower()})
        if isinstance(value, dict) and isinstance(value.get("IN"), list):
            return frozenset(str(v).lower() for v in value["IN"])
    return None


def required_words(specs: list[dict[str, Any]]) -> list[frozenset[str]]:
    """For each required token spec, the (lower-cased) words it accepts."""
    out = []
    for spec in specs:
        op = str(spec.get("OP", ""))
        if op in OPTIONAL_OPS or op.startswith("{,") or op.startswith("{0"):
            continue
        for attr in WORD_ATTRS:
            value = spec.get(attr)
            if isinstance(value, str):
                out.append(frozenset({value.lower()}))
            elif isinstance(value, dict) and isinstance(value.get("IN"), list):
                out.append(frozenset(str(v).lower() for v in value["IN"]))
    return out


def compile_pattern(vocab: Vocab, pattern: EventPattern) -> Compiled:
    """One matcher for one pattern; errors name the pattern's file and line."""
    try:
        if pattern.tokens is not None:
            matcher: Matcher | DependencyMatcher = Matcher(vocab, validate=True)
            matcher.add(pattern.key, [pattern.tokens])
            specs = pattern.tokens
        else:
            matcher = DependencyMatcher(vocab, validate=True)
            matcher.add(pattern.key, [pattern.dep or []])
            specs = [node.get("RIGHT_ATTRS", {}) for node in pattern.dep or []]
    except Exception as exc:  # spaCy raises several error types for bad patterns
        where = pattern.key.split("#", 1)[1]
        raise DataFileError(f"{where}: invalid pattern: {exc}") from exc
    if pattern.tokens is None or not specs:
        return Compiled(pattern, matcher, required_words(specs))
    return Compiled(
        pattern, matcher, required_words(specs), spec_words(specs[0]), spec_words(specs[-1])
    )


@dataclass
class Sentence:
    """A sentence, the words of each token (lower-cased form and lemma), and all of them."""

    span: Span
    tokens: list[tuple[str, str]]
    words: set[str]


def sentence_words(doc: Doc) -> list[Sentence]:
    """Each sentence with the lower-cased forms and lemmas of its tokens."""
    out = []
    for sent in doc.sents if doc.has_annotation("SENT_START") else [doc[:]]:
        tokens = [(t.lower_, t.lemma_.lower()) for t in sent]
        words = {w for pair in tokens for w in pair}
        out.append(Sentence(sent, tokens, words))
    return out


def _stretch(c: Compiled, sent: Sentence) -> Span | None:
    """The part of the sentence where a match of `c` can lie (None: nowhere)."""
    tokens = sent.tokens
    start, end = 0, len(tokens)
    if c.first is not None:
        first = c.first
        start = next((i for i, (lo, le) in enumerate(tokens) if lo in first or le in first), end)
    if c.last is not None:
        last = c.last
        end = next(
            (
                i + 1
                for i in range(len(tokens) - 1, start - 1, -1)
                if tokens[i][0] in last or tokens[i][1] in last
            ),
            start,
        )
    if start >= end:
        return None
    return sent.span[start:end]


class PatternIndex:
    """Patterns by one word each needs (the rarest of its required sets), so that a document
    is checked only against the patterns one of its words can start; input order is kept."""

    def __init__(self, compiled: list[Compiled]) -> None:
        self.compiled = compiled
        self.always: list[int] = []
        self.by_word: dict[str, list[int]] = {}
        for i, c in enumerate(compiled):
            if not c.required:
                self.always.append(i)
                continue
            for word in min(c.required, key=len):
                self.by_word.setdefault(word, []).append(i)

    def candidates(self, words: set[str]) -> list[Compiled]:
        found = set(self.always)
        for word in words:
            found.update(self.by_word.get(word, ()))
        return [self.compiled[i] for i in sorted(found)]


def run_patterns(
    compiled: list[Compiled] | PatternIndex, doc: Doc
) -> Iterator[tuple[EventPattern, int, int, int]]:
    """(pattern, start, end, anchor index) for every match of a pattern that can match."""
    sents = sentence_words(doc)
    words = set().union(*(s.words for s in sents)) if sents else set()
    index = compiled if isinstance(compiled, PatternIndex) else PatternIndex(compiled)
    for c in index.candidates(words):
        if not all(req & words for req in c.required):
            continue
        if isinstance(c.matcher, DependencyMatcher):
            for _, ids in c.matcher(doc):
                yield c.pattern, min(ids), max(ids) + 1, ids[0]
            continue
        for sent in sents:
            if all(req & sent.words for req in c.required):
                stretch = _stretch(c, sent)
                if stretch is not None:
                    yield from _token_matches(c, stretch)


def _token_matches(c: Compiled, sent: Span) -> Iterator[tuple[EventPattern, int, int, int]]:
    matcher = cast(Matcher, c.matcher)
    if c.pattern.anchor == 0:
        # The anchor is the match's first token (its pattern token 0 either matched first or
        # is optional and absent): no alignments needed, and they cost half the matching.
        for _, start, end in cast(list[tuple[int, int, int]], matcher(sent)):
            yield c.pattern, start + sent.start, end + sent.start, start + sent.start
        return
    matches = cast(list[tuple[int, int, int, list[int]]], matcher(sent, with_alignments=True))
    for _, start, end, align in matches:
        offsets = [i for i, a in enumerate(align) if a == c.pattern.anchor]
        start, end = start + sent.start, end + sent.start
        yield c.pattern, start, end, start + (offsets[0] if offsets else 0)
