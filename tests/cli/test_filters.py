"""`econsec search` filters as a user types them: durations, the least confidence, values
that match nothing (refused with exit status 2), and `econsec values`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from econsec.cli.main import app
from econsec.models import TaggedArticle
from econsec.store import open_store
from tests.support import factories

runner = CliRunner()
NOW = datetime.now(UTC).replace(microsecond=0)


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def store(tmp_path: Path) -> Iterator[str]:
    """Events published 10 minutes, 2 hours and 40 days ago, 0.9, 0.5 and 0.3 sure."""
    location = str(tmp_path / "store")
    opened = open_store(location)
    made = [
        factories.article(
            1, title="China bans gallium exports", published=NOW - timedelta(minutes=10)
        ),
        factories.article(
            2, title="Japan curbs chip tool sales", published=NOW - timedelta(hours=2)
        ),
        factories.article(
            3, title="EU reviews a port takeover", published=NOW - timedelta(days=40)
        ),
    ]
    opened.stage_articles(made)
    made = [a.model_copy(update={"story_id": a.id}) for a in made]
    kinds = [
        ("export_control.ban", 0.9, {}),
        (
            "export_control.restriction",
            0.5,
            {"initiator": ["JP"], "countries": ["JP"], "technologies": ["semiconductors"]},
        ),
        ("investment_screening.review", 0.3, {"initiator": ["EU"], "countries": ["EU", "CN"]}),
    ]
    events = [
        factories.event(a, code, confidence=confidence, **extra)
        for a, (code, confidence, extra) in zip(made, kinds, strict=True)
    ]
    opened.save_tagged([TaggedArticle(a, b"", []) for a in made], events)
    opened.index_pending()
    opened.close()
    return location


def found(store: str, *args: str) -> list[str]:
    code, out, err = invoke("search", "*", "--store", store, "--json", *args)
    assert code == 0, err
    return [hit["type"] for hit in json.loads(out)["events"]]


@pytest.mark.parametrize(
    ("since", "expected"),
    [
        ("30m", ["export_control.ban"]),  # minutes, not months
        ("3h", ["export_control.ban", "export_control.restriction"]),
        ("1mo", ["export_control.ban", "export_control.restriction"]),
        ("2M", ["export_control.ban", "export_control.restriction", "investment_screening.review"]),
    ],
)
def test_since_reads_the_one_duration_grammar(store: str, since: str, expected: list[str]) -> None:
    assert found(store, "--since", since) == expected


def test_least_confidence(store: str) -> None:
    assert found(store, "--min-confidence", "0.5") == [
        "export_control.ban",
        "export_control.restriction",
    ]
    code, out, _ = invoke("search", "*", "--store", store, "--json")
    assert [hit["confidence"] for hit in json.loads(out)["events"]] == [0.9, 0.5, 0.3]


@pytest.mark.parametrize("bad", ["1.5", "-1", "sure"])
def test_a_confidence_outside_0_to_1_is_a_usage_error(store: str, bad: str) -> None:
    code, _, err = invoke("search", "*", "--store", store, "--min-confidence", bad)
    assert code == 2 and "--min-confidence" in err
