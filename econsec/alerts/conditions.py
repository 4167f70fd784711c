"""Rule conditions: `any`, `frequency`, `spike`, `new_value`, `cardinality`, `flatline`.

One contract for all (events in, matches out): `matches(events, ctx)` gets the
rule's events indexed since its checkpoint and returns one `Match` per group
that should alert. Each condition is a pydantic model declaring its own
options, so the schema error for a wrong option names it.

Counting is by story (`story_id`), never by article or by type, so ten
outlets syndicating one announcement count once, and so does an article
tagged with two types (its events share the story but not the `cluster_id`,
which is one per story and type). Time windows are measured on `published`,
so the same rule gives the same answer on old and new events.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import product
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from econsec.store.hits import EventHit
from econsec.store.protocols import AlertState, Learned
from econsec.timeparse import LONGEST, format_duration, parse_duration

FieldName = Literal[
    "type",
    "category",
    "status",
    "initiator",
    "target",
    "partner",
    "countries",
    "technologies",
    "source",
    "feed",
    "story_id",
    "cluster_id",
]
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
History = Callable[[datetime | None, datetime | None], list[EventHit]]


@dataclass
class Match:
    """A group that should alert, with one event per story as evidence."""

    group: str
    events: list[EventHit]
    title: str
    summary: str = ""
    event_ids: list[str] = field(default_factory=list)  # every copy; default: the evidence


@dataclass
class Context:
    """What a condition may look at besides the new events."""

    rule: str
    group_by: tuple[str, ...]  # the fields alerts are grouped on; none: one group, `all`
    now: datetime
    history: History  # the rule's events published in [since, until]
    state: AlertState
    learned: dict[str, Learned] = field(default_factory=dict)  # saved with the alerts


def published(event: EventHit) -> datetime:
    """When the event was published; one whose stored date does not parse counts as the
    earliest (the epoch), so that it never looks new."""
    return event.published or EPOCH


def values(event: EventHit, name: str) -> list[str]:
    return [value for value in event.values(name) if value]


def story_key(event: EventHit) -> str:
    """The event's story: `story_id`; events stored before it was kept fall back to their
    cluster, and an event with neither is a story of its own."""
    return event.story


def group_keys(event: EventHit, name: str) -> list[str]:
    """The event's values of one grouping field; a story or cluster of its own when it has
    none, `(none)` for any other field."""
    keys = values(event, name)
    if name == "story_id" and not keys:
        keys = [story_key(event)]
    if name == "cluster_id" and not keys:
        keys = [event.id]
    return keys or ["(none)"]


def by_group(events: Iterable[EventHit], names: Sequence[str]) -> dict[str, list[EventHit]]:
    """`field=value` groups, `initiator=CN,type=…` on several fields (an event with two
    initiators is in both of its groups); `all` when ungrouped."""
    groups: dict[str, list[EventHit]] = {}
    for event in events:
        combinations = product(*(group_keys(event, name) for name in names))
        labels = [_label(names, keys) for keys in combinations] if names else ["all"]
        for label in labels:
            groups.setdefault(label, []).append(event)
    return groups


def _label(names: Sequence[str], keys: Sequence[str]) -> str:
    return ",".join(f"{name}={key}" for name, key in zip(names, keys, strict=True))


def stories(events: Iterable[EventHit]) -> list[EventHit]:
    """One event per story, oldest first."""
    seen: dict[str, EventHit] = {}
    for event in sorted(events, key=published):
        seen.setdefault(story_key(event), event)
    return list(seen.values())


def within(events: list[EventHit], start: datetime, end: datetime) -> list[EventHit]:
    return stories(e for e in events if start < published(e) <= end)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word.replace('y', 'ie')}s"


class ConditionBase(BaseModel):
    model_config = ConfigDict(extra="forbid")
    default_group_by: ClassVar[str | None] = None
    every_run: ClassVar[bool] = False  # tested at each run, new events or none

    @abstractmethod
    def matches(self, events: list[EventHit], ctx: Context) -> list[Match]:
        """The groups this condition fires for among the rule's new `events`."""


class AnyCondition(ConditionBase):
    """Every new event alerts, once per group (by default once per story, whatever its
    types; `group_by: cluster_id` alerts once per story and type)."""

    type: Literal["any"]
    default_group_by: ClassVar[str | None] = "story_id"

    def matches(self, events: list[EventHit], ctx: Context) -> list[Match]:
        found = []
        for group, members in by_group(events, ctx.group_by).items():
            told = stories(members)
            reports = len({e.article_id or e.id for e in members})
            summary = f"{_plural(len(told), 'story')} in {_plural(reports, 'report')}"
            ids = [e.id for e in members]
            found.append(Match(group, told, told[-1].title, summary, ids))
        return found


class WindowCondition(ConditionBase):
    """A count of stories in a time window, tested at each new event's moment."""

    window: timedelta
    shorten: ClassVar[str] = "window"  # the options that set how far back it reads

    @field_validator("window", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> timedelta:
        return parse_duration(value)

    @model_validator(mode="after")
    def _within_reach(self) -> WindowCondition:
        """Refused here, not in every run: the stores cannot read back before 1677."""
        try:
            reach = self.reach
        except OverflowError:  # a baseline of a billion windows
            raise ValueError(
                f"looks back more than any date ({format_duration(self.window)} windows: "
                f"shorten {self.shorten}); at most 100y"
            ) from None
        if reach > LONGEST:
            windows = round(reach / self.window)
            raise ValueError(
                f"looks back {format_duration(reach)} ({windows} windows of "
                f"{format_duration(self.window)}: shorten {self.shorten}); at most 100y"
            )
        return self

    def matches(self, events: list[EventHit], ctx: Context) -> list[Match]:
        if not events:
            return []
        around = self._history(events, ctx)
        found = []
        for group, members in by_group(events, ctx.group_by).items():
            for moment in sorted({published(e) for e in members}, reverse=True):
                hit = self._test(moment, around.get(group, []))
                if hit:
                    found.append(Match(group, hit.events, hit.title, hit.summary))
                    break
        return found

    def _history(self, events: list[EventHit], ctx: Context) -> dict[str, list[EventHit]]:
        """The rule's events around the new ones (new ones included), grouped."""
        times = [published(e) for e in events]
        past = ctx.history(min(times) - self.reach, max(times))
        merged = {e.id: e for e in [*past, *events]}
        return by_group(merged.values(), ctx.group_by)

    @property
    def span(self) -> timedelta:
        return self.window

    @property
    def reach(self) -> timedelta:
        """How far before its new events a run reads the rule's history: each new
        event's moment is tested with `span` behind it, so one window more."""
        return self.span + self.window

    @abstractmethod
    def _test(self, moment: datetime, history: list[EventHit]) -> Match | None:
        """A match when the window ending at `moment` over `history` meets the condition."""


class FrequencyCondition(WindowCondition):
    """At least `count` stories within `window` (all together unless `group_by` says)."""

    type: Literal["frequency"]
    count: int = Field(ge=1)

    def _test(self, moment: datetime, history: list[EventHit]) -> Match | None:
        told = within(history, moment - self.window, moment)
        if len(told) < self.count:
            return None
        title = f"{len(told)} stories within {format_duration(self.window)}"
        return Match("", told, title, f"threshold {self.count}")


class SpikeCondition(WindowCondition):
    """The stories in `window` reach `factor` times the usual count: the mean of the
    `baseline_windows` windows before it, or a fixed `baseline`; at least `min_count`.
    A measured baseline counts only once the rule's history reaches back before it,
    so the first events ever seen are not a spike."""

    type: Literal["spike"]
    shorten: ClassVar[str] = "window or baseline_windows"
    factor: float = Field(gt=0)
    baseline_windows: int = Field(4, ge=1)
    baseline: float | None = Field(None, ge=0)
    min_count: int = Field(3, ge=1)

    @model_validator(mode="after")
    def _one_baseline(self) -> SpikeCondition:
        if self.baseline is not None and "baseline_windows" in self.model_fields_set:
            raise ValueError("give baseline_windows or baseline, not both")
        return self

    @property
    def span(self) -> timedelta:
        return self.window * (1 if self.baseline is not None else self.baseline_windows + 1)

    def _test(self, moment: datetime, history: list[EventHit]) -> Match | None:
        told = within(history, moment - self.window, moment)
        usual = self.baseline
        if usual is None and not any(published(e) <= moment - self.span for e in history):
            return None  # the rule's history does not yet reach back over the baseline
        if usual is None:
            before = within(history, moment - self.span, moment - self.window)
            usual = len(before) / self.baseline_windows
        if len(told) < self.min_count or len(told) < self.factor * usual:
            return None
        title = f"{len(told)} stories within {format_duration(self.window)}"
        return Match("", told, title, f"usually {usual:.1f} per {format_duration(self.window)}")


class CardinalityCondition(WindowCondition):
    """At least `min_distinct` distinct values of `field` among the stories in `window`
    ("3 or more countries impose export bans within 30 days"); ElastAlert's
    `cardinality` with `min_cardinality`, counted on stories."""

    type: Literal["cardinality"]
    field: FieldName
    min_distinct: int = Field(ge=2)

    def _test(self, moment: datetime, history: list[EventHit]) -> Match | None:
        start = moment - self.window
        inside = [e for e in history if start < published(e) <= moment]
        seen = sorted({v for e in inside for v in values(e, self.field)})
        if len(seen) < self.min_distinct:
            return None
        told = stories(inside)
        title = f"{len(seen)} distinct {self.field} within {format_duration(self.window)}"
        return Match("", told, title, f"{', '.join(seen)} (at least {self.min_distinct})")


class FlatlineCondition(WindowCondition):
    """Fewer than `threshold` stories within the `window` before each run: a feed, a
    country or a category goes quiet (ElastAlert's `flatline`). It is tested at every
    run, since silence brings no new event. A group (or the whole rule, ungrouped) is
    watched while it had stories in the window before that one, so what was never heard
    of does not alert, and a quiet spell alerts once: a window later it is no longer
    watched (and `realert` holds repeats back meanwhile)."""

    type: Literal["flatline"]
    threshold: int = Field(ge=1)
    every_run: ClassVar[bool] = True

    def matches(self, events: list[EventHit], ctx: Context) -> list[Match]:
        past = ctx.history(ctx.now - self.reach, ctx.now)
        found = []
        for group, members in by_group(past, ctx.group_by).items():
            hit = self._test(ctx.now, members)
            if hit:
                found.append(Match(group, hit.events, hit.title, hit.summary))
        return found

    def _test(self, moment: datetime, history: list[EventHit]) -> Match | None:
        start = moment - self.window
        before = within(history, start - self.window, start)
        told = within(history, start, moment)
        if not before or len(told) >= self.threshold:
            return None
        window = format_duration(self.window)
        title = f"{_plural(len(told), 'story')} within {window}" if told else f"quiet for {window}"
        summary = f"fewer than {self.threshold}; {len(before)} in the {window} before"
        return Match("", told or before[-1:], title, summary)


class NewValueCondition(ConditionBase):
    """A value of `field` no earlier event of the rule had. The first run learns every
    value already in the store, and nothing fires for events published in the first
    `warmup` of the rule's history, so starting a rule never floods."""

    type: Literal["new_value"]
    field: FieldName
    warmup: timedelta = timedelta(days=30)

    @field_validator("warmup", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> timedelta:
        return parse_duration(value)

    def matches(self, events: list[EventHit], ctx: Context) -> list[Match]:
        learned = ctx.state.learned(ctx.rule, self.field) or self._learn(events, ctx)
        seen = set(learned.values)
        found = []
        for event in sorted(events, key=published):
            fresh = [v for v in values(event, self.field) if v not in seen]
            seen.update(fresh)
            if published(event) >= learned.warm_until:
                title = event.title
                found += [
                    Match(f"{self.field}={v}", [event], title, f"first {self.field} {v}")
                    for v in fresh
                ]
        ctx.learned[self.field] = Learned(seen, learned.warm_until)
        return found

    def _learn(self, events: list[EventHit], ctx: Context) -> Learned:
        """Values of every older event (not the new ones); the warm-up starts with history."""
        new = {e.id for e in events}
        past = [e for e in ctx.history(None, ctx.now) if e.id not in new]
        start = min((published(e) for e in [*past, *events]), default=ctx.now)
        known = {v for e in past for v in values(e, self.field)}
        return Learned(known, start + self.warmup)


Condition = Annotated[
    AnyCondition
    | FrequencyCondition
    | SpikeCondition
    | NewValueCondition
    | CardinalityCondition
    | FlatlineCondition,
    Field(discriminator="type"),
]
