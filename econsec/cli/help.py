"""How `--help` reads: as Click and Typer tools usually do.

Typer's Rich help prints a flag as `--json <bool>`, as if it took a value, and keeps
a docstring's line breaks in Rich markup mode, so a summary wrapped in the source
spreads over several rows of the commands panel. Every command and group of the CLI
is made by `App`, whose classes fix both: flags show no value (and values a name rather
than a Python type), and a paragraph's
single line breaks become spaces (a paragraph that starts with `\\b` keeps them, as in
Click).
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup


def unwrap(text: str | None) -> str | None:
    """Each paragraph on one line, so that Rich wraps it to the terminal's width."""
    if not text:
        return text
    paragraphs = [" ".join(p.split()) if not p.startswith("\b") else p for p in _split(text)]
    return "\n\n".join(paragraphs)


def _split(text: str) -> list[str]:
    import inspect

    return [p.strip("\n") for p in inspect.cleandoc(text).split("\n\n") if p.strip()]


def _plain_flags(params: list[Any]) -> list[Any]:
    """A flag (`--json`, `--help`) shown without a value (an empty metavar), and an option
    that takes one with its name in capitals (`--since SINCE`), as argparse and Click
    show them, rather than a Python type (`<list[str]>`); a choice keeps its values."""
    for param in params:
        if param.param_type_name != "option" or param.metavar is not None:
            continue
        if param.is_flag:
            param.metavar = ""
        elif not _is_choice(param):
            param.metavar = max(param.opts, key=len).lstrip("-").replace("-", "_").upper()
    return params


def _is_choice(param: Any) -> bool:
    described = getattr(param, "type_descriptor", None)  # Typer >= 0.20 describes types
    return bool(getattr(described, "is_choice", False) or getattr(param, "choices", None))


class _Readable:
    """What `Command` and `Group` add to Typer's classes."""

    help: str | None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = unwrap(self.help)

    def get_params(self, ctx: Any) -> list[Any]:
        # a mixin: the Typer class after it in the MRO has get_params
        return _plain_flags(super().get_params(ctx))  # type: ignore[misc]


class Command(_Readable, TyperCommand):
    pass


class Group(_Readable, TyperGroup):
    pass


class App(typer.Typer):
    """A Typer app whose commands and groups read as above; Rich markup in help texts."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cls", Group)
        kwargs.setdefault("rich_markup_mode", "rich")
        super().__init__(**kwargs)

    def command(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("cls", Command)
        return super().command(*args, **kwargs)
