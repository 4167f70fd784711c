"""One ingestion cycle: fetch every feed, tag what is new, index it.

Each stage is a function of its own, so Airflow can run them as separate
tasks (fetch mapped over feeds) and the CLI can run them in a row. The store
is the queue between them: every stage reads what the previous one left and
can be rerun alone.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx

from econsec.config import Settings
from econsec.errors import FeedError, TransientFeedError
from econsec.ingest import feedfile, fetch, page, parse, websub
from econsec.ingest.articles import to_articles
from econsec.ingest.stories import StoryAssigner, to_bytes
from econsec.ingest.subscriptions import SubscriptionBook
from econsec.models import (
    Article,
    CycleReport,
    Event,
    FeedResult,
    FeedSpec,
    IndexReport,
    Quarantined,
    TaggedArticle,
    TagReport,
    stable_id,
)
from econsec.store.protocols import Store
from extractors.countries import actor_countries
from extractors.taxonomy import event_types_by_code

if TYPE_CHECKING:
    from extractors.pipeline import EventTagger
    from extractors.types import TagResult

TAG_BATCH = 256
REASON_CHARS = 500  # of an exception's message kept as the reason an item was set aside
PROBE = ("Japan restricts exports of chipmaking tools", "")  # an item any tagger can tag
Progress = Callable[[int, int], None]  # (done, total)


@dataclass
class Download:
    """One feed fetched and parsed, not yet staged: what a fetching thread hands back (the
    articles and what HTTP said, not the body, so that feeds waiting their turn stay small)."""

    spec: FeedSpec
    fetched_at: datetime
    started: float
    result: FeedResult | None = None
    validators: tuple[str | None, str | None] = (None, None)
    articles: list[Article] = field(default_factory=list)
    error: FeedError | None = None
    hub: websub.HubLink | None = None  # the WebSub hub the feed announces


def fetch_feed(
    spec: FeedSpec, store: Store, settings: Settings, *, client: httpx.Client | None = None
) -> FeedResult:
    """Fetch, parse and stage one feed; any failure is recorded against the feed, never raised."""
    validators = store.validators(spec.name, spec.url)
    got = download(spec, settings, client, validators)
    note_hub(got, settings)
    return stage_download(got, store)


def download(
    spec: FeedSpec,
    settings: Settings,
    client: httpx.Client | None,
    validators: tuple[str | None, str | None] = (None, None),
) -> Download:
    """Fetch and parse without touching the store, so that threads can run it side by side.
    Whatever goes wrong stays with this feed: a bug tripped by one hostile feed is recorded
    as its failure (with the exception's type), not a stop for the others."""
    got = Download(spec, datetime.now(UTC), time.monotonic())
    etag, last_modified = validators
    try:
        body = fetch.fetch(spec, settings, client=client, etag=etag, last_modified=last_modified)
        if spec.submitted and not body.not_modified and page.is_page(body):
            read_page(got, body, settings)
        else:
            read_body(got, body, settings)
    except FeedError as exc:
        got.error = exc
    except Exception as exc:  # recorded per feed, see the docstring
        got.error = FeedError(spec.name, f"unexpected {type(exc).__name__}: {exc}")
    return got


def received(
    spec: FeedSpec, content: bytes, content_type: str | None, settings: Settings, store: Store
) -> FeedResult:
    """A feed body a WebSub hub pushed, parsed and staged as a fetch of it would be (the
    same article ids, so the next poll adds nothing); the feed's validators are kept, so
    that poll stays conditional. A body that is no feed is reported (status `failed`) and
    not recorded against the feed, whose polls are what its health says."""
    got = Download(spec, datetime.now(UTC), time.monotonic())
    try:
        read_body(got, fetch.FetchedBody(content, content_type=content_type), settings)
    except FeedError as exc:
        got.error = exc
    except Exception as exc:  # recorded per feed, as for a fetch
        got.error = FeedError(spec.name, f"unexpected {type(exc).__name__}: {exc}")
    if got.error is not None or got.result is None:
        reason = got.error.reason if got.error else "nothing parsed"
        return FeedResult(
            feed=spec.name, url=spec.url, status="failed", error=reason, fetched_at=got.fetched_at
        )
    got.validators = store.validators(spec.name, spec.url)
    return stage_download(got, store)


def read_body(got: Download, body: fetch.FetchedBody, settings: Settings) -> None:
    """Parse a fetched (or pushed) body into the download's articles and result."""
    spec = got.spec
    parsed = parse.parse(spec, body)
    got.articles, dropped = to_articles(
        spec,
        parsed.entries,
        got.fetched_at,
        max_summary_chars=settings.max_summary_chars,
        source=spec.title or parsed.title,
        base=spec.url if feedfile.is_remote(spec.url) else parsed.link,
        max_title_chars=settings.max_title_chars,
    )
    got.validators = (body.etag, body.last_modified)
    if not body.not_modified:
        got.hub = websub.discover(spec.url, body, parsed)
    got.result = FeedResult(
        feed=spec.name,
        url=spec.url,
        status="not_modified" if body.not_modified else "ok",
        http_status=body.http_status,
        entries_found=len(parsed.entries),
        dropped=dict(dropped),
        warning=parsed.warning,
        fetched_at=got.fetched_at,
    )


def read_page(got: Download, body: fetch.FetchedBody, settings: Settings) -> None:
    """A submitted URL that is an HTML page: its one article (`econsec.ingest.page`)."""
    spec = got.spec
    got.articles = [
        page.page_article(
            spec,
            body,
            got.fetched_at,
            max_summary_chars=settings.max_summary_chars,
            max_title_chars=settings.max_title_chars,
        )
    ]
    got.validators = (body.etag, body.last_modified)
    got.result = FeedResult(
        feed=spec.name,
        url=spec.url,
        status="ok",
        http_status=body.http_status,
        entries_found=1,
        fetched_at=got.fetched_at,
    )


def note_hub(got: Download, settings: Settings) -> None:
    """For a feed with `push: true` fetched whole, record the hub it announces (or that it
    announces none) for `econsec push subscribe`. A state file that cannot be written
    leaves the fetch as it was, with a warning."""
    if not got.spec.push or got.result is None or got.result.status != "ok":
        return
    link = got.hub
    try:
        SubscriptionBook(settings.push_state).note_hub(
            got.spec.name, link.hub if link else None, link.topic if link else None, got.fetched_at
        )
    except (OSError, sqlite3.Error) as exc:
        problem = f"WebSub hub not recorded in {settings.push_state}: {exc}"
        warning = "; ".join(w for w in (got.result.warning, problem) if w)
        got.result = got.result.model_copy(update={"warning": warning})


def stage_download(got: Download, store: Store) -> FeedResult:
    """Stage a download's articles and record how the feed went."""
    spec = got.spec
    if got.error is not None or got.result is None:
        result = FeedResult(
            feed=spec.name,
            url=spec.url,
            status="failed",
            error=got.error.reason if got.error else "nothing fetched",
            transient=isinstance(got.error, TransientFeedError),
            fetched_at=got.fetched_at,
            seconds=time.monotonic() - got.started,
        )
        store.record_feed(result, None, None)
        return result
    new_ids = store.stage_articles(got.articles)
    result = got.result.model_copy(
        update={
            "new_articles": len(new_ids),
            "duplicates": len(got.articles) - len(new_ids),
            "seconds": time.monotonic() - got.started,
        }
    )
    store.record_feed(result, *got.validators)
    return result


def tag_pending(
    store: Store,
    tagger: EventTagger | None,
    settings: Settings,
    progress: Progress | None = None,
    feed_countries: dict[str, str] | None = None,
) -> TagReport:
    """Place every untagged article in a story, tag it and store its events. Without a
    `tagger`, one is loaded, and only when something is pending (loading spaCy takes seconds).
    `feed_countries` (official feed -> country) defaults to the settings' feeds file."""
    report = TagReport()
    pending = store.untagged_articles()
    if not pending:
        return report
    tagger = tagger or load_tagger(settings)
    if feed_countries is None:
        feed_countries = feedfile.official_countries_of(settings.feeds)
    window = timedelta(days=settings.story_window_days)
    assigner = StoryAssigner(settings.near_duplicate_threshold, window)
    # A pending article with a signature is a revision: it is placed by its new text.
    waiting = {article.id for article in pending}
    known = store.known_signatures(pending[0].published - window)
    assigner.add_known(signed for signed in known if signed.article_id not in waiting)
    by_type: Counter[str] = Counter()
    done = 0
    for batch in _chunks(pending, TAG_BATCH):
        tagged, events, failed = _tag_batch(batch, assigner, tagger, report, feed_countries)
        new_events = store.save_tagged(tagged, events)
        if failed:
            store.quarantine(failed)
        by_type.update(event.type for event in new_events)
        report.new_events += len(new_events)
        report.articles_tagged += len(tagged)
        report.quarantined += len(failed)
        done += len(batch)
        if progress:
            progress(done, len(pending))
    report.events_by_type = dict(sorted(by_type.items()))
    return report


def _tag_batch(
    batch: list[Article],
    assigner: StoryAssigner,
    tagger: EventTagger,
    report: TagReport,
    feed_countries: dict[str, str],
) -> tuple[list[TaggedArticle], list[Event], list[Quarantined]]:
    tagged: list[TaggedArticle] = []
    events: list[Event] = []
    failed: list[Quarantined] = []
    for article, result in zip(batch, tag_isolated(tagger, batch), strict=True):
        if isinstance(result, str):
            failed.append(set_aside(article, result))
            continue
        story_id, minhash = assigner.assign(article.id, article.text, article.published)
        report.new_stories += story_id == article.id
        article = article.model_copy(update={"story_id": story_id})
        report.in_scope += result.in_scope
        tagged.append(TaggedArticle(article, to_bytes(minhash), list(result.technologies)))
        events.extend(to_events(article, result, feed_countries.get(article.feed, "")))
    return tagged, events, failed


def tag_isolated(tagger: EventTagger, batch: list[Article]) -> list[TagResult | str]:
    """The batch's results in order, or for an item the tagger fails on the reason why. The
    batch is tagged whole (fast); only when that fails is each item tagged alone, so one bad
    item costs its batch a second pass, never the queue. When every item fails and so does an
    item any tagger can tag, the fault is the tagger's: it is raised, and nothing set aside."""
    try:
        return list(tagger.tag_many((a.title, a.summary) for a in batch))
    except Exception:  # which item? each is tried alone below
        pass
    results: list[TagResult | str] = []
    for article in batch:
        try:
            results.append(tagger.tag(article.title, article.summary))
        except Exception as exc:  # this item's failure, kept as its reason
            results.append(f"{type(exc).__name__}: {exc}"[:REASON_CHARS])
    if all(isinstance(result, str) for result in results):
        tagger.tag(*PROBE)  # raises when the tagger itself is broken
    return results


def set_aside(article: Article, reason: str) -> Quarantined:
    return Quarantined(
        article_id=article.id,
        feed=article.feed,
        title=article.title[:200],
        url=article.url,
        reason=reason,
        quarantined_at=datetime.now(UTC),
    )


def to_events(article: Article, result: TagResult, feed_country: str = "") -> list[Event]:
    """Events of one article; ids come from the article and the type, so reruns upsert.
    `feed_country` is the country of an official feed (see `fallback_initiator`)."""
    events = []
    for tagged in result.events:
        initiator = tagged.initiator or fallback_initiator(tagged.type, feed_country)
        actors = [*initiator, *tagged.target, *tagged.partner, *tagged.concerns]
        events.append(
            Event(
                id=stable_id(article.id, tagged.type),
                article_id=article.id,
                type=tagged.type,
                category=tagged.type.split(".", 1)[0],
                status=tagged.status,
                initiator=initiator,
                target=tagged.target,
                partner=tagged.partner,
                countries=actor_countries(actors),
                technologies=list(result.technologies),
                evidence=tagged.evidence,
                confidence=round(float(tagged.confidence), 3),
                title=article.title,
                summary=article.summary,
                url=article.url,
                source=article.source,
                feed=article.feed,
                published=article.published,
                story_id=article.story_id,
                cluster_id=stable_id(article.story_id, tagged.type),
            )
        )
    return events


def fallback_initiator(event_type: str, feed_country: str) -> list[str]:
    """An official feed speaks for its government: its country initiates an event whose
    text names no initiator, for the types a state initiates (not plants, incidents,
    disputes or disruptions, where an empty initiator can be right)."""
    etype = event_types_by_code().get(event_type)
    state_acts = etype is not None and (etype.initiator == "state" or etype.parties)
    return [feed_country] if feed_country and state_acts else []


def index_pending(store: Store) -> IndexReport:
    return store.index_pending()


def run_cycle(
    specs: list[FeedSpec],
    store: Store,
    settings: Settings,
    *,
    tagger: EventTagger | None = None,
    client: httpx.Client | None = None,
    on_feed: Callable[[FeedResult], None] | None = None,
    on_tagged: Progress | None = None,
) -> CycleReport:
    """Fetch, tag and index in a row; the cycle is recorded in the store."""
    report = CycleReport(run_id=f"cli-{uuid.uuid4().hex[:12]}", started=datetime.now(UTC))
    own_client = client is None and any(feedfile.is_remote(s.url) for s in specs)
    client = client or (fetch.make_client(settings) if own_client else None)
    try:
        for result in _fetch_all(specs, store, settings, client):
            report.feeds.append(result)
            if on_feed:
                on_feed(result)
    finally:
        if own_client and client is not None:
            client.close()
    countries = feedfile.official_countries(specs)
    report.tagging = tag_pending(store, tagger, settings, on_tagged, countries)
    report.indexing = index_pending(store)
    report.finished = datetime.now(UTC)
    store.record_cycle(report)
    return report


def _fetch_all(
    specs: list[FeedSpec], store: Store, settings: Settings, client: httpx.Client | None
) -> Iterator[FeedResult]:
    """Feeds downloaded `fetch_workers` at a time (the host limiter keeps each host to its
    share), staged by this thread alone, in the feeds file's order."""
    validators = {spec.name: store.validators(spec.name, spec.url) for spec in specs}
    workers = max(1, min(settings.fetch_workers, len(specs)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fetch") as pool:
        downloads = pool.map(
            lambda spec: download(spec, settings, client, validators[spec.name]), specs
        )
        for got in downloads:
            note_hub(got, settings)
            yield stage_download(got, store)


def load_tagger(settings: Settings) -> EventTagger:
    """The spaCy tagger; imported here so that a DAG file or `--help` never loads spaCy."""
    from extractors.pipeline import EventTagger

    return EventTagger(model=settings.spacy_model)


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def cycle_from_parts(
    run_id: str,
    started: datetime,
    feeds: Iterable[FeedResult],
    tagging: TagReport,
    indexing: IndexReport,
) -> CycleReport:
    """A cycle report assembled from separately run stages (the Airflow DAG)."""
    return CycleReport(
        run_id=run_id,
        started=started,
        finished=datetime.now(UTC),
        feeds=list(feeds),
        tagging=tagging,
        indexing=indexing,
    )
