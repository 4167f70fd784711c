"""Backtests: what a rule would have fired over past events, as if it had run at the end
of each step, with its state in memory and thrown away; nobody is notified."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from econsec.alerts.conditions import published, story_key
from econsec.alerts.engine import evaluate, utcnow
from econsec.alerts.rules import Rule
from econsec.models import Alert
from econsec.store.protocols import Learned, Silence, Store


@dataclass
class MemoryAlertState:
    """In memory: for backtests, which must never touch the real state."""

    checkpoints: dict[str, datetime] = field(default_factory=dict)
    done: dict[str, set[str]] = field(default_factory=dict)
    fired: dict[tuple[str, str], datetime] = field(default_factory=dict)
    values: dict[tuple[str, str], Learned] = field(default_factory=dict)
    alerts: dict[str, Alert] = field(default_factory=dict)

    def checkpoint(self, rule: str) -> datetime | None:
        return self.checkpoints.get(rule)

    def processed(self, rule: str, event_ids: list[str]) -> set[str]:
        return self.done.get(rule, set()) & set(event_ids)

    def last_fired(self, rule: str, group: str) -> datetime | None:
        return self.fired.get((rule, group))

    def learned(self, rule: str, field: str) -> Learned | None:
        found = self.values.get((rule, field))
        return Learned(set(found.values), found.warm_until) if found else None

    def commit(
        self,
        rule: str,
        *,
        alerts: list[Alert],
        processed: list[str],
        checkpoint: datetime,
        learned: dict[str, Learned],
        forget_before: datetime,
    ) -> None:
        for alert in alerts:
            self.alerts[alert.id] = alert
            self.fired[(rule, alert.group)] = alert.fired_at
        self.done.setdefault(rule, set()).update(processed)
        self.checkpoints[rule] = checkpoint
        for name, seen in learned.items():
            self.values[(rule, name)] = Learned(set(seen.values), seen.warm_until)

    def claim(self, alert_ids: list[str], now: datetime, until: datetime) -> list[Alert]:
        """One backtest, one runner: every undelivered alert is its own."""
        return [
            self.alerts[i] for i in alert_ids if i in self.alerts and self.alerts[i].undelivered
        ]

    def save_deliveries(self, alert: Alert) -> None:
        self.alerts[alert.id] = alert

    def silence(self, silence: Silence) -> None:
        """A backtest replays what the rule would fire: silences are not its concern."""

    def unsilence(self, rule: str, group: str | None = None) -> int:
        return 0

    def silences(self, now: datetime, rule: str | None = None) -> list[Silence]:
        return []

    def undelivered(self, rule: str | None = None) -> list[Alert]:
        return [a for a in self.history(rule, limit=0) if a.undelivered]

    def history(
        self, rule: str | None = None, limit: int = 50, text: str | None = None
    ) -> list[Alert]:
        found = [a for a in self.alerts.values() if rule in (None, a.rule)]
        if text:
            found = [a for a in found if text.lower() in a.model_dump_json().lower()]
        found.sort(key=lambda a: a.fired_at, reverse=True)
        return found[:limit] if limit else found

    def close(self) -> None:
        pass


@dataclass
class Backtest:
    """What a rule would have fired over past events, without notifying anyone."""

    rule: str
    since: datetime
    until: datetime
    events: int = 0
    stories: int = 0
    alerts: list[Alert] = field(default_factory=list)
    suppressed: int = 0

    def summary(self) -> dict[str, Any]:
        groups = Counter(alert.group for alert in self.alerts)
        return {
            "rule": self.rule,
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "events": self.events,
            "stories": self.stories,
            "alerts": len(self.alerts),
            "suppressed": self.suppressed,
            "by_group": dict(groups.most_common()),
            "fired": [a.model_dump(mode="json", exclude={"deliveries"}) for a in self.alerts],
        }


def backtest(
    store: Store,
    rule: Rule,
    since: timedelta,
    *,
    now: datetime | None = None,
    step: timedelta = timedelta(days=1),
) -> Backtest:
    """Replay the events published in the last `since`, one `step` at a time, as if the
    rule had run at the end of each step; state lives in memory and is thrown away."""
    until = now or utcnow()
    report = Backtest(rule.name, until - since, until)
    events = sorted(rule.events(store, since=report.since, until=until), key=published)
    report.events = len(events)
    report.stories = len({story_key(e) for e in events})
    state = MemoryAlertState()
    moment = report.since
    while moment < until:
        end = min(moment + step, until)
        batch = [
            e for e in events if moment <= published(e) and (published(e) < end or end == until)
        ]
        found = evaluate(store, state, rule, batch, end)
        state.commit(
            rule.name,
            alerts=found.alerts,
            processed=[],
            checkpoint=end,
            learned=found.learned,
            forget_before=end,
        )
        report.alerts += found.alerts
        report.suppressed += found.held
        moment = end
    return report
