"""The `econsec` command: thin wrappers over the library, each help ending in an example."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from econsec.cli.alerts import alerts_app
from econsec.cli.common import (
    JsonOpt,
    StoreOpt,
    console,
    errors,
    fail,
    opened,
    print_json,
)
from econsec.cli.help import App
from econsec.cli.listing import print_alerts, print_cycle, report_cycle
from econsec.cli.output import Format, print_result
from econsec.cli.push import push_app
from econsec.cli.searches import searches_app
from econsec.cli.submit import submit
from econsec.cli.values import values
from econsec.version import __version__

if TYPE_CHECKING:
    from rich.progress import Progress

    from econsec.config import Settings
    from econsec.models import Quarantined


app = App(help="News monitoring for economic security and technology policy.", no_args_is_help=True)
app.add_typer(alerts_app, name="alerts")
app.add_typer(searches_app, name="searches")
app.add_typer(push_app, name="push")


@app.callback(invoke_without_command=True)
def main(
    version: Annotated[bool, typer.Option("--version", help="Print the version.")] = False,
) -> None:
    if version:
        console.print(f"econsec {__version__}")
        raise typer.Exit()


@app.command()
def ingest(
    feeds: Annotated[
        Path | None, typer.Option("--feeds", help="Feeds YAML file. Env: ECONSEC_FEEDS.")
    ] = None,
    feed: Annotated[
        list[str] | None,
        typer.Option("--feed", help="A feed path or URL; repeatable; replaces the feeds file."),
    ] = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """One ingestion cycle: fetch the feeds, tag, index the events.

    Exits 3 when no feed could be read (every one failed), so that cron or Airflow sees it.

    Example: econsec ingest --feeds feeds/samples/feeds.yaml
    """
    from econsec.config import load_settings
    from econsec.errors import EconsecError
    from econsec.ingest import feedfile
    from econsec.ingest.cycle import load_tagger, run_cycle

    settings = load_settings(store=store, feeds=str(feeds) if feeds else None)
    try:
        specs = (
            [feedfile.spec_for(f) for f in feed] if feed else feedfile.load_feeds(settings.feeds)
        )
    except EconsecError as exc:
        fail(str(exc))
    with opened(settings, create=True) as st, _progress(as_json) as progress:
        fetching = progress.add_task("fetching feeds", total=len(specs))
        tagging = progress.add_task("tagging articles", total=None)
        report = run_cycle(
            specs,
            st,
            settings,
            tagger=load_tagger(settings),
            on_feed=lambda _: progress.advance(fetching),
            on_tagged=lambda done, total: progress.update(tagging, completed=done, total=total),
        )
    report_cycle(report, as_json)


@contextmanager
def _progress(quiet: bool) -> Iterator[Progress]:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=errors,
        disable=quiet or not errors.is_terminal,
        transient=True,
    )
    with progress:
        yield progress


def _rules_folder(settings: Settings) -> Path | None:
    """The rules folder a setting names; the default one only when it exists."""
    folder = Path(settings.rules)
    return folder if "rules" in settings.model_fields_set or folder.is_dir() else None


@app.command()
def run(
    feeds: Annotated[
        Path | None, typer.Option("--feeds", help="Feeds YAML file. Env: ECONSEC_FEEDS.")
    ] = None,
    store: StoreOpt = None,
    airflow_home: Annotated[
        Path, typer.Option("--airflow-home", envvar="AIRFLOW_HOME", help="Airflow home folder.")
    ] = Path(".airflow"),
    rules: Annotated[
        Path | None,
        typer.Option("--rules", help="Rules folder for the alerts DAG. Env: ECONSEC_RULES."),
    ] = None,
    no_alerts: Annotated[
        bool, typer.Option("--no-alerts", help="Run only the ingest DAG.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """One ingestion cycle through Airflow, then the alert rules.

    The ingest DAG runs in the real Airflow (airflow dags test), then the alerts DAG over
    the rules folder (default rules/ when present), then a summary is printed.

    Example: econsec run --feeds feeds/samples/feeds.yaml
    """
    from econsec.config import load_settings
    from econsec.errors import EconsecError
    from econsec.ingest.feedfile import load_feeds
    from econsec.orchestration.dag_runs import run_ingest_dag
    from econsec.store.backend import check_location

    settings = load_settings(store=store, feeds=str(feeds) if feeds else None)
    try:
        check_location(settings.store, existing=False)
        load_feeds(settings.feeds)  # a broken feeds file is reported before Airflow starts
    except EconsecError as exc:
        fail(str(exc))
    rules = None if no_alerts else rules or _rules_folder(settings)
    with console.status("running the econsec DAGs through Airflow…", spinner="dots"):
        try:
            report, alerts = run_ingest_dag(settings, airflow_home.resolve(), rules)
        except EconsecError as exc:
            fail(str(exc))
    if as_json:
        print_json({**report.summary(), "alerts": [a.model_dump(mode="json") for a in alerts]})
        return
    print_cycle(report)
    if rules is not None:
        console.print(f"\nalerts fired by the rules in {rules}/: {len(alerts)}")
        if alerts:
            print_alerts(alerts)
    console.print(
        f"\nstore: {settings.store}\nnext:\n"
        "  .venv/bin/econsec search '*'                       every event, newest first\n"
        "  .venv/bin/econsec search 'gallium' --type export_control.ban\n"
        "  .venv/bin/econsec search '*' --country CN --since 2024-01-01 --json\n"
        "  .venv/bin/econsec feeds                            per-feed health\n"
        "  .venv/bin/econsec alerts history                   alerts recorded so far\n"
        "  .venv/bin/econsec eval ../shared/eval/dev.jsonl    tagger accuracy"
    )


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Lucene-style query; '*' for everything.")] = "*",
    type_: Annotated[
        list[str] | None,
        typer.Option(
            "--type", help="Event type code, or a category for its every type; repeatable."
        ),
    ] = None,
    category: Annotated[list[str] | None, typer.Option(help="Category; repeatable.")] = None,
    country: Annotated[
        list[str] | None,
        typer.Option(help="Country of any actor: ISO code, name or demonym; repeatable."),
    ] = None,
    initiator: Annotated[
        list[str] | None,
        typer.Option(
            help="Who started the event: ISO code, country name or demonym, or an "
            "organisation; repeatable."
        ),
    ] = None,
    tech: Annotated[
        list[str] | None, typer.Option(help="Technology domain (singular or plural); repeatable.")
    ] = None,
    outlet: Annotated[
        list[str] | None,
        typer.Option(help="Outlet, as `econsec values outlet` lists them; repeatable."),
    ] = None,
    status: Annotated[
        list[str] | None, typer.Option(help="planned or enacted; repeatable.")
    ] = None,
    since: Annotated[str | None, typer.Option(help="From: 2024-06-01 or 30d.")] = None,
    until: Annotated[str | None, typer.Option(help="Until: 2024-12-31 or 1d.")] = None,
    min_confidence: Annotated[
        float,
        typer.Option(min=0.0, max=1.0, help="Hide events the tagger is less sure of (0 to 1)."),
    ] = 0.0,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="Most hits shown.")] = 20,
    articles: Annotated[bool, typer.Option("--articles", help="Search articles.")] = False,
    all_copies: Annotated[
        bool, typer.Option("--all-copies", help="Do not collapse a story's copies.")
    ] = False,
    store: StoreOpt = None,
    output: Annotated[
        Format | None,
        typer.Option(
            "--format",
            metavar="FORMAT",
            case_sensitive=False,
            help="table (a block per story, the default), lines (one line per story), "
            "json, ndjson (a hit a line) or csv.",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
) -> None:
    """Search events (or articles), newest first, a block per story.

    Each story: date, type, status and actors, the evidence under them, then the outlets.
    At a terminal the layout fits its width; into a pipe or a file, $COLUMNS or 80.

    Example: econsec search 'gallium OR germanium' --category export_control --since 2023-01-01
    """
    from econsec.config import load_settings
    from econsec.errors import FilterValueError, QueryError
    from econsec.models import SearchQuery
    from econsec.store.protocols import SearchKind

    if as_json and output not in (None, Format.json):
        fail(f"--json is --format json: give one or the other, not --format {output.value}", 2)

    def asked(known: Callable[[str], dict[str, int]] | None) -> SearchQuery:
        return SearchQuery.from_user(
            query,
            types=type_,
            categories=category,
            countries=country,
            initiators=initiator,
            technologies=tech,
            outlets=outlet,
            statuses=status,
            since=since,
            until=until,
            min_confidence=min_confidence,
            limit=limit,
            collapse=not all_copies,
            known=known,
        )

    try:
        asked(None)  # a bad date or query is a usage error before any store is opened
    except FilterValueError:
        pass  # unknown to the taxonomy and the gazetteer: the store may hold it
    except (ValueError, QueryError) as exc:
        fail(str(exc), code=2)
    kind: SearchKind = "articles" if articles else "events"
    with opened(load_settings(store=store)) as st:
        try:
            request = asked(st.values)
        except (ValueError, QueryError) as exc:
            fail(str(exc), code=2)
        result = st.search(request, kind)
    print_result(result, kind, Format.json if as_json else output or Format.table)


app.command()(values)
app.command()(submit)


def _shorten(text: str, limit: int = 220) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + " …"


@app.command()
def feeds(store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """Per-feed health: last fetch, status, entries, last error.

    Example: econsec feeds --json
    """
    from econsec.cli.listing import Column, print_listing, print_notes
    from econsec.config import load_settings

    with opened(load_settings(store=store)) as st:
        health = st.feed_health()
    if as_json:
        print_json([h.model_dump(mode="json") for h in health])
        return
    columns = [Column("feed"), Column("last fetch (UTC)"), Column("status")]
    columns += [Column(name, right=True) for name in ("entries", "new", "failures")]
    rows = [
        [
            h.feed,
            f"{h.last_fetch:%Y-%m-%d %H:%M}" if h.last_fetch else "-",
            h.status,
            str(h.entries),
            str(h.new_articles),
            str(h.consecutive_failures),
        ]
        for h in health
    ]
    styles = ["red" if h.status == "failed" else "" for h in health]
    print_listing(columns, rows, styles=styles)
    print_notes([(h.feed, h.error or h.warning or "", styles[i]) for i, h in enumerate(health)])


@app.command()
def tag(
    file: Annotated[Path, typer.Argument(help="JSONL items (eval format).", exists=True)],
) -> None:
    """Print predictions, one JSON object a line (the eval set's format).

    Example: econsec tag items.jsonl > predictions.jsonl
    """
    from econsec.config import load_settings
    from econsec.ingest.cycle import load_tagger
    from extractors.learning.evaluate import predict, read_items

    try:
        items = read_items(file)
    except ValueError as exc:
        fail(str(exc), code=2)
    for prediction in predict(load_tagger(load_settings()), items):
        sys.stdout.write(json.dumps(prediction, ensure_ascii=False) + "\n")


@app.command("eval")
def evaluate(
    file: Annotated[Path, typer.Argument(help="Labelled JSONL items.", exists=True)],
    part: Annotated[
        str,
        typer.Option(
            help="Score only this part of the file's fixed split (train, test or all); "
            "the real-news corpus is quoted on its test part."
        ),
    ] = "all",
    as_json: JsonOpt = False,
) -> None:
    """Precision, recall and F1 of the tagger on a labelled set.

    Overall and per event type.

    Example: econsec eval ../shared/corpus/realnews.jsonl --part test
    """
    from econsec.config import load_settings
    from econsec.ingest.cycle import load_tagger
    from extractors.learning.evaluate import format_report, predict, read_items, score
    from extractors.learning.split import PARTS, select

    if part not in PARTS:
        fail(f"--part must be one of {', '.join(PARTS)}, not {part!r}", code=2)
    try:
        items = select(read_items(file, labelled=True), part)  # type: ignore[arg-type]
    except ValueError as exc:
        fail(str(exc), code=2)
    with console.status(f"tagging {len(items)} items…"):
        scores = score(items, predict(load_tagger(load_settings()), items))
    if as_json:
        print_json(scores)
    else:
        sys.stdout.write(format_report(scores) + "\n")


@app.command()
def taxonomy(as_json: JsonOpt = False) -> None:
    """The event types econsec tags, with their definitions.

    Example: econsec taxonomy --json
    """
    from econsec.cli.listing import Column, print_listing
    from extractors.taxonomy import load_taxonomy

    types = load_taxonomy()
    if as_json:
        print_json(
            [
                {"code": t.code, "category": t.category, "name": t.name, "definition": t.definition}
                for t in types
            ]
        )
        return
    print_listing(
        [Column("code"), Column("definition", text=True)],
        [[t.code, t.definition] for t in types],
        title=f"{len(types)} event types",
    )


@app.command()
def init(store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """Set the store up; safe to rerun.

    On Elasticsearch the component and index templates, the lifecycle policy (where the
    cluster has ILM), the versioned indices and their write aliases; on the embedded store
    its directories.

    Example: econsec init --store http://127.0.0.1:9200
    """
    from econsec.config import load_settings

    with opened(load_settings(store=store), create=True) as st:
        report = st.init()
    if as_json:
        print_json(report)
        return
    console.print(f"store: {report['store']} ({report['backend']})")
    sections = (
        ("components", "component template"),
        ("lifecycle", "lifecycle policy"),
        ("templates", "template"),
        ("aliases", "alias"),
    )
    for section, label in sections:
        for name, action in report.get(section, {}).items():
            console.print(f"  {label} {name}: {action}")
    for path in report.get("created", []):
        console.print(f"  index directory {path}")


@app.command()
def status(store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """What the store holds and what is still queued between stages.

    Example: econsec status
    """
    from econsec.config import load_settings

    with opened(load_settings(store=store)) as st:
        counts = st.counts()
        last = st.last_cycle()
        held = st.quarantined(limit=QUARANTINE_SHOWN)
    data = {
        "store": st.location,
        **counts,
        "last_cycle": last.summary() if last else None,
        "quarantined": [q.model_dump(mode="json") for q in held],
    }
    if as_json:
        print_json(data)
        return
    for key, value in counts.items():
        console.print(f"{key}: {value}")
    if last:
        console.print(f"last cycle: {last.run_id} at {last.started:%Y-%m-%d %H:%M} UTC")
    if held:
        _print_quarantined(held)


QUARANTINE_SHOWN = 100


def _print_quarantined(held: list[Quarantined]) -> None:
    """One block per article, never cut to the terminal's width: the reason is the point.
    Text from feeds and exceptions is escaped, so that no `[...]` in it reads as markup."""
    from rich.markup import escape

    console.print("[bold red]quarantined[/] (the tagger failed on these):")
    for q in held:
        console.print(
            f"  {q.article_id}  feed {escape(q.feed)}, since {q.quarantined_at:%Y-%m-%d %H:%M}"
            f"\n    title: {escape(_shorten(q.title, 100))}\n    reason: {escape(q.reason)}",
            highlight=False,
            soft_wrap=True,
        )
    console.print("after a fix, retry them: econsec requeue --all (or econsec requeue ARTICLE_ID)")


@app.command()
def requeue(
    article_ids: Annotated[
        list[str] | None,
        typer.Argument(help="Ids of quarantined articles, as `econsec status` lists them."),
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every quarantined article.")] = False,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Put quarantined articles back in the tagging queue.

    Once the cause is fixed: quarantined articles are those the tagger failed on; the next
    cycle tags them again, and quarantines any that fail again.

    Example: econsec requeue --all
    """
    from econsec.config import load_settings

    if bool(article_ids) == all_:
        fail("name the articles to requeue (econsec status lists them), or pass --all", code=2)
    with opened(load_settings(store=store)) as st:
        count = st.requeue(None if all_ else list(article_ids or []))
    if as_json:
        print_json({"requeued": count})
        return
    plural = "article" if count == 1 else "articles"
    console.print(f"requeued {count} {plural}; the next cycle (econsec ingest) tags them")


@app.command()
def serve(
    host: Annotated[
        str, typer.Option(help="Address to bind; anything but loopback needs a token.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    token: Annotated[
        str | None,
        typer.Option(
            help="Token every request must carry (visible to `ps`: prefer the environment). "
            "Env: ECONSEC_API_TOKEN.",
            show_default=False,
        ),
    ] = None,
    rules: Annotated[
        Path | None,
        typer.Option("--rules", help="Rules folder for the alerts page. Env: ECONSEC_RULES."),
    ] = None,
    store: StoreOpt = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1, max=64, help="Server processes; one per core lets concurrent searches scale."
        ),
    ] = 1,
) -> None:
    """The analyst web pages and the JSON API over the store.

    Serves until interrupted, the API described at /docs; refuses to bind a non-loopback
    address without a token.

    Example: econsec serve --port 8000 --workers 2, then open http://127.0.0.1:8000/
    """
    from econsec.config import load_settings
    from econsec.errors import EconsecError
    from econsec.web.server import serve as run_server

    settings = load_settings(store=store, api_token=token, rules=str(rules) if rules else None)
    try:
        run_server(settings, host, port, Path(settings.rules), workers=workers)
    except EconsecError as exc:
        fail(str(exc), code=2)


if __name__ == "__main__":
    app()
