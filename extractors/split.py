"""A fixed train/test split of a labelled set, so real-text figures stay honest.

The real-news corpus is read where it lies (it belongs to its publishers and is never copied
into the project). Its items are split by a hash of their id, stratified by their first event
category (negatives are their own stratum): within each stratum the items are ordered by the
hash and every fourth goes to the test part. Nothing is random and nothing depends on the
order of the file, so every run, machine and tool agrees on which items are held back; the
tagger is tuned and trained on the train part only, and figures are quoted on the test part.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

Part = Literal["train", "test", "all"]
PARTS: tuple[Part, ...] = ("train", "test", "all")
TEST_EVERY = 4  # one item in four is held back
TEST_SLOT = 1
CORPUS_ENV = "ECONSEC_REAL_CORPUS"
NEGATIVE = "none"


def default_corpus_path() -> Path:
    """`$ECONSEC_REAL_CORPUS`, else `shared/corpus/realnews.jsonl` beside the checkout."""
    configured = os.environ.get(CORPUS_ENV)
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2] / "shared" / "corpus" / "realnews.jsonl"


def stratum(item: dict[str, Any]) -> str:
    """The category of the item's first event, or `none` for a negative."""
    events = item.get("labels", {}).get("events", [])
    return str(events[0]["type"]).split(".")[0] if events else NEGATIVE


def _key(item_id: str) -> str:
    return hashlib.sha256(item_id.encode("utf-8")).hexdigest()


def held_back_ids(items: Iterable[dict[str, Any]]) -> set[str]:
    """Ids of the held-back items (see module docstring)."""
    strata: dict[str, list[str]] = {}
    for item in items:
        strata.setdefault(stratum(item), []).append(str(item["id"]))
    held: set[str] = set()
    for ids in strata.values():
        ordered = sorted(ids, key=_key)
        held.update(i for k, i in enumerate(ordered) if k % TEST_EVERY == TEST_SLOT)
    return held


def select(items: Sequence[dict[str, Any]], part: Part) -> list[dict[str, Any]]:
    """The items of one part, in file order (`all` gives every item)."""
    if part == "all":
        return list(items)
    held = held_back_ids(items)
    return [it for it in items if (str(it["id"]) in held) == (part == "test")]
