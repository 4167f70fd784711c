"""`econsec searches …`: thin wrappers over `econsec.searches`, each help ending in an
example."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from econsec.cli.common import JsonOpt, RulesOpt, StoreOpt, console, fail, opened, print_json
from econsec.cli.help import App
from econsec.cli.output import Format, print_result

searches_app = App(
    help="Saved searches: save, list, run, turn into an alert rule.",
    no_args_is_help=True,
)
NameArg = Annotated[str, typer.Argument(help="The saved search's name (letters, digits, _, -).")]
SearchesOpt = Annotated[
    Path | None,
    typer.Option(
        "--searches", help="Folder of saved searches. Env: ECONSEC_SEARCHES (default: searches/)."
    ),
]
Many = list[str] | None


def folder(option: Path | None) -> Path:
    from econsec.config import load_settings

    return Path(load_settings(searches=str(option) if option else None).searches)


def _loaded(name: str, searches: Path | None):  # type: ignore[no-untyped-def]
    from econsec.errors import ConfigError
    from econsec.searches import load

    try:
        return load(folder(searches), name)
    except (LookupError, ValueError, ConfigError) as exc:
        fail(str(exc), 2)


@searches_app.command()
def save(
    name: NameArg,
    query: Annotated[str, typer.Argument(help="Lucene-style query, as `econsec search` takes.")],
    type_: Annotated[
        Many, typer.Option("--type", help="Event type or category; repeatable.")
    ] = None,
    category: Annotated[Many, typer.Option(help="Category; repeatable.")] = None,
    country: Annotated[Many, typer.Option(help="Country of any actor; repeatable.")] = None,
    initiator: Annotated[Many, typer.Option(help="Who started the event; repeatable.")] = None,
    tech: Annotated[Many, typer.Option(help="Technology domain; repeatable.")] = None,
    status: Annotated[Many, typer.Option(help="planned or enacted; repeatable.")] = None,
    outlet: Annotated[Many, typer.Option(help="Outlet; repeatable.")] = None,
    since: Annotated[str, typer.Option(help="From: 2024-06-01 or 30d.")] = "",
    until: Annotated[str, typer.Option(help="Until: 2024-12-31 or 1d.")] = "",
    min_confidence: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Least confidence (0 to 1).")
    ] = 0.0,
    replace: Annotated[bool, typer.Option("--replace", help="Overwrite one of that name.")] = False,
    searches: SearchesOpt = None,
    store: StoreOpt = None,
) -> None:
    """Save a search under a name.

    Its values are kept as the index reads them (China -> CN); one that could never
    match is refused.

    Example: econsec searches save gallium-bans 'gallium OR germanium' --category export_control
    """
    from econsec.config import load_settings
    from econsec.errors import QueryError
    from econsec.searches import SavedSearch
    from econsec.searches import save as write

    try:
        given = SavedSearch(
            name=name,
            query=query,
            types=type_ or [],
            categories=category or [],
            countries=country or [],
            initiators=initiator or [],
            technologies=tech or [],
            statuses=status or [],
            outlets=outlet or [],
            since=since,
            until=until,
            min_confidence=min_confidence,
        )
    except ValueError as exc:
        fail(str(exc).splitlines()[0] if "pattern" not in str(exc) else f"bad name {name!r}", 2)
    with opened(load_settings(store=store)) as st:
        try:
            saved = given.normalised(st.values)
        except (ValueError, QueryError) as exc:
            fail(str(exc), 2)
    try:
        path = write(folder(searches), saved, replace=replace)
    except (FileExistsError, ValueError) as exc:
        fail(str(exc), 2)
    console.print(f"saved {saved.name} in {path}", highlight=False, soft_wrap=True)


@searches_app.command("list")
def list_searches(searches: SearchesOpt = None, as_json: JsonOpt = False) -> None:
    """The saved searches: name, query and filters.

    Example: econsec searches list --json
    """
    from econsec.errors import ConfigError
    from econsec.searches import saved_searches

    try:
        found = saved_searches(folder(searches))
    except ConfigError as exc:
        fail(str(exc), 1)
    if as_json:
        print_json([s.model_dump(exclude_defaults=True) | {"name": s.name} for s in found])
        return
    if not found:
        console.print(f"no saved search in {folder(searches)}", highlight=False)
    for saved in found:
        filters = saved.model_dump(exclude_defaults=True, exclude={"name", "query"})
        shown = "  ".join(
            f"{k}={','.join(map(str, v)) if isinstance(v, list) else v}" for k, v in filters.items()
        )
        console.print(
            f"{saved.name}  {saved.query}  {shown}".rstrip(), highlight=False, soft_wrap=True
        )


@searches_app.command()
def run(
    name: NameArg,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="Most stories shown.")] = 20,
    output: Annotated[
        Format,
        typer.Option("--format", metavar="FORMAT", case_sensitive=False, help="As search's."),
    ] = Format.table,
    searches: SearchesOpt = None,
    store: StoreOpt = None,
) -> None:
    """Run a saved search, as `econsec search` prints it.

    Example: econsec searches run gallium-bans --format lines
    """
    from econsec.config import load_settings
    from econsec.errors import QueryError

    saved = _loaded(name, searches)
    with opened(load_settings(store=store)) as st:
        try:
            query = saved.search_query(st.values, limit=limit)
        except (ValueError, QueryError) as exc:
            fail(str(exc), 2)
        result = st.search(query)
    print_result(result, "events", output)


@searches_app.command("to-rule")
def to_rule(
    name: NameArg,
    rules: RulesOpt = None,
    description: Annotated[str, typer.Option(help="The rule's description.")] = "",
    searches: SearchesOpt = None,
) -> None:
    """Write an alert rule watching a saved search.

    The rule's condition is `any` (an alert a new story); the search's dates are left
    out, as a rule watches new events.

    Example: econsec searches to-rule gallium-bans --rules rules/
    """
    from econsec.cli.alerts import rules_dir
    from econsec.errors import ConfigError
    from econsec.searches import write_rule

    saved = _loaded(name, searches)
    try:
        path = write_rule(saved, rules_dir(rules), description)
    except (FileExistsError, ValueError, ConfigError) as exc:
        fail(str(exc), 2)
    dropped = " (its dates are left out)" if saved.since or saved.until else ""
    console.print(f"wrote rule {saved.name} to {path}{dropped}", highlight=False, soft_wrap=True)
