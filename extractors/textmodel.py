"""Two linear readers of an item's text, trained on labelled real news.

Patterns know the wordings they were written for; real news says the same things in many
others. Two small models read the whole text instead, each giving every event type a
probability:

- `embed`: a logistic head over the item's static embedding (headline and whole item, each
  the mean of its word pieces' rows in the encoder of `data/encoder/`, distilled once from
  all-MiniLM-L6-v2), which hears paraphrases the patterns miss;
- `words`: a logistic head over TF-IDF weighted words (the headline counted twice), which
  keeps the exact terms of art ("entity list", "CFIUS") that embeddings blur.

Scoring is a table look-up and two matrix products in numpy: no PyTorch, nothing downloaded.
The heads are fitted by `extractors.train` (scikit-learn, at training time only) and saved in
`data/classifier/weights.npz` beside their vocabulary.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .resources import DATA_DIR

ENCODER_DIR = DATA_DIR / "encoder"
WEIGHTS_FILE = "weights.npz"
VOCABULARY_FILE = "vocabulary.json"
WORD = re.compile(r"\w\w+")


def words(text: str) -> list[str]:
    """Lower-case words of two or more characters: what the `words` head reads."""
    return WORD.findall(text.lower())


def word_text(title: str, full: str) -> str:
    """The headline again before the whole item: the headline alone often says what
    happened, and the lead's background words mislead less once it counts double."""
    return f"{title} . {full}"


@dataclass
class Vocabulary:
    """Words and their inverse document frequencies (sublinear TF-IDF, rows of unit length)."""

    index: dict[str, int]
    idf: np.ndarray

    @classmethod
    def fit(cls, texts: Sequence[str], min_df: int = 2) -> Vocabulary:
        df = Counter(w for text in texts for w in set(words(text)))
        kept = sorted(w for w, n in df.items() if n >= min_df)
        n_docs = len(texts)
        idf = np.array([math.log((1 + n_docs) / (1 + df[w])) + 1 for w in kept], np.float32)
        return cls({w: i for i, w in enumerate(kept)}, idf)

    def row(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Column indices and weights of one text's sparse row."""
        counts = Counter(self.index[w] for w in words(text) if w in self.index)
        if not counts:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        cols = np.fromiter(counts, np.int64, len(counts))
        tf = np.array([1 + math.log(counts[c]) for c in cols], np.float32)
        values = tf * self.idf[cols]
        return cols, values / np.linalg.norm(values)

    def matrix(self, texts: Sequence[str]) -> Any:
        """A scipy CSR matrix of the rows (for training)."""
        from scipy.sparse import csr_matrix

        rows = [self.row(text) for text in texts]
        indptr = np.cumsum([0] + [len(cols) for cols, _ in rows])
        cols = np.concatenate([c for c, _ in rows]) if rows else np.zeros(0, np.int64)
        vals = np.concatenate([v for _, v in rows]) if rows else np.zeros(0, np.float32)
        return csr_matrix((vals, cols, indptr), shape=(len(texts), len(self.index)))


class Encoder:
    """The static embedding model (model2vec) of `data/encoder/`."""

    def __init__(self, path: Path = ENCODER_DIR) -> None:
        # The model card parser warns that a local folder has no hub metadata: it needs none.
        logging.getLogger("huggingface_hub.repocard").setLevel(logging.ERROR)
        from model2vec import StaticModel

        self.path = Path(path)
        self.model = StaticModel.from_pretrained(str(self.path))

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.model.dim), np.float32)
        return np.asarray(self.model.encode(list(texts)), dtype=np.float32)

    def items(self, titles: Sequence[str], fulls: Sequence[str]) -> np.ndarray:
        """Headline and whole-item embeddings side by side, one row per item."""
        return np.hstack([self.encode(titles), self.encode(fulls)])


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


@dataclass
class TextModel:
    """The two heads over one label list (see module docstring)."""

    labels: list[str]
    vocabulary: Vocabulary
    word_coef: np.ndarray  # labels x vocabulary
    word_bias: np.ndarray
    embed_coef: np.ndarray  # labels x embedding
    embed_bias: np.ndarray

    def score(
        self, encoder: Encoder, titles: Sequence[str], fulls: Sequence[str]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Probabilities per item and label: (embed, words)."""
        embed = sigmoid(encoder.items(titles, fulls) @ self.embed_coef.T + self.embed_bias)
        rows = [self.vocabulary.row(word_text(t, f)) for t, f in zip(titles, fulls, strict=True)]
        logits = np.array(
            [self.word_coef[:, cols] @ vals for cols, vals in rows], np.float32
        ).reshape(len(rows), len(self.labels))
        return embed, sigmoid(logits + self.word_bias)

    def save(self, path: Path) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            path / WEIGHTS_FILE,
            idf=self.vocabulary.idf,
            word_coef=self.word_coef.astype(np.float32),
            word_bias=self.word_bias.astype(np.float32),
            embed_coef=self.embed_coef.astype(np.float32),
            embed_bias=self.embed_bias.astype(np.float32),
        )
        ordered = sorted(self.vocabulary.index, key=self.vocabulary.index.__getitem__)
        vocabulary = {"labels": self.labels, "words": ordered}
        (path / VOCABULARY_FILE).write_text(json.dumps(vocabulary) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> TextModel:
        path = Path(path)
        data = json.loads((path / VOCABULARY_FILE).read_text(encoding="utf-8"))
        with np.load(path / WEIGHTS_FILE) as arrays:
            weights = {name: arrays[name] for name in arrays.files}
        vocabulary = Vocabulary({w: i for i, w in enumerate(data["words"])}, weights["idf"])
        return cls(
            labels=list(data["labels"]),
            vocabulary=vocabulary,
            word_coef=weights["word_coef"],
            word_bias=weights["word_bias"],
            embed_coef=weights["embed_coef"],
            embed_bias=weights["embed_bias"],
        )
