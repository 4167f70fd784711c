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
from econsec.cli.help import App

if TYPE_CHECKING:
    from econsec.alerts.rules import RuleSet
    from econsec.store.protocols import AlertState, Store

alerts_app = App(help="Alert rules: list, validate, run, backtest, history.", no_args_is_help=True)


def rules_dir(option: Path | None) -> Path:
    from econsec.config import load_settings

    return Path(load_settings(rules=str(option) if option else None).rules)


def loaded(place: Path, store: Store | None = None) -> RuleSet:
    """The good rules, each bad file's errors printed (stderr); exits 2 only when there
    is no rules folder at all."""
    from econsec.alerts.rules import read_rules
    from econsec.errors import ConfigError

    try:
        found = read_rules(place, store)
    except ConfigError as exc:
        fail(str(exc), code=2)
    for error in found.errors:
        errors.print(f"[bold red]error:[/] {error}", highlight=False, soft_wrap=True)
    return found


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
    """The rules in the rules folder, with their conditions and channels.

    Condition, grouping, realert, digest and channels of each rule. Bad files are reported
    (stderr) and the rest listed; the exit status is then 1.

    Example: econsec alerts list --rules rules/
    """
    from econsec.alerts.conditions import format_duration
    from econsec.cli.listing import Column, print_listing

    found = loaded(rules_dir(rules))
    if as_json:
        print_json([r.model_dump(mode="json") | {"file": str(r.path)} for r in found.rules])
    else:
        columns = [Column(name) for name in ("name", "condition", "group by", "realert")]
        columns += [Column("digest"), Column("channels", right=True), Column("enabled")]
        rows = [
            [
                r.name,
                r.condition.type,
                r.grouping or "-",
                format_duration(r.realert),
                r.digest,
                str(len(r.notify)),
                "yes" if r.enabled else "no",
            ]
            for r in found.rules
        ]
        print_listing(columns, rows, title=f"{len(found.rules)} rules in {rules_dir(rules)}")
    if found.errors:
        raise typer.Exit(1)


@alerts_app.command()
def validate(
    place: Annotated[
        Path | None, typer.Argument(help="A rules folder or one rule file (default: --rules).")
    ] = None,
    rules: RulesOpt = None,
    store: StoreOpt = None,
) -> None:
    """Check rule files against the schema and the store's query parser.

    Queries are checked with the store that will run them (embedded or Elasticsearch
    parse differently); every error of every file is shown, each naming the file and the
    field. Exit status 1 when any file is invalid.

    Example: econsec alerts validate rules/huawei-europe.yaml
    """
    from econsec.alerts.rules import read_rules, rule_files
    from econsec.config import load_settings
    from econsec.errors import ConfigError

    place = place or rules_dir(rules)
    try:
        files = rule_files(place)
    except ConfigError as exc:
        fail(str(exc), code=2)
    with opened(load_settings(store=store), create=True) as st:  # only its parser is used
        found = read_rules(place, st)
    bad = {error.file for error in found.errors}
    for path in files:
        if str(path) not in bad:
            console.print(f"[green]ok[/]    {path}", highlight=False)
    for error in found.errors:
        for line in str(error).splitlines():
            console.print(f"[red]error[/] {line}", highlight=False, soft_wrap=True)
    console.print(f"{len(files) - len(bad)} valid, {len(bad)} invalid: {len(found.rules)} rules")
    if bad:
        raise typer.Exit(1)


@alerts_app.command()
def run(rules: RulesOpt = None, store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """Run the enabled rules over new events; record and deliver alerts.

    Each rule reads the events indexed since its last run; failed deliveries are retried
    on the next run. Bad rule files and failing rules are reported and the rest still
    run; the exit status is then 1.

    Example: econsec alerts run --store data/ --json
    """
    from econsec.alerts import engine

    with store_and_state(store) as (st, state):
        found = loaded(rules_dir(rules), st)
        report = engine.run_rules(st, found.rules, state)
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
    if report.errors or found.errors:
        raise typer.Exit(1)


@alerts_app.command("test")
def test_rule(
    rule: Annotated[str, typer.Argument(help="Rule name, file name without suffix, or path.")],
    since: Annotated[str, typer.Option("--since", help="How far back: 30m, 6h, 7d, 2w.")] = "30d",
    rules: RulesOpt = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Backtest: what a rule would have fired, with counts.

    Runs RULE over the events published since then; nothing is recorded and nobody is
    notified.

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
    """The alerts fired so far, newest first, with their deliveries.

    Example: econsec alerts history --rule huawei-europe --limit 5
    """
    with store_and_state(store) as (_, state):
        found = state.history(rule, limit, text)
    if as_json:
        print_json([a.model_dump(mode="json") for a in found])
    else:
        print_alerts(found, deliveries=True)
