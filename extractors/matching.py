"""Running many event patterns fast: skip the ones whose words are absent.

One spaCy Matcher holding every pattern spends most of its time advancing
partial matches of patterns that cannot complete (a window opened by "add"
waiting for "list"). Most patterns need several specific words, so we
index each pattern by the words its required tokens accept and run only the
patterns whose every required token finds a word in the document.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

from spacy.matcher import DependencyMatcher, Matcher
from spacy.tokens import Doc
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
    return Compiled(pattern, matcher, required_words(specs))


def doc_words(doc: Doc) -> set[str]:
    return {t.lower_ for t in doc} | {t.lemma_.lower() for t in doc}


def run_patterns(compiled: list[Compiled], doc: Doc
                 ) -> Iterator[tuple[EventPattern, int, int, int]]:
    """(pattern, start, end, anchor index) for every match of a pattern that can match."""
    words = doc_words(doc)
    for c in compiled:
        if not all(req & words for req in c.required):
            continue
        if isinstance(c.matcher, DependencyMatcher):
            for _, ids in c.matcher(doc):
                yield c.pattern, min(ids), max(ids) + 1, ids[0]
            continue
        matches = cast(list[tuple[int, int, int, list[int]]],
                       c.matcher(doc, with_alignments=True))
        for _, start, end, align in matches:
            offsets = [i for i, a in enumerate(align) if a == c.pattern.anchor]
            yield c.pattern, start, end, start + (offsets[0] if offsets else 0)
