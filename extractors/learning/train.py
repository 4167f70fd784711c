"""Train the text models and choose the policy: `python -m extractors.learning.train`.

Learns from the train part of the real-news corpus (`extractors.learning.split`; its test
part is never read here except to leave out own items that paraphrase it) and from the
project's own labelled files. Steps:

1. Run the pattern tagger (no classifier) over every item once: its events, the candidates it
   set aside, the item's texts, and per sentence the types a guess may report from it.
2. K-fold cross-validation over all items (an own item that paraphrases a real one goes to
   that item's fold): text models fitted on the other folds score each held-out item, whole
   and sentence by sentence.
3. The policy (`extractors.classifier.Policy`): a logistic model over the signals of every
   (item, type) pair with evidence, fitted on those out-of-fold scores. Its threshold is the
   one with the best cross-validated F1 on the real items among those whose cross-validated
   precision there reaches `--min-precision` (precision first: analysts act on what is
   flagged), counted on the types the tagger would report: after the item-level
   conventions, as at run time.
4. The final text models are fitted on everything and saved with the policy and its
   cross-validated figures in `extractors/data/classifier/`.

Needs scikit-learn (a development dependency); running the tagger does not.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from ..classifier import (
    FEATURES,
    MODEL_DIR,
    POLICY_FILE,
    Policy,
    TypeClassifier,
    TypeScores,
    feature_vector,
    sentence_texts,
    whole_split,
)
from ..conventions import ItemFacts, apply_conventions
from ..segment import headline_only
from ..taxonomy import event_types_by_code
from ..text import join_item
from ..textmodel import Encoder, Split, TextModel, Vocabulary, unit_rows, word_text
from ..types import TaggedEvent
from .evaluate import read_items
from .split import default_corpus_path, near_duplicates, select, story_groups

PROJECT_DIR = Path(__file__).resolve().parents[2]
OWN_FILES = (
    *sorted((PROJECT_DIR / "training").glob("*.jsonl")),
    PROJECT_DIR / "evalsets/fresh_a.jsonl",
)
UNSEEN_FILES = (PROJECT_DIR / "evalsets/fresh_b.jsonl",)
FOLDS = 5
C_WORDS = 16.0  # inverse regularisation of the heads: 2 to 64 were tried by cross-validation
# on the train part; F1 moved by less than 0.01
C_EMBED = 16.0
C_POLICY = 1.0
GUESS_FLOOR = 0.3  # as good as 0.15 in cross-validation, and fewer guesses to build
MIN_PRECISION = 0.85
THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.2, 0.91, 0.02))
RELEVANCE_MARGIN = 0.5
# The floor leaves out the lowest of the items with a right event, one in 500 rounded down:
# the lowest of hundreds is an outlier (a text the models misread) that would set no floor.
RELEVANCE_OUTLIERS = 0.002
MIN_DF = 2  # a word seen in one item only is that item's, not the type's
SMALL_SET = 100


NO_SCORES = TypeScores({}, np.zeros(0), np.zeros(0))
NO_FACTS = ItemFacts(modalities={})


@dataclass
class Prepared:
    """One labelled item as the pattern tagger sees it."""

    item_id: str
    fold_key: str  # the item's fold is this id's: a paraphrase goes with what it paraphrases
    gold: set[str]
    whole: Split  # the item as the item-level scores read it
    sentences: list[str]  # its sentences, each scored alone
    in_scope: bool
    events: list[TaggedEvent]
    candidates: list[TaggedEvent]
    allowed: list[frozenset[str]]  # per sentence, the types a guess may report from it
    named: set[str]  # types the patterns named, kept or set aside: never guessed
    facts: ItemFacts  # what the item-level conventions read (held events set per threshold)
    headline_only: bool  # a bare headline: its pattern events stand whatever the policy says


@dataclass
class Scored:
    """What the text models say of one item, whole and per sentence."""

    item: TypeScores
    sentences: list[TypeScores]


def prepare(items: Sequence[dict[str, Any]]) -> list[Prepared]:
    """Step 1: the pattern tagger's view of each item (see module docstring)."""
    from ..events import EventExtractor
    from ..pipeline import build_pipeline

    nlp = build_pipeline(classifier=False)
    events_pipe = nlp.get_pipe("econsec_events")
    assert isinstance(events_pipe, EventExtractor)
    events_pipe.keep_item_facts = True
    texts = [join_item(it.get("title", ""), it.get("summary", "")) for it in items]
    out = []
    for item, doc in zip(items, nlp.pipe(texts, disable=["econsec_events"]), strict=True):
        doc._.type_scores = NO_SCORES  # not None: the event component keeps its candidates
        doc = events_pipe(doc)
        in_scope = bool(doc._.in_scope)
        extracted = doc._.candidate_events is not None  # not a non-event headline
        sentences = list(doc.sents)
        # Before the conventions: at run time the policy judges them before they apply.
        events = list(doc._.pattern_events or []) if in_scope else []
        candidates = list(doc._.candidate_events or []) if in_scope else []
        out.append(
            Prepared(
                item_id=str(item.get("id", "")),
                fold_key=str(item.get("id", "")),
                gold={e["type"] for e in item.get("labels", {}).get("events", [])},
                whole=whole_split(doc),
                sentences=sentence_texts(doc),
                in_scope=in_scope,
                events=events,
                candidates=candidates,
                allowed=[
                    guessable(events_pipe, doc, sent) if extracted else frozenset()
                    for sent in sentences
                ],
                named={e.type for e in events + candidates},
                facts=doc._.item_facts or NO_FACTS,
                headline_only=headline_only(doc),
            )
        )
    return out


def guessable(events_pipe: Any, doc: Any, sent: Any) -> frozenset[str]:
    """The types `EventExtractor.guess` would report from `sent` (run right after the event
    component processed `doc`, as it reads the doc's words)."""
    from ..actors import SPANS_KEY, home_country
    from ..events import sentence_traits

    actors = list(doc.spans[SPANS_KEY]) if SPANS_KEY in doc.spans else []
    home = home_country(actors)
    techs = doc._.technologies or []
    traits = sentence_traits(sent, actors, events_pipe.cues)
    return frozenset(
        code
        for code in events_pipe.types
        if events_pipe.guess(sent, code, 1.0, actors, home, techs, traits) is not None
    )


def fit_text_model(
    prepared: Sequence[Prepared], labels: Sequence[str], embeddings: np.ndarray
) -> TextModel:
    """Both heads (extractors.textmodel) over `labels`, fitted on `prepared`."""
    from sklearn.linear_model import LogisticRegression

    texts = [word_text(p.whole.title, p.whole.full) for p in prepared]
    vocabulary = Vocabulary.fit(texts, min_df=MIN_DF if len(texts) >= SMALL_SET else 1)
    heads = {"words": vocabulary.matrix(texts), "embed": embeddings}
    fitted = {}
    for name, x in heads.items():
        coef = np.zeros((len(labels), x.shape[1]), np.float32)
        bias = np.full(len(labels), -10.0, np.float32)  # a type never seen is never scored
        for j, label in enumerate(labels):
            y = np.array([label in p.gold for p in prepared])
            if y.any() and not y.all():
                c = C_WORDS if name == "words" else C_EMBED
                head = LogisticRegression(C=c, class_weight="balanced", max_iter=3000)
                head.fit(x, y)
                coef[j], bias[j] = head.coef_[0], head.intercept_[0]
        fitted[name] = (coef, bias)
    return TextModel(
        labels=list(labels),
        vocabulary=vocabulary,
        word_coef=fitted["words"][0],
        word_bias=fitted["words"][1],
        embed_coef=fitted["embed"][0],
        embed_bias=fitted["embed"][1],
        neighbours=unit_rows(embeddings),
        neighbour_labels=np.array([[label in p.gold for label in labels] for p in prepared]),
    )


def score_items(model: TextModel, encoder: Encoder, prepared: Sequence[Prepared]) -> list[Scored]:
    """The model's scores of each item and of each of its sentences."""
    classifier = TypeClassifier(model, encoder)
    wholes = classifier.score_wholes([p.whole for p in prepared])
    by_sentence = classifier.score_sentences([p.sentences for p in prepared])
    return [Scored(w, s) for w, s in zip(wholes, by_sentence, strict=True)]


def fold_of(item_id: str, folds: int) -> int:
    return int(hashlib.sha256(item_id.encode("utf-8")).hexdigest(), 16) % folds


def out_of_fold_scores(
    prepared: Sequence[Prepared], labels: Sequence[str], encoder: Encoder, folds: int
) -> list[Scored]:
    """Step 2: each item scored by text models that never saw it."""
    embeddings = embed(encoder, prepared)
    scores: list[Scored | None] = [None] * len(prepared)
    for k in range(folds):
        held = [i for i, p in enumerate(prepared) if fold_of(p.fold_key, folds) == k]
        kept = [i for i, p in enumerate(prepared) if fold_of(p.fold_key, folds) != k]
        model = fit_text_model([prepared[i] for i in kept], labels, embeddings[kept])
        held_items = [prepared[i] for i in held]
        for i, s in zip(held, score_items(model, encoder, held_items), strict=True):
            scores[i] = s
        note(f"text models: fold {k + 1}/{folds} done")
    assert all(s is not None for s in scores), "every item is in one fold"
    return [s for s in scores if s is not None]


def embed(encoder: Encoder, prepared: Sequence[Prepared]) -> np.ndarray:
    return encoder.pooled([p.whole for p in prepared])[0]


def guesses(p: Prepared, scored: Scored, floor: float) -> dict[str, TaggedEvent]:
    """The types the event component would guess (`EventExtractor._guesses`), each told by
    its sentence (what the conventions read)."""
    from ..events import GUESS_SENTENCES, ranked_sentences

    out = {}
    for code, score in scored.item.items():
        if score.best < floor or code in p.named or not p.sentences:
            continue
        tried = ranked_sentences(scored.sentences, code)[:GUESS_SENTENCES]
        told = next((k for k in tried if code in p.allowed[k]), None)
        if told is not None:
            evidence = p.sentences[told].strip()
            out[code] = TaggedEvent(
                type=code, status="enacted", confidence=score.best, evidence=evidence
            )
    return out


@dataclass
class Pairs:
    """The policy's rows: one per (in-scope item, type with any evidence)."""

    x: np.ndarray
    y: np.ndarray
    item: np.ndarray  # index of the item each row belongs to
    code: list[str]
    told: list[TaggedEvent]  # the event that would tell the type: pattern, candidate or guess
    from_pattern: np.ndarray  # whether a pattern event tells it

    def subset(self, keep: np.ndarray) -> Pairs:
        """The rows where `keep` (a boolean mask over the rows) holds."""
        codes = [c for c, kept in zip(self.code, keep, strict=True) if kept]
        told = [e for e, kept in zip(self.told, keep, strict=True) if kept]
        return Pairs(
            self.x[keep], self.y[keep], self.item[keep], codes, told, self.from_pattern[keep]
        )


def pairs(prepared: Sequence[Prepared], scores: Sequence[Scored]) -> Pairs:
    rows, ys, items, codes, told, from_pattern = [], [], [], [], [], []
    for i, (p, s) in enumerate(zip(prepared, scores, strict=True)):
        if not p.in_scope:
            continue
        found = {e.type: e for e in p.events}
        held = {e.type: e for e in p.candidates}
        guessed = guesses(p, s, GUESS_FLOOR)
        for code in dict.fromkeys([*found, *held, *guessed]):
            if code not in s.item:
                continue
            rows.append(
                feature_vector(found.get(code), held.get(code), guessed.get(code), s.item[code])
            )
            ys.append(code in p.gold)
            items.append(i)
            codes.append(code)
            told.append(found.get(code) or held.get(code) or guessed[code])
            from_pattern.append(code in found)
    x = np.array(rows, np.float64).reshape(len(rows), len(FEATURES))
    return Pairs(
        x, np.array(ys, bool), np.array(items, int), codes, told, np.array(from_pattern, bool)
    )


@dataclass(frozen=True)
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    negatives: int = 0
    alarmed_negatives: int = 0  # negatives given at least one event

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def false_alarm_rate(self) -> float:
        return self.alarmed_negatives / self.negatives if self.negatives else 0.0

    def as_dict(self) -> dict[str, float]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "false_alarm_rate": round(self.false_alarm_rate, 4),
        }


def counts(prepared: Sequence[Prepared], predicted: Sequence[set[str]]) -> Counts:
    """Micro counts of predicted against labelled types, as `econsec eval` counts them."""
    tp = fp = fn = negatives = alarmed = 0
    for p, types in zip(prepared, predicted, strict=True):
        tp += len(types & p.gold)
        fp += len(types - p.gold)
        fn += len(p.gold - types)
        negatives += not p.gold
        alarmed += bool(types) and not p.gold
    return Counts(tp, fp, fn, negatives, alarmed)


def predicted_types(
    prepared: Sequence[Prepared], rows: Pairs, probabilities: np.ndarray, threshold: float
) -> list[set[str]]:
    """The types the tagger would report at `threshold`, as `combine` keeps them (a bare
    headline's pattern events stand) and the item-level conventions then settle them: the
    threshold is chosen on what runs."""
    kept: list[list[TaggedEvent]] = [[] for _ in prepared]
    for i, event, pattern, prob in zip(
        rows.item, rows.told, rows.from_pattern, probabilities, strict=True
    ):
        if prob >= threshold or (pattern and prepared[i].headline_only):
            kept[i].append(event)
    return [
        settled(p, events, p.events + p.candidates)
        for p, events in zip(prepared, kept, strict=True)
    ]


def settled(p: Prepared, events: list[TaggedEvent], found: list[TaggedEvent]) -> set[str]:
    """The types of `events` once the item-level conventions settle them, the pattern events
    and candidates (`found`) of other types held back (`extractors.events._held_events`)."""
    if not events:
        return set()
    reported = {e.type for e in events}
    held = {e.type: e for e in found if e.type not in reported}
    facts = replace(p.facts, held=held)
    return {e.type for e in apply_conventions(events, facts, convention_words())}


@cache
def convention_words() -> dict[str, tuple[str, ...]]:
    from ..resources import DATA_DIR
    from ..status import CUES_FILE, load_cues

    return dict(load_cues(DATA_DIR / CUES_FILE).conventions)


def fit_policy(rows: Pairs) -> tuple[tuple[float, ...], float]:
    from sklearn.linear_model import LogisticRegression

    if len(set(rows.y.tolist())) < 2:  # a tiny set: every row right (or wrong) alike
        rate = min(max(float(rows.y.mean()) if len(rows.y) else 0.0, 0.01), 0.99)
        return (0.0,) * len(FEATURES), math.log(rate / (1 - rate))
    model = LogisticRegression(C=C_POLICY, max_iter=5000).fit(rows.x, rows.y)
    return tuple(float(w) for w in model.coef_[0]), float(model.intercept_[0])


def probabilities(weights: Sequence[float], bias: float, x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x @ np.asarray(weights) + bias, -30, 30)))


def out_of_fold_policy(prepared: Sequence[Prepared], rows: Pairs, folds: int) -> np.ndarray:
    """Step 3's honest figures: each row's probability under a policy fitted on the others."""
    fold = np.array([fold_of(prepared[i].fold_key, folds) for i in rows.item], int)
    out = np.zeros(len(rows.y))
    for k in range(folds):
        weights, bias = fit_policy(rows.subset(fold != k))
        out[fold == k] = probabilities(weights, bias, rows.x[fold == k])
    return out


def choose_threshold(
    real: Sequence[Prepared], rows: Pairs, probs: np.ndarray, min_precision: float
) -> tuple[float, Counts, dict[str, dict[str, float]]]:
    """The threshold with the best F1 on the real items among those reaching `min_precision`
    there (the most precise one when none does), its counts, and the counts of every
    threshold tried."""
    on_real = rows.item < len(real)
    real_rows = rows.subset(on_real)
    results = [
        (t, counts(real, predicted_types(real, real_rows, probs[on_real], t))) for t in THRESHOLDS
    ]
    table = {f"{t:.2f}": c.as_dict() for t, c in results}
    reaching = [(t, c) for t, c in results if c.precision >= min_precision]
    if reaching:
        return (*max(reaching, key=lambda tc: (tc[1].f1, tc[0])), table)
    return (*max(results, key=lambda tc: (tc[1].precision, tc[0])), table)


def relevance_floor(
    prepared: Sequence[Prepared], scores: Sequence[Scored], predicted: Sequence[set[str]]
) -> tuple[float, dict[str, int]]:
    """The policy's relevance floor: a share (`RELEVANCE_MARGIN`) of the best score, from
    text models that never saw the item, of the items in which the tagger reports a right
    event (`predicted`, cross-validated), the lowest but a few outliers
    (`RELEVANCE_OUTLIERS`); and what the floor turns away of the items the gate passed."""
    right = [
        i for i, (p, types) in enumerate(zip(prepared, predicted, strict=True)) if types & p.gold
    ]
    tops = sorted(scores[i].item.top for i in right)
    lowest = tops[int(len(tops) * RELEVANCE_OUTLIERS)] if tops else 0.0
    floor = math.floor(lowest * RELEVANCE_MARGIN * 1000) / 1000
    under = [p for p, s in zip(prepared, scores, strict=True) if p.in_scope and s.item.top < floor]
    return floor, {
        "labelled_items": sum(1 for p in under if p.gold),
        "items_with_no_event": sum(1 for p in under if not p.gold),
        "items_with_a_right_event": sum(1 for i in right if scores[i].item.top < floor),
    }


def fold_with_paraphrased(
    own: Sequence[Prepared],
    real: Sequence[Prepared],
    own_items: Sequence[dict[str, Any]],
    real_items: Sequence[dict[str, Any]],
) -> None:
    """Put the items that tell one story in one fold, as the split puts them in one part: an
    own item that paraphrases a real one, and real items from one story. A held-out item whose
    twin was trained on flatters every text model, and the nearest-item input most."""
    every, items = [*real, *own], [*real_items, *own_items]
    for group in story_groups(items):
        for i in group:
            every[i].fold_key = every[group[0]].fold_key


def read_training(
    corpus: Path, own_files: Sequence[Path], unseen: Sequence[Path]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    """The corpus's train part, and the own items that paraphrase no held-back item (the
    corpus's test part and the unseen sets), with the count left out."""
    items = read_items(corpus, labelled=True)
    real = select(items, "train")
    held_back = select(items, "test") + [it for path in unseen for it in read_items(path)]
    own = [it for path in own_files for it in read_items(path, labelled=True)]
    close = near_duplicates(own, held_back)  # paraphrases would let the models recall them
    return real, [it for i, it in enumerate(own) if i not in close], len(close)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m extractors.learning.train", description=__doc__
    )
    parser.add_argument("--corpus", type=Path, default=default_corpus_path())
    parser.add_argument("--own", type=Path, nargs="*", default=list(OWN_FILES))
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    parser.add_argument("--folds", type=int, default=FOLDS)
    parser.add_argument("--min-precision", type=float, default=MIN_PRECISION)
    parser.add_argument(
        "--errors",
        type=Path,
        help="write the train part's cross-validated errors here (JSON lines), to study",
    )
    args = parser.parse_args(argv)
    if not args.corpus.exists():
        raise SystemExit(f"no labelled corpus at {args.corpus} (set ECONSEC_REAL_CORPUS)")
    real_items, own_items, left_out = read_training(args.corpus, args.own, UNSEEN_FILES)
    labels = list(event_types_by_code())
    every_item = real_items + own_items
    unknown = {e["type"] for it in every_item for e in it.get("labels", {}).get("events", [])}
    if unknown - set(labels):
        raise SystemExit(
            f"unknown event types in the training data: {sorted(unknown - set(labels))}"
        )
    note(
        f"preparing {len(real_items)} real and {len(own_items)} own items "
        f"({left_out} own items near a held-back item left out)"
    )
    real, own = prepare(real_items), prepare(own_items)
    fold_with_paraphrased(own, real, own_items, real_items)
    everything = real + own  # the real items first: rows of items below len(real) are real
    encoder = Encoder()
    scores = out_of_fold_scores(everything, labels, encoder, args.folds)
    rows = pairs(everything, scores)
    probs = out_of_fold_policy(everything, rows, args.folds)
    threshold, chosen, table = choose_threshold(real, rows, probs, args.min_precision)
    patterns_only = counts(real, [settled(p, p.events, p.events) for p in real])
    note(f"patterns alone {patterns_only.as_dict()}")
    note(f"with the classifier at {threshold} {chosen.as_dict()}")
    if args.errors:
        write_errors(args.errors, real, real_items, rows, probs, threshold)
        note(f"cross-validated errors written to {args.errors}")
    reported = predicted_types(everything, rows, probs, threshold)
    floor, turned_away = relevance_floor(everything, scores, reported)
    note(f"relevance floor {floor}: of the items the gate passed, turns away {turned_away}")
    weights, bias = fit_policy(rows)
    final = fit_text_model(everything, labels, embed(encoder, everything))
    final.save(args.out)
    policy = Policy(
        weights=weights,
        bias=bias,
        threshold=threshold,
        guess_floor=GUESS_FLOOR,
        relevance_floor=floor,
    )
    policy.write(
        args.out / POLICY_FILE,
        trained_on={
            "corpus_train_part": len(real),
            "own_items": len(own),
            "own_files": [path.name for path in args.own],
            "own_items_left_out_as_near_held_back": left_out,
        },
        cross_validated={
            "folds": args.folds,
            "min_precision": args.min_precision,
            "patterns_alone": patterns_only.as_dict(),
            "with_classifier": chosen.as_dict(),
            "relevance_floor_turns_away": turned_away,
            "by_threshold": table,
        },
    )
    note(f"saved to {args.out}")
    return 0


def write_errors(
    path: Path,
    real: Sequence[Prepared],
    real_items: Sequence[dict[str, Any]],
    rows: Pairs,
    probs: np.ndarray,
    threshold: float,
) -> None:
    """The real items the cross-validated tagger gets wrong, with what each stage said: the
    train part is the development split, so its errors are the ones to learn from."""
    on_real = rows.item < len(real)
    real_rows, real_probs = rows.subset(on_real), probs[on_real]
    predicted = predicted_types(real, real_rows, real_probs, threshold)
    chances: list[dict[str, float]] = [{} for _ in real]
    for code, i, prob in zip(real_rows.code, real_rows.item, real_probs, strict=True):
        chances[i][code] = round(float(prob), 3)
    with path.open("w", encoding="utf-8") as out:
        for p, item, types, chance in zip(real, real_items, predicted, chances, strict=True):
            if types == p.gold:
                continue
            record = {
                "id": p.item_id,
                "title": item.get("title", ""),
                "summary": item.get("summary", ""),
                "gold": sorted(p.gold),
                "predicted": sorted(types),
                "missed": sorted(p.gold - types),
                "wrong": sorted(types - p.gold),
                "in_scope": p.in_scope,
                "patterns": sorted({e.type for e in p.events}),
                "set_aside": sorted({e.type for e in p.candidates}),
                "policy": chance,
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def note(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
