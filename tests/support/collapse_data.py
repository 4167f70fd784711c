"""Events made to be awkward for a collapse, and the straightforward collapse to compare
with (read every hit of the window, group in order), shared by the collapse and the
concurrency tests.

Many events share a publication second (ties are broken by address), some carry sub-second
times (the index keeps seconds), some have no cluster (they stand for themselves, and one's
id is another's cluster), and they lie in several segments, with deleted documents among them.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import tantivy

from econsec.models import SortOrder
from econsec.store.embedded.store import EmbeddedStore
from econsec.store.embedded.tantivy_index import TantivyIndex
from econsec.store.hits import EventHit, Outlet, parse_instant
from tests.support import factories

WORDS = ["gallium", "germanium", "chip", "tools", "lithium", "graphite", "ban", "curbs"]
COUNTRIES = ["China", "Japan", "Korea", "Netherlands"]
OUTLETS = ["Wire", "Other outlet", "Metals Daily", "Chip Weekly", "Policy Post"]
TYPES = ["export_control.ban", "export_control.restriction", "investment_screening.review"]
START = datetime(2024, 5, 1, 8, tzinfo=UTC)
SECONDS = [START + timedelta(minutes=7 * n) for n in range(45)]  # few distinct: many ties


def events(count: int, seed: int) -> list[dict[str, Any]]:
    """Stories of one to four copies, as the tag stage indexes them."""
    rng = random.Random(seed)
    made: list[dict[str, Any]] = []
    while len(made) < count:
        story_n = len(made)
        first = factories.article(100_000 + story_n, title=_headline(rng))
        type_ = rng.choice(TYPES)
        cluster = factories.stable_id(first.id, type_)
        for copy in range(rng.choice((1, 1, 2, 3, 4))):
            made.append(_event(rng, story_n * 10 + copy, first.id, type_, cluster, copy))
    return made[:count]


def _headline(rng: random.Random) -> str:
    return f"{rng.choice(COUNTRIES)} {' '.join(rng.sample(WORDS, rng.randint(1, 4)))}"


def _event(
    rng: random.Random, n: int, story: str, type_: str, cluster: str, copy: int
) -> dict[str, Any]:
    published = rng.choice(SECONDS)
    if rng.random() < 0.2:  # finer than the index keeps
        published += timedelta(microseconds=rng.randrange(1, 999_999))
    article = factories.article(
        n,
        title=_headline(rng),
        summary=" ".join(rng.choices(WORDS, k=rng.randint(0, 12))),
        published=published,
        source=rng.choice(OUTLETS),
        story_id=story,
    )
    event = factories.event(article, type_, story_id=story, cluster_id=cluster)
    if copy == 0 and rng.random() < 0.3:  # the story's first event, indexed before clustering:
        # no cluster, and its id is the cluster of its copies
        event = event.model_copy(update={"id": cluster, "cluster_id": ""})
    elif rng.random() < 0.05:  # a lone event, no cluster at all
        event = event.model_copy(update={"cluster_id": ""})
    if rng.random() < 0.1:  # the same outlet and link twice in one cluster
        event = event.model_copy(update={"source": "Wire", "url": "https://example.com/same"})
    return event.model_dump(mode="json")


def write(store: EmbeddedStore, sources: list[dict[str, Any]], batches: int) -> None:
    """Several commits (segments), then some documents written again (deletions)."""
    size = -(-len(sources) // batches)
    for start in range(0, len(sources), size):
        store.events_index.upsert(sources[start : start + size])
    store.events_index.upsert(sources[::7])


def reference(
    index: TantivyIndex, query: tantivy.Query, order: SortOrder, offset: int, limit: int, size: int
) -> tuple[int, int, list[EventHit]]:
    """Read the window's every document and group them in order: the old way."""
    hits = index.search(query, limit=size, order=order)
    groups: dict[str, list[dict[str, Any]]] = {}
    for doc in hits.docs:
        groups.setdefault(doc.get("cluster_id") or doc["id"], []).append(doc)
    collapsed = [_story(copies) for copies in groups.values()]
    return hits.total, len(collapsed), collapsed[offset : offset + limit]


def _story(copies: list[dict[str, Any]]) -> EventHit:
    outlets: list[Outlet] = []
    for doc in copies:
        outlet = Outlet(doc.get("source", ""), doc.get("url", ""))
        if outlet not in outlets:
            outlets.append(outlet)
    dates = sorted(filter(None, (parse_instant(doc.get("published")) for doc in copies)))
    return replace(
        EventHit.from_source(copies[0]),
        sources=tuple(outlets),
        event_ids=tuple(doc["id"] for doc in copies),
        published=dates[0],
        updated=dates[-1] if dates[-1] > dates[0] else None,
    )
