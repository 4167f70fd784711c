"""The README stays true: every setting and command is documented there."""

from __future__ import annotations

from pathlib import Path

import typer.main

from econsec.cli.main import app
from econsec.config import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented() -> None:
    missing = [
        f"ECONSEC_{name.upper()}"
        for name in Settings.model_fields
        if f"ECONSEC_{name.upper()}" not in README
    ]
    assert not missing


def test_every_setting_has_a_help_text() -> None:
    assert all(field.description for field in Settings.model_fields.values())


def test_every_command_is_documented_with_an_example() -> None:
    group = typer.main.get_group(app)
    for name, command in group.commands.items():
        assert f"`econsec {name}" in README, name
        subcommands = getattr(command, "commands", None)
        if subcommands:  # a group (`econsec alerts …`): each of its commands
            for sub, subcommand in subcommands.items():
                assert f"`econsec {name} {sub}" in README, f"{name} {sub}"
                assert "Example:" in (subcommand.help or ""), f"{name} {sub}"
        else:
            assert "Example:" in (command.help or ""), name


def test_readme_opens_with_the_two_commands() -> None:
    first_block = README.split("```sh", 1)[1].split("```", 1)[0]
    assert "make run" in first_block and "make test" in first_block
