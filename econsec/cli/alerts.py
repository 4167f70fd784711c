"""`econsec alerts …`: thin wrappers over `econsec.alerts`, each help ending in an example."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from econsec.cli.common import (
    JsonOpt,
    RulesOpt,
    StoreOpt,
    console,
    errors,
    fail,
    opened,
    print_alerts,
    print_json,
)

if TYPE_CHECKING:
    from econsec.alerts.rules import Rule
    from econsec.store.protocols import AlertState, Store

alerts_app = typer.Typer(
    help="Alert rules: list, validate, run, backtest, history.", no_args_is_help=True
)


def rules_dir(option: Path | None) -> Path:
    from econsec.config import load_settings

    return Path(load_settings(rules=str(option) if option else None).rules)


def loaded(folder: Path, store: Store | None = None) -> list[Rule]:
    from econsec.alerts.rules import load_rules
    from econsec.errors import ConfigError

    try:
        return load_rules(folder, store)
    except ConfigError as exc:
        fail(str(exc), code=2)


@contextmanager
def store_and_state(store: str | None) -> Iterator[tuple[Store, AlertState]]:
    from econsec.config import load_settings
    from econsec.errors import EconsecError

    with opened(load_settings(store=store)) as st:
        try:
            state = st.alert_state()
        except EconsecError as exc:
            fail(str(exc))
        try:
            yield st, state
        finally:
            state.close()


@alerts_app.command("list")
def list_rules(rules: RulesOpt = None, as_json: JsonOpt = False) -> None:
    """The rules in the rules folder: condition, grouping, realert, digest, channels.

    Example: econsec alerts list --rules rules/
    """
    from rich.table import Table

    from econsec.alerts.conditions import format_duration

    found = loaded(rules_dir(rules))
    if as_json:
        print_json([r.model_dump(mode="json") | {"file": str(r.path)} for r in found])
        return
    table = Table(title=f"{len(found)} rules in {rules_dir(rules)}")
    for column in ("name", "condition", "group by", "realert", "digest", "channels", "enabled"):
        table.add_column(column)
    for r in found:
        table.add_row(
            r.name,
            r.condition.type,
            r.grouping or "-",
            format_duration(r.realert),
            r.digest,
            str(len(r.notify)),
            "yes" if r.enabled else "no",
        )
    console.print(table)


@alerts_app.command()
def validate(
    folder: Annotated[Path | None, typer.Argument(help="Rules folder (default: --rules).")] = None,
    rules: RulesOpt = None,
    store: StoreOpt = None,
) -> None:
    """Check every rule file against the schema, and its query with the store that will run
    it (embedded or Elasticsearch parse differently); each error names the file and the field.

    Example: econsec alerts validate rules/
    """
    from econsec.alerts.rules import load_rule, rule_files
    from econsec.config import load_settings
    from econsec.errors import ConfigError

    folder = folder or rules_dir(rules)
    try:
        files = rule_files(folder)
    except ConfigError as exc:
        fail(str(exc), code=2)
    bad = 0
    with opened(load_settings(store=store), create=True) as st:  # only its parser is used
        for path in files:
            try:
                load_rule(path, st)
                console.print(f"[green]ok[/]    {path}", highlight=False)
            except ConfigError as exc:
                bad += 1
                console.print(f"[red]error[/] {exc}", highlight=False, soft_wrap=True)
        names = [] if bad else [r.name for r in loaded(folder, st)]
    console.print(
        f"{len(files) - bad} valid, {bad} invalid" + ("" if bad else f": {len(names)} rules")
    )
    if bad:
        raise typer.Exit(1)


@alerts_app.command()
def run(rules: RulesOpt = None, store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """Run every enabled rule over the events indexed since its last run, record the
    alerts and deliver them (failed deliveries are retried on the next run).

    Example: econsec alerts run --store data/ --json
    """
    from econsec.alerts import engine

    with store_and_state(store) as (st, state):
        found = loaded(rules_dir(rules), st)
        report = engine.run_rules(st, found, state)
    if as_json:
        print_json([a.model_dump(mode="json") for a in report.alerts])
    else:
        for run_ in report.rules:
            console.print(
                f"{run_.rule}: {run_.events} new events, {len(run_.fired)} alerts"
                + (f", {run_.suppressed} held by realert" if run_.suppressed else "")
            )
        print_alerts(report.alerts)
        if report.deliveries:
            console.print(
                "deliveries: " + ", ".join(f"{k} {v}" for k, v in report.deliveries.items())
            )
    for rule, error in report.errors.items():
        errors.print(f"[bold red]rule {rule}:[/] {error}", highlight=False)
    if report.errors:
        raise typer.Exit(1)


@alerts_app.command("test")
def test_rule(
    rule: Annotated[str, typer.Argument(help="Rule name, file name without suffix, or path.")],
    since: Annotated[str, typer.Option("--since", help="How far back: 30m, 6h, 7d, 2w.")] = "30d",
    rules: RulesOpt = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Backtest: what RULE would have fired over the events published since then, with
    counts; nothing is recorded and nobody is notified.

    Example: econsec alerts test huawei-europe --since 365d
    """
    from econsec.alerts.backtest import backtest
    from econsec.alerts.conditions import parse_duration
    from econsec.alerts.rules import find_rule
    from econsec.config import load_settings
    from econsec.errors import ConfigError

    with opened(load_settings(store=store)) as st:
        try:
            chosen = find_rule(rules_dir(rules), rule, st)
            window = parse_duration(since)
        except (ConfigError, ValueError) as exc:
            fail(str(exc), code=2)
        result = backtest(st, chosen, window)
    summary = result.summary()
    if as_json:
        print_json(summary)
        return
    console.print(
        f"{chosen.name} since {since}: {result.events} events in {result.stories} stories, "
        f"{len(result.alerts)} alerts, {result.suppressed} held by realert"
    )
    print_alerts(result.alerts)


@alerts_app.command()
def history(
    rule: Annotated[str | None, typer.Option("--rule", help="Only this rule's alerts.")] = None,
    text: Annotated[str | None, typer.Option("--text", help="Words found in the alert.")] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many, newest first.")] = 20,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The alerts fired so far, newest first, with their delivery results.

    Example: econsec alerts history --rule huawei-europe --limit 5
    """
    with store_and_state(store) as (_, state):
        found = state.history(rule, limit, text)
    if as_json:
        print_json([a.model_dump(mode="json") for a in found])
    else:
        print_alerts(found, deliveries=True)
