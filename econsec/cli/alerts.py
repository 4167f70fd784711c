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
    print_json,
)
from econsec.cli.help import App
from econsec.cli.listing import print_alerts

if TYPE_CHECKING:
    from econsec.alerts.rules import RuleSet
    from econsec.store.protocols import AlertState, Silence, Store

alerts_app = App(
    help="Alert rules: list, validate, run, backtest, history.",
    no_args_is_help=True,
)
RuleArg = Annotated[str, typer.Argument(help="Rule name, file name without suffix, or path.")]
GroupOpt = Annotated[
    str | None,
    typer.Option("--group", help="One group of the rule: a value (CN) or a label (initiator=CN)."),
]


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


def running_silences(store: str | None) -> dict[str, list[Silence]] | None:
    """The silences running now, by rule: none when the store named by default does not
    exist yet; None, with the error on stderr, when the store cannot be read (the rules
    are listed all the same: they live in files)."""
    from econsec.alerts.engine import utcnow
    from econsec.config import load_settings
    from econsec.errors import EconsecError
    from econsec.store.backend import check_location, open_store

    settings = load_settings(store=store)
    found: dict[str, list[Silence]] = {}
    try:
        check_location(settings.store, existing=True)
    except EconsecError as exc:
        if store is None:
            return found
        errors.print(f"[bold red]error:[/] silences not shown: {exc}", highlight=False)
        return None
    try:
        opened_store = open_store(settings.store)
        try:
            state = opened_store.alert_state()
            try:
                for silence in state.silences(utcnow()):
                    found.setdefault(silence.rule, []).append(silence)
            finally:
                state.close()
        finally:
            opened_store.close()
    except EconsecError as exc:
        errors.print(f"[bold red]error:[/] silences not shown: {exc}", highlight=False)
        return None
    return found


def describe_silences(silences: list[Silence]) -> str:
    return "; ".join(
        f"{s.group or 'all'} until {s.until.strftime('%Y-%m-%d %H:%M')} UTC" for s in silences
    )


@alerts_app.command("list")
def list_rules(rules: RulesOpt = None, store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """The rules of the rules folder, their channels and silences.

    Condition, grouping, realert, digest and channels of each rule, and the silences
    running now (read from the store). Bad files, or a store that cannot be read, are
    reported (stderr) and the rules still listed; the exit status is then 1.

    Example: econsec alerts list --rules rules/
    """
    from econsec.alerts.conditions import format_duration
    from econsec.cli.listing import Column, print_listing

    found = loaded(rules_dir(rules))
    read = running_silences(store)
    quiet = read if read is not None else {}
    if as_json:
        print_json(
            [
                r.model_dump(mode="json")
                | {"file": str(r.path)}
                | {"silenced": [_silence_json(s) for s in quiet.get(r.name, [])]}
                for r in found.rules
            ]
        )
    else:
        columns = [Column(name) for name in ("name", "condition", "group by", "realert")]
        columns += [Column("digest"), Column("channels", right=True), Column("enabled")]
        columns += [Column("silenced", text=True)]
        rows = [
            [
                r.name,
                r.condition.type,
                r.grouping or "-",
                format_duration(r.realert),
                " ".join(
                    [r.digest, *([r.digest_at.strftime("%H:%M")] if r.digest_at else [])]
                    + ([r.timezone] if r.timezone != "UTC" else [])
                ),
                str(len(r.notify)),
                "yes" if r.enabled else "no",
                describe_silences(quiet.get(r.name, [])) or "-",
            ]
            for r in found.rules
        ]
        print_listing(columns, rows, title=f"{len(found.rules)} rules in {rules_dir(rules)}")
    if found.errors or read is None:
        raise typer.Exit(1)


def _silence_json(silence: Silence) -> dict[str, str]:
    return {"group": silence.group, "until": silence.until.isoformat()}


@alerts_app.command()
def silence(
    rule: RuleArg,
    duration: Annotated[str, typer.Option("--for", help="How long: 6h, 2d, 2w.")],
    group: GroupOpt = None,
    rules: RulesOpt = None,
    store: StoreOpt = None,
) -> None:
    """Keep a rule, or one of its groups, quiet for a while.

    Its matches are neither recorded nor delivered meanwhile (their events count as
    evaluated), as ElastAlert's --silence. Silencing again replaces the end; `alerts
    unsilence` lifts it.

    Example: econsec alerts silence huawei-europe --for 2d --group CN
    """
    from econsec.alerts.conditions import parse_duration
    from econsec.alerts.engine import utcnow
    from econsec.alerts.rules import find_rule
    from econsec.errors import ConfigError
    from econsec.store.protocols import Silence

    with store_and_state(store) as (st, state):
        try:
            chosen = find_rule(rules_dir(rules), rule, st)
            length = parse_duration(duration)
            label = chosen.group_label(group) if group else ""
        except (ConfigError, ValueError) as exc:
            fail(str(exc), code=2)
        now = utcnow()
        state.silence(Silence(chosen.name, label, now + length, now))
    until = (now + length).strftime("%Y-%m-%d %H:%M")
    console.print(f"silenced {chosen.name} ({label or 'all groups'}) until {until} UTC")


@alerts_app.command()
def unsilence(
    rule: RuleArg, group: GroupOpt = None, rules: RulesOpt = None, store: StoreOpt = None
) -> None:
    """Lift the silences of a rule: every one, or one group's.

    A rule whose file is gone is named as it was. Exit status 1 when there was no such
    silence.

    Example: econsec alerts unsilence huawei-europe
    """
    from econsec.alerts.rules import find_rule
    from econsec.errors import ConfigError

    with store_and_state(store) as (st, state):
        name, label = rule, group
        try:
            chosen = find_rule(rules_dir(rules), rule, st)
            name, label = chosen.name, chosen.group_label(group) if group else None
        except ConfigError:
            pass  # a rule removed since it was silenced: its silences are lifted by name
        lifted = state.unsilence(name, label)
    console.print(f"lifted {lifted} silence{'s' if lifted != 1 else ''} of {name}")
    if not lifted:
        raise typer.Exit(1)


@alerts_app.command()
def validate(
    place: Annotated[
        Path | None, typer.Argument(help="A rules folder or one rule file (default: --rules).")
    ] = None,
    rules: RulesOpt = None,
    store: StoreOpt = None,
) -> None:
    """Check rule files: the schema and the store's query parser.

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
    """Run the rules over new events; record and deliver alerts.

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
                + (f", {run_.silenced} silenced" if run_.silenced else "")
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


@alerts_app.command("notify-test")
def notify_test(rule: RuleArg, rules: RulesOpt = None, as_json: JsonOpt = False) -> None:
    """Send a test notification through each channel of a rule.

    Each channel's answer is shown; nothing is recorded. Exit status 1 when a channel
    failed or the rule has none.

    Example: econsec alerts notify-test huawei-europe
    """
    from econsec.alerts import notify
    from econsec.alerts.rules import find_rule
    from econsec.errors import ConfigError

    try:
        chosen = find_rule(rules_dir(rules), rule)
    except ConfigError as exc:
        fail(str(exc), code=2)
    outcomes = notify.send_test(chosen.name, chosen.notify)
    if as_json:
        print_json({label: vars(outcome) for label, outcome in outcomes.items()})
    elif not outcomes:
        errors.print(f"rule {chosen.name} has no channels (notify: [])", highlight=False)
    for label, outcome in outcomes.items() if not as_json else []:
        said = "delivered" if outcome.ok else f"failed: {outcome.error}"
        console.print(f"{label}: {said}", highlight=False, soft_wrap=True)
    if not outcomes or not all(o.ok for o in outcomes.values()):
        raise typer.Exit(1)


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
