"""The remembering lemmatizer must give the stock lemmatizer's output exactly, token for token."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import spacy
from spacy.language import Language

from bench.corpus import build_mix, feed_items
from extractors.attributes import use_lookup_attributes
from extractors.lemmas import MEMO_NAME, STOCK_NAME, MemoLemmatizer, use_memo_lemmas
from extractors.pipeline import DEFAULT_MODEL, EXCLUDED_PIPES
from extractors.text import join_item

AWKWARD = [
    "I ain't gonna let 's go, y'all. Nothin' but c'm on, gotta go.",
    "There are new curbs. It is there. Do you? I did it; you got it; it gets them.",
    "Bans banned banning: the bans were banned. Curbs curb; curbed curbing curbs.",
    "That which they sell is what Tokyo bans.  Double  spaces\n\n\nand\ttabs.",
]


def token_signature(doc: Any) -> list[tuple[str, ...]]:
    return [(t.text, t.tag_, t.pos_, str(t.morph), t.lemma_, t.dep_, str(t.head.i)) for t in doc]


@pytest.fixture(scope="module")
def stock_and_twins() -> tuple[Language, Language]:
    stock = spacy.load(DEFAULT_MODEL, exclude=list(EXCLUDED_PIPES))
    twins = spacy.load(DEFAULT_MODEL, exclude=list(EXCLUDED_PIPES))
    use_lookup_attributes(twins)
    use_memo_lemmas(twins)
    return stock, twins


@pytest.mark.slow
def test_memo_twin_replaces_the_stock_lemmatizer_in_place(
    stock_and_twins: tuple[Language, Language],
) -> None:
    stock, twins = stock_and_twins
    position = stock.pipe_names.index(STOCK_NAME)
    assert twins.pipe_names[position] == MEMO_NAME and STOCK_NAME not in twins.pipe_names


@pytest.mark.slow
def test_output_is_identical_on_news_text(stock_and_twins: tuple[Language, Language]) -> None:
    """Each text twice: the second time every lemma (and every attribute) is remembered."""
    stock, twins = stock_and_twins
    texts = [join_item(t, s) for t, s in feed_items()]
    texts += [join_item(*item.pair) for item in build_mix(400, seed=5)] + AWKWARD
    for _ in range(2):
        different = [
            text
            for text, a, b in zip(texts, stock.pipe(texts), twins.pipe(texts), strict=True)
            if token_signature(a) != token_signature(b)
        ]
        assert len(texts) > 500 and different == []
    twin = twins.get_pipe(MEMO_NAME)
    assert isinstance(twin, MemoLemmatizer) and twin.memo


@pytest.mark.slow
def test_round_trips_through_disk(
    tmp_path: Path, stock_and_twins: tuple[Language, Language]
) -> None:
    stock, twins = stock_and_twins
    twins.to_disk(tmp_path / "pipe")
    loaded = spacy.load(tmp_path / "pipe")
    assert loaded.pipe_names == twins.pipe_names
    for text in AWKWARD:
        assert token_signature(loaded(text)) == token_signature(stock(text))


def test_without_a_stock_lemmatizer_nothing_changes() -> None:
    nlp = spacy.blank("en")
    use_memo_lemmas(nlp)
    assert nlp.pipe_names == []
