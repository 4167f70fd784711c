"""The `AlertState` protocol on the embedded store, in its SQLite file.

`commit` is one transaction: the alerts land together with the checkpoint that
skips their events, or neither does, and only over the checkpoint its run read
(two runners racing on a rule record it once). Delivery leases are rows of `alert_claims`,
taken in a write transaction, so two runners never both hold one.
"""

from __future__ import annotations

import sqlite3
import uuid
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path

from econsec.errors import StoreError
from econsec.models import Alert
from econsec.store.embedded.sqlite import connect, transaction
from econsec.store.protocols import Learned, Silence

SCHEMA = """
CREATE TABLE IF NOT EXISTS alert_checkpoints (rule TEXT PRIMARY KEY, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS alert_processed (
    rule TEXT NOT NULL, event_id TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (rule, event_id)
);
CREATE TABLE IF NOT EXISTS alert_last_fired (
    rule TEXT NOT NULL, grp TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (rule, grp)
);
CREATE TABLE IF NOT EXISTS alert_learned (
    rule TEXT NOT NULL, field TEXT NOT NULL, warm_until TEXT NOT NULL, PRIMARY KEY (rule, field)
);
CREATE TABLE IF NOT EXISTS alert_values (
    rule TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (rule, field, value)
);
CREATE TABLE IF NOT EXISTS alerts (
    id TEXT PRIMARY KEY, rule TEXT NOT NULL, grp TEXT NOT NULL, fired_at TEXT NOT NULL,
    undelivered INTEGER NOT NULL, data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS alert_claims (
    id TEXT PRIMARY KEY, holder TEXT NOT NULL, until TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS alert_silences (
    rule TEXT NOT NULL, grp TEXT NOT NULL, until TEXT NOT NULL, created_at TEXT NOT NULL,
    PRIMARY KEY (rule, grp)
);
CREATE INDEX IF NOT EXISTS alerts_by_rule ON alerts (rule, fired_at);
CREATE INDEX IF NOT EXISTS alerts_undelivered ON alerts (undelivered) WHERE undelivered > 0;
"""


def _like_literal(text: str) -> str:
    """The user's words taken literally: `%` and `_` are not wildcards to an analyst."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


class SqliteAlertState:
    """The embedded store's SQLite file, new tables beside the queue (WAL, busy timeout),
    so alerts need no second database and parallel runs wait rather than fail."""

    def __init__(self, path: Path):
        self.path = path
        self.db = connect(path, SCHEMA, "alert state")
        self.holder = uuid.uuid4().hex  # whose claims are whose, between runners
        self._read: dict[str, str | None] = {}  # the checkpoint each rule's run started from

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return transaction(self.db)

    def _one(self, sql: str, *args: str) -> str | None:
        row = self.db.execute(sql, args).fetchone()
        return row[0] if row else None

    def checkpoint(self, rule: str) -> datetime | None:
        """Read at the start of a run, and remembered: `commit` writes only over it."""
        at = self._one("SELECT at FROM alert_checkpoints WHERE rule = ?", rule)
        self._read[rule] = at
        return datetime.fromisoformat(at) if at else None

    def processed(self, rule: str, event_ids: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(event_ids), 500):
            chunk = event_ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT event_id FROM alert_processed WHERE rule = ? AND event_id IN ({marks})"
            found.update(row[0] for row in self.db.execute(sql, [rule, *chunk]))
        return found

    def last_fired(self, rule: str, group: str) -> datetime | None:
        at = self._one("SELECT at FROM alert_last_fired WHERE rule = ? AND grp = ?", rule, group)
        return datetime.fromisoformat(at) if at else None

    def learned(self, rule: str, field: str) -> Learned | None:
        until = self._one(
            "SELECT warm_until FROM alert_learned WHERE rule = ? AND field = ?", rule, field
        )
        if until is None:
            return None
        rows = self.db.execute(
            "SELECT value FROM alert_values WHERE rule = ? AND field = ?", (rule, field)
        )
        return Learned({row[0] for row in rows}, datetime.fromisoformat(until))

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
        at = _iso(checkpoint)
        with self.transaction() as db:
            self._unchanged(db, rule)
            for alert in alerts:
                self._write(db, alert)
                db.execute(
                    "INSERT OR REPLACE INTO alert_last_fired VALUES (?, ?, ?)",
                    (rule, alert.group, _iso(alert.fired_at)),
                )
            db.executemany(
                "INSERT OR IGNORE INTO alert_processed VALUES (?, ?, ?)",
                [(rule, event_id, at) for event_id in processed],
            )
            db.execute(
                "DELETE FROM alert_processed WHERE rule = ? AND at < ?", (rule, _iso(forget_before))
            )
            db.execute("INSERT OR REPLACE INTO alert_checkpoints VALUES (?, ?)", (rule, at))
            for name, seen in learned.items():
                self._learn(db, rule, name, seen)
        self._read[rule] = at

    def _unchanged(self, db: sqlite3.Connection, rule: str) -> None:
        """Compare-and-set on the checkpoint, inside the write transaction: a runner that
        raced another on this rule records nothing, as on Elasticsearch."""
        row = db.execute("SELECT at FROM alert_checkpoints WHERE rule = ?", (rule,)).fetchone()
        if rule in self._read and (row[0] if row else None) != self._read[rule]:
            raise StoreError(
                str(self.path),
                f"rule {rule!r} was committed by another run meanwhile; "
                "this run's outcome was dropped (the next run evaluates those events again)",
            )

    def _learn(self, db: sqlite3.Connection, rule: str, name: str, seen: Learned) -> None:
        db.execute(
            "INSERT OR REPLACE INTO alert_learned VALUES (?, ?, ?)",
            (rule, name, _iso(seen.warm_until)),
        )
        db.executemany(
            "INSERT OR IGNORE INTO alert_values VALUES (?, ?, ?)",
            [(rule, name, value) for value in seen.values],
        )

    def _write(self, db: sqlite3.Connection, alert: Alert) -> None:
        db.execute(
            "INSERT OR REPLACE INTO alerts VALUES (?, ?, ?, ?, ?, ?)",
            (
                alert.id,
                alert.rule,
                alert.group,
                _iso(alert.fired_at),
                len(alert.undelivered),
                alert.model_dump_json(),
            ),
        )

    def claim(self, alert_ids: list[str], now: datetime, until: datetime) -> list[Alert]:
        """One write transaction (SQLite serialises them): read, test and take each lease."""
        claimed = []
        sql = """SELECT a.data FROM alerts a LEFT JOIN alert_claims c ON c.id = a.id
                 WHERE a.id = ? AND a.undelivered > 0
                 AND (c.id IS NULL OR c.holder = ? OR c.until <= ?)"""
        with self.transaction() as db:
            for alert_id in alert_ids:
                row = db.execute(sql, (alert_id, self.holder, _iso(now))).fetchone()
                if row:
                    db.execute(
                        "INSERT OR REPLACE INTO alert_claims VALUES (?, ?, ?)",
                        (alert_id, self.holder, _iso(until)),
                    )
                    claimed.append(Alert.model_validate_json(row[0]))
        return claimed

    def save_deliveries(self, alert: Alert) -> None:
        with self.transaction() as db:
            self._write(db, alert)
            db.execute(
                "DELETE FROM alert_claims WHERE id = ? AND holder = ?", (alert.id, self.holder)
            )

    def silence(self, silence: Silence) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO alert_silences VALUES (?, ?, ?, ?)",
                (silence.rule, silence.group, _iso(silence.until), _iso(silence.created_at)),
            )

    def unsilence(self, rule: str, group: str | None = None) -> int:
        sql = "DELETE FROM alert_silences WHERE rule = ? AND (? IS NULL OR grp = ?)"
        with self.transaction() as db:
            return db.execute(sql, (rule, group, group)).rowcount

    def silences(self, now: datetime, rule: str | None = None) -> list[Silence]:
        sql = """SELECT rule, grp, until, created_at FROM alert_silences
                 WHERE (? IS NULL OR rule = ?) ORDER BY rule, grp"""
        found = [
            Silence(r, g, datetime.fromisoformat(u), datetime.fromisoformat(c))
            for r, g, u, c in self.db.execute(sql, (rule, rule))
        ]
        return [s for s in found if s.until > now]  # compared as times, not as strings

    def undelivered(self, rule: str | None = None) -> list[Alert]:
        sql = "SELECT data FROM alerts WHERE undelivered > 0 AND (? IS NULL OR rule = ?)"
        rows = self.db.execute(sql + " ORDER BY fired_at", (rule, rule))
        return [Alert.model_validate_json(row[0]) for row in rows]

    def history(
        self, rule: str | None = None, limit: int = 50, text: str | None = None
    ) -> list[Alert]:
        """Newest first; `text` is matched anywhere in the alert (title, evidence, group)."""
        sql = "SELECT data FROM alerts WHERE (? IS NULL OR rule = ?) AND data LIKE ? ESCAPE '\\'"
        sql += " ORDER BY fired_at DESC, id LIMIT ?"
        pattern = f"%{_like_literal(text)}%" if text else "%"
        rows = self.db.execute(sql, (rule, rule, pattern, limit if limit else -1))
        return [Alert.model_validate_json(row[0]) for row in rows]

    def close(self) -> None:
        self.db.close()
