"""Near-duplicate detection: syndicated copies and light rewrites share a story.

MinHash signatures of word shingles go into an LSH index; an article whose
estimated Jaccard similarity to an earlier one (within a time window) passes
the threshold joins that article's story. Signatures are kept in the store,
so a story can grow across cycles.

The work per article is bounded, however large the stories or long the history:

- The LSH index is split into slices of time one window wide, and a lookup reads only the
  slices that can hold articles within the window of its date: nothing outside the window is
  ever a candidate, and the window is checked again exactly before any similarity is computed.
- A story is searched through at most `REPRESENTATIVES` of its members. A new member that
  nearly repeats one of them (estimated Jaccard of `SAME_VARIANT` or more, e.g. another
  syndicated copy) takes its place when it is newer, so a story of a thousand copies stays one
  or a few representatives; a member unlike all of them becomes one, and past the cap the one
  published longest ago makes way.
- Similarities are computed for all candidates in one numpy operation (the same figures as
  `MinHash.jaccard`).

What this decides, where it differs from comparing with every earlier article:

- An article joins a story when it passes the threshold against one of the story's
  representatives. One that would pass only against a member no longer represented starts a
  story of its own: a member that gave way to a near repeat (which is at most
  1 - `SAME_VARIANT` less similar to the article), or one of a story with more distinct
  variants within the window than the cap.
- Among candidates passing the threshold the highest similarity wins; a tie goes to the
  earliest published (then the smallest article id). Comparing with every article left ties
  to set order, so the result could change from one run to the next.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from datasketch import MinHash, MinHashLSH

from econsec.models import StoredSignature

NUM_PERM = 64
SCHEME = "affine32"  # stored signatures are only comparable under the scheme that made them
REPRESENTATIVES = 32  # members of one story that a new article is compared with, at most
SAME_VARIANT = 0.9  # a member this similar to a representative can stand in for it
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


# Drawn once and shared: drawing them again for every MinHash cost more than hashing the text.
# They are what any MinHash of this scheme and seed would draw, so signatures do not change.
PERMUTATIONS = MinHash(num_perm=NUM_PERM, scheme=SCHEME).permutations


def signature(text: str) -> MinHash:
    minhash = MinHash(num_perm=NUM_PERM, scheme=SCHEME, permutations=PERMUTATIONS)
    minhash.update_batch([s.encode("utf-8") for s in shingles(text)])
    return minhash


def to_bytes(minhash: MinHash) -> bytes:
    return bytes(np.asarray(minhash.hashvalues, dtype=np.uint64).tobytes())


def from_bytes(data: bytes) -> MinHash:
    values = np.frombuffer(data, dtype=np.uint64)
    if len(values) != NUM_PERM:
        raise ValueError(
            f"a stored signature holds {len(values)} hash values where {NUM_PERM} are expected; "
            "it was made with another NUM_PERM and cannot be compared"
        )
    return MinHash(num_perm=NUM_PERM, hashvalues=values, permutations=PERMUTATIONS, scheme=SCHEME)


@dataclass
class Known:
    """An article already placed in a story."""

    article_id: str
    story_id: str
    published: datetime
    minhash: MinHash


def similarities(minhash: MinHash, others: Sequence[Known]) -> np.ndarray:
    """Estimated Jaccard against each of `others` in one array operation; the same figures
    as `MinHash.jaccard`, without a Python call per pair."""
    stacked = np.stack([other.minhash.hashvalues for other in others])
    return np.count_nonzero(stacked == minhash.hashvalues, axis=1) / NUM_PERM


class WindowedLSH:
    """MinHash LSH banding (bands and rows as datasketch's `MinHashLSH` chooses them for the
    threshold) with one set of band tables per slice of time one window wide: a lookup reads
    only the slices that can hold articles within the window of its date, so old news is never
    a candidate however long the history."""

    def __init__(self, threshold: float, window: timedelta):
        chosen = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self.bands = [slice(start, end) for start, end in chosen.hashranges]
        self.window = window.total_seconds()
        self.width = max(self.window, 1.0)  # a zero window still needs slices to fall in
        self.slices: dict[int, list[dict[bytes, set[str]]]] = {}

    def _keys(self, minhash: MinHash) -> list[bytes]:
        return [minhash.hashvalues[band].tobytes() for band in self.bands]

    def _slice(self, published: datetime) -> int:
        return int(published.timestamp() // self.width)

    def insert(self, item: Known) -> None:
        number = self._slice(item.published)
        tables = self.slices.setdefault(number, [{} for _ in self.bands])
        for table, key in zip(tables, self._keys(item.minhash), strict=True):
            table.setdefault(key, set()).add(item.article_id)

    def remove(self, item: Known) -> None:
        number = self._slice(item.published)
        tables = self.slices[number]
        for table, key in zip(tables, self._keys(item.minhash), strict=True):
            bucket = table[key]
            bucket.discard(item.article_id)
            if not bucket:
                del table[key]
        if not tables[0]:
            del self.slices[number]

    def query(self, minhash: MinHash, published: datetime) -> set[str]:
        span = timedelta(seconds=self.window)
        first, last = self._slice(published - span), self._slice(published + span)
        keys = self._keys(minhash)
        found: set[str] = set()
        for number in range(first, last + 1):
            if number in self.slices:
                for table, key in zip(self.slices[number], keys, strict=True):
                    found.update(table.get(key, ()))
        return found


class StoryAssigner:
    """Assigns story ids; every article it has seen is remembered, but only a story's
    representatives are searched (see the module docstring)."""

    def __init__(self, threshold: float, window: timedelta):
        self.threshold = threshold
        self.window = window
        self.lsh = WindowedLSH(threshold, window)
        self.known: dict[str, Known] = {}
        self.representatives: dict[str, list[Known]] = {}  # by story id
        self.comparisons = 0  # similarities computed, to check that the work stays bounded

    def add_known(self, items: Iterable[StoredSignature]) -> None:
        """Articles placed earlier (from the store); their stories' representatives are
        chosen in order of publication, as if they had been assigned here."""
        fresh = {item.article_id: item for item in items if item.article_id not in self.known}
        for item in sorted(fresh.values(), key=lambda stored: stored.published):
            story = item.story_id or item.article_id  # tagged without a story: its own
            self._remember(Known(item.article_id, story, item.published, from_bytes(item.minhash)))

    def assign(self, article_id: str, text: str, published: datetime) -> tuple[str, MinHash]:
        """The story id for a new article (its own id when it starts a story) and its signature;
        an article seen before keeps the story it was given."""
        if article_id in self.known:
            return self.known[article_id].story_id, self.known[article_id].minhash
        minhash = signature(text)
        return self.place(article_id, minhash, published), minhash

    def place(self, article_id: str, minhash: MinHash, published: datetime) -> str:
        """`assign` for an article whose signature is already made."""
        if article_id in self.known:
            return self.known[article_id].story_id
        best = self._best_match(minhash, published)
        story_id = best.story_id if best else article_id
        self._remember(Known(article_id, story_id, published, minhash))
        return story_id

    def _best_match(self, minhash: MinHash, published: datetime) -> Known | None:
        candidates = [
            candidate
            for candidate in map(self.known.__getitem__, self.lsh.query(minhash, published))
            if abs(candidate.published - published) <= self.window
        ]
        if not candidates:
            return None
        scores = similarities(minhash, candidates)
        self.comparisons += len(candidates)
        top = scores.max()
        if top < self.threshold:
            return None
        tied = (
            candidate for candidate, score in zip(candidates, scores, strict=True) if score == top
        )
        return min(tied, key=lambda candidate: (candidate.published, candidate.article_id))

    def _remember(self, item: Known) -> None:
        """Record a placed article and keep its story's representatives current and few."""
        self.known[item.article_id] = item
        members = self.representatives.setdefault(item.story_id, [])
        if members:
            scores = similarities(item.minhash, members)
            self.comparisons += len(members)
            closest = int(scores.argmax())
            if scores[closest] >= SAME_VARIANT:
                if item.published >= members[closest].published:  # stays in the window longer
                    self.lsh.remove(members[closest])
                    members[closest] = item
                    self.lsh.insert(item)
                return
        members.append(item)
        self.lsh.insert(item)
        if len(members) > REPRESENTATIVES:
            oldest = min(range(len(members)), key=lambda i: members[i].published)
            self.lsh.remove(members.pop(oldest))
