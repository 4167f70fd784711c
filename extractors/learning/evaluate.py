"""Evaluation of the tagger on labelled items (format and scoring: eval/README.md).

Per item the set of predicted event types is compared with the labelled set
(two mentions of one type count once). Micro precision/recall/F1 run over
all items, negatives included; the same counts restricted to one type or one
category give the per-type and per-category rows. Technologies are scored
the same way. For each correctly typed event, the initiator is right when
the predicted and labelled sets share a member (or both are empty), and the
status when it matches.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ..resources import DataFileError, iter_jsonl
from ..taxonomy import CODES, TECHNOLOGIES
from ..types import TagResult

STATUSES = ("planned", "enacted")


class Tagger(Protocol):
    def tag_many(self, items: Iterable[tuple[str, str]]) -> Iterable[TagResult]: ...


def read_items(path: str | Path, labelled: bool = False) -> list[dict[str, Any]]:
    """Items of a JSONL file; a malformed line raises ValueError naming file, line and field.
    `labelled` asks every item for labels in the eval format (eval/README.md) as well."""
    items = []
    for lineno, item in iter_jsonl(Path(path)):
        if not isinstance(item, dict) or not isinstance(item.get("title"), str):
            raise DataFileError(f"{path}:{lineno}: expected an object with a 'title'")
        if labelled:
            problem = label_problem(item)
            if problem:
                raise DataFileError(f"{path}:{lineno}: {problem}")
        items.append(item)
    return items


def label_problem(item: dict[str, Any]) -> str:
    """What is wrong with an item's labels for scoring ('' when nothing is)."""
    labels = item.get("labels")
    if not isinstance(labels, dict):
        return "no 'labels' object: scoring needs labelled items (use `econsec tag` to predict)"
    events = labels.get("events")
    if not isinstance(events, list):
        return "'labels.events' must be a list (empty for an item with no event)"
    for k, event in enumerate(events):
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            return f"'labels.events[{k}]' must be an object with a 'type'"
        unknown = _unknown(f"labels.events[{k}].type", event["type"], CODES)
        if unknown:
            return unknown
        if "status" in event and event["status"] not in STATUSES:
            return f"'labels.events[{k}].status' must be one of {', '.join(STATUSES)}"
    technologies = labels.get("technologies", [])
    if not isinstance(technologies, list) or not all(isinstance(t, str) for t in technologies):
        return "'labels.technologies' must be a list of codes"
    for k, technology in enumerate(technologies):
        unknown = _unknown(f"labels.technologies[{k}]", technology, TECHNOLOGIES)
        if unknown:
            return unknown
    return ""


def _unknown(where: str, code: str, codes: tuple[str, ...]) -> str:
    """Why a label is not a taxonomy code ('' when it is): scored against predictions
    that can never carry it, it would only lower recall, and silently."""
    if code in codes:
        return ""
    nearest = difflib.get_close_matches(code, codes, n=1, cutoff=0.75)
    hint = f"did you mean {nearest[0]}?" if nearest else "`econsec taxonomy` lists the codes"
    return f"'{where}' {code!r} is not in the taxonomy; {hint}"


def predict(tagger: Tagger, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Predictions in the eval prediction format, in input order."""
    pairs = ((it.get("title", ""), it.get("summary", "")) for it in items)
    return [
        prediction(it.get("id", ""), r) for it, r in zip(items, tagger.tag_many(pairs), strict=True)
    ]


def prediction(item_id: str, result: TagResult) -> dict[str, Any]:
    """One prediction line for one TagResult."""
    events = [
        {
            "type": e.type,
            "status": e.status,
            "initiator": e.initiator,
            "target": e.target,
            "confidence": e.confidence,
            "evidence": e.evidence,
        }
        for e in result.events
    ]
    return {
        "id": item_id,
        "events": events,
        "technologies": result.technologies,
        "in_scope": result.in_scope,
    }


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, gold: set[str], pred: set[str]) -> None:
        self.tp += len(gold & pred)
        self.fp += len(pred - gold)
        self.fn += len(gold - pred)

    def prf(self) -> dict[str, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {
            "precision": p,
            "recall": r,
            "f1": f,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "support": self.tp + self.fn,
        }


CALIBRATION_BANDS = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


def _band(confidence: float) -> int:
    """Index of the band holding `confidence` (below 0.5 goes to the first, 1.0 to the last)."""
    for k, upper in enumerate(CALIBRATION_BANDS[1:-1]):
        if confidence < upper:
            return k
    return len(CALIBRATION_BANDS) - 2


def calibration(
    items: list[dict[str, Any]], predictions: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Precision of predicted event types per confidence band, with counts."""
    preds = {p.get("id"): p for p in predictions}
    right = [0] * (len(CALIBRATION_BANDS) - 1)
    total = [0] * (len(CALIBRATION_BANDS) - 1)
    for item in items:
        gold = _types(item["labels"]["events"])
        for event in preds.get(item.get("id"), {}).get("events", []):
            k = _band(float(event.get("confidence", 0.0)))
            total[k] += 1
            right[k] += event["type"] in gold
    bands = zip(CALIBRATION_BANDS, CALIBRATION_BANDS[1:], right, total, strict=False)
    return [
        {
            "band": f"{lo:.1f}-{hi:.1f}",
            "predicted": n,
            "correct": ok,
            "precision": ok / n if n else None,
        }
        for lo, hi, ok, n in bands
    ]


def _types(events: list[dict[str, Any]]) -> set[str]:
    return {e["type"] for e in events}


def _by_type(events: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {e["type"]: e for e in events}


def score(items: list[dict[str, Any]], predictions: list[dict[str, Any]]) -> dict[str, Any]:
    """All figures of eval/README.md, as a dict (see format_report for a table)."""
    preds = {p.get("id"): p for p in predictions}
    micro, tech = Counts(), Counts()
    per_type: dict[str, Counts] = {}
    per_cat: dict[str, Counts] = {}
    matched = initiator_ok = target_ok = status_ok = negatives = false_alarms = 0
    in_scope = gate_passed = gate_known = 0
    negatives_gated = negatives_passed = 0
    for item in items:
        pred = preds.get(item.get("id"), {"events": [], "technologies": []})
        gold_events = item["labels"]["events"]
        gold, got = _types(gold_events), _types(pred.get("events", []))
        micro.add(gold, got)
        for code in gold | got:
            per_type.setdefault(code, Counts()).add(gold & {code}, got & {code})
        for cat in {c.split(".")[0] for c in gold | got}:
            in_cat = {c for c in gold | got if c.split(".")[0] == cat}
            per_cat.setdefault(cat, Counts()).add(gold & in_cat, got & in_cat)
        tech.add(set(item["labels"].get("technologies", [])), set(pred.get("technologies", [])))
        g_by, p_by = _by_type(gold_events), _by_type(pred.get("events", []))
        for code in gold & got:
            matched += 1
            initiator_ok += _initiator_right(g_by[code], p_by[code])
            target_ok += _role_right(g_by[code], p_by[code], "target")
            status_ok += g_by[code].get("status") == p_by[code].get("status")
        if not gold_events:
            negatives += 1
            false_alarms += bool(got)
            if "in_scope" in pred:
                negatives_gated += 1
                negatives_passed += bool(pred["in_scope"])
        else:
            in_scope += 1
            if "in_scope" in pred:
                gate_known += 1
                gate_passed += bool(pred["in_scope"])
    return {
        "items": len(items),
        "micro": micro.prf(),
        "per_type": {k: v.prf() for k, v in sorted(per_type.items())},
        "per_category": {k: v.prf() for k, v in sorted(per_cat.items())},
        "technologies": tech.prf(),
        "matched_events": matched,
        "initiator_accuracy": initiator_ok / matched if matched else 0.0,
        "target_accuracy": target_ok / matched if matched else 0.0,
        "status_accuracy": status_ok / matched if matched else 0.0,
        "negatives": negatives,
        "false_alarm_rate": false_alarms / negatives if negatives else 0.0,
        "in_scope_items": in_scope,
        "gate_recall": gate_passed / gate_known if gate_known else None,
        "gate_pass_rate_negatives": (
            negatives_passed / negatives_gated if negatives_gated else None
        ),
        "calibration": calibration(items, predictions),
    }


def _initiator_right(gold: dict[str, Any], pred: dict[str, Any]) -> bool:
    return _role_right(gold, pred, "initiator")


def _role_right(gold: dict[str, Any], pred: dict[str, Any], role: str) -> bool:
    """The sets share a member, or both are empty (eval/README.md)."""
    g, p = set(gold.get(role, [])), set(pred.get(role, []))
    return bool(g & p) or (not g and not p)


def _row(name: str, prf: dict[str, float]) -> str:
    return (
        f"{name:<40} {prf['precision']:>6.3f} {prf['recall']:>6.3f} {prf['f1']:>6.3f}"
        f" {prf['support']:>5d} {prf['tp']:>4d} {prf['fp']:>4d} {prf['fn']:>4d}"
    )


def format_report(scores: dict[str, Any]) -> str:
    """A plain-text table of the figures `score` returns."""
    head = f"{'':<40} {'P':>6} {'R':>6} {'F1':>6} {'supp':>5} {'tp':>4} {'fp':>4} {'fn':>4}"
    lines = [
        f"items: {scores['items']}  (negatives: {scores['negatives']}, "
        f"in scope: {scores['in_scope_items']})",
        "",
        head,
        _row("micro (event types)", scores["micro"]),
        _row("technologies", scores["technologies"]),
        "",
        "per category",
        head,
    ]
    lines += [_row(f"  {k}", v) for k, v in scores["per_category"].items()]
    lines += ["", "per type", head]
    lines += [_row(f"  {k}", v) for k, v in scores["per_type"].items()]
    gate = scores["gate_recall"]
    passed = scores.get("gate_pass_rate_negatives")
    lines += [
        "",
        f"initiator accuracy (on {scores['matched_events']} correctly typed events): "
        f"{scores['initiator_accuracy']:.3f}",
        f"target accuracy: {scores['target_accuracy']:.3f}",
        f"status accuracy: {scores['status_accuracy']:.3f}",
        f"false-alarm rate on negatives: {scores['false_alarm_rate']:.3f}",
        f"gate recall on in-scope items: {'n/a' if gate is None else f'{gate:.3f}'}",
        f"gate pass rate on negatives: {'n/a' if passed is None else f'{passed:.3f}'}",
    ]
    lines += [
        "",
        "calibration (predicted event types per confidence band)",
        f"{'  band':<12} {'predicted':>9} {'correct':>7} {'precision':>9}",
    ]
    lines += [_calibration_row(row) for row in scores.get("calibration", [])]
    return "\n".join(lines)


def _calibration_row(row: dict[str, Any]) -> str:
    p = row["precision"]
    shown = "-" if p is None else f"{p:.3f}"
    return f"  {row['band']:<10} {row['predicted']:>9d} {row['correct']:>7d} {shown:>9}"
