"""A learned judge of event types, trained on labelled real news.

The patterns are precise on wordings they know and blind to the ones they do not; on real
news they also fire on the same words in other senses. Two text models (`extractors.textmodel`:
a static-embedding head and a TF-IDF head) give every type a probability for the item. The
event component then hands each type's evidence to `combine`: the pattern event (if the
strict checks passed), the candidate the patterns set aside on a strict check, and the guess
built from the sentence the text models rate highest (read for status and actors like any
mention; a denied or hypothetical sentence gives none). A logistic `Policy` over those
signals, the two probabilities and how much nearer the item lies to a training item with the
type than to one without it (`FEATURES`) says how likely the type is right; the event
is reported when that reaches the policy's threshold, and the probability is its confidence,
so confidence bands mean measured precision on real text.

It runs only on items the gate passed. Weights, vocabulary and policy live in
`data/classifier/`, made by `python -m extractors.learning.train`; the encoder in `data/encoder/`.
Nothing is downloaded.
"""

from __future__ import annotations

import json
import logging
import math
import shutil
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import minibatch
from threadpoolctl import ThreadpoolController

from .resources import DATA_DIR
from .segment import doc_text, headline_end, span_text
from .textmodel import (
    ENCODER_DIR,
    WEIGHTS_FILE,
    Encoder,
    Split,
    TextModel,
    sentence_spans,
    word_text,
)
from .types import TaggedEvent

logger = logging.getLogger(__name__)

MODEL_DIR = DATA_DIR / "classifier"
POLICY_FILE = "policy.json"
CLASSIFIER = "econsec_classifier"
FEATURES = (
    "pattern",
    "pattern_confidence",
    "candidate",
    "guess",
    "embed",
    "pattern*embed",
    "candidate*embed",
    "guess*embed",
    "words",
    "pattern*words",
    "candidate*words",
    "guess*words",
    "nearest_margin",
)

if not Doc.has_extension("type_scores"):
    Doc.set_extension("type_scores", default=None)
for _name in ("candidate_events", "guessed_events", "sentence_scores"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


@dataclass(frozen=True)
class TypeScore:
    """The two text models' probabilities that an item (or sentence) reports a type."""

    embed: float
    words: float
    # TextModel.nearest: cosine of the nearest training item with the type, and without it.
    # Only whole items are compared: 0 for a sentence or a text scored alone.
    nearest: float = 0.0
    nearest_other: float = 0.0

    @property
    def best(self) -> float:
        return max(self.embed, self.words)

    @property
    def mean(self) -> float:
        return (self.embed + self.words) / 2


class TypeScores(Mapping[str, TypeScore]):
    """Every type's TypeScore for one item or sentence, read from the models' output rows
    (built on access: most types of most items are never asked for)."""

    def __init__(
        self, index: dict[str, int], embed: np.ndarray, words: np.ndarray, *nearness: np.ndarray
    ) -> None:
        """`nearness`: the rows of TypeScore's nearest and nearest_other, or none."""
        self._index, self._embed, self._words = index, embed, words
        self._nearness = nearness

    def __getitem__(self, code: str) -> TypeScore:
        i = self._index[code]
        near = (float(row[i]) for row in self._nearness)
        return TypeScore(float(self._embed[i]), float(self._words[i]), *near)

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    @property
    def top(self) -> float:
        """The best score of any type."""
        return float(np.maximum(self._embed, self._words).max()) if len(self._index) else 0.0

    def at_least(self, floor: float) -> list[str]:
        """The types either model rates at `floor` or more."""
        best = np.maximum(self._embed, self._words)
        return [code for code, i in self._index.items() if best[i] >= floor]


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def feature_vector(
    pattern: TaggedEvent | None,
    candidate: TaggedEvent | None,
    guess: TaggedEvent | None,
    score: TypeScore,
) -> list[float]:
    """The policy's inputs for one type of one item, in the order of FEATURES."""
    signals = [float(pattern is not None), float(candidate is not None), float(guess is not None)]
    out = [signals[0], pattern.confidence if pattern else 0.0, signals[1], signals[2]]
    for p in (score.embed, score.words):
        logit = _logit(p)
        out += [logit, signals[0] * logit, signals[1] * logit, signals[2] * logit]
    return [*out, score.nearest - score.nearest_other]


@dataclass(frozen=True)
class Policy:
    """How likely a type is right given its evidence (a logistic model over FEATURES), and the
    probability from which it is reported; chosen by cross-validation on labelled real news
    (`extractors.learning.train`) and stored beside the model. Untrained, the patterns stand
    alone."""

    weights: tuple[float, ...] = ()
    bias: float = 0.0
    threshold: float = 0.5
    guess_floor: float = 0.3  # below this best text score, no guess is built (it costs a pass)
    # Below this best text score for every type, an item the gate passed is not parsed: half
    # the lowest score of the training items with a right event, cross-validated, once the
    # lowest one in 500 is left out (`extractors.learning.train.relevance_floor`).
    relevance_floor: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def trained(self) -> bool:
        return len(self.weights) == len(FEATURES)

    def probability(
        self,
        pattern: TaggedEvent | None,
        candidate: TaggedEvent | None,
        guess: TaggedEvent | None,
        score: TypeScore,
    ) -> float:
        x = feature_vector(pattern, candidate, guess, score)
        z = self.bias + sum(w * v for w, v in zip(self.weights, x, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    @classmethod
    def read(cls, path: Path) -> Policy:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if data.get("features") != list(FEATURES):
            return cls()  # a policy for other inputs: the patterns stand alone
        return cls(
            weights=tuple(float(w) for w in data["weights"]),
            bias=float(data["bias"]),
            threshold=float(data["threshold"]),
            guess_floor=float(data.get("guess_floor", cls.guess_floor)),
            relevance_floor=float(data.get("relevance_floor", cls.relevance_floor)),
            extra={k: v for k, v in data.items() if k not in POLICY_KEYS},
        )

    def write(self, path: Path, **extra: Any) -> None:
        data = {k: v for k, v in asdict(self).items() if k != "extra"}
        data["weights"] = list(self.weights)
        data = {"features": list(FEATURES)} | data | self.extra | extra
        Path(path).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


POLICY_KEYS = frozenset(
    {"features", "weights", "bias", "threshold", "guess_floor", "relevance_floor"}
)


def combine(
    events: Sequence[TaggedEvent],
    candidates: Sequence[TaggedEvent],
    scores: Mapping[str, TypeScore] | None,
    policy: Policy,
    guesses: Sequence[TaggedEvent] = (),
    headline_only: bool = False,
) -> list[TaggedEvent]:
    """Every type with evidence whose probability under `policy` reaches its threshold,
    told by its pattern event, else its candidate, else its guess, with that probability as
    its confidence. Without scores or a trained policy, the pattern events unchanged. A bare
    headline (no lead) gives the text models too little to overrule a pattern: its pattern
    events stand, and only what the patterns did not find is left to the policy."""
    if scores is None or not policy.trained:
        return list(events)
    by_kind = [{e.type: e for e in group} for group in (events, candidates, guesses)]
    order = list(dict.fromkeys(e.type for group in (events, candidates, guesses) for e in group))
    kept = []
    for code in order:
        pattern, candidate, guess = (kind.get(code) for kind in by_kind)
        score = scores.get(code)
        if score is None:  # a type the model does not know: the pattern alone decides
            if pattern is not None:
                kept.append(pattern)
            continue
        p = policy.probability(pattern, candidate, guess, score)
        if pattern is not None and headline_only:
            kept.append(replace(pattern, confidence=round(max(p, pattern.confidence), 3)))
        elif p >= policy.threshold:
            told = pattern or candidate or guess
            assert told is not None
            kept.append(replace(told, confidence=round(p, 3)))
    return kept


class TypeClassifier:
    """The trained text models, the encoder they read, and the policy chosen for them."""

    def __init__(self, model: TextModel, encoder: Encoder, policy: Policy | None = None) -> None:
        self.model = model
        self.encoder = encoder
        self.labels = list(model.labels)
        self.policy = policy or Policy()
        if self.policy.trained and model.neighbours is None:
            # a policy that weighs nearness, over weights saved without the training items:
            # every margin would read 0, and the policy would judge on half its evidence
            logger.warning("%s has no training items beside it: retrain it", WEIGHTS_FILE)
            self.policy = Policy()
        self.index = {label: i for i, label in enumerate(self.labels)}

    @classmethod
    def load(cls, path: Path = MODEL_DIR, encoder: Path = ENCODER_DIR) -> TypeClassifier:
        """The model saved at `path`, with its `policy.json` when there is one."""
        policy_path = Path(path) / POLICY_FILE
        policy = Policy.read(policy_path) if policy_path.exists() else None
        return cls(TextModel.load(Path(path)), Encoder(Path(encoder)), policy)

    def score_wholes(self, items: Sequence[Split], nearness: bool = True) -> list[TypeScores]:
        """Scores of each item read whole (its headline and its whole text), with its
        nearness to the training items (which only the policy reads, per item)."""
        if not items:
            return []
        embedded, _ = self.encoder.pooled(items)
        texts = [word_text(item.title, item.full) for item in items]
        return self._rows(embedded, texts, nearness)

    def score_sentences(self, items: Sequence[Sequence[str]]) -> list[list[TypeScores]]:
        """Scores of each sentence of each item, each sentence read as an item of its own."""
        splits = [Split(tuple(sentences)) for sentences in items]
        if not any(split.sentences for split in splits):
            return [[] for _ in splits]
        _, by_sentence = self.encoder.pooled(splits)
        flat_embedded = np.vstack([np.hstack([rows, rows]) for rows in by_sentence])
        flat = self._rows(
            flat_embedded, [word_text(s, s) for split in splits for s in split.sentences]
        )
        return [flat[a:b] for a, b in sentence_spans(splits)]

    def score_texts(self, texts: Sequence[str]) -> list[TypeScores]:
        """Scores of texts read as one-sentence items (no nearness: sentences are ranked by
        their scores, never judged by the policy)."""
        return self.score_wholes([Split((text,)) for text in texts], nearness=False)

    def relevant(self, scores: TypeScores) -> bool:
        """Whether any type is rated at the policy's relevance floor (see `Policy`)."""
        return scores.top >= self.policy.relevance_floor

    def _rows(
        self, embedded: np.ndarray, texts: Sequence[str], nearness: bool = False
    ) -> list[TypeScores]:
        with _one_blas_thread():
            embed, words = self.model.score(embedded, texts)
            near = self.model.nearest(embedded) if nearness else ()
        return [TypeScores(self.index, *row) for row in zip(embed, words, *near, strict=True)]


@cache
def _blas_threads() -> ThreadpoolController:
    return ThreadpoolController()


def _one_blas_thread() -> Any:
    """The heads' products are small: BLAS threads buy nothing there, and on a busy machine
    their waiting for each other made the tagger half as fast again."""
    return _blas_threads().limit(limits=1, user_api="blas")


def whole_split(doc: Doc) -> Split:
    """The item as the item-level scores read it: its headline, then the rest. Known before the
    parse, so that the scores can turn an item away before paying for it."""
    end = headline_end(doc)
    parts = tuple(part for part in (span_text(doc[:end]), span_text(doc[end:])) if part.strip())
    return Split(parts or (doc_text(doc),))


def sentence_texts(doc: Doc) -> list[str]:
    return [span_text(sent) for sent in doc.sents]


def available(path: Path = MODEL_DIR) -> bool:
    return (Path(path) / WEIGHTS_FILE).exists()


class ClassifierComponent:
    """Sets `doc._.type_scores` (type -> TypeScore) and `doc._.sentence_scores` (the same
    per sentence) for the event component to use."""

    def __init__(self, nlp: Language, name: str, model_dir: str = "") -> None:
        self.name = name
        self.model_dir = Path(model_dir or MODEL_DIR)
        self.classifier = TypeClassifier.load(self.model_dir)

    def __call__(self, doc: Doc) -> Doc:
        return self._scored([doc])[0]

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        for batch in minibatch(docs, size=batch_size):
            yield from self._scored(list(batch))

    def score_wholes(self, docs: Sequence[Doc]) -> None:
        """Set the item-level scores of `docs` (which need no parse: see `whole_split`)."""
        wholes = self.classifier.score_wholes([whole_split(doc) for doc in docs])
        for doc, scores in zip(docs, wholes, strict=True):
            doc._.type_scores = scores

    def _scored(self, batch: list[Doc]) -> list[Doc]:
        self.score_wholes([doc for doc in batch if doc._.type_scores is None])
        # Sentences matter only to guesses, and no type under the guess floor is guessed.
        floor = self.classifier.policy.guess_floor
        guessing = [doc for doc in batch if doc._.type_scores.top >= floor]
        by_sentence = self.classifier.score_sentences([sentence_texts(doc) for doc in guessing])
        for doc, scores in zip(guessing, by_sentence, strict=True):
            doc._.sentence_scores = scores
        return batch

    def to_disk(self, path: Path, *, exclude: Any = ()) -> None:
        shutil.copytree(self.model_dir, Path(path), dirs_exist_ok=True)

    def from_disk(self, path: Path, *, exclude: Any = ()) -> ClassifierComponent:
        self.model_dir = Path(path)
        self.classifier = TypeClassifier.load(self.model_dir)
        return self


@Language.factory(CLASSIFIER, default_config={"model_dir": ""})
def make_classifier(nlp: Language, name: str, model_dir: str) -> ClassifierComponent:
    return ClassifierComponent(nlp, name, model_dir=model_dir)
