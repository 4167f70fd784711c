"""`econsec submit`: ingest article or feed URLs now, through Airflow when it is configured
(`econsec.orchestration.trigger`), else in this process (`econsec.ingest.cycle`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from econsec.cli.common import JsonOpt, StoreOpt, console, fail, opened, print_json

if TYPE_CHECKING:
    from econsec.config import Settings
    from econsec.models import FeedSpec

WAIT_SECONDS = 1800.0


def submit(
    urls: Annotated[
        list[str],
        typer.Argument(
            help="Article or feed URLs (http or https).", metavar="URL", show_default=False
        ),
    ],
    wait: Annotated[
        bool,
        typer.Option("--wait", help="Through Airflow: wait for the run, then print its counts."),
    ] = False,
    timeout: Annotated[
        float, typer.Option(min=1.0, help="Most seconds --wait waits for the run.")
    ] = WAIT_SECONDS,
    feeds: Annotated[
        Path | None,
        typer.Option(
            "--feeds",
            help="Feeds YAML file; a URL it lists is read as that feed. Env: ECONSEC_FEEDS.",
        ),
    ] = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Ingest article or feed URLs now, not at the next hourly run.

    With ECONSEC_AIRFLOW_URL set, a run of the ingest DAG limited to these URLs is triggered
    through Airflow's REST API (the deployment's own store and feeds file) and its id
    printed; the same URLs again within ECONSEC_AIRFLOW_TRIGGER_WINDOW seconds are that run.
    Otherwise they are fetched, tagged and indexed here, on --store. A feed URL is read as a
    feed; an HTML page becomes one article.

    Example: econsec submit https://www.example.com/news/chip-tool-curbs --wait
    """
    from econsec.config import load_settings
    from econsec.errors import ConfigError
    from econsec.ingest.feedfile import submitted_spec

    settings = load_settings(store=store, feeds=str(feeds) if feeds else None)
    try:
        for url in urls:
            submitted_spec(url)  # a usage error before anything is fetched or triggered
    except ConfigError as exc:
        fail(str(exc), code=2)
    if settings.airflow_url:
        _through_airflow(settings, urls, wait, timeout, as_json)
    else:
        _in_process(settings, urls, as_json)


def _through_airflow(
    settings: Settings, urls: list[str], wait: bool, timeout: float, as_json: bool
) -> None:
    from econsec.errors import EconsecError
    from econsec.orchestration.trigger import AirflowTrigger

    try:
        with AirflowTrigger(settings) as trigger:
            submission = trigger.submit(urls=urls, reason="econsec submit")
            if not as_json:
                said = "queued" if submission.queued else "already queued"
                shown = f"{said}: run {submission.run_id} of {trigger.dag_id}"
                console.print(shown, soft_wrap=True)
            if not wait:
                if as_json:
                    print_json({"run_id": submission.run_id, "queued": submission.queued})
                return
            with console.status(f"waiting for run {submission.run_id}…", spinner="dots"):
                outcome = trigger.wait(submission.run_id, timeout)
    except EconsecError as exc:
        fail(str(exc))
    result: dict[str, Any] = {
        "run_id": outcome.run_id,
        "queued": submission.queued,
        "state": outcome.state,
        **outcome.summary,
    }
    if as_json:
        print_json(result)
    else:
        said = f"run {outcome.run_id}: {outcome.state}" + _counts(outcome.summary)
        console.print(said, soft_wrap=True)
    if outcome.state != "success":
        fail(f"the run {outcome.run_id} failed; see it in Airflow")


def _counts(summary: dict[str, Any]) -> str:
    if not summary:
        return ""
    keys = ("feeds_ok", "feeds_failed", "new_articles", "new_events")
    return "; " + ", ".join(f"{k.replace('_', ' ')} {summary.get(k, 0)}" for k in keys)


def _in_process(settings: Settings, urls: list[str], as_json: bool) -> None:
    from econsec.cli.listing import report_cycle
    from econsec.ingest.cycle import load_tagger, run_cycle

    specs = _specs(settings, urls)
    status = console.status("fetching, tagging and indexing…", spinner="dots")
    with opened(settings, create=True) as st, status:
        report = run_cycle(specs, st, settings, tagger=load_tagger(settings))
    report_cycle(report, as_json, "URL")


def _specs(settings: Settings, urls: list[str]) -> list[FeedSpec]:
    """One spec per URL: the listed feed with that URL when the feeds file has one (its
    name, title and country), else the URL as submitted."""
    from econsec.errors import ConfigError
    from econsec.ingest.feedfile import limited, load_feeds

    path = Path(settings.feeds)
    try:
        listed = load_feeds(path) if path.is_file() else []
        return limited(listed, urls=urls)
    except ConfigError as exc:
        fail(str(exc))
