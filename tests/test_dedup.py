from __future__ import annotations

from datetime import UTC, datetime, timedelta

from econsec.dedup import StoryAssigner, from_bytes, signature, to_bytes

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
