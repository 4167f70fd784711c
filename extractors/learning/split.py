"""A fixed train/test split of a labelled set, so real-text figures stay honest.

The real-news corpus is read where it lies (it belongs to its publishers and is never copied
into the project). Its items are split by a hash of their id, stratified by their first event
category (negatives are their own stratum): within each stratum the items are ordered by the
hash and every fourth goes to the test part. Nothing is random and nothing depends on the
order of the file, so every run, machine and tool agrees on which items are held back; the
tagger is tuned and trained on the train part only, and figures are quoted on the test part.

Several outlets tell the same story in nearly the same words; an item whose words overlap
another's by NEAR_DUPLICATE (word-set Jaccard) or more goes to the same part as it (the part
of its group's first item by hash), so that no story is read in training and quoted in test.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

Part = Literal["train", "test", "all"]
PARTS: tuple[Part, ...] = ("train", "test", "all")
TEST_EVERY = 4  # one item in four is held back
TEST_SLOT = 1
CORPUS_ENV = "ECONSEC_REAL_CORPUS"
NEGATIVE = "none"
NEAR_DUPLICATE = 0.3
WORD = re.compile(r"[a-z0-9]+")


def default_corpus_path() -> Path:
    """`$ECONSEC_REAL_CORPUS`, else `shared/corpus/realnews.jsonl` beside the checkout."""
    configured = os.environ.get(CORPUS_ENV)
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[3] / "shared" / "corpus" / "realnews.jsonl"


def stratum(item: dict[str, Any]) -> str:
    """The category of the item's first event, or `none` for a negative."""
    events = item.get("labels", {}).get("events", [])
    return str(events[0]["type"]).split(".")[0] if events else NEGATIVE


def _key(item_id: str) -> str:
    return hashlib.sha256(item_id.encode("utf-8")).hexdigest()


def held_back_ids(items: Iterable[dict[str, Any]]) -> set[str]:
    """Ids of the held-back items (see module docstring)."""
    items = list(items)
    strata: dict[str, list[str]] = {}
    for item in items:
        strata.setdefault(stratum(item), []).append(str(item["id"]))
    held: set[str] = set()
    for ids in strata.values():
        ordered = sorted(ids, key=_key)
        held.update(i for k, i in enumerate(ordered) if k % TEST_EVERY == TEST_SLOT)
    for group in story_groups(items):
        story = {str(items[i]["id"]) for i in group}
        if min(story, key=_key) in held:
            held |= story
        else:
            held -= story
    return held


def word_set(item: dict[str, Any]) -> frozenset[str]:
    return frozenset(WORD.findall(f"{item.get('title', '')} {item.get('summary', '')}".lower()))


def close_pairs(
    items: Sequence[dict[str, Any]],
    others: Sequence[dict[str, Any]],
    threshold: float = NEAR_DUPLICATE,
) -> list[tuple[int, int]]:
    """(i, k) for every item i of `items` and k of `others` whose word sets overlap by
    `threshold` (Jaccard) or more, in order; an empty item overlaps nothing. One sparse
    product finds them all, so a corpus against itself costs a second, not a quadratic loop."""
    import numpy as np
    from scipy.sparse import csr_matrix

    vocabulary: dict[str, int] = {}

    def incidence(sets: list[frozenset[str]]) -> Any:
        rows = [i for i, words in enumerate(sets) for _ in words]
        cols = [vocabulary.setdefault(w, len(vocabulary)) for words in sets for w in words]
        return np.ones(len(rows)), (rows, cols)

    mine = [word_set(item) for item in items]
    theirs = [word_set(item) for item in others]
    x_data, y_data = incidence(mine), incidence(theirs)
    x = csr_matrix(x_data, (len(mine), len(vocabulary)))
    y = csr_matrix(y_data, (len(theirs), len(vocabulary)))
    shared = (x @ y.T).tocoo()
    union = (
        np.array([len(mine[i]) for i in shared.row], np.float64)
        + np.array([len(theirs[k]) for k in shared.col], np.float64)
        - shared.data
    )
    close = shared.data >= threshold * union
    return sorted(zip(shared.row[close].tolist(), shared.col[close].tolist(), strict=True))


def near_duplicates(
    items: Sequence[dict[str, Any]],
    others: Sequence[dict[str, Any]],
    threshold: float = NEAR_DUPLICATE,
) -> dict[int, int]:
    """For each item of `items` that overlaps an item of `others` (see `close_pairs`), the
    index of the first such item: a paraphrase of the same real event."""
    first: dict[int, int] = {}
    for i, k in close_pairs(items, others, threshold):
        first.setdefault(i, k)
    return first


def story_groups(
    items: Sequence[dict[str, Any]], threshold: float = NEAR_DUPLICATE
) -> list[list[int]]:
    """Indices of items that tell one story (overlap `threshold` or more, transitively);
    groups of two or more only."""
    parent = list(range(len(items)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in close_pairs(items, items, threshold):
        if i < j:
            parent[root(i)] = root(j)
    groups: dict[int, list[int]] = {}
    for i in range(len(items)):
        groups.setdefault(root(i), []).append(i)
    return [group for group in groups.values() if len(group) > 1]


def select(items: Sequence[dict[str, Any]], part: Part) -> list[dict[str, Any]]:
    """The items of one part, in file order (`all` gives every item)."""
    if part == "all":
        return list(items)
    held = held_back_ids(items)
    return [it for it in items if (str(it["id"]) in held) == (part == "test")]
