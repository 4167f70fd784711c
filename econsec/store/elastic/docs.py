"""The documents the Elasticsearch store writes, built from records, and records read back.

Every write action carries a stable `_id` (the article, event or feed id), so
writing the same thing twice never makes two documents.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from econsec.models import Article, Event, FeedResult, Quarantined, StoredSignature


def now() -> str:
    return datetime.now(UTC).isoformat()


def staged(article: Article, stamp: str) -> dict[str, Any]:
    """Create the article (409 if it is already there): it waits for the tagger."""
    source = {**article.model_dump(mode="json"), "staged_at": stamp}
    return {"_op_type": "create", "_id": article.id, "_source": source}


def created(event: Event, stamp: str) -> dict[str, Any]:
    """Create the event under its id (409 if a previous run stored it)."""
    source = {**event.model_dump(mode="json"), "created_at": stamp}
    return {"_op_type": "create", "_id": event.id, "_source": source}


def revised(hit: dict[str, Any], article: Article) -> dict[str, Any]:
    """A stored article's new text, in the concrete index it was found in: it waits for the
    tagger again (no `tagged_at`, no `indexed_at`)."""
    doc = {**article.model_dump(mode="json"), "tagged_at": None, "indexed_at": None}
    return {"_op_type": "update", "_index": hit["_index"], "_id": hit["_id"], "doc": doc}


def event_changed(hit: dict[str, Any], event: Event) -> dict[str, Any] | None:
    """The update that brings a stored event to `event`, or None when nothing changed; its
    `created_at` and `indexed_at` stay, so alert rules never read it as new again."""
    known = {k: v for k, v in hit["_source"].items() if k not in ("created_at", "indexed_at")}
    doc = event.model_dump(mode="json")
    if known == doc:
        return None
    return {"_op_type": "update", "_index": hit["_index"], "_id": hit["_id"], "doc": doc}


def deleted(hit: dict[str, Any]) -> dict[str, Any]:
    """Remove a stored event that a revision of its article no longer holds."""
    return {"_op_type": "delete", "_index": hit["_index"], "_id": hit["_id"]}


def tagged(
    article: Article,
    minhash: bytes,
    technologies: list[str],
    event_types: list[str],
    stamp: str,
    index: str | None = None,
) -> dict[str, Any]:
    """Mark the article tagged, with its story, signature and findings; it waits for indexing.
    `index` is the concrete index it is stored in (None: through the alias's write index)."""
    doc = {
        **article.model_dump(mode="json"),
        "minhash": base64.b64encode(minhash).decode("ascii") if minhash else None,
        "technologies": technologies,
        "event_types": event_types,
        "tagged_at": stamp,
        "indexed_at": None,
    }
    action = {"_op_type": "update", "_id": article.id, "doc": doc, "doc_as_upsert": True}
    return {**action, "_index": index} if index else action


def set_aside(item: Quarantined) -> dict[str, Any]:
    """Quarantine an article under its id (again: the newest reason wins)."""
    return {"_op_type": "index", "_id": item.article_id, "_source": item.model_dump(mode="json")}


def released(article_id: str) -> dict[str, Any]:
    """Take an article out of the quarantine: it waits for the tagger again."""
    return {"_op_type": "delete", "_id": article_id}


def indexed(hit: dict[str, Any], stamp: str) -> dict[str, Any]:
    """Mark a document searchable, in the concrete index it was found in (rollover-safe)."""
    doc = {"indexed_at": stamp}
    return {"_op_type": "update", "_index": hit["_index"], "_id": hit["_id"], "doc": doc}


def feed_state(
    result: FeedResult, etag: str | None, last_modified: str | None, previous: dict[str, Any]
) -> dict[str, Any]:
    """The feed document after a fetch; a failed fetch keeps the validators it had."""
    failed = result.status == "failed"
    return {
        "feed": result.feed,
        "url": result.url,
        "etag": etag or (previous.get("etag") if failed else None),
        "last_modified": last_modified or (previous.get("last_modified") if failed else None),
        "last_fetch": result.fetched_at.isoformat(),
        "status": result.status,
        "http_status": result.http_status,
        "entries": result.entries_found,
        "new_articles": result.new_articles,
        "error": result.error,
        "warning": result.warning,
        "consecutive_failures": int(previous.get("consecutive_failures", 0)) + 1 if failed else 0,
    }


def known(source: dict[str, Any]) -> StoredSignature | None:
    """A stored signature, for story assignment; None for an article tagged without one."""
    if not source.get("minhash"):
        return None
    published = datetime.fromisoformat(source["published"])
    signature = base64.b64decode(source["minhash"])
    return StoredSignature(source["id"], source.get("story_id", ""), published, signature)
