"""What the API and the pages show, read once from the store: both render these."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from econsec.alerts.backtest import backtest
from econsec.alerts.conditions import format_duration, parse_duration
from econsec.alerts.notify import labels
from econsec.alerts.rules import Rule, load_rules
from econsec.errors import ConfigError
from econsec.ingest.subscriptions import SubscriptionBook
from econsec.models import Alert, PushState, SearchQuery
from econsec.store.hits import ArticleHit, EventHit, SearchResult, iso
from econsec.store.protocols import Store
from econsec.vocabulary import EVENT_FIELDS
from econsec.web.safety import mark

TIMELINE_SERIES = 6  # the biggest categories get a colour each; the rest is "other"
LONGEST_BACKTEST = timedelta(days=3660)


def search_events(store: Store, query: SearchQuery) -> SearchResult[EventHit]:
    """One page of stories with facets."""
    result = store.search(query)
    if query.facets:
        result.facets.update(sibling_facets(store, query))
    return result


def hit_json(hit: EventHit) -> dict[str, Any]:
    """A story as the API gives it: its fields, and the evidence as HTML with the matched
    words in `<b>` (`evidence_html`)."""
    return {**hit.to_json(), "evidence_html": str(mark(hit.evidence, hit.highlights or ()))}


def sibling_facets(store: Store, query: SearchQuery) -> dict[str, dict[str, int]]:
    """A chosen facet's counts as if it were not chosen (the other filters all held), so
    that its other values stay in view and can be added: values of one facet are OR'ed,
    facets AND'ed, as in Kibana. One count-only search per facet with a value chosen."""
    counting = query.model_copy(update={"limit": 0, "offset": 0, "collapse": False})
    found: dict[str, dict[str, int]] = {}
    for field, facet in EVENT_FIELDS.items():
        if getattr(query, field):
            without = store.search(counting.model_copy(update={field: []}))
            found[facet] = without.facets.get(facet, {})
    return found


def every_story(store: Store, query: SearchQuery, most: int, page: int) -> list[EventHit]:
    """The first `most` stories of a search, read `page` at a time (an export)."""
    hits: list[EventHit] = []
    while len(hits) < most:
        wanted = min(page, most - len(hits))
        found = store.search(query.model_copy(update={"offset": len(hits), "limit": wanted}))
        hits += found.hits
        if len(found.hits) < wanted:
            break
    return hits


def months_between(first: str, last: str) -> list[str]:
    """Every month from `first` to `last` (both `YYYY-MM-01`), so empty months show as 0."""
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while f"{year:04d}-{month:02d}-01" <= last:
        months.append(f"{year:04d}-{month:02d}-01")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def timeline(store: Store, query: SearchQuery, facets: dict[str, dict[str, int]]) -> dict[str, Any]:
    """Events a month for the biggest categories of the search (one count-only search
    each: the facets give months or categories, not both), and the rest as "other"."""
    by_month = facets.get("published", {})
    if not by_month:
        return {"months": [], "series": []}
    months = months_between(min(by_month), max(by_month))
    ranked = sorted(facets.get("category", {}).items(), key=lambda kv: (-kv[1], kv[0]))
    if query.categories:  # the facet lists the other categories too (`sibling_facets`)
        ranked = [(name, n) for name, n in ranked if name in query.categories]
    counting = query.model_copy(update={"limit": 0, "offset": 0, "collapse": False})
    counts: dict[str, list[int]] = {}
    for category, _ in ranked[:TIMELINE_SERIES]:
        one = store.search(counting.model_copy(update={"categories": [category]}))
        monthly = one.facets.get("published", {})
        counts[category] = [monthly.get(m, 0) for m in months]
    rest = [by_month.get(m, 0) - sum(c[i] for c in counts.values()) for i, m in enumerate(months)]
    if any(rest):
        counts["other"] = rest
    return {"months": months, "series": [{"name": n, "counts": c} for n, c in counts.items()]}


@dataclass(frozen=True, slots=True)
class StorySource:
    """An article of an event's story, and whether the tagger found the event in it."""

    article: ArticleHit
    reports_event: bool

    def to_json(self) -> dict[str, Any]:
        a = self.article
        keys = {"id": a.id, "source": a.source, "feed": a.feed, "url": a.url, "title": a.title}
        return {**keys, "published": iso(a.published) or "", "reports_event": self.reports_event}


@dataclass(frozen=True, slots=True)
class EventStory:
    """An event and every article of its story; `first` and `updated` date the story as
    the search dates it (its first report, and its latest when later)."""

    event: EventHit
    sources: list[StorySource]
    outlets: int
    first: datetime | None
    updated: datetime | None

    def to_json(self) -> dict[str, Any]:
        return {
            "event": self.event.to_json(),
            "sources": [source.to_json() for source in self.sources],
            "outlets": self.outlets,
            "first": iso(self.first) or "",
            "updated": iso(self.updated) or "",
        }


def event_story(store: Store, event_id: str) -> EventStory | None:
    """An event and every article of its story, each saying whether it reported this event."""
    event = store.get_event(event_id)
    if event is None:
        return None
    articles = store.story_articles(event.story_id) if event.story_id else []
    if not articles:  # an event indexed without a story stands for its own article
        articles = [_own_article(event)]
    sources = [StorySource(a, event.type in a.event_types) for a in articles]
    outlets = len({(a.source, a.feed) for a in articles})
    dates = sorted(d for d in [event.published, *(a.published for a in articles)] if d)
    first = dates[0] if dates else None
    updated = dates[-1] if dates and first and dates[-1] > first else None
    return EventStory(event, sources, outlets, first, updated)


def _own_article(event: EventHit) -> ArticleHit:
    return ArticleHit(
        id=event.article_id,
        url=event.url,
        feed=event.feed,
        source=event.source,
        title=event.title,
        summary=event.summary,
        published=event.published,
        story_id=event.story_id,
        technologies=event.technologies,
        event_types=(event.type,),
    )


# alerts ---------------------------------------------------------------------------


def rule_summary(rule: Rule) -> dict[str, Any]:
    """A rule as analysts may see it: channels by label, never their URLs (secrets)."""
    return {
        "name": rule.name,
        "description": rule.description,
        "query": rule.query,
        "filters": rule.filters.model_dump(mode="json", exclude_defaults=True),
        "condition": rule.condition.model_dump(mode="json"),
        "group_by": rule.grouping,
        "realert": format_duration(rule.realert),
        "digest": rule.digest,
        "channels": list(labels(rule.notify)),
        "enabled": rule.enabled,
        "file": rule.path.name if rule.path else None,
    }


def find_rule(folder: Path, name: str) -> Rule:
    """A rule of the folder by name or file stem. Unlike `alerts.find_rule`, never a
    path: a request must not make the server read files outside the rules folder."""
    for rule in load_rules(folder):
        if name in (rule.name, rule.path.stem if rule.path else None):
            return rule
    raise LookupError(f"no rule named {name!r} in {folder}")


def run_backtest(store: Store, rule: Rule, since: str) -> dict[str, Any]:
    """`econsec alerts test`: what the rule would have fired; nothing recorded or sent."""
    window = parse_duration(since)
    if window > LONGEST_BACKTEST:
        raise ValueError(f"backtest at most {LONGEST_BACKTEST.days}d back, not {since}")
    return backtest(store, rule, window).summary()


def alert_history(store: Store, rule: str | None, text: str | None, limit: int) -> list[Alert]:
    state = store.alert_state()
    try:
        return state.history(rule or None, limit, text or None)
    finally:
        state.close()


def rules_or_error(folder: Path) -> tuple[list[Rule], str | None]:
    """The rules, or none and the reason, for a page that shows the rest anyway."""
    try:
        return load_rules(folder), None
    except ConfigError as exc:
        return [], str(exc)


@dataclass(frozen=True)
class PushView:
    """Each subscribed feed's push subscription (`GET /api/feeds` gives them as they are),
    or why they cannot be read."""

    states: dict[str, PushState]
    error: str | None = None

    @property
    def labels(self) -> dict[str, str]:
        """The feeds page's push column, by feed."""
        return {feed: _push_label(state) for feed, state in self.states.items()}

    @property
    def pushing(self) -> int:
        return sum(state.active for state in self.states.values())


def push_view(book: SubscriptionBook, now: datetime) -> PushView:
    """The feeds page still shows the feeds when the state file is unreadable."""
    try:
        current = book.current_by_feed()
    except (sqlite3.Error, OSError) as exc:
        return PushView({}, f"push subscriptions unreadable at {book.path}: {exc}")
    return PushView(
        {
            feed: PushState(
                state=sub.state,
                active=sub.active(now),
                expires_at=sub.expires_at,
                pushes=sub.pushes,
                last_push_at=sub.last_push_at,
                error=sub.error,
            )
            for feed, sub in current.items()
        }
    )


def _push_label(push: PushState) -> str:
    if push.active:
        until = f" until {push.expires_at:%Y-%m-%d %H:%M}" if push.expires_at else ""
        return f"pushed{until}, {push.pushes} push{'' if push.pushes == 1 else 'es'}"
    state = "lease ended" if push.state == "verified" else push.state
    if push.error:  # the hub's refusal already names the state ("denied: ...")
        return push.error if push.error.startswith(state) else f"{state}: {push.error}"
    return state
