"""`--help` as Click and Typer tools show it: flags without a value, one line a summary."""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from econsec.cli.help import unwrap
from econsec.cli.main import app

runner = CliRunner()


def _commands(group: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command's path, each group's (ending in "") before its commands'."""
    found = [(*path, "")]
    for name, command in group.commands.items():
        if hasattr(command, "commands"):  # a group (Typer vendors its own Click)
            found += _commands(command, (*path, name))
        else:
            found.append((*path, name))
    return found


COMMANDS = _commands(typer.main.get_command(app))


@pytest.fixture(autouse=True)
def _width_from_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    """$TERMINAL_WIDTH, read by Typer at import, would win over $COLUMNS."""
    monkeypatch.setattr("typer.rich_utils.MAX_WIDTH", None)


def _help(*path: str, width: int = 80) -> str:
    result = runner.invoke(app, [*(p for p in path if p), "--help"], env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.output
    return re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)  # colour, where CI forces it


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(("econsec", *p)).strip())
def test_every_help_fits_80_columns_and_shows_flags_without_a_value(path: tuple[str, ...]) -> None:
    shown = _help(*path)
    assert "<bool>" not in shown
    assert max(len(line) for line in shown.splitlines()) <= 80
    if path[-1]:
        assert "Example:" in shown, "a command's help ends in an example"


def test_a_flag_is_shown_bare_and_a_value_by_its_name() -> None:
    lines = _help("search").splitlines()
    value = next(line for line in lines if "--since " in line and "│" in line)
    flag = next(line for line in lines if "--all-copies" in line and "│" in line)
    assert "SINCE" in value
    assert "ALL_COPIES" not in flag and "<" not in flag


@pytest.mark.parametrize(
    ("group", "commands"),
    [((), {"ingest", "search", "serve", "alerts"}), (("alerts",), {"list", "run", "history"})],
    ids=["econsec", "alerts"],
)
def test_each_command_summary_is_one_line(group: tuple[str, ...], commands: set[str]) -> None:
    """The commands panel lists one row a command: a wrapped docstring line must not leak in."""
    shown = _help(*group).splitlines()
    start = next(i for i, line in enumerate(shown) if "Commands" in line)
    rows = [line for line in shown[start + 1 :] if line.startswith("│")]
    names = [row[1:].split()[0] for row in rows]
    assert all(row[2] != " " for row in rows), "\n".join(rows)
    assert len(names) == len(set(names)) and set(names) >= commands


def test_unwrap_joins_lines_within_paragraphs_only() -> None:
    text = "First line\n    wrapped.\n\n    Second\n    paragraph.\n\n    \bkept\n    as is"
    assert unwrap(text) == "First line wrapped.\n\nSecond paragraph.\n\n\bkept\nas is"


HEAVY = ("pydantic", "spacy", "numpy", "tantivy", "httpx", "fastapi", "elasticsearch", "airflow")


def test_the_command_line_starts_without_the_heavy_libraries() -> None:
    """Every command's start-up (and `econsec --help`) stays well under half a second
    only while the CLI's modules import what a command needs inside the command."""
    probe = (
        "import sys, econsec.cli.main\n"
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules} & set(sys.argv[1:]))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, *HEAVY], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == []
