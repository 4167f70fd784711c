"""Pattern files: validation errors name the file and line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractors.patterns import expand, load_patterns
from extractors.resources import DataFileError

LEXICON = {"ban_verbs": ["ban", "halt"]}


def write(tmp_path: Path, name: str, lines: list[object]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines))
    return tmp_path


def test_expand_replaces_named_lists() -> None:
    out = expand([{"LEMMA": "@ban_verbs"}, {"LOWER": {"IN": ["@ban_verbs", "stop"]}}], LEXICON, "x")
    assert out == [{"LEMMA": {"IN": ["ban", "halt"]}}, {"LOWER": {"IN": ["ban", "halt", "stop"]}}]


def test_valid_file_loads() -> None:
    pats = load_patterns()
    assert pats and all(p.key.count("#") == 1 for p in pats)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "export_control.jsonl:2: invalid JSON"),
        ({"id": "export_control.nope", "pattern": []}, "not a taxonomy code"),
        ({"id": "sanctions.imposed", "pattern": [{"LEMMA": "x"}]}, "does not belong"),
        ({"id": "export_control.ban", "pattern": [{"LEMMA": "@missing"}]}, "unknown word list"),
        ({"id": "export_control.ban"}, "exactly one of"),
        ({"id": "export_control.ban", "pattern": [], "colour": 1}, "unknown fields"),
        (
            {"id": "export_control.ban", "pattern": [{"LEMMA": "x"}], "status": "maybe"},
            "planned or enacted",
        ),
    ],
)
def test_bad_line_is_reported_with_file_and_line(
    tmp_path: Path, line: object, message: str
) -> None:
    good = {"id": "export_control.ban", "pattern": [{"LEMMA": "@ban_verbs"}]}
    folder = write(tmp_path, "export_control.jsonl", [good, line])
    with pytest.raises(DataFileError, match=message) as err:
        load_patterns(folder, LEXICON)
    assert "export_control.jsonl:2" in str(err.value)
