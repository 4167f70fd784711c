"""Running rules: new events in, alerts recorded, then delivered.

Each run of a rule reads the events indexed since its checkpoint, reaching
back `LOOKBACK` before it for events stamped before the checkpoint but made
visible after it (those already evaluated are skipped by id). A rule's first
run looks at the last `FIRST_RUN` only, so adding a rule to a big store never
replays its whole history. Matches are grouped; a group fires at most once
per `realert`. A silenced rule or group drops its matches, as ElastAlert's
`--silence` does: they are neither recorded nor delivered, their events count
as evaluated, and realert is left alone (the run reports how many). Alerts
are committed with the checkpoint before any delivery, so a crash or a
failing channel never loses one: undelivered channels are retried on every
later run, digests wait for their hour or day to close. A runner claims each
message's alerts before sending it (a `LEASE` by compare-and-set in the
store), so two runners at once deliver each alert once, and a crashed
runner's claims run out and are retried.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta, tzinfo
from functools import partial
from pathlib import Path
from typing import Any

from econsec.alerts import notify
from econsec.alerts.conditions import Context, Match
from econsec.alerts.rules import Rule, RuleSet, read_rules
from econsec.errors import EconsecError
from econsec.models import Alert, Delivery, stable_id
from econsec.store.hits import EventHit
from econsec.store.protocols import AlertState, Learned, Store

LOOKBACK = timedelta(hours=1)
FIRST_RUN = timedelta(days=1)
LEASE = timedelta(minutes=10)  # a claimed alert waits this long for its runner
EVIDENCE_FIELDS = (
    "id",
    "type",
    "status",
    "title",
    "evidence",
    "url",
    "source",
    "published",
    "initiator",
    "target",
    "countries",
    "story_id",
    "cluster_id",
)


@dataclass
class RuleRun:
    """What one rule did in one run."""

    rule: str
    events: int = 0
    fired: list[Alert] = field(default_factory=list)
    suppressed: int = 0
    silenced: int = 0
    error: str | None = None


@dataclass
class RunReport:
    started: datetime
    rules: list[RuleRun] = field(default_factory=list)
    deliveries: Counter[str] = field(default_factory=Counter)

    @property
    def alerts(self) -> list[Alert]:
        return [alert for run in self.rules for alert in run.fired]

    @property
    def errors(self) -> dict[str, str]:
        return {run.rule: run.error for run in self.rules if run.error}


def utcnow() -> datetime:
    return datetime.now(UTC)


def make_alert(rule: Rule, match: Match, now: datetime) -> Alert:
    events = match.events
    return Alert(
        id=stable_id(rule.name, match.group, now.isoformat()),
        rule=rule.name,
        group=match.group,
        condition=rule.condition.type,
        title=match.title,
        summary=match.summary,
        count=len(events),
        cluster_id=events[-1].cluster_id if events else "",
        event_ids=match.event_ids or [e.id for e in events],
        evidence=[evidence(e) for e in events],
        fired_at=now,
        digest=rule.digest,
        deliveries=[Delivery(channel=label) for label in notify.labels(rule.notify)],
    )


def evidence(event: EventHit) -> dict[str, Any]:
    """What an alert keeps of one event, as its JSON gives it (dates as ISO strings)."""
    found = event.to_json()
    return {name: found.get(name) for name in EVIDENCE_FIELDS}


@dataclass
class Evaluation:
    """What a rule's new events gave: alerts, matches held back by realert or dropped by
    a silence, and the values a `new_value` condition learned."""

    alerts: list[Alert] = field(default_factory=list)
    held: int = 0
    silenced: int = 0
    learned: dict[str, Learned] = field(default_factory=dict)


def evaluate(
    store: Store, state: AlertState, rule: Rule, events: list[EventHit], now: datetime
) -> Evaluation:
    """Alerts for new events, what realert and silences kept back, and values learned."""
    history = partial(rule.history, store)
    ctx = Context(rule.name, rule.group_fields, now, history, state)
    found = Evaluation(learned=ctx.learned)
    tested = events or rule.condition.every_run
    matches = rule.condition.matches(events, ctx) if tested else []
    quiet = {s.group for s in state.silences(now, rule.name)} if matches else set()
    for match in matches:
        last = state.last_fired(rule.name, match.group)
        if "" in quiet or match.group in quiet:
            found.silenced += 1
        elif last is not None and now - last < rule.realert:
            found.held += 1
        else:
            found.alerts.append(make_alert(rule, match, now))
    return found


def run_rule(store: Store, state: AlertState, rule: Rule, now: datetime) -> RuleRun:
    """One rule over the events indexed since its checkpoint; commits the outcome."""
    checkpoint = state.checkpoint(rule.name)
    since = checkpoint - LOOKBACK if checkpoint else now - FIRST_RUN
    fresh = rule.events(store, indexed_since=since, indexed_until=now)
    done = state.processed(rule.name, [e.id for e in fresh])
    events = [e for e in fresh if e.id not in done]
    found = evaluate(store, state, rule, events, now)
    state.commit(
        rule.name,
        alerts=found.alerts,
        processed=[e.id for e in events],
        checkpoint=now,
        learned=found.learned,
        forget_before=now - 2 * LOOKBACK,
    )
    return RuleRun(rule.name, len(events), found.alerts, found.held, found.silenced)


def run_rules(
    store: Store,
    rules: list[Rule],
    state: AlertState,
    *,
    now: datetime | None = None,
    sender: notify.Sender = notify.send,
) -> RunReport:
    """Every enabled rule, then every delivery that is due; one bad rule stops no other.

    Alerts a crashed run committed but did not finish writing are recovered first (the
    state's `undelivered` does that), before any rule commits over them. A store that
    fails during delivery is reported like a failing rule; what was not sent is retried
    on the next run."""
    now = now or utcnow()
    report = RunReport(now)
    try:
        state.undelivered()
    except EconsecError as exc:
        report.rules.append(RuleRun("(recovery)", error=str(exc)))
        return report
    for rule in rules:
        if not rule.enabled:
            continue
        try:
            report.rules.append(run_rule(store, state, rule, now))
        except Exception as exc:  # whatever one rule raises is its own: the rest still run
            report.rules.append(RuleRun(rule.name, error=describe(exc, rule)))
    try:
        report.deliveries, failed = deliver(state, rules, now, sender)
    except Exception as exc:
        report.rules.append(RuleRun("(delivery)", error=describe(exc)))
    else:
        report.rules += [RuleRun(f"{name} (delivery)", error=e) for name, e in failed.items()]
    return report


def describe(exc: Exception, rule: Rule | None = None) -> str:
    """An error as the report shows it: econsec's own say what they concern; anything
    else is named by its type, and a rule's by its file."""
    text = str(exc) if isinstance(exc, EconsecError) else f"{type(exc).__name__}: {exc}"
    return f"{rule.path}: {text}" if rule is not None and rule.path else text


@dataclass
class FolderRun:
    """A run of a rules folder: what was read (good rules, bad files) and what ran."""

    rules: RuleSet
    report: RunReport


def run_folder(
    store: Store,
    rules_dir: Path,
    *,
    now: datetime | None = None,
    state: AlertState | None = None,
    sender: notify.Sender = notify.send,
) -> FolderRun:
    """The good rules of a folder run over the store (bad files are skipped and kept in
    `rules.errors`), with the store's own alert state unless `state` is given. A missing
    folder is a `ConfigError`."""
    rules = read_rules(rules_dir, store)
    own = state is None
    state = state or store.alert_state()
    try:
        return FolderRun(rules, run_rules(store, rules.rules, state, now=now, sender=sender))
    finally:
        if own:
            state.close()


def run_alerts(
    store: Store,
    rules_dir: Path,
    *,
    now: datetime | None = None,
    state: AlertState | None = None,
    sender: notify.Sender = notify.send,
) -> list[Alert]:
    """The alerts fired now by the good rules of a folder (bad files are skipped)."""
    return run_folder(store, rules_dir, now=now, state=state, sender=sender).report.alerts


# delivery ---------------------------------------------------------------------


def period_start(
    now: datetime, digest: str, zone: tzinfo = UTC, at: time | None = None
) -> datetime:
    """When the digest period that `now` is in began, on the clocks of `zone`: the hour,
    or the day's last `at` (midnight by default). Alerts fired before it are due."""
    local = now.astimezone(zone)
    if digest != "daily":
        return local.replace(minute=0, second=0, microsecond=0)
    clock = at or time(0)
    start = local.replace(hour=clock.hour, minute=clock.minute, second=0, microsecond=0)
    if start > local:  # today's has not come yet: yesterday's, at the same wall-clock time
        start = (start - timedelta(days=1)).replace(hour=clock.hour, minute=clock.minute)
    return start


def deliver(
    state: AlertState, rules: list[Rule], now: datetime, sender: notify.Sender
) -> tuple[Counter[str], dict[str, str]]:
    """Immediate alerts one message each; digests one message per channel once their
    period has closed. Each message's alerts are claimed first (see `_claimed`), so a
    runner beside this one never sends them too. Alerts of rules not in `rules` wait
    untouched; a rule whose delivery fails stops no other (its error is returned)."""
    counts: Counter[str] = Counter()
    failed: dict[str, str] = {}
    by_rule: dict[str, list[Alert]] = {}
    for alert in state.undelivered():
        by_rule.setdefault(alert.rule, []).append(alert)
    clock = _clock(now)
    for rule in rules:
        waiting = by_rule.get(rule.name, [])
        try:
            counts += _deliver_rule(state, rule, waiting, now, clock, sender)
        except Exception as exc:  # one rule's delivery is its own, as its run is
            failed[rule.name] = describe(exc, rule)
    return counts, failed


def _deliver_rule(
    state: AlertState,
    rule: Rule,
    waiting: list[Alert],
    now: datetime,
    clock: Callable[[], datetime],
    sender: notify.Sender,
) -> Counter[str]:
    counts: Counter[str] = Counter()
    channels = notify.labels(rule.notify)
    for alert in waiting:
        if alert.digest == "immediate":
            for mine in _claimed(state, [alert], clock):
                counts += _send(state, [mine], channels, notify.render(mine), sender, now)
    for digest in ("hourly", "daily"):
        began = period_start(now, digest, rule.zone, rule.digest_at)
        due = [a for a in waiting if a.digest == digest and a.fired_at < began]
        batch = _claimed(state, due, clock) if due else []
        if batch:
            message = notify.render_digest(rule.name, batch, digest)
            counts += _send(state, batch, channels, message, sender, now)
    return counts


def _claimed(state: AlertState, alerts: list[Alert], clock: Callable[[], datetime]) -> list[Alert]:
    """The alerts this runner may send, as they are now: read before any was claimed,
    another runner may have sent some since, or be sending them."""
    moment = clock()
    return state.claim([a.id for a in alerts], moment, moment + LEASE)


def _clock(now: datetime) -> Callable[[], datetime]:
    """The run's time as it goes on: `now` (which tests set) plus the time spent since,
    so a lease taken late in a long run still lasts its `LEASE`."""
    began = utcnow()
    return lambda: now + (utcnow() - began)


def _send(
    state: AlertState,
    alerts: list[Alert],
    channels: dict[str, str],
    message: tuple[str, str],
    sender: notify.Sender,
    now: datetime,
) -> Counter[str]:
    """One message to each channel some of `alerts` still wait on; results saved per alert."""
    counts: Counter[str] = Counter()
    waiting = dict.fromkeys(d.channel for a in alerts for d in a.undelivered)
    for label in waiting:
        if label in channels:
            outcome = sender(channels[label], *message)
        else:
            outcome = notify.Outcome(False, "channel no longer in the rule", permanent=True)
        for alert in alerts:
            for delivery in alert.undelivered:
                if delivery.channel == label:
                    _apply(delivery, outcome, now)
        counts["delivered" if outcome.ok else "invalid" if outcome.permanent else "failed"] += 1
    for alert in alerts:
        state.save_deliveries(alert)
    return counts


def _apply(delivery: Delivery, outcome: notify.Outcome, now: datetime) -> None:
    delivery.attempts += 1
    delivery.error = outcome.error
    if outcome.ok:
        delivery.status, delivery.delivered_at = "delivered", now
    else:
        delivery.status = "invalid" if outcome.permanent else "failed"
