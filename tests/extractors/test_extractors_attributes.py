"""The lookup attribute ruler must give the stock ruler's output exactly, token for token."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import spacy
from spacy.language import Language
from spacy.pipeline import AttributeRuler

from bench.corpus import build_mix, feed_items
from extractors.attributes import (
    LOOKUP_NAME,
    STOCK_NAME,
    LookupAttributeRuler,
    compile_pattern,
    use_lookup_attributes,
)
from extractors.pipeline import DEFAULT_MODEL, EXCLUDED_PIPES
from extractors.text import join_item

# Wordings that reach the stock ruler's rarer patterns: contractions, auxiliaries by
# dependency, expletive "there", pronoun case, whitespace tokens.
AWKWARD = [
    "I ain't gonna let 's go, y'all. Nothin' but c'm on, gotta go.",
    "There are new curbs. It is there. Do you? I did it; you got it; it gets them.",
    "That which they sell is what Tokyo bans.  Double  spaces\n\n\nand\ttabs.",
    "Whether or not Seoul signs, those that do will have had to wait.",
]


def token_signature(doc: Any) -> list[tuple[str, ...]]:
    return [(t.text, t.tag_, t.pos_, str(t.morph), t.lemma_, t.dep_, str(t.head.i)) for t in doc]


@pytest.fixture(scope="module")
def stock_and_lookup() -> tuple[Language, Language]:
    stock = spacy.load(DEFAULT_MODEL, exclude=list(EXCLUDED_PIPES))
    lookup = spacy.load(DEFAULT_MODEL, exclude=list(EXCLUDED_PIPES))
    use_lookup_attributes(lookup)
    return stock, lookup


@pytest.mark.slow
def test_lookup_twin_replaces_the_stock_ruler_in_place(
    stock_and_lookup: tuple[Language, Language],
) -> None:
    stock, lookup = stock_and_lookup
    position = stock.pipe_names.index(STOCK_NAME)
    assert lookup.pipe_names[position] == LOOKUP_NAME and STOCK_NAME not in lookup.pipe_names


@pytest.mark.slow
def test_output_is_identical_on_news_text(stock_and_lookup: tuple[Language, Language]) -> None:
    stock, lookup = stock_and_lookup
    texts = [join_item(t, s) for t, s in feed_items()]
    texts += [join_item(*item.pair) for item in build_mix(400, seed=5)] + AWKWARD
    different = [
        text
        for text, a, b in zip(texts, stock.pipe(texts), lookup.pipe(texts), strict=True)
        if token_signature(a) != token_signature(b)
    ]
    assert len(texts) > 500 and different == []


@pytest.mark.slow
def test_most_patterns_leave_the_matcher(stock_and_lookup: tuple[Language, Language]) -> None:
    twin = stock_and_lookup[1].get_pipe(LOOKUP_NAME)
    assert isinstance(twin, LookupAttributeRuler)
    assert len(twin.matcher) == 0, "every stock pattern should be answered by the lookup"


@pytest.mark.slow
def test_round_trips_through_disk(
    tmp_path: Path, stock_and_lookup: tuple[Language, Language]
) -> None:
    stock, lookup = stock_and_lookup
    lookup.to_disk(tmp_path / "pipe")
    loaded = spacy.load(tmp_path / "pipe")
    assert loaded.pipe_names == lookup.pipe_names
    assert token_signature(loaded(AWKWARD[1])) == token_signature(stock(AWKWARD[1]))


def test_without_a_stock_ruler_nothing_changes() -> None:
    nlp = spacy.blank("en")
    use_lookup_attributes(nlp)
    assert nlp.pipe_names == []


@pytest.mark.parametrize(
    ("pattern", "index_key", "settled"),
    [
        ([{"TAG": "NN"}], "TAG", True),
        ([{"TAG": {"IN": ["VBP", "VBZ"]}}], "TAG", True),
        ([{"TAG": "RB", "LOWER": {"IN": ["not", "n't"]}}], "LOWER", False),
        ([{"LOWER": "gon"}, {"LOWER": "na"}], "LOWER", False),
        ([{"DEP": {"NOT_IN": ["det", ""]}, "TAG": {"IN": ["DT"]}}], "TAG", False),
        ([{"LOWER": {"REGEX": "^y'?$"}}, {"LOWER": "all"}], None, False),
        ([{"IS_SPACE": True}], "IS_SPACE", True),
    ],
)
def test_patterns_compile_to_an_index_and_tests(
    pattern: list[dict[str, Any]], index_key: str | None, settled: bool
) -> None:
    compiled = compile_pattern(7, pattern)
    assert compiled is not None and compiled.attr_id == 7
    assert compiled.index_key == index_key and compiled.settled_by_index is settled
    assert len(compiled.tests) == len(pattern)


@pytest.mark.parametrize(
    "pattern",
    [
        [{"LOWER": "a", "OP": "?"}],  # quantifiers need the Matcher
        [{"LEMMA": "be"}],  # an attribute the lookup does not read
        [{"LENGTH": {">=": 3}}],
        [{}],
    ],
)
def test_other_patterns_stay_with_the_matcher(pattern: list[dict[str, Any]]) -> None:
    assert compile_pattern(0, pattern) is None


def test_patterns_the_lookup_cannot_answer_still_match() -> None:
    nlp = spacy.blank("en")
    ruler = AttributeRuler(nlp.vocab)
    ruler.add([[{"LOWER": "tokyo"}]], {"LEMMA": "Tokyo-lookup"})
    ruler.add([[{"LENGTH": 5, "IS_ALPHA": True}]], {"LEMMA": "five"})
    ruler.add([[{"LOWER": {"REGEX": "^cu"}}]], {"LEMMA": "curb"})
    twin = LookupAttributeRuler(ruler)
    assert len(twin.matcher) == 1
    doc = twin(nlp.make_doc("Tokyo curbs chips"))
    assert [t.lemma_ for t in doc] == ["five", "curb", "five"]
