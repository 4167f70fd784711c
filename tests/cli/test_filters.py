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
            {
                "initiator": ["JP"],
                "countries": ["JP"],
                "technologies": ["semiconductors"],
                "status": "planned",
            },
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


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--country", "China"], ["export_control.ban", "investment_screening.review"]),
        (["--initiator", "Japanese"], ["export_control.restriction"]),
        (["--type", "export_control"], ["export_control.ban", "export_control.restriction"]),
        (["--tech", "semiconductor"], ["export_control.restriction"]),
        (["--category", "Export_Control", "--min-confidence", "0.6"], ["export_control.ban"]),
    ],
)
def test_what_people_type_is_what_the_index_holds(
    store: str, args: list[str], expected: list[str]
) -> None:
    assert found(store, *args) == expected


def test_a_category_in_the_query_text(store: str) -> None:
    code, out, err = invoke("search", "type:export_control.*", "--store", store, "--json")
    assert code == 0, err
    assert [hit["type"] for hit in json.loads(out)["events"]] == [
        "export_control.ban",
        "export_control.restriction",
    ]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (
            ["--tech", "semiconductr"],
            "technology 'semiconductr': unknown; did you mean semiconductors?",
        ),
        (["--country", "Chnia"], "did you mean China (CN)?"),
        (["--type", "export_contol.ban"], "did you mean export_control.ban"),
        (["--category", "weather"], "unknown; use one of export_control, investment_screening"),
        (["--initiator", "Acme Widgets"], "initiator 'Acme Widgets': unknown"),
        (["type:export_contol.ban"], "did you mean export_control.ban"),
    ],
)
def test_a_value_no_event_can_have_is_a_usage_error(
    store: str, args: list[str], words: str
) -> None:
    query = [] if args[0].startswith("--") else [args.pop()]
    code, out, err = invoke("search", *(query or ["*"]), *args, "--store", store, "--json")
    assert code == 2 and out == ""
    assert words in " ".join(err.split())


def test_usage_errors_come_before_the_store_is_opened(tmp_path: Path) -> None:
    missing = str(tmp_path / "no-store")
    code, _, err = invoke("search", "*", "--since", "30 minutes", "--tech", "x", "--store", missing)
    assert code == 2 and "not a date" in err
    code, _, err = invoke("search", "*", "--tech", "chips", "--store", missing)
    assert code == 1 and "does not exist" in err  # the store is what may hold "chips"


def test_status(store: str) -> None:
    assert found(store, "--status", "Planned") == ["export_control.restriction"]
    code, _, err = invoke("search", "*", "--store", store, "--status", "plan")
    assert code == 2 and "use one of planned, enacted" in err


def test_values_lists_each_filter_with_counts(store: str) -> None:
    code, out, err = invoke("values", "--store", store, "--json")
    assert code == 0, err
    every = json.loads(out)
    names = ["type", "category", "technology", "country", "initiator", "status", "outlet"]
    assert list(every) == names
    assert every["category"] == {"export_control": 2, "investment_screening": 1}
    assert every["country"] == {"CN": 2, "EU": 1, "JP": 1}
    code, out, _ = invoke("values", "tech", "--store", store, "--json")
    assert json.loads(out) == {"tech": {"critical_minerals": 2, "semiconductors": 1}}
    code, out, _ = invoke("values", "initiator", "--store", store)
    assert code == 0 and "initiator: 3 values" in " ".join(out.split()) and "JP" in out


def test_values_of_an_unknown_filter_is_a_usage_error(store: str) -> None:
    code, _, err = invoke("values", "weather", "--store", store)
    assert code == 2 and "use one of type, category, technology" in " ".join(err.split())


def test_eval_refuses_a_label_not_in_the_taxonomy(tmp_path: Path) -> None:
    path = tmp_path / "labelled.jsonl"
    path.write_text(
        '{"id": "a", "title": "t", "labels": {"events": [{"type": "export_control.bans"}]}}\n'
    )
    code, _, err = invoke("eval", str(path))
    assert code == 2
    assert "is not in the taxonomy; did you mean export_control.ban?" in " ".join(err.split())


def test_outlet_narrows_and_an_unknown_one_is_refused(store: str) -> None:
    assert found(store, "--outlet", "wire") == found(store)  # every event is the Wire's
    code, _, err = invoke("search", "*", "--store", store, "--outlet", "Wirre")
    assert code == 2 and "did you mean Wire?" in err
