"""`econsec search` as people and programs read it: a block per story at 80 and 120
columns and into a pipe, one line per story, and JSON, NDJSON and CSV that parse back."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from econsec.cli.main import app
from econsec.cli.output import found_line, print_lines
from econsec.models import TaggedArticle
from econsec.store.embedded.store import EmbeddedStore
from econsec.store.hits import ArticleHit, EventHit, SearchResult
from econsec.store.protocols import AnyResult
from tests.support import factories
from tests.support.web_data import when

runner = CliRunner()
EVIDENCE = (
    "China's commerce ministry said on Tuesday that exports of gallium, germanium and "
    "antimony to the United States are banned with immediate effect, in retaliation for "
    "Washington's latest curbs on the country's chip sector."
)
LONG_OUTLET = "Meridian Wire | Tech Policy (sample wire service with a long name)"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Two gallium stories: a ban told by two outlets (two events, one story) with a
    sentence longer than a line, and a restriction by many actors from one outlet."""
    folder = tmp_path_factory.mktemp("search-output") / "store"
    ban = factories.article(1, title="China bans gallium exports", published=when(2024, 12, 3))
    copy = factories.article(
        2, title="Gallium ban", source="Other outlet", published=when(2024, 12, 3, 9)
    )
    copy = copy.model_copy(update={"story_id": ban.id})
    curbs = factories.article(
        3, title="Gallium and germanium curbs from August", published=when(2023, 7, 3)
    )
    curbs = curbs.model_copy(update={"source": LONG_OUTLET})
    events = [
        factories.event(ban, "export_control.ban", target=["US"], evidence=EVIDENCE),
        factories.event(
            copy,
            "export_control.ban",
            target=["US"],
            evidence=EVIDENCE,
            cluster_id=factories.stable_id(ban.id, "export_control.ban"),
        ),
        factories.event(
            curbs,
            "export_control.restriction",
            status="planned",
            initiator=["CN", "Ministry of Commerce"],
            target=["US", "JP", "NL", "KR", "TW", "DE"],
        ),
    ]
    st = EmbeddedStore(folder)
    st.stage_articles([ban, copy, curbs])
    st.save_tagged([TaggedArticle(a, b"", []) for a in (ban, copy, curbs)], events)
    st.index_pending()
    st.close()
    return str(folder)


PIPE = {"FORCE_COLOR": None, "TTY_COMPATIBLE": None}  # would make a pipe a terminal


def _search(store: str, *args: str, width: int = 80) -> str:
    env = PIPE | {"COLUMNS": str(width)}
    result = runner.invoke(app, ["search", "gallium", *args, "--store", store], env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def _blocks(out: str) -> list[list[str]]:
    return [block.splitlines() for block in out.split("\n\n")[1:]]


@pytest.mark.parametrize("width", [80, 120])
def test_a_block_per_story_fits_the_width_and_cuts_nothing(store: str, width: int) -> None:
    out = _search(store, width=width)
    assert out.splitlines()[0] == "2 stories (3 events)"
    assert max(len(line) for line in out.splitlines()) <= width
    ban, curbs = _blocks(out)
    assert ban[0].split() == ["2024-12-03", "export_control.ban", "enacted", "CN", "→", "US"]
    assert curbs[0].startswith("2023-07-03  export_control.restriction  planned  ")
    assert all(line.startswith("  ") and not line.endswith(" ") for line in ban[1:])
    assert " ".join(line.strip() for line in ban[1:-1]) == EVIDENCE
    facts, _, told_by = ban[-1].strip().rpartition(" · ")
    assert facts.startswith("confidence 0.") and "updated 2024-12-03" in facts
    assert set(told_by.split("; ")) == {"Wire", "Other outlet"}
    assert " ".join(curbs).count(LONG_OUTLET.split(" (")[0]) == 1
    assert (len(ban) > 4) == (width == 80), "the sentence wraps at 80 columns, not at 120"


def test_into_a_pipe_blocks_are_80_columns_wide(store: str) -> None:
    """A real pipe: without $COLUMNS the width is 80, whatever terminal stderr is on."""
    exe = str(Path(sys.executable).with_name("econsec"))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", *PIPE)}
    done = subprocess.run(
        [exe, "search", "gallium", "--store", store],
        stdout=subprocess.PIPE,  # stderr stays the test runner's, a terminal or not
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert lines[0] == "2 stories (3 events)" and "\x1b[" not in done.stdout
    assert max(len(line) for line in lines) <= 80
    ban = _blocks(done.stdout)[0]
    assert " ".join(line.strip() for line in ban[1:-1]) == EVIDENCE


def test_lines_into_a_pipe_are_whole(store: str) -> None:
    out = _search(store, "--format", "lines").splitlines()
    assert out[0] == "2 stories (3 events)" and len(out) == 3
    assert out[1].startswith("2024-12-03  export_control.ban  ") and out[1].endswith(EVIDENCE)
    assert out[2].startswith("2023-07-03  export_control.restriction  planned")


@pytest.mark.parametrize("width", [80, 120])
def test_lines_at_a_terminal_are_cut_to_its_width(width: int) -> None:
    hit = EventHit(
        id="e1",
        published=datetime(2024, 12, 3, 8, tzinfo=UTC),
        type="investment_screening.review",
        status="enacted",
        initiator=("EU",),
        target=("CN",),
        evidence=EVIDENCE,
    )
    screen = io.StringIO()
    console = Console(file=screen, width=width, force_terminal=True, color_system=None)
    print_lines(console, [hit, replace(hit, type="trade.tariff")], "events")
    lines = screen.getvalue().splitlines()
    assert len(lines) == 2 and all(len(line) == width for line in lines)
    assert all(line.startswith("2024-12-03 ") and line.endswith("…") for line in lines)
    assert "China's commerce" in lines[0], "the evidence keeps room at 80 columns"


def test_json_is_unchanged_and_the_same_as_format_json(store: str) -> None:
    found = json.loads(_search(store, "--json"))
    assert set(found) == {"total", "stories", "events"}
    assert found["total"] == 3 and found["stories"] == 2
    assert found["events"][0]["source_count"] == 2
    assert json.loads(_search(store, "--format", "json")) == found


def test_ndjson_is_one_hit_a_line(store: str) -> None:
    hits = [json.loads(line) for line in _search(store, "--format", "ndjson").splitlines()]
    assert [h["id"] for h in hits] == [
        h["id"] for h in json.loads(_search(store, "--json"))["events"]
    ]


def test_csv_parses_back(store: str) -> None:
    rows = list(csv.DictReader(io.StringIO(_search(store, "--format", "csv"))))
    assert [r["published"][:10] for r in rows] == ["2024-12-03", "2023-07-03"]
    assert rows[0]["evidence"] == EVIDENCE
    assert set(rows[0]["sources"].split("; ")) == {"Wire", "Other outlet"}
    assert rows[1]["target"] == "US; JP; NL; KR; TW; DE" and rows[1]["source_count"] == "1"
    articles = list(csv.DictReader(io.StringIO(_search(store, "--articles", "--format", "csv"))))
    assert {r["title"] for r in articles} >= {"China bans gallium exports", "Gallium ban"}


def test_json_and_another_format_is_a_usage_error(store: str) -> None:
    result = runner.invoke(app, ["search", "*", "--json", "--format", "csv", "--store", store])
    assert result.exit_code == 2 and "--json is --format json" in result.stderr


HIT = EventHit("e1")


@pytest.mark.parametrize(
    ("result", "kind", "said"),
    [
        (SearchResult(total=3, clusters=2, hits=[HIT, HIT]), "events", "2 stories (3 events)"),
        (SearchResult(total=1, clusters=1, hits=[HIT]), "events", "1 story (1 event)"),
        (SearchResult(total=0, clusters=0), "events", "0 stories (0 events)"),
        (SearchResult(total=5, hits=[HIT] * 5), "events", "5 events"),
        (SearchResult(total=4, hits=[ArticleHit("a")] * 4), "articles", "4 articles"),
        (
            SearchResult(total=1250, clusters=1200, hits=[HIT] * 20),
            "events",
            "1,200 stories (1,250 events), the first 20 shown (--limit)",
        ),
    ],
)
def test_what_was_found_is_said_in_stories_and_events(
    result: AnyResult, kind: str, said: str
) -> None:
    assert found_line(result, kind) == said
