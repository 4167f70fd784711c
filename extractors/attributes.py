"""The model's attribute ruler, answered by dictionary lookups instead of a Matcher.

The stock `attribute_ruler` of the English models maps fine-grained tags (and a few
word + tag exceptions) to POS, morphology and lemmas through ~180 Matcher patterns, which
spaCy tries on every token: on the items the gate passes it costs as much as the parser.
Nearly all of those patterns are one token long and test only `TAG` and `LOWER` for
equality or membership, so a dictionary keyed on (tag), (lower) and (lower, tag) finds
the same matches. The few others (dependency labels, regexes, two-token patterns) stay in
a small Matcher. Matches are then applied exactly as the stock ruler applies them, in
pattern order with later patterns taking precedence, through its own `set_annotations`:
the output is identical token for token, which tests/extractors check on real text.

What a token's one-token patterns say depends only on the token's words, tag and
dependency, so it is worked out once per (word, tag, dependency) and remembered; the
matches are then set on their tokens directly, as the stock ruler sets them but without
building a Span for each.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc, Token
from spacy.tokens._retokenize import set_token_attrs

Match = tuple[int, int, int, int]
TokenTest = Callable[[Token], bool]
# What one token's (word, tag, dependency) gives: the ids of the one-token patterns it
# matches, and the longer patterns that may start at it (tried on the doc).
Found = tuple[tuple[int, ...], tuple["Compiled", ...]]
MEMO_LIMIT = 200_000  # remembered (word, tag, dependency) triples, before starting afresh

# Token attributes the lookup understands, and the order in which one is picked to index a
# pattern by: the most selective first. A pattern using anything else stays in the Matcher.
READERS: dict[str, Callable[[Token], Any]] = {
    "LOWER": lambda token: token.lower_,
    "ORTH": lambda token: token.text,
    "TAG": lambda token: token.tag_,
    "DEP": lambda token: token.dep_,
    "IS_SPACE": lambda token: token.is_space,
}
INDEXABLE = ("LOWER", "ORTH", "TAG", "DEP", "IS_SPACE")


def _accepted(constraint: Any) -> list[Any] | None:
    """The values an equality or `IN` constraint accepts; None for other operators."""
    if isinstance(constraint, str | bool):
        return [constraint]
    if isinstance(constraint, dict) and set(constraint) == {"IN"}:
        return list(constraint["IN"])
    return None


def _test(key: str, constraint: Any) -> TokenTest | None:
    """One constraint as a predicate on a token, with the Matcher's meaning; None if the
    operator is not one of equality, IN, NOT_IN or REGEX."""
    read = READERS[key]
    accepted = _accepted(constraint)
    if accepted is not None:
        allowed = frozenset(accepted)
        return lambda token: read(token) in allowed
    if isinstance(constraint, dict) and len(constraint) == 1:
        ((operator, value),) = constraint.items()
        if operator == "NOT_IN":
            refused = frozenset(value)
            return lambda token: read(token) not in refused
        if operator == "REGEX":
            pattern = re.compile(value)
            return lambda token: bool(pattern.search(str(read(token))))
    return None


@dataclass(frozen=True)
class Compiled:
    """A pattern as per-token predicates, indexed by one accepted value of its first token."""

    attr_id: int
    index_key: str | None  # None: tried at every token
    index_values: tuple[Any, ...]
    tests: tuple[tuple[TokenTest, ...], ...]
    settled_by_index: bool = False  # one token, one constraint: the index lookup is the test


def compile_pattern(attr_id: int, pattern: list[dict[str, Any]]) -> Compiled | None:
    """None when the pattern uses operators or attributes the lookup does not implement."""
    tests = []
    for spec in pattern:
        if not spec or not set(spec) <= set(READERS):
            return None
        token_tests = [_test(key, constraint) for key, constraint in spec.items()]
        if any(test is None for test in token_tests):
            return None
        tests.append(tuple(t for t in token_tests if t is not None))
    first = pattern[0]
    for key in INDEXABLE:
        values = _accepted(first[key]) if key in first else None
        if values is not None:
            settled = len(pattern) == 1 and len(first) == 1
            return Compiled(attr_id, key, tuple(values), tuple(tests), settled)
    return Compiled(attr_id, None, (), tuple(tests))


class LookupAttributeRuler:
    """Drop-in replacement for a loaded `AttributeRuler` (see module docstring)."""

    def __init__(self, ruler: AttributeRuler) -> None:
        self.ruler = ruler
        self._compile()

    def _compile(self) -> None:
        ruler = self.ruler
        self.index: dict[str, dict[Any, list[Compiled]]] = {key: {} for key in INDEXABLE}
        self.everywhere: list[Compiled] = []
        self.matcher = Matcher(ruler.vocab, validate=False)
        self.match_ids: list[int] = []
        for attr_id, entry in enumerate(ruler.patterns):
            match_name = str(attr_id)
            self.match_ids.append(ruler.vocab.strings.add(match_name))
            patterns: list[list[dict[str, Any]]] = entry["patterns"]  # type: ignore[assignment]
            for pattern in patterns:
                compiled = compile_pattern(attr_id, pattern)
                if compiled is None:
                    self.matcher.add(match_name, [pattern])  # type: ignore[list-item]
                elif compiled.index_key is None:
                    self.everywhere.append(compiled)
                else:
                    for value in compiled.index_values:
                        self.index[compiled.index_key].setdefault(value, []).append(compiled)
        self.indexed = [(READERS[key], table) for key, table in self.index.items() if table]
        self.memo: dict[tuple[int, int, int], Found] = {}

    def to_disk(self, path: Any, *, exclude: Iterable[str] = ()) -> None:
        self.ruler.to_disk(path, exclude=exclude)

    def from_disk(self, path: Any, *, exclude: Iterable[str] = ()) -> LookupAttributeRuler:
        self.ruler.from_disk(path, exclude=exclude)
        self._compile()
        return self

    def __call__(self, doc: Doc) -> Doc:
        tokens = list(doc)  # one Token object per position, shared by the match and the setting
        self.set_annotations(doc, self.match(doc, tokens), tokens)
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        for doc in docs:
            yield self(doc)

    def set_annotations(
        self, doc: Doc, matches: list[Match], tokens: list[Token] | None = None
    ) -> None:
        """The stock ruler's `set_annotations`: each match's attributes set on its token, in
        the matches' order, without a Span per match. A pattern whose token index falls
        outside its match is left to the stock method, which reports it. `tokens`: the
        doc's tokens, when the caller has them listed."""
        ruler = self.ruler
        attrs, indices = ruler.attrs, ruler.indices
        targets = []
        for attr_id, _, start, end in matches:
            index = indices[attr_id]
            at = (start if index >= 0 else end) + index
            if not start <= at < end:
                ruler.set_annotations(doc, matches)
                return
            targets.append((at, attrs[attr_id]))
        if tokens is None:
            tokens = list(doc)
        for at, values in targets:
            set_token_attrs(tokens[at], values)

    def _found_at(self, token: Token) -> Found:
        """The one-token patterns `token` matches and the longer ones that may start at it:
        they read nothing but its words, tag and dependency."""
        candidates = self.everywhere
        for read, table in self.indexed:
            listed = table.get(read(token))
            if listed:
                candidates = candidates + listed
        single = tuple(
            pattern.attr_id
            for pattern in candidates
            if len(pattern.tests) == 1
            and (pattern.settled_by_index or all(test(token) for test in pattern.tests[0]))
        )
        return single, tuple(pattern for pattern in candidates if len(pattern.tests) > 1)

    def match(self, doc: Doc, tokens: list[Token] | None = None) -> list[Match]:
        """The stock ruler's matches, in its order: by pattern id, then position. `tokens`:
        the doc's tokens, when the caller has them listed (a longer pattern reads several)."""
        if tokens is None:
            tokens = list(doc)
        found: set[Match] = set()
        match_ids = self.match_ids
        length = len(doc)
        memo = self.memo
        if len(memo) > MEMO_LIMIT:
            memo.clear()
        for start, token in enumerate(tokens):
            key = (token.orth, token.tag, token.dep)
            known = memo.get(key)
            if known is None:
                known = memo[key] = self._found_at(token)
            single, longer = known
            for attr_id in single:
                found.add((attr_id, match_ids[attr_id], start, start + 1))
            for pattern in longer:
                end = start + len(pattern.tests)
                if end <= length and all(
                    test(tokens[start + offset])
                    for offset, tests in enumerate(pattern.tests)
                    for test in tests
                ):
                    found.add((pattern.attr_id, match_ids[pattern.attr_id], start, end))
        if len(self.matcher):
            strings = doc.vocab.strings
            for match_id, start, end in self.matcher(doc, allow_missing=True):
                found.add((int(strings[match_id]), match_id, start, end))
        return sorted(found)


STOCK_NAME = "attribute_ruler"
LOOKUP_NAME = "econsec_attributes"


@Language.factory(LOOKUP_NAME)
def make_lookup_attribute_ruler(nlp: Language, name: str) -> LookupAttributeRuler:
    """Built from the stock ruler already in `nlp`, which `use_lookup_attributes` then removes;
    when loaded from disk, from the patterns saved beside it."""
    stock = nlp.get_pipe(STOCK_NAME) if STOCK_NAME in nlp.pipe_names else None
    if isinstance(stock, AttributeRuler):
        return LookupAttributeRuler(stock)
    return LookupAttributeRuler(AttributeRuler(nlp.vocab, name))


def use_lookup_attributes(nlp: Language) -> None:
    """Put the lookup twin in the stock ruler's place; no-op for a model without one."""
    if STOCK_NAME not in nlp.pipe_names or not isinstance(nlp.get_pipe(STOCK_NAME), AttributeRuler):
        return
    nlp.add_pipe(LOOKUP_NAME, after=STOCK_NAME)
    nlp.remove_pipe(STOCK_NAME)
