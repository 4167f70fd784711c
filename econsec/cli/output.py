"""How `econsec search` prints its hits: for a person (`table`, `lines`) or a program
(`json`, `ndjson`, `csv`).

A person's layouts are made for an 80-column terminal. `table` gives each story a block:
date, type, status and actors on one line, aligned from story to story, the evidence
wrapped under it, then the outlets; no column is ever squeezed, so the date and the
evidence are never cut. `lines` gives one line a story, cut to the terminal's width.
Into a pipe or a file the width is `$COLUMNS` or 80 (not that of a terminal the output
does not go to), and `lines` are not cut at all. Both start with what was found:
"3 stories (5 events)".
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.text import Text

from econsec.cli.common import print_json, stdout_console
from econsec.exports import outlets, write_csv

if TYPE_CHECKING:
    from econsec.models import SearchResult

INDENT = 2
ACTORS_ALIGNED = 24  # wider actors push the evidence right in `lines` rather than align
LINE_EVIDENCE = 40  # `lines` align their columns only where the evidence keeps this much


class Format(StrEnum):
    table = "table"
    lines = "lines"
    json = "json"
    ndjson = "ndjson"
    csv = "csv"


def print_result(result: SearchResult, kind: str, fmt: Format) -> None:
    """`result` in format `fmt`; `kind` is "events" or "articles"."""
    if fmt is Format.json:
        print_json(as_json(result, kind))
    elif fmt is Format.ndjson:
        for hit in result.hits:
            _write(json.dumps(hit, ensure_ascii=False, default=str))
    elif fmt is Format.csv:
        write_csv(result.hits, kind, sys.stdout)
    else:
        console = stdout_console()
        console.print(found_line(result, kind), soft_wrap=True)
        if fmt is Format.lines:
            print_lines(console, result.hits, kind)
        else:
            print_blocks(console, result.hits, kind)


def as_json(result: SearchResult, kind: str) -> dict[str, Any]:
    """The `--json` document, unchanged since it was first printed."""
    return {"total": result.total, "stories": result.clusters, kind: result.hits}


def _write(line: str) -> None:
    sys.stdout.write(line + "\n")


def found_line(result: SearchResult, kind: str) -> str:
    """ "3 stories (5 events)", "4 articles", and how many are shown when not all are."""
    if kind == "articles" or result.clusters is None:
        noun = "article" if kind == "articles" else "event"
        found = _count(result.total, noun)
        units = result.total
    else:
        found = f"{_count(result.clusters, 'story')} ({_count(result.total, 'event')})"
        units = result.clusters
    if len(result.hits) < units:
        found += f", the first {len(result.hits)} shown (--limit)"
    return found


def _count(n: int, noun: str) -> str:
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{n:,} {noun if n == 1 else plural}"


def actors(hit: dict[str, Any]) -> str:
    """Who acted, on whom, with whom: "CN → US, JP", "Nippon Steel with US Steel"."""
    who = ", ".join(hit.get("initiator") or [])
    if hit.get("target"):
        who += " → " + ", ".join(hit["target"])
    if hit.get("partner"):
        who += " with " + ", ".join(hit["partner"])
    return who.strip()


def evidence(hit: dict[str, Any]) -> Text:
    """The sentence that proves the event, the query's words in bold; else the title."""
    if not hit.get("evidence"):
        return Text(hit.get("title", ""))
    text = Text(hit["evidence"])
    for start, end in hit.get("highlights") or []:
        text.stylize("bold", start, end)
    return text


def story_facts(hit: dict[str, Any]) -> list[str]:
    """What an analyst weighs a story by, beside its outlets: how sure the tagger is, and
    whether later copies came after the first report the date gives."""
    facts = []
    if hit.get("confidence") is not None:
        facts.append(f"confidence {float(hit['confidence']):.2f}")
    if hit.get("updated"):
        facts.append(f"updated {str(hit['updated'])[:10]}")
    return facts


def _date(hit: dict[str, Any]) -> str:
    return str(hit.get("published", ""))[:10]


def _event_head(hit: dict[str, Any], widths: tuple[int, int], sep: str = "  ") -> Text:
    head = Text(_date(hit) + sep)
    head.append(hit["type"].ljust(widths[0]), style="bold cyan")
    head.append(sep + hit["status"].ljust(widths[1]) + sep)
    head.append(actors(hit), style="bold")
    return head


def _widths(hits: list[dict[str, Any]]) -> tuple[int, int]:
    """Type and status widths, so that the stories' first lines align like a table."""
    return (
        max((len(h["type"]) for h in hits), default=0),
        max((len(h["status"]) for h in hits), default=0),
    )


def print_blocks(console: Console, hits: list[dict[str, Any]], kind: str) -> None:
    widths = _widths(hits) if kind == "events" else (0, 0)
    for hit in hits:
        console.print()
        if kind == "events":
            _hanging(console, _event_head(hit, widths))
            _indented(console, evidence(hit))
            below = " · ".join([*story_facts(hit), "; ".join(outlets(hit))])
        else:
            console.print(Text(_date(hit) + "  ").append(hit.get("source", ""), style="bold"))
            _indented(console, Text(hit.get("title", "")))
            below = ", ".join(hit.get("event_types") or []) or "no event"
        _indented(console, Text(below, style="dim"))


def _indented(console: Console, text: Text, indent: int = INDENT) -> None:
    """`text` wrapped under the block's first line, without padding a line to the width."""
    for line in text.wrap(console, max(console.width - indent, 20)):
        line.rstrip()
        console.print(Text(" " * indent) + line, soft_wrap=True)


def _hanging(console: Console, head: Text) -> None:
    """A first line too long for the width goes on under the type, clear of the date."""
    first, *rest = head.wrap(console, console.width)
    first.rstrip()
    console.print(first, soft_wrap=True)
    if rest:
        _indented(console, Text(" ").join(rest), indent=len("YYYY-MM-DD  "))


def print_lines(console: Console, hits: list[dict[str, Any]], kind: str) -> None:
    """One line a story: cut with "…" at the terminal's edge, whole into a pipe. Columns
    are aligned where that leaves the evidence `LINE_EVIDENCE` characters, else packed."""
    if kind == "articles":
        for hit in hits:
            line = Text(_date(hit) + "  " + hit.get("title", ""))
            _print_line(console, line.append("  " + hit.get("source", ""), style="dim"))
        return
    widths = _widths(hits)
    aligned = min(max((len(actors(h)) for h in hits), default=0), ACTORS_ALIGNED)
    if console.is_terminal and console.width - sum(widths) - aligned - 18 < LINE_EVIDENCE:
        widths, aligned = (0, 0), 0
    for hit in hits:
        line = _event_head(hit, widths, sep=" " if widths == (0, 0) else "  ")
        line.append(" " * max(aligned - len(actors(hit)), 0) + "  ")
        _print_line(console, line.append_text(evidence(hit)))


def _print_line(console: Console, line: Text) -> None:
    if console.is_terminal:
        console.print(line, no_wrap=True, overflow="ellipsis")
    else:
        console.print(line, soft_wrap=True)
