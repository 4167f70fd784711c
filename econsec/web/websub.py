"""The WebSub callback, `/websub/{subscription_id}`: the one path a hub must reach, open
without the token (a hub cannot send it; the unguessable id and the per-subscription
secret stand in for it).

`GET` answers the hub's intent verification: the challenge, echoed for a known
subscription whose topic and requested mode match, else 404. `POST` is a push: refused
for an unknown or inactive subscription (404), a body over the fetch cap (413), a missing
or wrong `X-Hub-Signature` (403); otherwise the body is parsed and staged as a fetch of
the feed would be, a run is queued for the feed (429 when its share of the queue is
full; the hub retries) and the hub gets 202 at once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse
from starlette.concurrency import run_in_threadpool

from econsec.config import Settings
from econsec.errors import ConfigError, EconsecError
from econsec.ingest.cycle import received
from econsec.ingest.feedfile import load_feeds
from econsec.ingest.subscriptions import SubscriptionBook
from econsec.ingest.websub import CALLBACK_PATH, signature_valid, verify_intent
from econsec.models import FeedSpec
from econsec.orchestration.push import PushQueue
from econsec.store.protocols import Store

MAX_ID_CHARS = 64
RETRY_SECONDS = "60"


class TooLarge(Exception):
    pass


def websub_routes(
    settings: Settings, book: SubscriptionBook, queue: PushQueue, store: Callable[[], Store]
) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get(CALLBACK_PATH + "{sub_id}")
    def verify(sub_id: str, request: Request) -> Response:
        if len(sub_id) > MAX_ID_CHARS:
            return _plain("unknown subscription", 404)
        query = {k: v for k, v in request.query_params.items()}
        try:
            challenge = verify_intent(book, sub_id, query)
        except (sqlite3.Error, OSError) as exc:  # the state file; the hub retries
            return _plain(f"cannot verify now: {exc}", 503, RETRY_SECONDS)
        if challenge is None:
            return _plain("unknown subscription or unexpected verification", 404)
        return _plain(challenge, 200)

    @router.post(CALLBACK_PATH + "{sub_id}")
    async def push(sub_id: str, request: Request) -> Response:
        try:
            return await take(sub_id, request)
        except (EconsecError, sqlite3.Error, OSError) as exc:  # the store or state file
            return _plain(f"cannot take the push now: {exc}", 503, RETRY_SECONDS)

    async def take(sub_id: str, request: Request) -> Response:
        now = datetime.now(UTC)
        sub = await run_in_threadpool(book.get, sub_id) if len(sub_id) <= MAX_ID_CHARS else None
        if sub is None or not sub.active(now):
            return _plain("unknown or inactive subscription", 404)
        try:
            body = await _read_capped(request, settings.max_feed_bytes)
        except TooLarge:
            return _plain(f"body over the {settings.max_feed_bytes}-byte cap", 413)
        if not signature_valid(sub.secret, request.headers.get("x-hub-signature"), body):
            return _plain("missing or wrong X-Hub-Signature", 403)
        spec = await run_in_threadpool(_push_spec, settings.feeds, sub.feed)
        if spec is None:
            return _plain(f"feed {sub.feed!r} no longer has push enabled", 410)
        if queue.waiting().get(spec.name, 0) >= queue.per_feed:
            return _plain("too many pushes queued for this feed", 429, RETRY_SECONDS)
        content_type = request.headers.get("content-type")
        result = await run_in_threadpool(received, spec, body, content_type, settings, store())
        if result.status == "failed":
            return _plain(f"not a feed: {result.error}", 400)
        await run_in_threadpool(book.pushed, sub_id, now)
        if not queue.offer(spec.name):
            return _plain("too many pushes queued for this feed", 429, RETRY_SECONDS)
        return _plain(f"accepted: {result.new_articles} new", 202)

    return router


def _plain(text: str, status: int, retry_after: str | None = None) -> Response:
    headers = {"Retry-After": retry_after} if retry_after else None
    return PlainTextResponse(text, status_code=status, headers=headers)


async def _read_capped(request: Request, cap: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise TooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _push_spec(feeds_file: str, name: str) -> FeedSpec | None:
    """The feed's entry in the feeds file, when it is there with `push: true`."""
    try:
        specs = load_feeds(Path(feeds_file))
    except ConfigError:
        return None
    return next((s for s in specs if s.name == name and s.push), None)
