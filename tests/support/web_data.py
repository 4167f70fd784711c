"""What the web tests search: five stories over ten months, one told by three outlets, two
feeds (one failing) and one alert rule; written through the store as the pipeline does."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from econsec.models import Article, Event, FeedResult, TaggedArticle
from econsec.store import Store
from tests.support import factories

BAN_STORY_OUTLETS = ["Wire", "Other outlet", "Metals Daily"]
# a channel whose URL holds a password: the web shows its label, never the URL
SECRET = "hunter2-secret-password"
RULES: dict[str, dict[str, Any]] = {
    "gallium-watch": {
        "name": "gallium-watch",
        "description": "Any export ban on gallium.",
        "query": "gallium",
        "filters": {"categories": ["export_control"]},
        "condition": {"type": "any"},
    },
    "steel-deals": {
        "name": "steel-deals",
        "description": "Partnerships of steel makers.",
        "query": "steel",
        "condition": {"type": "any"},
        "notify": [f"json://analyst:{SECRET}@127.0.0.1:9/hook"],
    },
}


def when(year: int, month: int, day: int, hour: int = 8) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def articles() -> dict[str, Article]:
    ban = factories.article(1, title="China bans gallium exports to the US", day=3)
    return {
        "ban": ban.model_copy(update={"story_id": ban.id}),
        "copy": factories.article(
            2,
            title="China bans gallium exports to the US",
            published=when(2024, 5, 3, 9),
            source="Other outlet",
            feed="other",
            story_id=ban.id,
        ),
        "prices": factories.article(
            3,
            title="Gallium prices jump after the export ban",
            published=when(2024, 5, 4),
            source="Metals Daily",
            feed="metals",
            story_id=ban.id,
        ),
        "curbs": factories.article(
            4, title="Japan curbs chip tool sales", published=when(2024, 6, 5)
        ),
        "steel": factories.article(
            5, title="Nippon Steel signs a partnership with US Steel", published=when(2024, 12, 18)
        ),
        "review": factories.article(
            6, title="EU screens a takeover of a chip plant", published=when(2025, 2, 10)
        ),
        "rain": factories.article(7, title="Rain expected in Osaka", published=when(2025, 2, 11)),
    }


def events(found: dict[str, Article]) -> dict[str, Event]:
    ban_cluster = factories.stable_id(found["ban"].id, "export_control.ban")
    evidence = "China will ban exports of gallium and germanium to the United States."
    return {
        "ban": factories.event(
            found["ban"], "export_control.ban", target=["US"], evidence=evidence
        ),
        "copy": factories.event(
            found["copy"],
            "export_control.ban",
            story_id=found["ban"].id,
            cluster_id=ban_cluster,
            evidence=evidence,
        ),
        "curbs": factories.event(
            found["curbs"],
            "export_control.restriction",
            initiator=["JP"],
            countries=["JP"],
            technologies=["semiconductors"],
            status="planned",
            confidence=0.45,
        ),
        "steel": factories.event(
            found["steel"],
            "partnership.agreement",
            initiator=["Nippon Steel", "US Steel"],
            countries=["JP", "US"],
            technologies=["advanced_materials"],
        ),
        "review": factories.event(
            found["review"],
            "investment_screening.review",
            initiator=["EU"],
            target=["CN"],
            countries=["EU", "CN"],
            technologies=["semiconductors"],
        ),
    }


def fill(store: Store) -> dict[str, Event]:
    """Stage, tag and index the articles and events; record the two feeds' last fetches."""
    found = articles()
    store.stage_articles(list(found.values()))
    made = events(found)
    store.save_tagged([TaggedArticle(a, b"", []) for a in found.values()], list(made.values()))
    store.index_pending()
    fetched = when(2025, 3, 1)
    store.record_feed(
        FeedResult(feed="wire", url="https://wire.example/feed", status="ok", fetched_at=fetched),
        None,
        None,
    )
    failed = FeedResult(
        feed="metals",
        url="https://metals.example/rss",
        status="failed",
        http_status=503,
        error="HTTP 503 Service Unavailable",
        fetched_at=fetched,
    )
    store.record_feed(failed, None, None)
    return made


def write_rules(folder: Path, rules: dict[str, dict[str, Any]] = RULES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, options in rules.items():
        (folder / f"{name}.yaml").write_text(yaml.safe_dump(options), encoding="utf-8")
    return folder
