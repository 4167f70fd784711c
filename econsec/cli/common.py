"""What every command shares: its options, opening the store, failing, printing.

Only Typer and Rich are imported here: the library is imported by each command
when it runs, so that `econsec --help` and every command start in well under a
second (Settings alone pull in pydantic-settings; the store pulls in Tantivy).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:
    from econsec.config import Settings
    from econsec.store.protocols import Store

console = Console()
errors = Console(stderr=True, soft_wrap=True)
PIPE_WIDTH = 80  # the width of what goes to a pipe or a file, unless $COLUMNS says


def stdout_console() -> Console:
    """Standard output at the terminal's width or, when it is a pipe or a file, at
    `$COLUMNS` (else 80): Rich would take the width of stdin's or stderr's terminal.
    What counts as a terminal is Rich's call (FORCE_COLOR and TTY_COMPATIBLE say so)."""
    console = Console(highlight=False)
    if console.is_terminal:
        return console
    columns = os.environ.get("COLUMNS", "")
    width = int(columns) if columns.isdigit() and int(columns) > 0 else PIPE_WIDTH
    return Console(width=width, highlight=False)


StoreOpt = Annotated[
    str | None,
    typer.Option("--store", help="Store path (embedded) or http(s) URL. Env: ECONSEC_STORE."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
RulesOpt = Annotated[
    Path | None,
    typer.Option("--rules", help="Folder of rule files. Env: ECONSEC_RULES (default: rules/)."),
]


def fail(message: str, code: int = 1) -> NoReturn:
    errors.print(f"[bold red]error:[/] {escape(message)}", highlight=False)  # text, not markup
    raise typer.Exit(code)


@contextmanager
def opened(settings: Settings, *, create: bool = False) -> Iterator[Store]:
    """The store the settings name; unless `create`, one that exists already."""
    from econsec.errors import EconsecError
    from econsec.store.backend import check_location, open_store

    try:
        check_location(settings.store, existing=not create)
        store = open_store(settings.store)
    except EconsecError as exc:
        fail(str(exc))
    try:
        yield store
    except EconsecError as exc:
        fail(str(exc))
    finally:
        store.close()


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
