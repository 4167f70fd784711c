"""Two linear readers of an item's text, trained on labelled real news.

Patterns know the wordings they were written for; real news says the same things in many
others. Two small models read the whole text instead, each giving every event type a
probability:

- `embed`: a logistic head over the item's static embedding (headline and whole item, each
  the mean of its word pieces' rows in the encoder of `data/encoder/`, distilled once from
  all-MiniLM-L6-v2), which hears paraphrases the patterns miss;
- `words`: a logistic head over TF-IDF weighted words (the headline counted twice), which
  keeps the exact terms of art ("entity list", "CFIUS") that embeddings blur.

Beside them, `TextModel.nearest` keeps the training items' embeddings and labels and tells,
for each type, how close an item lies to the nearest training item that reports it and to the
nearest that does not: a wording met once in training, which a linear head averages away.

Scoring is a table look-up and a few matrix products in numpy: no PyTorch, nothing downloaded.
The heads are fitted by `extractors.learning.train` (scikit-learn, at training time only) and
saved in `data/classifier/weights.npz` beside their vocabulary.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .resources import DATA_DIR

ENCODER_DIR = DATA_DIR / "encoder"
WEIGHTS_FILE = "weights.npz"
VOCABULARY_FILE = "vocabulary.json"
NEAREST_SEARCHED = 32  # the nearest items searched for one without a label: one is nearly
# always among them, and a partial sort of 32 costs a fraction of a full one
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


@dataclass(frozen=True)
class Split:
    """An item as the text models read it: its sentences, the first of which make the
    headline (a sentence of its own, see extractors.segment)."""

    sentences: tuple[str, ...]
    title_sentences: int = 1

    @property
    def title(self) -> str:
        return " ".join(self.sentences[: self.title_sentences])

    @property
    def full(self) -> str:
        return " ".join(self.sentences)


def sentence_spans(items: Sequence[Split]) -> list[tuple[int, int]]:
    """Where each item's sentences lie in the flat list of all the items' sentences."""
    ends = np.cumsum([len(item.sentences) for item in items]).tolist()
    return [(end - len(item.sentences), end) for item, end in zip(items, ends, strict=True)]


class Encoder:
    """The static embedding model (model2vec) of `data/encoder/`."""

    def __init__(self, path: Path = ENCODER_DIR) -> None:
        # The model card parser warns that a local folder has no hub metadata: it needs none.
        logging.getLogger("huggingface_hub.repocard").setLevel(logging.ERROR)
        from model2vec import StaticModel

        self.path = Path(path)
        self.model = StaticModel.from_pretrained(str(self.path))
        if self.model.token_mapping is not None or self.model.weights is not None:
            raise ValueError(f"{self.path}: a quantised or weighted encoder is not supported")
        self.table = np.asarray(self.model.embedding, dtype=np.float32)

    @property
    def dim(self) -> int:
        return int(self.table.shape[1])

    def pooled(self, items: Sequence[Split]) -> tuple[np.ndarray, list[np.ndarray]]:
        """Per item, headline and whole-item embeddings side by side; per item, its sentences'
        embeddings. Every sentence is tokenised once, in one call for the batch, and the
        headline and the item are pooled from its sentences' word pieces (a mean made unit
        length, like model2vec's own `encode` but with no length cut); training and tagging
        both pool this way."""
        flat = [sentence for item in items for sentence in item.sentences]
        sums = np.zeros((len(flat), self.dim), np.float32)
        for i, ids in enumerate(self.model.tokenize(flat) if flat else []):
            if ids:
                sums[i] = self.table[ids].sum(axis=0)
        rows, sentences = [], []
        for item, (start, end) in zip(items, sentence_spans(items), strict=True):
            own = sums[start:end]
            title = own[: item.title_sentences].sum(axis=0)
            rows.append(np.concatenate([_unit(title), _unit(own.sum(axis=0))]))
            sentences.append(unit_rows(own))
        items_out = np.vstack(rows) if rows else np.zeros((0, 2 * self.dim), np.float32)
        return items_out, sentences


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms)


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
    # The training items themselves (unit embeddings, and which labels each carries): how close
    # an item lies to the nearest one with a type, and to the nearest one without it, tells the
    # policy what a linear head averages away (a rare wording met once before).
    neighbours: np.ndarray | None = None  # training items x embedding
    neighbour_labels: np.ndarray | None = None  # training items x labels, bool
    _label_columns: list[np.ndarray] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def score(self, embeddings: np.ndarray, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Probabilities per item and label, (embed, words), from the items' embeddings (as
        `Encoder.pooled` makes them) and their `word_text`s."""
        embed = sigmoid(embeddings @ self.embed_coef.T + self.embed_bias)
        rows = [self.vocabulary.row(text) for text in texts]
        logits = np.zeros((len(rows), len(self.labels)), np.float32)
        filled = [i for i, (cols, _) in enumerate(rows) if len(cols)]
        if filled:  # one gather and one segmented sum for all rows, not a product per row
            cols = np.concatenate([rows[i][0] for i in filled])
            vals = np.concatenate([rows[i][1] for i in filled])
            starts = np.cumsum([0] + [len(rows[i][0]) for i in filled[:-1]])
            weighted = self.word_coef[:, cols] * vals
            logits[filled] = np.add.reduceat(weighted, starts, axis=1).T
        return embed, sigmoid(logits + self.word_bias)

    def nearest(self, embeddings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per item and label, the cosine similarity of the nearest training item that carries
        the label, and of the nearest one that does not. Where no training item carries a
        label (or every one does), both read the same, so that the margin is 0 and says
        nothing, as for a model saved without its training items."""
        shape = (len(embeddings), len(self.labels))
        if (
            self.neighbours is None
            or self.neighbour_labels is None
            or not len(self.neighbours)
            or not len(embeddings)
        ):
            return np.zeros(shape, np.float32), np.zeros(shape, np.float32)
        sims = unit_rows(np.asarray(embeddings, np.float32)) @ self.neighbours.T
        carried = self.neighbour_labels
        with_label = np.zeros(shape, np.float32)
        for j in range(len(self.labels)):
            columns = self._columns[j]
            if len(columns):
                with_label[:, j] = sims[:, columns].max(axis=1)
        # Without the label: the nearest of the item's k nearest that lacks it (almost always
        # the very nearest); an item whose k nearest all carry the label is searched in full.
        k = min(NEAREST_SEARCHED, sims.shape[1])
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        lacks = ~carried[top]  # items x k x labels
        top_sims = np.take_along_axis(sims, top, axis=1)[:, :, None]
        without = np.where(lacks, top_sims, -np.inf).max(axis=1)
        for i, j in zip(*np.nonzero(~lacks.any(axis=1)), strict=True):
            rest = sims[i, ~carried[:, j]]
            without[i, j] = rest.max() if len(rest) else with_label[i, j]
        unseen = ~carried.any(axis=0)
        with_label[:, unseen] = without[:, unseen]
        return with_label, without.astype(np.float32)

    @property
    def _columns(self) -> list[np.ndarray]:
        """Per label, the training items that carry it (worked out once)."""
        if self._label_columns is None:
            assert self.neighbour_labels is not None
            self._label_columns = [np.flatnonzero(c) for c in self.neighbour_labels.T]
        return self._label_columns

    def save(self, path: Path) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, np.ndarray] = {
            "idf": self.vocabulary.idf,
            "word_coef": self.word_coef.astype(np.float32),
            "word_bias": self.word_bias.astype(np.float32),
            "embed_coef": self.embed_coef.astype(np.float32),
            "embed_bias": self.embed_bias.astype(np.float32),
        }
        if self.neighbours is not None and self.neighbour_labels is not None:
            arrays["neighbours"] = self.neighbours.astype(np.float16)
            arrays["neighbour_labels"] = np.packbits(self.neighbour_labels, axis=1)
        # numpy's stubs take **arrays for its keyword flag `allow_pickle`
        np.savez_compressed(path / WEIGHTS_FILE, **arrays)  # type: ignore[arg-type]
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
            neighbours=(
                weights["neighbours"].astype(np.float32) if "neighbours" in weights else None
            ),
            neighbour_labels=(
                np.unpackbits(
                    weights["neighbour_labels"], axis=1, count=len(data["labels"])
                ).astype(bool)
                if "neighbour_labels" in weights
                else None
            ),
        )
