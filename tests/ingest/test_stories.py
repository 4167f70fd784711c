from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from datasketch import MinHash

from econsec.ingest.stories import (
    NUM_PERM,
    PERMUTATIONS,
    REPRESENTATIVES,
    SCHEME,
    StoryAssigner,
    from_bytes,
    shingles,
    signature,
    to_bytes,
)
from econsec.models import StoredSignature, TaggedArticle
from econsec.store.embedded.store import EmbeddedStore
from tests.support import factories

DAY = datetime(2024, 7, 3, tzinfo=UTC)
WIRE = (
    "China to restrict exports of gallium and germanium from August. "
    "The commerce ministry said exporters will need licences to ship the two metals, "
    "which are used in chipmaking, citing national security."
)
REWRITE = (
    "Beijing restricts gallium, germanium exports. "
    "The commerce ministry said exporters will need licences to ship the two metals, "
    "which are used in chipmaking, citing national security, from August."
)
OTHER = (
    "Netherlands widens curbs on ASML tool sales. The Dutch government said more deep "
    "ultraviolet lithography systems will need an export licence from September."
)


def test_copies_and_rewrites_share_a_story_unrelated_news_does_not() -> None:
    assigner = StoryAssigner(threshold=0.5, window=timedelta(days=14))
    first, _ = assigner.assign("a1", WIRE, DAY)
    copy, _ = assigner.assign("a2", WIRE, DAY + timedelta(hours=2))
    rewrite, _ = assigner.assign("a3", REWRITE, DAY + timedelta(hours=5))
    other, _ = assigner.assign("a4", OTHER, DAY)
    assert first == "a1"
    assert copy == rewrite == "a1"
    assert other == "a4"


def test_time_window_separates_old_stories() -> None:
    assigner = StoryAssigner(threshold=0.5, window=timedelta(days=14))
    assigner.assign("a1", WIRE, DAY)
    later, _ = assigner.assign("a2", WIRE, DAY + timedelta(days=60))
    assert later == "a2"


def test_signature_roundtrip_bytes() -> None:
    minhash = signature(WIRE)
    assert from_bytes(to_bytes(minhash)).jaccard(minhash) == 1.0


def test_reassigning_a_known_article_is_stable() -> None:
    assigner = StoryAssigner(threshold=0.5, window=timedelta(days=14))
    assigner.assign("a1", WIRE, DAY)
    assigner.assign("a2", WIRE, DAY)
    assert assigner.assign("a2", WIRE, DAY)[0] == "a1"


# --- bounded work: representatives, time slices, ties -------------------------------------

WINDOW = timedelta(days=14)


def sketch(values: np.ndarray) -> MinHash:
    """A signature with chosen hash values, so a test can set exactly which positions (and so
    which LSH bands) two articles share."""
    return MinHash(num_perm=NUM_PERM, hashvalues=values, permutations=PERMUTATIONS, scheme=SCHEME)


BASE = np.arange(1, NUM_PERM + 1, dtype=np.uint32)


def variant(keep: slice, salt: int) -> np.ndarray:
    """BASE with every position outside `keep` replaced by values no other variant has."""
    values = BASE + np.uint32(salt * 1000)
    values[keep] = BASE[keep]
    return values


def test_shared_permutations_leave_signatures_unchanged() -> None:
    drawn_afresh = MinHash(num_perm=NUM_PERM, scheme=SCHEME)
    drawn_afresh.update_batch([s.encode("utf-8") for s in shingles(WIRE)])
    assert list(signature(WIRE).hashvalues) == list(drawn_afresh.hashvalues)


def test_a_signature_of_another_size_is_refused_with_the_reason() -> None:
    with pytest.raises(ValueError, match=f"holds 32 hash values where {NUM_PERM} are expected"):
        from_bytes(np.zeros(32, dtype=np.uint64).tobytes())


def test_a_thousand_syndicated_copies_make_one_story_at_bounded_cost() -> None:
    assigner = StoryAssigner(threshold=0.5, window=WINDOW)
    stories, per_article = set(), []
    for n in range(1000):
        before = assigner.comparisons
        story, _ = assigner.assign(f"c{n}", f"{WIRE} Report {n}.", DAY + timedelta(minutes=n))
        stories.add(story)
        per_article.append(assigner.comparisons - before)
    assert stories == {"c0"}
    assert len(assigner.representatives["c0"]) <= REPRESENTATIVES
    # each copy meets at most the story's representatives, once to look up, once to file it
    assert max(per_article) <= 2 * REPRESENTATIVES
    assert per_article[-1] == per_article[500]  # no growth with the story's size


def test_near_repeats_replace_their_representative_with_the_newest() -> None:
    assigner = StoryAssigner(threshold=0.5, window=WINDOW)
    for n in range(100):  # 60 of 64 positions shared: estimated Jaccard 0.94
        copy = sketch(variant(slice(0, 60), salt=n))
        assigner.place(f"c{n:03d}", copy, DAY + timedelta(hours=n))
    assert [known.article_id for known in assigner.representatives["c000"]] == ["c099"]
    assert assigner.comparisons == 2 * 99  # one lookup and one filing per copy after the first


def test_history_outside_the_window_is_never_compared() -> None:
    assigner = StoryAssigner(threshold=0.5, window=WINDOW)
    for n in range(300):
        assigner.assign(f"old{n}", f"{WIRE} Report {n}.", DAY + timedelta(hours=n))
    late = DAY + timedelta(days=100)
    assert assigner.lsh.query(signature(WIRE), late) == set()  # not even looked up
    assert assigner.lsh.query(signature(WIRE), DAY + timedelta(days=20))  # the recent ones are
    before = assigner.comparisons
    assert assigner.assign("late", WIRE, late)[0] == "late"
    assert assigner.comparisons == before


@pytest.mark.parametrize(
    ("gap", "joins"),
    [(WINDOW, True), (WINDOW + timedelta(seconds=1), False), (-WINDOW, True), (-WINDOW * 2, False)],
)
def test_the_window_holds_both_ways_across_slices(gap: timedelta, joins: bool) -> None:
    assigner = StoryAssigner(threshold=0.5, window=WINDOW)
    assigner.assign("first", WIRE, DAY)
    story, _ = assigner.assign("second", WIRE, DAY + gap)
    assert (story == "first") is joins


@pytest.mark.parametrize(
    ("variants", "joins"), [(REPRESENTATIVES - 1, True), (REPRESENTATIVES, False)]
)
def test_a_match_only_with_a_member_no_longer_represented_starts_a_story(
    variants: int, joins: bool
) -> None:
    """The documented corner case: `late` passes the threshold against the story's first
    article only; once the story has more distinct variants than the cap, the first article
    (published longest ago) is no longer searched, and `late` starts a story of its own."""
    assigner = StoryAssigner(threshold=0.5, window=WINDOW)
    first = sketch(BASE)
    assigner.place("first", first, DAY)
    for n in range(variants):  # each shares 40 of 64 positions with `first`, 40 with each other
        assigner.place(f"v{n:02d}", sketch(variant(slice(0, 40), salt=n + 1)), DAY)
    late = variant(slice(40, 64), salt=99)
    late[:8] = BASE[:8]
    assert sketch(late).jaccard(first) == 0.5
    assert assigner.place("late", sketch(late), DAY + timedelta(hours=1)) == (
        "first" if joins else "late"
    )


@pytest.mark.parametrize("publication_order", [("b", "a"), ("a", "b")])
def test_a_tie_goes_to_the_earliest_published_story(publication_order: tuple[str, str]) -> None:
    other = BASE + np.uint32(5000)
    halves = {"a": sketch(BASE), "b": sketch(other)}
    assigner = StoryAssigner(threshold=0.5, window=WINDOW)
    for hours, name in enumerate(publication_order):
        assigner.place(name, halves[name], DAY + timedelta(hours=hours))
    both = np.concatenate([BASE[:32], other[32:]])  # half of each: 0.5 against either
    assert assigner.place("x", sketch(both), DAY + timedelta(hours=5)) == publication_order[0]


def test_stories_grow_across_cycles_through_the_store(store: EmbeddedStore) -> None:
    first = factories.article(1, title="Gallium curbs", summary=WIRE, day=3)
    copy = factories.article(2, title="Gallium curbs", summary=WIRE, day=4)
    store.stage_articles([first])
    earlier = StoryAssigner(threshold=0.5, window=WINDOW)
    story, minhash = earlier.assign(first.id, first.text, first.published)
    store.save_tagged(
        [TaggedArticle(first.model_copy(update={"story_id": story}), to_bytes(minhash), [])], []
    )
    later = StoryAssigner(threshold=0.5, window=WINDOW)
    later.add_known(store.known_signatures(copy.published - WINDOW))
    assert later.assign(copy.id, copy.text, copy.published)[0] == first.id


def test_a_stored_article_without_a_story_stands_for_itself() -> None:
    assigner = StoryAssigner(threshold=0.5, window=WINDOW)
    assigner.add_known([StoredSignature("k1", "", DAY, to_bytes(signature(WIRE)))])
    assert assigner.assign("k2", WIRE, DAY)[0] == "k1"
