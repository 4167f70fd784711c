"""The WebSub subscriptions and the hubs feeds announce, in a small SQLite file (the
`push_state` setting) that `econsec serve`, `econsec push` and the fetch tasks share.

A subscription is one feed's standing request to one hub for one topic. Its id names
its callback (`/websub/<id>`, unguessable) and its secret signs what the hub pushes.
States: `pending` (asked, not yet verified by the hub), `verified` (the hub confirmed
it; pushes are accepted until `expires_at`), `expired` (the lease ran out unrenewed),
`denied` (the hub refused it), `failed` (the hub could not be asked), `unsubscribed`.
`pending_mode` is the request the hub has still to verify (`subscribe`, also while a
verified subscription is being renewed, or `unsubscribe`).
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

BUSY_MS = 10_000
ENDED = ("unsubscribed",)
SCHEMA = """
CREATE TABLE IF NOT EXISTS hubs (
    feed TEXT PRIMARY KEY, hub TEXT, topic TEXT, seen_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS subscriptions (
    id TEXT PRIMARY KEY, feed TEXT NOT NULL, hub TEXT NOT NULL, topic TEXT NOT NULL,
    secret TEXT NOT NULL, state TEXT NOT NULL, pending_mode TEXT, requested_at TEXT NOT NULL,
    verified_at TEXT, lease_seconds INTEGER, expires_at TEXT, error TEXT,
    pushes INTEGER NOT NULL DEFAULT 0, last_push_at TEXT);
CREATE INDEX IF NOT EXISTS subscriptions_feed ON subscriptions (feed);
"""


@dataclass(frozen=True)
class Subscription:
    id: str
    feed: str
    hub: str
    topic: str
    secret: str
    state: str
    pending_mode: str | None
    requested_at: datetime
    verified_at: datetime | None = None
    lease_seconds: int | None = None
    expires_at: datetime | None = None
    error: str | None = None
    pushes: int = 0
    last_push_at: datetime | None = None

    def active(self, now: datetime) -> bool:
        """Verified, and its lease still running: pushes for it are accepted."""
        return self.state == "verified" and (self.expires_at is None or self.expires_at > now)

    def shown(self) -> dict[str, Any]:
        """What `econsec push status` prints: everything but the secret."""
        fields = {k: v for k, v in self.__dict__.items() if k != "secret"}
        return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in fields.items()}


class SubscriptionBook:
    """The state file; a connection per call, so that any thread or process may use it."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fresh = not self.path.exists()
        db = sqlite3.connect(self.path, timeout=BUSY_MS / 1000, isolation_level=None)
        try:
            if fresh:
                self.path.chmod(0o600)  # it holds the secrets
            db.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
            db.execute("PRAGMA journal_mode = WAL")
            db.executescript(SCHEMA)
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        finally:
            db.close()

    # hubs the feeds announce -------------------------------------------------------

    def note_hub(self, feed: str, hub: str | None, topic: str | None, now: datetime) -> None:
        with self._db() as db:
            db.execute(
                "INSERT INTO hubs VALUES (?, ?, ?, ?) ON CONFLICT (feed) DO UPDATE SET "
                "hub = excluded.hub, topic = excluded.topic, seen_at = excluded.seen_at",
                (feed, hub, topic, now.isoformat()),
            )

    def hub_of(self, feed: str) -> tuple[str, str] | None:
        """The hub and topic the feed announced when last fetched; None when it announced
        none or was not fetched yet."""
        if not self.path.exists():
            return None
        with self._db() as db:
            row = db.execute("SELECT hub, topic FROM hubs WHERE feed = ?", (feed,)).fetchone()
        return (row[0], row[1]) if row and row[0] and row[1] else None

    # subscriptions -----------------------------------------------------------------

    def get(self, sub_id: str) -> Subscription | None:
        if not self.path.exists():  # a server with no subscriptions creates no file
            return None
        with self._db() as db:
            row = db.execute("SELECT * FROM subscriptions WHERE id = ?", (sub_id,)).fetchone()
        return _subscription(row) if row else None

    def for_feed(self, feed: str) -> Subscription | None:
        """The feed's current subscription (the newest not unsubscribed)."""
        return self.current_by_feed().get(feed)

    def all(self) -> list[Subscription]:
        if not self.path.exists():
            return []
        with self._db() as db:
            rows = db.execute("SELECT * FROM subscriptions ORDER BY requested_at DESC").fetchall()
        return [_subscription(row) for row in rows]

    def current_by_feed(self) -> dict[str, Subscription]:
        """Each feed's current subscription (the newest not unsubscribed), in one read."""
        out: dict[str, Subscription] = {}
        for sub in self.all():  # newest first
            if sub.state not in ENDED:
                out.setdefault(sub.feed, sub)
        return out

    def request(self, feed: str, hub: str, topic: str, now: datetime) -> Subscription:
        """The feed's subscription to `hub` for `topic`, marked as asked again: the current
        one when it matches (a renewal keeps its callback and secret), else a new one."""
        current = self.for_feed(feed)
        with self._db() as db:
            if current is not None and (current.hub, current.topic) == (hub, topic):
                db.execute(
                    "UPDATE subscriptions SET pending_mode = 'subscribe', requested_at = ?, "
                    "error = NULL, state = CASE WHEN state = 'verified' THEN state "
                    "ELSE 'pending' END WHERE id = ?",
                    (now.isoformat(), current.id),
                )
                sub_id = current.id
            else:
                if current is not None:  # the feed moved hub or topic: the old one is done
                    db.execute(
                        "UPDATE subscriptions SET state = 'unsubscribed', pending_mode = NULL "
                        "WHERE id = ?",
                        (current.id,),
                    )
                sub_id = secrets.token_urlsafe(18)
                db.execute(
                    "INSERT INTO subscriptions (id, feed, hub, topic, secret, state, "
                    "pending_mode, requested_at) VALUES (?, ?, ?, ?, ?, 'pending', "
                    "'subscribe', ?)",
                    (sub_id, feed, hub, topic, secrets.token_hex(32), now.isoformat()),
                )
        found = self.get(sub_id)
        assert found is not None
        return found

    def update(self, sub_id: str, **values: object) -> None:
        """Set columns of one subscription (dates as `datetime`)."""
        if not values:
            return
        names = ", ".join(f"{name} = ?" for name in values)
        args = [v.isoformat() if isinstance(v, datetime) else v for v in values.values()]
        with self._db() as db:
            db.execute(f"UPDATE subscriptions SET {names} WHERE id = ?", (*args, sub_id))

    def confirm(self, sub_id: str, mode: str, topic: str, lease: int | None, now: datetime) -> bool:
        """The hub verifies an intent: true, and the state moved on, only when `mode` is
        what was asked (or a subscribe the hub re-verifies) for this topic."""
        with self._db() as db:
            row = db.execute("SELECT * FROM subscriptions WHERE id = ?", (sub_id,)).fetchone()
            sub = _subscription(row) if row else None
            if sub is None or sub.topic != topic or not _expected(sub, mode):
                return False
            if mode == "unsubscribe":
                db.execute(
                    "UPDATE subscriptions SET state = 'unsubscribed', pending_mode = NULL "
                    "WHERE id = ?",
                    (sub_id,),
                )
                return True
            expires = now + timedelta(seconds=lease) if lease else None
            db.execute(
                "UPDATE subscriptions SET state = 'verified', pending_mode = NULL, error = NULL, "
                "verified_at = ?, lease_seconds = ?, expires_at = ? WHERE id = ?",
                (now.isoformat(), lease, expires.isoformat() if expires else None, sub_id),
            )
        return True

    def pushed(self, sub_id: str, now: datetime) -> None:
        with self._db() as db:
            db.execute(
                "UPDATE subscriptions SET pushes = pushes + 1, last_push_at = ? WHERE id = ?",
                (now.isoformat(), sub_id),
            )

    def expire(self, now: datetime) -> list[Subscription]:
        """Mark verified subscriptions whose lease ran out as expired; those."""
        gone = [s for s in self.all() if s.state == "verified" and not s.active(now)]
        for sub in gone:
            self.update(sub.id, state="expired")
        return gone


def _expected(sub: Subscription, mode: str) -> bool:
    if mode == "unsubscribe":
        return sub.pending_mode == "unsubscribe"
    return (
        mode == "subscribe"
        and sub.state in ("pending", "verified")
        and (sub.pending_mode in ("subscribe", None))
    )


def _subscription(row: tuple[Any, ...]) -> Subscription:
    values = list(row)
    for at in (7, 8, 10, 13):  # requested_at, verified_at, expires_at, last_push_at
        values[at] = _instant(values[at])
    return Subscription(*values)


def _instant(text: str | None) -> datetime | None:
    if not text:
        return None
    when = datetime.fromisoformat(text)
    return when if when.tzinfo else when.replace(tzinfo=UTC)
