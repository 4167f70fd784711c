"""The model's rule lemmatizer, with every answer remembered.

The stock rule `lemmatizer` works out a token's lemma from its word, coarse tag and
morphology alone, but keeps only some answers: the words it takes for base forms (most
nouns and verbs of news text) are worked out again on every token, reading the morphology
as a dictionary each time. This twin remembers every answer by the stock method's own key
(word, coarse tag, morphology), so that each is worked out once by the stock lemmatizer
itself: the output is identical token for token, which tests/extractors check on real text.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from spacy.language import Language
from spacy.pipeline import Lemmatizer
from spacy.tokens import Doc

STOCK_NAME = "lemmatizer"
MEMO_NAME = "econsec_lemmas"
MEMO_LIMIT = 200_000  # remembered lemmas, before starting afresh


class MemoLemmatizer:
    """Drop-in replacement for a loaded rule-mode `Lemmatizer` (see module docstring)."""

    def __init__(self, lemmatizer: Lemmatizer) -> None:
        self.lemmatizer = lemmatizer
        self.memo: dict[tuple[int, int, int], int] = {}

    def __call__(self, doc: Doc) -> Doc:
        stock = self.lemmatizer
        if stock.mode != "rule" or stock.overwrite or not stock._validated:
            return stock(doc)  # its own way (the first call checks its tables)
        memo = self.memo
        if len(memo) > MEMO_LIMIT:
            memo.clear()
        strings = doc.vocab.strings
        for token in doc:
            if token.lemma == 0:
                key = (token.orth, token.pos, token.morph.key)  # type: ignore[attr-defined]
                lemma = memo.get(key)
                if lemma is None:
                    lemma = memo[key] = strings.add(stock.lemmatize(token)[0])
                token.lemma = lemma
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        for doc in docs:
            yield self(doc)

    def to_disk(self, path: Any, *, exclude: Iterable[str] = ()) -> None:
        self.lemmatizer.to_disk(path, exclude=exclude)

    def from_disk(self, path: Any, *, exclude: Iterable[str] = ()) -> MemoLemmatizer:
        self.lemmatizer.from_disk(path, exclude=exclude)
        self.memo = {}
        return self


@Language.factory(MEMO_NAME, default_config={"mode": "rule", "overwrite": False})
def make_memo_lemmatizer(nlp: Language, name: str, mode: str, overwrite: bool) -> MemoLemmatizer:
    """Built from the stock lemmatizer already in `nlp`, which `use_memo_lemmas` then
    removes; when loaded from disk, from the tables saved beside it."""
    stock = nlp.get_pipe(STOCK_NAME) if STOCK_NAME in nlp.pipe_names else None
    if isinstance(stock, Lemmatizer):
        return MemoLemmatizer(stock)
    lemmatizer = nlp.create_pipe(STOCK_NAME, config={"mode": mode, "overwrite": overwrite})
    assert isinstance(lemmatizer, Lemmatizer)
    return MemoLemmatizer(lemmatizer)


def use_memo_lemmas(nlp: Language) -> None:
    """Put the twin in the stock lemmatizer's place; no-op for a model without a rule one."""
    stock = nlp.get_pipe(STOCK_NAME) if STOCK_NAME in nlp.pipe_names else None
    if not isinstance(stock, Lemmatizer) or stock.mode != "rule":
        return
    nlp.add_pipe(MEMO_NAME, after=STOCK_NAME, config={"overwrite": stock.overwrite})
    nlp.remove_pipe(STOCK_NAME)
