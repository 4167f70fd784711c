"""The listing commands at 80 and 120 columns and into a pipe: a name, a date or a
number is never cut; a table where it fits, a block per row where it does not."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from econsec.cli.listing import Column, print_alerts, print_listing, print_notes
from econsec.cli.main import app
from econsec.models import Alert, Delivery
from econsec.store.embedded.store import EmbeddedStore
from tests.support.paths import ROOT
from tests.support.web_data import fill

runner = CliRunner()
PIPE = {"FORCE_COLOR": None, "TTY_COMPATIBLE": None}  # would make a pipe a terminal
LONG_RULE = "investment-screening-wave-in-europe"
TITLE = "U.S. tightens curbs on AI chip exports to China, blacklists Biren and Moore Threads"


def _printed(columns: list[Column], rows: list[list[str]], width: int) -> list[str]:
    screen = io.StringIO()
    print_listing(columns, rows, console=Console(file=screen, width=width, color_system=None))
    return screen.getvalue().splitlines()


def test_a_table_where_everything_fits_whole() -> None:
    lines = _printed([Column("feed"), Column("new", right=True)], [["wire", "3"]], 80)
    assert [line.rstrip() for line in lines] == ["feed  new", "wire    3"]


@pytest.mark.parametrize("width", [40, 60])
def test_a_block_per_row_where_a_table_would_cut(width: int) -> None:
    columns = [Column("name"), Column("condition"), Column("note", text=True)]
    row = ["x" * 30, "frequency", "word " * 20]
    lines = _printed(columns, [row], width)
    assert lines[0] == "x" * 30 and lines[1] == "  condition: frequency"
    assert lines[2].startswith("  note: word") and max(map(len, lines)) <= width
    assert " ".join(lines[2:]).split() == ["note:", *row[2].split()]


def test_reordering_controls_from_a_feed_never_reach_the_terminal() -> None:
    """An error text is the server's (a reason phrase, a parser message quoting the body):
    a right-to-left override left open would reorder the rest of the screen."""
    columns = [Column("feed"), Column("error", text=True)]
    lines = _printed(columns, [["wire", "HTTP 500 \u202egnp.exe"]], 80)
    assert not any("\u202e" in line for line in lines)
    assert any("gnp.exe" in line for line in lines)
    screen = io.StringIO()
    print_notes([("wire\u2067", "bad \u202aXML", "")], Console(file=screen, color_system=None))
    assert screen.getvalue().strip() == "wire: bad XML"


@pytest.fixture
def store(tmp_path: Path) -> str:
    st = EmbeddedStore(tmp_path / "store")
    fill(st)
    st.close()
    return str(tmp_path / "store")


@pytest.mark.parametrize("width", [80, 120])
def test_feeds_show_names_dates_and_errors_whole(store: str, width: int) -> None:
    result = runner.invoke(app, ["feeds", "--store", store], env=PIPE | {"COLUMNS": str(width)})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["feed", "last", "fetch", "(UTC)", "status"] + [
        "entries",
        "new",
        "failures",
    ]
    assert any(line.startswith("metals  2025-03-01 08:00  failed") for line in lines)
    assert "  metals: HTTP 503 Service Unavailable" in lines
    assert max(map(len, lines)) <= width


def test_alerts_list_at_80_columns_keeps_every_rule_name() -> None:
    rules = str(ROOT / "rules")
    result = runner.invoke(app, ["alerts", "list", "--rules", rules], env=PIPE | {"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    names = sorted(p.stem for p in (ROOT / "rules").glob("*.yaml"))
    for name in names:
        assert any(line == name or line.startswith(name + " ") for line in lines), name
    assert max(map(len, lines)) <= 80


def _alert() -> Alert:
    return Alert(
        id="a1",
        rule=LONG_RULE,
        group="",
        condition="frequency",
        title=TITLE,
        summary="3 stories within 6w",
        count=3,
        fired_at=datetime(2024, 6, 1, 9, 30, tzinfo=UTC),
        deliveries=[Delivery(channel="json 127.0.0.1", status="delivered")],
    )


@pytest.mark.parametrize(("width", "table"), [(80, False), (120, True), (None, False)])
def test_alerts_history_layouts(
    width: int | None,
    table: bool,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """None: into a pipe without $COLUMNS, 80 columns wide."""
    for name in PIPE:
        monkeypatch.delenv(name, raising=False)
    if width:
        monkeypatch.setenv("COLUMNS", str(width))
    else:
        monkeypatch.delenv("COLUMNS", raising=False)
    print_alerts([_alert()], deliveries=True)
    lines = capsys.readouterr().out.splitlines()
    assert max(map(len, lines)) <= (width or 80)
    assert (lines[0].split()[:2] == ["fired", "rule"]) is table
    shown = " ".join(lines)
    assert (
        "2024-06-01 09:30" in shown and LONG_RULE in shown and "json 127.0.0.1 delivered" in shown
    )
    assert " ".join(TITLE.split()) in " ".join(shown.replace("alert:", "").split())
