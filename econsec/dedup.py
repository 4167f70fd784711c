"""Near-duplicate detection: syndicated copies and light rewrites share a story.

MinHash signatures of word shingles go into an LSH index; an article whose
estimated Jaccard similarity to an earlier one (within a time window) passes
the threshold joins that article's story. Signatures are kept in the store,
so a story can grow across cycles.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from datasketch import MinHash, MinHashLSH

NUM_PERM = 64
SCHEME = "affine32"  # stored signatures are only comparable under the scheme that made them
TOKEN = re.compile(r"[a-z0-9]+")
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "for",
        "and",
        "or",
        "by",
        "with",
        "at",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "its",
        "it",
        "that",
        "this",
        "has",
        "have",
        "had",
        "will",
        "would",
        "said",
        "says",
        "say",
    ]
)


def shingles(text: str, size: int = 2) -> set[str]:
    words = [w for w in TOKEN.findall(text.lower()) if w not in STOPWORDS]
    if len(words) < size:
        return set(words)
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def signature(text: str) -> MinHash:
    minhash = MinHash(num_perm=NUM_PERM, scheme=SCHEME)
    minhash.update_batch([s.encode("utf-8") for s in shingles(text)])
    return minhash


def to_bytes(minhash: MinHash) -> bytes:
    return bytes(np.asarray(minhash.hashvalues, dtype=np.uint64).tobytes())


def from_bytes(data: bytes) -> MinHash:
    values = np.frombuffer(data, dtype=np.uint64)
    return MinHash(num_perm=NUM_PERM, hashvalues=values, scheme=SCHEME)


@dataclass
class Known:
    """An article already placed in a story."""

    article_id: str
    story_id: str
    published: datetime
    minhash: MinHash


class StoryAssigner:
    """Assigns story ids, remembering every article it has seen."""

    def __init__(self, threshold: float, window: timedelta):
        self.threshold = threshold
        self.window = window
        self.lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self.known: dict[str, Known] = {}

    def add_known(self, items: Iterable[Known]) -> None:
        for item in items:
            if item.article_id not in self.known:
                self.known[item.article_id] = item
                self.lsh.insert(item.article_id, item.minhash)

    def assign(self, article_id: str, text: str, published: datetime) -> tuple[str, MinHash]:
        """The story id for a new article (its own id when it starts a story)."""
        if article_id in self.known:
            return self.known[article_id].story_id, self.known[article_id].minhash
        minhash = signature(text)
        best = self._best_match(minhash, published)
        story_id = best.story_id if best else article_id
        self.add_known([Known(article_id, story_id, published, minhash)])
        return story_id, minhash

    def _best_match(self, minhash: MinHash, published: datetime) -> Known | None:
        best: Known | None = None
        best_score = self.threshold
        for candidate_id in self.lsh.query(minhash):
            candidate = self.known[candidate_id]
            if abs(candidate.published - published) > self.window:
                continue
            score = minhash.jaccard(candidate.minhash)
            if score >= best_score:
                best, best_score = candidate, score
        return best
