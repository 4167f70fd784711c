"""Small builders for records, so tests say only what matters to them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from econsec.ingest.articles import content_hash
from econsec.models import Article, Event, stable_id

__all__ = ["article", "event", "stable_id"]


def article(n: int, *, title: str = "", summary: str = "", day: int = 1, **extra: Any) -> Article:
    title = title or f"Headline number {n}"
    fields: dict[str, Any] = {
        "id": stable_id(f"https://example.com/{n}"),
        "url": f"https://example.com/{n}",
        "feed": "wire",
        "source": "Wire",
        "title": title,
        "summary": summary,
        "published": datetime(2024, 5, day, 8, tzinfo=UTC),
        "fetched": datetime(2024, 6, 1, tzinfo=UTC),
        "content_hash": content_hash(title, summary),
        "story_id": "",
    }
    fields.update(extra)
    return Article(**fields)


def event(source: Article, type_: str, **extra: Any) -> Event:
    story = source.story_id or source.id
    fields: dict[str, Any] = {
        "id": stable_id(source.id, type_),
        "article_id": source.id,
        "type": type_,
        "category": type_.split(".")[0],
        "status": "enacted",
        "initiator": ["CN"],
        "countries": ["CN"],
        "technologies": ["critical_minerals"],
        "evidence": source.title,
        "confidence": 0.8,
        "title": source.title,
        "summary": source.summary,
        "url": source.url,
        "source": source.source,
        "feed": source.feed,
        "published": source.published,
        "story_id": story,
        "cluster_id": stable_id(story, type_),
    }
    fields.update(extra)
    return Event(**fields)
