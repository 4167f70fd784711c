"""Saved searches: `econsec searches save | list | run | to-rule` over a real store, and
the rule written from one validating as every rule does."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from econsec.alerts.rules import load_rules
from econsec.cli.main import app
from econsec.searches import SavedSearch, load, to_rule
from econsec.store import open_store
from tests.support.web_data import fill

runner = CliRunner()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    location = str(tmp_path_factory.mktemp("searches") / "store")
    opened = open_store(location)
    fill(opened)
    opened.close()
    yield location


@pytest.fixture
def folders(tmp_path: Path, store: str) -> tuple[Path, Path]:
    return tmp_path / "searches", tmp_path / "rules"


def invoke(store: str, folders: tuple[Path, Path], *args: str) -> tuple[int, str, str]:
    searches, rules = folders
    options = ["--searches", str(searches)]
    if args[0] in ("save", "run"):
        options += ["--store", store]
    if args[0] == "to-rule":
        options += ["--rules", str(rules)]
    result = runner.invoke(app, ["searches", *args, *options])
    return result.exit_code, result.stdout, result.stderr


def test_save_list_and_run(store: str, folders: tuple[Path, Path]) -> None:
    code, out, err = invoke(
        store, folders, "save", "ban-watch", "gallium OR chip", "--country", "China"
    )
    assert code == 0, err
    saved = load(folders[0], "ban-watch")
    assert (saved.query, saved.countries) == ("gallium OR chip", ["CN"])  # as the index reads
    code, out, _ = invoke(store, folders, "list", "--json")
    assert json.loads(out) == [
        {"name": "ban-watch", "query": "gallium OR chip", "countries": ["CN"]}
    ]
    assert "ban-watch  gallium OR chip  countries=CN" in invoke(store, folders, "list")[1]
    code, out, err = invoke(store, folders, "run", "ban-watch", "--format", "json")
    assert code == 0, err
    expected = ["investment_screening.review", "export_control.ban"]
    assert [hit["type"] for hit in json.loads(out)["events"]] == expected
    searched = runner.invoke(
        app, ["search", "gallium OR chip", "--country", "CN", "--json", "--store", store]
    )
    assert json.loads(out) == json.loads(searched.stdout)


def test_what_cannot_be_saved_or_run_is_refused(store: str, folders: tuple[Path, Path]) -> None:
    assert invoke(store, folders, "save", "one", "*")[0] == 0
    code, _, err = invoke(store, folders, "save", "one", "gallium")
    assert code == 2 and "exists" in err
    assert invoke(store, folders, "save", "one", "gallium", "--replace")[0] == 0
    assert load(folders[0], "one").query == "gallium"
    code, _, err = invoke(store, folders, "save", "two", "*", "--tech", "semiconductor")
    assert code == 0  # singular or plural, as search takes it
    code, _, err = invoke(store, folders, "save", "three", "*", "--type", "export_contrl")
    assert code == 2 and "did you mean" in err and not (folders[0] / "three.yaml").exists()
    code, _, err = invoke(store, folders, "save", "../escape", "*")
    assert code == 2 and not (folders[0].parent / "escape.yaml").exists()
    code, _, err = invoke(store, folders, "run", "missing")
    assert code == 2 and "saved: one, two" in " ".join(err.split())


def test_to_rule_writes_a_rule_that_validates(store: str, folders: tuple[Path, Path]) -> None:
    args = ["save", "curbs", "chip", "--category", "export_control", "--initiator", "Japan"]
    assert invoke(store, folders, *args, "--since", "2024-01-01", "--min-confidence", "0.4")[0] == 0
    code, out, err = invoke(store, folders, "to-rule", "curbs")
    assert code == 0, err
    assert "dates are left out" in " ".join(out.split())
    (rule,) = load_rules(folders[1])
    assert (rule.name, rule.query, rule.condition.type) == ("curbs", "chip", "any")
    assert rule.filters.categories == ["export_control"] and rule.filters.initiator == ["JP"]
    assert rule.filters.min_confidence == 0.4
    code, _, err = invoke(store, folders, "to-rule", "curbs")
    assert code == 2 and "exists" in err


def test_an_outlet_filter_has_no_rule_equivalent() -> None:
    with pytest.raises(ValueError, match="cannot filter by outlet"):
        to_rule(SavedSearch(name="wire", outlets=["Wire"]))
    rule = to_rule(SavedSearch(name="all"))
    assert yaml.safe_load(yaml.safe_dump(rule))["condition"] == {"type": "any"}
