"""`econsec push …`: WebSub subscriptions, thin wrappers over `econsec.ingest.websub`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from econsec.cli.common import JsonOpt, fail, print_json
from econsec.cli.help import App

if TYPE_CHECKING:
    import httpx

    from econsec.config import Settings
    from econsec.ingest.subscriptions import Subscription, SubscriptionBook
    from econsec.ingest.websub import HubLink
    from econsec.models import FeedSpec

push_app = App(
    help="WebSub push: subscribe, status, renew, unsubscribe.",
    no_args_is_help=True,
)
FeedsOpt = Annotated[
    Path | None, typer.Option("--feeds", help="Feeds YAML file. Env: ECONSEC_FEEDS.")
]
FeedOpt = Annotated[
    list[str] | None,
    typer.Option("--feed", help="Only this feed (its name); repeatable."),
]


@contextmanager
def _setup(feeds: Path | None) -> Iterator[tuple[Settings, SubscriptionBook, httpx.Client]]:
    from econsec.config import load_settings
    from econsec.ingest.fetch import make_client
    from econsec.ingest.subscriptions import SubscriptionBook

    settings = load_settings(feeds=str(feeds) if feeds else None)
    client = make_client(settings)
    try:
        yield settings, SubscriptionBook(settings.push_state), client
    finally:
        client.close()


def _push_feeds(settings: Settings, names: list[str] | None) -> list[FeedSpec]:
    """The feeds with `push: true` (those named, when names are given)."""
    from econsec.errors import ConfigError
    from econsec.ingest.feedfile import load_feeds

    try:
        specs = [s for s in load_feeds(settings.feeds) if s.push]
    except ConfigError as exc:
        fail(str(exc), code=2)
    unknown = sorted(set(names or ()) - {s.name for s in specs})
    if unknown:
        fail(f"not a feed with push: true in {settings.feeds}: {', '.join(unknown)}", code=2)
    return [s for s in specs if not names or s.name in names]


@push_app.command()
def subscribe(feeds: FeedsOpt = None, feed: FeedOpt = None, as_json: JsonOpt = False) -> None:
    """Ask the hubs of the feeds with `push: true` to push them here.

    The hub is the one the feed announced when last fetched (else the feed is fetched
    now to find it). Each subscription stays pending until the hub verifies it on
    ECONSEC_PUSH_CALLBACK_URL, so `econsec serve` must be reachable there. Exits 1 when
    a feed could not be subscribed.

    Example: econsec push subscribe --feed bis-press
    """
    from econsec.errors import ConfigError
    from econsec.ingest import websub

    rows: list[dict[str, object]] = []
    with _setup(feeds) as (settings, book, client):
        try:
            websub.callback_url(settings, "-")
        except ConfigError as exc:
            fail(str(exc), code=2)
        for spec in _push_feeds(settings, feed):
            link = _hub(spec, settings, book, client)
            if link is None:
                rows.append({"feed": spec.name, "state": "no hub", "error": "announces no hub"})
                continue
            sub = websub.subscribe(book, settings, spec.name, link, client)
            rows.append(sub.shown())
    _report(rows, as_json)
    if any(row["state"] in ("failed", "no hub") for row in rows):
        raise typer.Exit(1)


def _hub(
    spec: FeedSpec, settings: Settings, book: SubscriptionBook, client: httpx.Client
) -> HubLink | None:
    from econsec.ingest import websub
    from econsec.ingest.cycle import download, note_hub

    known = book.hub_of(spec.name)
    if known:
        return websub.HubLink(*known)
    got = download(spec, settings, client)
    note_hub(got, settings)
    return got.hub


@push_app.command()
def status(as_json: JsonOpt = False) -> None:
    """Every subscription: state, lease expiry, pushes, last error.

    Example: econsec push status --json
    """
    from econsec.config import load_settings
    from econsec.ingest.subscriptions import SubscriptionBook

    book = SubscriptionBook(load_settings().push_state)
    book.expire(datetime.now(UTC))
    _report([sub.shown() for sub in book.all()], as_json)


@push_app.command()
def renew(
    everything: Annotated[
        bool, typer.Option("--all", help="Renew every lease, not only those due.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Renew the leases that are due (under a fifth left, or run out).

    Run it hourly from cron, or leave it to `econsec serve`, which checks every hour.

    Example: econsec push renew
    """
    from econsec.errors import ConfigError
    from econsec.ingest import websub

    with _setup(None) as (settings, book, client):
        try:
            renewed = websub.renew(book, settings, client, everything=everything)
        except ConfigError as exc:
            fail(str(exc), code=2)
    _report([sub.shown() for sub in renewed], as_json)


@push_app.command()
def unsubscribe(feed: FeedOpt = None, as_json: JsonOpt = False) -> None:
    """Ask the hubs to stop pushing (all feeds, or those named).

    Polling goes on.

    Example: econsec push unsubscribe --feed bis-press
    """
    from econsec.errors import ConfigError
    from econsec.ingest import websub

    done: list[Subscription] = []
    with _setup(None) as (settings, book, client):
        for sub in book.all():
            if sub.state in ("unsubscribed", "failed") or (feed and sub.feed not in feed):
                continue
            try:
                done.append(websub.unsubscribe(book, settings, sub, client))
            except ConfigError as exc:
                fail(str(exc), code=2)
    _report([sub.shown() for sub in done], as_json)


def _report(rows: list[dict[str, object]], as_json: bool) -> None:
    from econsec.cli.listing import Column, print_listing, print_notes

    if as_json:
        print_json(rows)
        return
    columns = [Column("feed"), Column("state"), Column("expires (UTC)")]
    columns.append(Column("pushes", right=True))
    table = [
        [
            str(row["feed"]),
            _state(row),
            str(row.get("expires_at") or "-")[:16].replace("T", " "),
            str(row.get("pushes", 0)),
        ]
        for row in rows
    ]
    styles = ["red" if row["state"] in ("failed", "denied", "no hub") else "" for row in rows]
    print_listing(columns, table, styles=styles)
    notes = [(str(r["feed"]), str(r.get("error") or ""), styles[i]) for i, r in enumerate(rows)]
    print_notes(notes)


def _state(row: dict[str, object]) -> str:
    """A verified subscription being renewed or ended says so: `verified (subscribe asked)`."""
    mode, state = row.get("pending_mode"), str(row["state"])
    return f"{state} ({mode} asked)" if mode and state != "pending" else state
