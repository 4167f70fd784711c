"""Tables that never squeeze a column to nothing: `econsec feeds`, `alerts list`,
`alerts history`, the alerts of `run` and `alerts run|test`, and the cycle summary of
`ingest`, `run` and `submit`.

A table is printed only when every name, date and number fits whole and each text
column keeps `MIN_TEXT` characters; otherwise each row becomes a block (its first
columns on one line, the others labelled under it), as `econsec search` prints
stories. The width is the terminal's, or `$COLUMNS` (else 80) into a pipe or a file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text

from econsec.bidi import strip_reordering
from econsec.cli.common import console, fail, print_json, stdout_console

if TYPE_CHECKING:
    from econsec.models import Alert, CycleReport

NO_FEED_READ = 3  # exit status of `run` and `submit` when nothing could be read (README)
MIN_TEXT = 30  # the narrowest a wrapped text column may be before rows become blocks
GAP = 2  # spaces between columns


@dataclass(frozen=True)
class Column:
    name: str
    text: bool = False  # free text that wraps (an error, an alert); else never cut
    right: bool = False  # numbers


def print_listing(
    columns: list[Column],
    rows: list[list[str]],
    *,
    title: str | None = None,
    head: int = 1,
    styles: list[str] | None = None,
    console: Console | None = None,
) -> None:
    """`rows` as a table where it fits, else a block per row headed by its first `head`
    cells; `styles` (one a row) colour whole rows, e.g. a failed feed in red."""
    console = console or stdout_console()
    styles = styles or [""] * len(rows)
    rows = [[strip_reordering(cell) for cell in row] for row in rows]
    if title:
        console.print(Text(title, style="bold"), soft_wrap=True)
    if _fits(columns, rows, console.width):
        console.print(_table(columns, rows, styles))
        return
    for row, style in zip(rows, styles, strict=True):
        _block(console, columns, row, head, style)


def print_notes(notes: list[tuple[str, str, str]], console: Console | None = None) -> None:
    """Under a table, the long texts of some of its rows (a feed's error), whole:
    (row name, text, style); rows without text are left out."""
    console = console or stdout_console()
    for name, text, style in notes:
        if text:
            _labelled(console, f"{strip_reordering(name)}: ", strip_reordering(text), style)


def _widths(columns: list[Column], rows: list[list[str]]) -> list[int]:
    return [
        max([len(column.name), *(_longest(row[i]) for row in rows)])
        for i, column in enumerate(columns)
    ]


def _longest(cell: str) -> int:
    return max((len(line) for line in cell.splitlines()), default=0)


def _fits(columns: list[Column], rows: list[list[str]], width: int) -> bool:
    widths = _widths(columns, rows)
    need = sum(min(w, MIN_TEXT) if c.text else w for c, w in zip(columns, widths, strict=True))
    return need + GAP * (len(columns) - 1) <= width


def _table(columns: list[Column], rows: list[list[str]], styles: list[str]) -> Table:
    table = Table(box=None, pad_edge=False, padding=(0, GAP // 2), header_style="bold")
    for column, width in zip(columns, _widths(columns, rows), strict=True):
        table.add_column(
            column.name,
            justify="right" if column.right else "left",
            no_wrap=not column.text,
            min_width=None if column.text else width,
        )
    for row, style in zip(rows, styles, strict=True):
        table.add_row(*(Text(cell) for cell in row), style=style)
    return table


def _block(console: Console, columns: list[Column], row: list[str], head: int, style: str) -> None:
    """The first `head` cells on a line; under it the short cells labelled on one line
    (wrapped if need be), then each text cell labelled on lines of its own."""
    console.print(Text("  ".join(row[:head]), style=style or "bold"), soft_wrap=True)
    cells = list(zip(columns[head:], row[head:], strict=True))
    pairs = [f"{c.name}: {cell}" for c, cell in cells if cell and not c.text]
    for line in _packed(pairs, console.width - 2):
        console.print(Text("  " + line, style=style), soft_wrap=True)
    for column, cell in cells:
        if cell and column.text:
            _labelled(console, f"{column.name}: ", cell, style)


def _packed(pairs: list[str], width: int) -> list[str]:
    """`name: value` pairs on as few lines as fit, a pair never split."""
    lines: list[str] = []
    for pair in pairs:
        if lines and len(lines[-1]) + 2 + len(pair) <= width:
            lines[-1] += "  " + pair
        else:
            lines.append(pair)
    return lines


def _labelled(console: Console, label: str, cell: str, style: str) -> None:
    indent = "  " + " " * len(label)
    lines = Text(cell, style=style).wrap(console, max(console.width - len(indent), 20))
    for n, line in enumerate(lines):
        line.rstrip()
        console.print(Text(f"  {label}" if n == 0 else indent) + line, soft_wrap=True)


def print_alerts(alerts: list[Alert], deliveries: bool = False) -> None:
    if not alerts:
        stdout_console().print("no alerts")
        return
    columns = [Column("fired"), Column("rule"), Column("stories", right=True)]
    columns += [Column("delivery")] if deliveries else []
    rows = []
    for a in alerts:
        sent = ", ".join(f"{d.channel} {d.status}" for d in a.deliveries) or "-"
        row = [a.fired_at.strftime("%Y-%m-%d %H:%M"), a.rule, str(a.count)]
        rows.append([*row, *([sent] if deliveries else []), f"{a.title}\n{a.summary}".strip()])
    print_listing([*columns, Column("alert", text=True)], rows, head=2)


def report_cycle(report: CycleReport, as_json: bool, what: str = "feed") -> None:
    """A cycle's summary as JSON or for a person; exits `NO_FEED_READ` when no `what` (a
    feed, a submitted URL) could be read."""
    if as_json:
        print_json(report.summary())
    else:
        print_cycle(report)
    if report.no_feed_read:
        fail(f"no {what} could be read ({len(report.feeds)} failed)", code=NO_FEED_READ)


def print_cycle(report: CycleReport) -> None:
    """The short summary a person reads after a cycle: per feed, then per event type."""
    columns = [Column("feed"), Column("status")]
    columns += [Column(name, right=True) for name in ("entries", "new")]
    rows = [[f.feed, f.status, str(f.entries_found), str(f.new_articles)] for f in report.feeds]
    styles = ["red" if f.status == "failed" else "" for f in report.feeds]
    print_listing(columns, rows, styles=styles)
    print_notes(
        [
            (f.feed, f.error or f.warning or "", style)
            for f, style in zip(report.feeds, styles, strict=True)
        ]
    )
    summary = report.summary()
    console.print(
        f"feeds ok [bold]{summary['feeds_ok']}[/], failed [bold]{summary['feeds_failed']}[/]; "
        f"new articles [bold]{summary['new_articles']}[/]; "
        f"new events [bold]{summary['new_events']}[/]"
    )
    if report.tagging.events_by_type:
        by_type = sorted(report.tagging.events_by_type.items(), key=lambda kv: -kv[1])
        console.print()
        print_listing(
            [Column("new events by type"), Column("events", right=True)],
            [[code, str(count)] for code, count in by_type],
        )
