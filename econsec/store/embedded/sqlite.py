"""SQLite: the durable queue between stages and the small state beside it.

Mapped fetch tasks run in parallel processes, so they only ever touch this
database (WAL mode, a busy timeout), never the Tantivy indexes. Every row
has a stable id, so every write is an idempotent upsert.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
import threading
import weakref
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path

from econsec.errors import StoreError
from econsec.models import (
    Article,
    CycleReport,
    Event,
    FeedHealth,
    FeedResult,
    Quarantined,
    StoredSignature,
    TaggedArticle,
    is_revision,
    revision,
)

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS feeds (
    name TEXT PRIMARY KEY, url TEXT NOT NULL, etag TEXT, last_modified TEXT,
    last_fetch TEXT, status TEXT, http_status INTEGER, entries INTEGER DEFAULT 0,
    new_articles INTEGER DEFAULT 0, error TEXT, warning TEXT,
    consecutive_failures INTEGER DEFAULT 0
);
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY, feed TEXT NOT NULL, published TEXT NOT NULL, data TEXT NOT NULL,
    story_id TEXT, minhash BLOB, technologies TEXT, event_types TEXT,
    staged_at TEXT NOT NULL, tagged_at TEXT, indexed_at TEXT
);
CREATE INDEX IF NOT EXISTS articles_untagged ON articles (tagged_at) WHERE tagged_at IS NULL;
CREATE INDEX IF NOT EXISTS articles_unindexed ON articles (indexed_at) WHERE indexed_at IS NULL;
CREATE INDEX IF NOT EXISTS articles_published ON articles (published);
CREATE TABLE IF NOT EXISTS events (
    id TEXT PRIMARY KEY, article_id TEXT NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL,
    created_at TEXT NOT NULL, indexed_at TEXT
);
CREATE INDEX IF NOT EXISTS events_unindexed ON events (indexed_at) WHERE indexed_at IS NULL;
CREATE INDEX IF NOT EXISTS events_article ON events (article_id);
CREATE TABLE IF NOT EXISTS events_changed (id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS quarantine (
    article_id TEXT PRIMARY KEY, quarantined_at TEXT NOT NULL, data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cycles (
    run_id TEXT PRIMARY KEY, started TEXT NOT NULL, finished TEXT, data TEXT NOT NULL
);
"""
# Waiting for the tagger: not tagged yet and not set aside (the quarantine table).
UNTAGGED = "tagged_at IS NULL AND id NOT IN (SELECT article_id FROM quarantine)"


def connect(path: Path, schema: str, what: str, any_thread: bool = False) -> sqlite3.Connection:
    """A connection that parallel processes can share: WAL, and a busy timeout so that a
    writer waits for another instead of failing. `any_thread` lets another thread close it
    (using it from two threads at once is still the caller's to prevent). On a read-only
    file system (a mounted snapshot) the database opens as immutable, for reading only."""
    if read_only(path):
        return _connect_read_only(path, schema, what, any_thread)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(
            path, timeout=30.0, isolation_level=None, check_same_thread=not any_thread
        )
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA busy_timeout=30000")
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(schema)
    except sqlite3.Error as exc:
        raise StoreError(str(path), f"cannot open {what}: {exc}") from exc
    return db


def read_only(path: Path) -> bool:
    """Whether the database exists where nothing may be written (EROFS even for root)."""
    return path.is_file() and not os.access(path.parent, os.W_OK)


def _connect_read_only(path: Path, schema: str, what: str, any_thread: bool) -> sqlite3.Connection:
    """`immutable`: no lock and no WAL index to create, so a read-only directory serves;
    writes fail as SQLite's "readonly database"."""
    try:
        uri = f"{path.resolve().as_uri()}?immutable=1"
        db = sqlite3.connect(uri, uri=True, check_same_thread=not any_thread)
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        for statement in schema.split(";"):  # tables it lacks, empty, for this connection
            table = re.match(r"\s*CREATE TABLE IF NOT EXISTS (\w+)", statement)
            if table and table.group(1) not in tables:
                db.execute(statement.replace("CREATE TABLE", "CREATE TEMP TABLE", 1))
    except sqlite3.Error as exc:
        raise StoreError(str(path), f"cannot open {what} read-only: {exc}") from exc
    return db


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One atomic write: all of it lands, or none of it (a killed process loses nothing).
    A write SQLite refuses (disk full, file too large, I/O error, locked past the timeout)
    is a `StoreError` naming the file, so the cycle stops with a message, not a traceback."""
    try:
        db.execute("BEGIN IMMEDIATE")
        yield db
        db.execute("COMMIT")
    except BaseException as exc:
        if db.in_transaction:
            with contextlib.suppress(sqlite3.Error):  # the error above is the one to report
                db.execute("ROLLBACK")
        if isinstance(exc, sqlite3.OperationalError):
            raise StoreError(_file_of(db), write_failure(exc)) from exc
        raise


def write_failure(exc: sqlite3.Error) -> str:
    """SQLite's words, its error code, and the likely cause when the disk refused a write
    (a full disk or a file-size limit reads as an I/O error)."""
    code = getattr(exc, "sqlite_errorname", "") or ""
    hint = " (is the disk full?)" if code.startswith(("SQLITE_FULL", "SQLITE_IOERR")) else ""
    return f"write failed: {exc} [{code}]{hint}" if code else f"write failed: {exc}"


def _file_of(db: sqlite3.Connection) -> str:
    try:
        return str(db.execute("PRAGMA database_list").fetchone()[2])
    except sqlite3.Error:
        return "SQLite database"


def now() -> str:
    return datetime.now(UTC).isoformat()


class _Held:
    """A thread's connection, in a box a weak set can point at (a connection cannot)."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db


class StateDB:
    """The SQLite side of the embedded store. A SQLite connection serves only the thread
    that opened it, so each thread gets its own on first use, and one store can serve
    a web server's worker threads; a connection closes when its thread ends, and
    `close` closes those still open."""

    def __init__(self, path: Path):
        self.path = path
        self._local = threading.local()
        self._open: weakref.WeakSet[_Held] = weakref.WeakSet()
        self._lock = threading.Lock()
        self._closed = False
        if read_only(path):
            return
        with self.transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )

    @property
    def db(self) -> sqlite3.Connection:
        """This thread's connection."""
        held: _Held | None = getattr(self._local, "held", None)
        if held is None:
            if self._closed:
                raise StoreError(str(self.path), "the state database was closed")
            db = connect(self.path, SCHEMA, "state database", any_thread=True)
            held = self._local.held = _Held(db)
            weakref.finalize(held, db.close)  # when the thread ends (SQLite may not, alone)
            with self._lock:
                self._open.add(held)
        return held.db

    def close(self) -> None:
        with self._lock:
            self._closed = True
            still_open, self._open = list(self._open), weakref.WeakSet()
        for held in still_open:
            held.db.close()

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return transaction(self.db)

    # feeds -----------------------------------------------------------------

    def validators(self, feed: str, url: str) -> tuple[str | None, str | None]:
        row = self.db.execute(
            "SELECT etag, last_modified FROM feeds WHERE name = ? AND url = ?", (feed, url)
        ).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def record_feed(self, result: FeedResult, etag: str | None, last_modified: str | None) -> None:
        failed = result.status == "failed"
        with self.transaction() as db:
            db.execute(
                """INSERT INTO feeds (name, url, etag, last_modified, last_fetch, status,
                       http_status, entries, new_articles, error, warning, consecutive_failures)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (name) DO UPDATE SET
                       url = excluded.url,
                       etag = COALESCE(excluded.etag, CASE WHEN excluded.status = 'failed'
                                       THEN feeds.etag END),
                       last_modified = COALESCE(excluded.last_modified, CASE WHEN
                                       excluded.status = 'failed' THEN feeds.last_modified END),
                       last_fetch = excluded.last_fetch, status = excluded.status,
                       http_status = excluded.http_status, entries = excluded.entries,
                       new_articles = excluded.new_articles, error = excluded.error,
                       warning = excluded.warning,
                       consecutive_failures = CASE WHEN excluded.status = 'failed'
                           THEN feeds.consecutive_failures + 1 ELSE 0 END""",
                (
                    result.feed,
                    result.url,
                    etag,
                    last_modified,
                    result.fetched_at.isoformat(),
                    result.status,
                    result.http_status,
                    result.entries_found,
                    result.new_articles,
                    result.error,
                    result.warning,
                    int(failed),
                ),
            )

    def feed_health(self) -> list[FeedHealth]:
        rows = self.db.execute(
            """SELECT name, url, last_fetch, status, http_status, entries, new_articles, error,
                      warning, consecutive_failures FROM feeds ORDER BY name"""
        ).fetchall()
        keys = (
            "feed",
            "url",
            "last_fetch",
            "status",
            "http_status",
            "entries",
            "new_articles",
            "error",
            "warning",
            "consecutive_failures",
        )
        return [FeedHealth.model_validate(dict(zip(keys, row, strict=True))) for row in rows]

    # articles --------------------------------------------------------------

    def stage_articles(self, articles: Iterable[Article]) -> list[str]:
        """Ids of the articles staged for tagging: new ones, and revisions (a known id whose
        title or summary changed), which keep their first-seen time and wait for the tagger
        again (out of the quarantine, if the old text was set aside). A known id with the
        same text is left as it is."""
        staged: list[str] = []
        staged_at = now()
        with self.transaction() as db:
            for article in articles:
                row = db.execute("SELECT data FROM articles WHERE id = ?", (article.id,)).fetchone()
                if row is None:
                    db.execute(
                        """INSERT INTO articles (id, feed, published, data, staged_at)
                           VALUES (?, ?, ?, ?, ?)""",
                        (
                            article.id,
                            article.feed,
                            article.published.isoformat(),
                            article.model_dump_json(),
                            staged_at,
                        ),
                    )
                else:
                    known = Article.model_validate_json(row[0])
                    if not is_revision(known, article):
                        continue
                    revised = revision(known, article)
                    db.execute(
                        """UPDATE articles SET published = ?, data = ?, tagged_at = NULL,
                               indexed_at = NULL WHERE id = ?""",
                        (revised.published.isoformat(), revised.model_dump_json(), article.id),
                    )
                    # New text is a new chance: what the tagger failed on may be gone.
                    db.execute("DELETE FROM quarantine WHERE article_id = ?", (article.id,))
                staged.append(article.id)
        return list(dict.fromkeys(staged))  # an id listed twice (a revised copy) once

    def untagged_articles(self, limit: int | None = None) -> list[Article]:
        sql = f"SELECT data FROM articles WHERE {UNTAGGED} ORDER BY published, id"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [Article.model_validate_json(row[0]) for row in self.db.execute(sql)]

    def known_signatures(self, since: datetime) -> Iterator[StoredSignature]:
        rows = self.db.execute(
            """SELECT id, story_id, published, minhash FROM articles
               WHERE minhash IS NOT NULL AND published >= ?""",
            (since.isoformat(),),
        )
        for article_id, story_id, published, minhash in rows:
            yield StoredSignature(
                article_id, story_id, datetime.fromisoformat(published), bytes(minhash)
            )

    def save_tagged(
        self,
        tagged: list[TaggedArticle],
        events: list[Event],
    ) -> list[Event]:
        """Store articles with story and technologies, and their events in place of those they
        had (see `_replace_events`); return the new events."""
        tagged_at = now()
        types_by_article: dict[str, list[str]] = {}
        for event in events:
            types_by_article.setdefault(event.article_id, []).append(event.type)
        with self.transaction() as db:
            for item in tagged:
                article = item.article
                db.execute(
                    """UPDATE articles SET data = ?, story_id = ?, minhash = ?, technologies = ?,
                           event_types = ?, tagged_at = ?, indexed_at = NULL WHERE id = ?""",
                    (
                        article.model_dump_json(),
                        article.story_id,
                        item.minhash,
                        json.dumps(item.technologies),
                        json.dumps(types_by_article.get(article.id, [])),
                        tagged_at,
                        article.id,
                    ),
                )
            new_events = self._replace_events(db, [item.article.id for item in tagged], events)
        return new_events

    def _replace_events(
        self, db: sqlite3.Connection, article_ids: list[str], events: list[Event]
    ) -> list[Event]:
        """Store `events` and drop the events of `article_ids` that are not among them (a
        revision no longer says so); return the new ones. An event already stored keeps its
        `indexed_at`, so alert rules never read it as new again; when its text changed, or
        it was dropped, the search index is told through `events_changed`."""
        created = now()
        new: list[Event] = []
        for event in events:
            data = event.model_dump_json()
            row = db.execute("SELECT data FROM events WHERE id = ?", (event.id,)).fetchone()
            if row is None:
                db.execute(
                    """INSERT INTO events (id, article_id, type, data, created_at)
                       VALUES (?, ?, ?, ?, ?)""",
                    (event.id, event.article_id, event.type, data, created),
                )
                new.append(event)
            elif row[0] != data:
                db.execute("UPDATE events SET data = ? WHERE id = ?", (data, event.id))
                db.execute("INSERT OR IGNORE INTO events_changed VALUES (?)", (event.id,))
        keep = {event.id for event in events}
        for start in range(0, len(article_ids), 500):
            part = article_ids[start : start + 500]
            marks = ",".join("?" * len(part))
            rows = db.execute(f"SELECT id FROM events WHERE article_id IN ({marks})", part)
            for (event_id,) in [row for row in rows if row[0] not in keep]:
                db.execute("DELETE FROM events WHERE id = ?", (event_id,))
                db.execute("INSERT OR IGNORE INTO events_changed VALUES (?)", (event_id,))
        return new

    def changed_events(self, limit: int) -> tuple[list[Event], list[str]]:
        """Events whose indexed copy is out of date: those to write again, ids to remove."""
        rows = self.db.execute(
            """SELECT c.id, e.data FROM events_changed c LEFT JOIN events e ON e.id = c.id
               LIMIT ?""",
            (limit,),
        ).fetchall()
        changed = [Event.model_validate_json(data) for _, data in rows if data is not None]
        return changed, [event_id for event_id, data in rows if data is None]

    def forget_changes(self, event_ids: list[str]) -> None:
        with self.transaction() as db:
            db.executemany("DELETE FROM events_changed WHERE id = ?", [(i,) for i in event_ids])

    def quarantine(self, items: list[Quarantined]) -> None:
        with self.transaction() as db:
            db.executemany(
                """INSERT OR REPLACE INTO quarantine (article_id, quarantined_at, data)
                   VALUES (?, ?, ?)""",
                [(q.article_id, q.quarantined_at.isoformat(), q.model_dump_json()) for q in items],
            )

    def quarantined(self, limit: int | None = None) -> list[Quarantined]:
        sql = "SELECT data FROM quarantine ORDER BY quarantined_at DESC, article_id"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [Quarantined.model_validate_json(row[0]) for row in self.db.execute(sql)]

    def requeue(self, article_ids: list[str] | None = None) -> int:
        with self.transaction() as db:
            if article_ids is None:
                return db.execute("DELETE FROM quarantine").rowcount
            return db.executemany(
                "DELETE FROM quarantine WHERE article_id = ?", [(i,) for i in article_ids]
            ).rowcount

    def unindexed(
        self, limit: int
    ) -> tuple[list[tuple[Article, list[str], list[str]]], list[Event]]:
        """A batch of tagged articles and events not yet in the search indexes."""
        article_rows = self.db.execute(
            """SELECT data, technologies, event_types FROM articles
               WHERE tagged_at IS NOT NULL AND indexed_at IS NULL LIMIT ?""",
            (limit,),
        ).fetchall()
        articles = [
            (Article.model_validate_json(d), json.loads(t or "[]"), json.loads(e or "[]"))
            for d, t, e in article_rows
        ]
        event_rows = self.db.execute(
            "SELECT data FROM events WHERE indexed_at IS NULL LIMIT ?", (limit,)
        ).fetchall()
        return articles, [Event.model_validate_json(row[0]) for row in event_rows]

    def mark_indexed(self, article_ids: list[str], event_ids: list[str]) -> None:
        stamp = now()
        with self.transaction() as db:
            db.executemany(
                "UPDATE articles SET indexed_at = ? WHERE id = ?", [(stamp, i) for i in article_ids]
            )
            db.executemany(
                "UPDATE events SET indexed_at = ? WHERE id = ?", [(stamp, i) for i in event_ids]
            )

    def counts(self) -> dict[str, int]:
        row = self.db.execute(
            f"""SELECT (SELECT COUNT(*) FROM articles), (SELECT COUNT(*) FROM events),
                      (SELECT COUNT(*) FROM articles WHERE {UNTAGGED}),
                      (SELECT COUNT(*) FROM articles WHERE tagged_at IS NOT NULL
                                                       AND indexed_at IS NULL),
                      (SELECT COUNT(*) FROM events WHERE indexed_at IS NULL),
                      (SELECT COUNT(*) FROM quarantine)"""
        ).fetchone()
        keys = (
            "articles",
            "events",
            "untagged_articles",
            "unindexed_articles",
            "unindexed_events",
            "quarantined_articles",
        )
        return dict(zip(keys, row, strict=True))

    def events_indexed_between(self, since: datetime | None, until: datetime | None) -> list[str]:
        """Ids of events made searchable in a time window (alert rules read what is new)."""
        low = since.astimezone(UTC).isoformat() if since else ""
        high = until.astimezone(UTC).isoformat() if until else "9999"
        rows = self.db.execute(
            "SELECT id FROM events WHERE indexed_at >= ? AND indexed_at <= ?", (low, high)
        )
        return [row[0] for row in rows]

    def events_for_articles(self, article_ids: list[str]) -> list[Event]:
        marks = ",".join("?" * len(article_ids))
        rows = self.db.execute(
            f"SELECT data FROM events WHERE article_id IN ({marks})", article_ids
        )
        return [Event.model_validate_json(row[0]) for row in rows]

    # cycles ----------------------------------------------------------------

    def record_cycle(self, report: CycleReport) -> None:
        with self.transaction() as db:
            db.execute(
                """INSERT OR REPLACE INTO cycles (run_id, started, finished, data)
                   VALUES (?, ?, ?, ?)""",
                (
                    report.run_id,
                    report.started.isoformat(),
                    report.finished.isoformat() if report.finished else None,
                    report.model_dump_json(),
                ),
            )

    def last_cycle(self) -> CycleReport | None:
        row = self.db.execute("SELECT data FROM cycles ORDER BY started DESC LIMIT 1").fetchone()
        return CycleReport.model_validate_json(row[0]) if row else None
