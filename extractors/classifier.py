"""A learned second opinion on event types, trained on econsec's own labelled news.

The patterns are precise on wordings they know and blind to the ones they do not. A
bag-of-words classifier (spaCy `textcat_multilabel`, `TextCatBOW` over single words) reads an
item's lower-case lemmas, its headline's marked apart, and gives for every type how likely the
item reports it. The event component uses that three ways (see `Policy`): a pattern event the
classifier finds very unlikely is dropped; a candidate the patterns found but set aside on a
strict check (a missing context word, an unresolved actor) is kept when the classifier vouches
for it; and a type it is confident of that no pattern named is reported from the sentence it
rates highest, read for status and actors like any mention (a denied or hypothetical sentence
gives nothing).

It runs only on items the gate passed, after the lemmatizer, and costs a few percent of the
parse. The model and the policy's thresholds live in `data/classifier/`, made by
`python -m extractors.train` from `training/*.jsonl` and `evalsets/fresh_a.jsonl` (never from
an evaluation set kept unseen); nothing is downloaded.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Token
from spacy.util import minibatch

from .resources import DATA_DIR
from .types import TaggedEvent

MODEL_DIR = DATA_DIR / "classifier"
POLICY_FILE = "policy.json"
PIPE = "textcat_multilabel"
CLASSIFIER = "econsec_classifier"
EMPTY = "<empty>"
FEATURE_VERSION = 1

if not Doc.has_extension("type_scores"):
    Doc.set_extension("type_scores", default=None)
for _name in ("candidate_events", "guessed_events"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


def features(tokens: Iterable[Token]) -> list[str]:
    """Lower-case lemmas of the words, numbers folded: what the classifier reads."""
    words = []
    for token in tokens:
        if token.is_space or token.is_punct:
            continue
        if token.like_num:
            words.append("<num>")
        else:
            words.append((token.lemma_ or token.text).lower())
    return words or [EMPTY]


def item_features(doc: Doc) -> list[str]:
    """An item's words, and its headline's again marked `t:`: the headline alone often says
    what happened, and the summary's background words mislead less once it counts double."""
    end = doc._.title_end if doc._.title_end is not None else len(doc)
    return features(doc) + [f"t:{word}" for word in features(doc[:end]) if word != EMPTY]


@dataclass(frozen=True)
class Policy:
    """How the classifier's scores change the pattern events; chosen by cross-validation on
    the training data (`extractors.train`), stored beside the model."""

    drop_below: float = 0.0  # a pattern event whose type scores under this is dropped
    rescue_at: float = 1.01  # a set-aside candidate scoring this much, and best, is kept
    guess_at: float = 1.01  # a type no pattern named is reported from this score
    guess_floor: float = 0.2  # below this, guesses are not even built (they cost a pass)
    blend: float = 0.5  # confidence = (1 - blend) * pattern confidence + blend * score

    @classmethod
    def read(cls, path: Path) -> Policy:
        data = json.loads(path.read_text(encoding="utf-8"))
        known = {k: float(v) for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def write(self, path: Path, **extra: Any) -> None:
        path.write_text(json.dumps(asdict(self) | extra, indent=2) + "\n", encoding="utf-8")


def combine(
    events: Sequence[TaggedEvent],
    candidates: Sequence[TaggedEvent],
    scores: dict[str, float] | None,
    policy: Policy,
    guesses: Sequence[TaggedEvent] = (),
) -> list[TaggedEvent]:
    """The pattern events the classifier does not rule out, plus the candidates it vouches
    for and its own confident guesses, with confidences blended with its scores. Without
    scores, the events unchanged."""
    if scores is None:
        return list(events)
    kept = [
        _blended(event, scores, policy)
        for event in events
        if scores.get(event.type, 1.0) >= policy.drop_below
    ]
    found = {event.type for event in events}  # a dropped type is not brought back
    # A set-aside reading is trusted only when the classifier also likes it best: a pattern
    # that misread the item (a sanctions licence as an export relaxation) ranks second.
    top = max(scores.values(), default=0.0)
    for candidate in candidates:
        score = scores.get(candidate.type, 0.0)
        if candidate.type not in found and score >= policy.rescue_at and score >= top:
            kept.append(replace(candidate, confidence=round(score * candidate.confidence, 3)))
            found.add(candidate.type)
    for guess in guesses:
        if guess.type not in found and scores.get(guess.type, 0.0) >= policy.guess_at:
            kept.append(replace(guess, confidence=round(0.8 * guess.confidence, 3)))
            found.add(guess.type)
    return kept


def _blended(event: TaggedEvent, scores: dict[str, float], policy: Policy) -> TaggedEvent:
    score = scores.get(event.type)
    if score is None:
        return event
    confidence = (1 - policy.blend) * event.confidence + policy.blend * score
    return replace(event, confidence=round(confidence, 3))


class TypeClassifier:
    """A trained text classifier (a blank pipeline holding `textcat_multilabel`) and the policy
    chosen for it, scoring docs of the main pipeline."""

    def __init__(self, nlp: Language, policy: Policy | None = None) -> None:
        self.nlp = nlp
        self.textcat = nlp.get_pipe(PIPE)
        self.labels = list(self.textcat.labels)  # type: ignore[attr-defined]
        self.policy = policy or Policy()

    @classmethod
    def load(cls, path: Path = MODEL_DIR) -> TypeClassifier:
        """The model saved at `path`, with its `policy.json` when there is one."""
        import spacy

        policy_path = Path(path) / POLICY_FILE
        policy = Policy.read(policy_path) if policy_path.exists() else None
        return cls(spacy.load(Path(path)), policy)

    def score_words(self, batch: Sequence[list[str]]) -> list[dict[str, float]]:
        docs = [Doc(self.nlp.vocab, words=words) for words in batch]
        if not docs:
            return []
        table = self.textcat.predict(docs)  # type: ignore[attr-defined]
        return [
            {label: round(float(row[i]), 4) for i, label in enumerate(self.labels)}
            for row in table.tolist()
        ]

    def score(self, docs: Sequence[Doc]) -> list[dict[str, float]]:
        return self.score_words([item_features(doc) for doc in docs])


def available(path: Path = MODEL_DIR) -> bool:
    return (Path(path) / "meta.json").exists()


class ClassifierComponent:
    """Sets `doc._.type_scores` (type -> probability) for the event component to use."""

    def __init__(self, nlp: Language, name: str, model_dir: str = "") -> None:
        self.name = name
        self.model_dir = Path(model_dir or MODEL_DIR)
        self.classifier = TypeClassifier.load(self.model_dir)

    def __call__(self, doc: Doc) -> Doc:
        doc._.type_scores = self.classifier.score([doc])[0]
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        for batch in minibatch(docs, size=batch_size):
            yield from self._scored(list(batch))

    def _scored(self, batch: list[Doc]) -> list[Doc]:
        for doc, scores in zip(batch, self.classifier.score(batch), strict=True):
            doc._.type_scores = scores
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
