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
from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.text import Text

from econsec.cli.common import print_json, stdout_console

if TYPE_CHECKING:
    from typing_extensions import TypeIs

    from econsec.store.hits import ArticleHit, EventHit
    from econsec.store.protocols import AnyResult

INDENT = 2
ACTORS_ALIGNED = 24  # wider actors push the evidence right in `lines` rather than align
LINE_EVIDENCE = 40  # `lines` align their columns only where the evidence keeps this much


class Format(StrEnum):
    table = "table"
    lines = "lines"
    json = "json"
    ndjson = "ndjson"
    csv = "csv"


def print_result(result: AnyResult, kind: str, fmt: Format) -> None:
    """`result` in format `fmt`; `kind` is "events" or "articles"."""
    if fmt is Format.json:
        print_json(as_json(result, kind))
    elif fmt is Format.ndjson:
        for hit in result.hits:
            _write(json.dumps(hit.to_json(), ensure_ascii=False))
    elif fmt is Format.csv:
        from econsec.exports import write_csv  # pydantic, through the models: not for --help

        write_csv(result.hits, kind, sys.stdout)
    else:
        console = stdout_console()
        console.print(found_line(result, kind), soft_wrap=True)
        if fmt is Format.lines:
            print_lines(console, result.hits, kind)
        else:
            print_blocks(console, result.hits, kind)


def as_json(result: AnyResult, kind: str) -> dict[str, Any]:
    """The `--json` document, unchanged since it was first printed."""
    hits = [hit.to_json() for hit in result.hits]
    return {"total": result.total, "stories": result.clusters, kind: hits}


def _write(line: str) -> None:
    sys.stdout.write(line + "\n")


def found_line(result: AnyResult, kind: str) -> str:
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


def actors(hit: EventHit) -> str:
    """Who acted, on whom, with whom: "CN → US, JP", "Nippon Steel with US Steel"."""
    who = ", ".join(hit.initiator)
    if hit.target:
        who += " → " + ", ".join(hit.target)
    if hit.partner:
        who += " with " + ", ".join(hit.partner)
    return who.strip()


def evidence(hit: EventHit) -> Text:
    """The sentence that proves the event, the query's words in bold; else the title."""
    if not hit.evidence:
        return Text(hit.title)
    text = Text(hit.evidence)
    for start, end in hit.highlights or ():
        text.stylize("bold", start, end)
    return text


def story_facts(hit: EventHit) -> list[str]:
    """What an analyst weighs a story by, beside its outlets: how sure the tagger is, and
    whether later copies came after the first report the date gives."""
    facts = [f"confidence {hit.confidence:.2f}"]
    if hit.updated:
        facts.append(f"updated {hit.updated:%Y-%m-%d}")
    return facts


def _date(hit: EventHit | ArticleHit) -> str:
    return f"{hit.published:%Y-%m-%d}" if hit.published else ""


def _event_head(hit: EventHit, widths: tuple[int, int], sep: str = "  ") -> Text:
    head = Text(_date(hit) + sep)
    head.append(hit.type.ljust(widths[0]), style="bold cyan")
    head.append(sep + hit.status.ljust(widths[1]) + sep)
    head.append(actors(hit), style="bold")
    return head


def _widths(hits: Sequence[EventHit]) -> tuple[int, int]:
    """Type and status widths, so that the stories' first lines align like a table."""
    return (
        max((len(h.type) for h in hits), default=0),
        max((len(h.status) for h in hits), default=0),
    )


def print_blocks(console: Console, hits: Sequence[EventHit | ArticleHit], kind: str) -> None:
    events = [hit for hit in hits if _is_event(hit)]
    widths = _widths(events)
    for hit in hits:
        console.print()
        if _is_event(hit):
            _hanging(console, _event_head(hit, widths))
            _indented(console, evidence(hit))
            below = " · ".join([*story_facts(hit), "; ".join(hit.outlets)])
        else:
            console.print(Text(_date(hit) + "  ").append(hit.source, style="bold"))
            _indented(console, Text(hit.title))
            below = ", ".join(hit.event_types) or "no event"
        _indented(console, Text(below, style="dim"))


def _is_event(hit: EventHit | ArticleHit) -> TypeIs[EventHit]:
    return hasattr(hit, "evidence")


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


def print_lines(console: Console, hits: Sequence[EventHit | ArticleHit], kind: str) -> None:
    """One line a story: cut with "…" at the terminal's edge, whole into a pipe. Columns
    are aligned where that leaves the evidence `LINE_EVIDENCE` characters, else packed."""
    events = [hit for hit in hits if _is_event(hit)]
    for article in [hit for hit in hits if not _is_event(hit)]:
        line = Text(_date(article) + "  " + article.title)
        _print_line(console, line.append("  " + article.source, style="dim"))
    if not events:
        return
    widths = _widths(events)
    aligned = min(max((len(actors(h)) for h in events), default=0), ACTORS_ALIGNED)
    if console.is_terminal and console.width - sum(widths) - aligned - 18 < LINE_EVIDENCE:
        widths, aligned = (0, 0), 0
    for hit in events:
        line = _event_head(hit, widths, sep=" " if widths == (0, 0) else "  ")
        line.append(" " * max(aligned - len(actors(hit)), 0) + "  ")
        _print_line(console, line.append_text(evidence(hit)))


def _print_line(console: Console, line: Text) -> None:
    if console.is_terminal:
        console.print(line, no_wrap=True, overflow="ellipsis")
    else:
        console.print(line, soft_wrap=True)
