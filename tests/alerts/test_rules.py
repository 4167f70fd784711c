"""Rule files: the examples are valid; each invalid fixture fails naming file and field."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from econsec.alerts.conditions import parse_duration
from econsec.alerts.rules import find_rule, load_rule, load_rules, read_rules
from econsec.errors import ConfigError, ConfigErrors
from econsec.store import Store
from econsec.store.embedded.store import EmbeddedStore
from tests.support.paths import FIXTURES, ROOT

INVALID = sorted((FIXTURES / "rules").glob("*.yaml"))


def expected(path: Path) -> str:
    """Each fixture says, in its first line, the error it must give."""
    first = path.read_text(encoding="utf-8").splitlines()[0]
    return first.removeprefix("# expect:").strip()


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_rule_names_file_and_field(path: Path, tmp_path: Path) -> None:
    embedded = EmbeddedStore(tmp_path / "store")  # its parser checks the query
    with pytest.raises(ConfigError) as caught:
        load_rule(path, embedded)
    embedded.close()
    assert caught.value.file == str(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert expected(path) in str(caught.value)


def test_a_query_is_checked_by_the_store_that_will_run_it(store: Store) -> None:
    path = FIXTURES / "rules" / "bad_query_syntax.yaml"
    assert load_rule(path).query == "huawei AND ("  # no store, no parser to ask
    with pytest.raises(ConfigError) as caught:
        load_rule(path, store)
    assert caught.value.field == "query" and "huawei AND (" in str(caught.value)


def test_the_example_rules_are_valid() -> None:
    rules = load_rules(ROOT / "rules")
    assert len(rules) >= 5
    assert all(rule.notify == [] for rule in rules)  # examples carry no channels, no secrets


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("30m", timedelta(minutes=30)),
        ("6h", timedelta(hours=6)),
        ("7d", timedelta(days=7)),
        ("2w", timedelta(weeks=2)),
        ("1y", timedelta(days=365)),
    ],
)
def test_durations(text: str, value: timedelta) -> None:
    assert parse_duration(text) == value


@pytest.mark.parametrize("text", ["7", "7 days", "1.5y", "2mon", "2 months", ""])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_duplicate_names_are_refused(tmp_path: Path) -> None:
    for stem in ("a", "b"):
        (tmp_path / f"{stem}.yaml").write_text("name: same\ncondition: {type: any}\n")
    with pytest.raises(ConfigError, match="b.yaml: name: name 'same' is also used"):
        load_rules(tmp_path)


def test_group_by_defaults_per_condition(tmp_path: Path) -> None:
    from tests.support.alerts import write_rule

    assert write_rule(tmp_path, name="a").grouping == "story_id"
    freq = {"type": "frequency", "count": 2, "window": "1d"}
    assert write_rule(tmp_path, name="f", condition=freq).grouping is None
    assert (
        write_rule(tmp_path, name="g", condition=freq, group_by="initiator").grouping == "initiator"
    )


SEVERAL = """name: ""
query: "huawei AND ("
condition: {type: frequency, window: 7 days}
digest: weekly
colour: red
"""


def test_every_error_of_a_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "several.yaml"
    path.write_text(SEVERAL, encoding="utf-8")
    embedded = EmbeddedStore(tmp_path / "store")
    with pytest.raises(ConfigErrors) as caught:
        load_rule(path, embedded)
    embedded.close()
    fields = [problem.field for problem in caught.value.problems]
    assert fields == ["name", "condition.window", "condition.count", "digest", "colour", "query"]
    lines = str(caught.value).splitlines()
    assert len(lines) == 6 and all(line.startswith(f"{path}: ") for line in lines)
    assert "more)" not in str(caught.value)


def test_bad_files_are_reported_and_the_good_rules_kept(tmp_path: Path) -> None:
    (tmp_path / "a-good.yaml").write_text("name: good\ncondition: {type: any}\n")
    (tmp_path / "b-bad.yaml").write_text(SEVERAL)
    (tmp_path / "c-same.yaml").write_text("name: good\ncondition: {type: any}\n")
    (tmp_path / "d-broken.yaml").write_text("name: [unclosed\n")
    found = read_rules(tmp_path)
    assert [rule.name for rule in found.rules] == ["good"]
    assert [Path(str(e.file)).name for e in found.errors] == [
        "b-bad.yaml",
        "c-same.yaml",
        "d-broken.yaml",
    ]
    assert find_rule(tmp_path, "good").name == "good"  # other files' errors do not hide it
    with pytest.raises(ConfigErrors, match="b-bad.yaml: digest"):
        find_rule(tmp_path, "b-bad")
    with pytest.raises(ConfigErrors) as caught:
        load_rules(tmp_path)
    assert len(caught.value.problems) == 7


def test_one_file_is_read_alone(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(SEVERAL)
    path = tmp_path / "good.yaml"
    path.write_text("name: good\ncondition: {type: any}\n")
    found = read_rules(path)
    assert [rule.name for rule in found.rules] == ["good"] and found.errors == []


def test_filters_are_read_as_a_search_reads_them(tmp_path: Path) -> None:
    """A rule's filters would otherwise match nothing, for ever, without a word."""
    (tmp_path / "names.yaml").write_text(
        "name: names\n"
        "filters:\n"
        "  initiator: China\n"
        "  countries: [Germany, Chinese, EU]\n"
        "  technologies: [semiconductor]\n"
        "  types: [sanctions]\n"
        "condition: {type: any}\n",
        encoding="utf-8",
    )
    filters = load_rule(tmp_path / "names.yaml").filters
    assert filters.initiator == ["CN"] and filters.countries == ["DE", "CN", "EU"]
    assert filters.technologies == ["semiconductors"]
    assert filters.types and all(code.startswith("sanctions.") for code in filters.types)
