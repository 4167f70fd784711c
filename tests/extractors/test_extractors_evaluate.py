"""Scoring on tiny hand-written items, and reading JSONL."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from extractors.learning.evaluate import format_report, predict, read_items, score
from extractors.types import TaggedEvent, TagResult


def item(item_id: str, events: list[dict[str, Any]], techs: list[str]) -> dict[str, Any]:
    return {
        "id": item_id,
        "title": "t",
        "summary": "s",
        "labels": {"events": events, "technologies": techs},
    }


def ev(code: str, status: str = "enacted", initiator: list[str] | None = None) -> dict[str, Any]:
    return {"type": code, "status": status, "initiator": initiator or [], "target": []}


ITEMS = [
    item(
        "a",
        [
            ev("export_control.ban", initiator=["CN"]),
            ev("economic_coercion.retaliation", initiator=["CN"]),
        ],
        ["critical_minerals"],
    ),
    item("b", [ev("legislation.law", initiator=["JP"])], []),
    item("c", [], ["semiconductors"]),
    item("d", [], []),
]
PREDS = [
    {
        "id": "a",
        "events": [
            ev("export_control.ban", initiator=["CN", "RU"]),
            ev("export_control.restriction", initiator=["CN"]),
        ],
        "technologies": ["critical_minerals"],
        "in_scope": True,
    },
    {
        "id": "b",
        "events": [ev("legislation.law", "planned", ["US"])],
        "technologies": [],
        "in_scope": True,
    },
    {
        "id": "c",
        "events": [ev("supply_chain.disruption")],
        "technologies": ["semiconductors", "ai"],
        "in_scope": True,
    },
    {"id": "d", "events": [], "technologies": [], "in_scope": False},
]


def test_micro_counts_types_per_item() -> None:
    s = score(ITEMS, PREDS)
    assert (s["micro"]["tp"], s["micro"]["fp"], s["micro"]["fn"]) == (2, 2, 1)
    assert s["micro"]["precision"] == pytest.approx(0.5)
    assert s["micro"]["recall"] == pytest.approx(2 / 3)


def test_per_type_and_category() -> None:
    s = score(ITEMS, PREDS)
    assert s["per_type"]["export_control.ban"]["f1"] == 1.0
    assert s["per_type"]["export_control.restriction"]["precision"] == 0.0
    cat = s["per_category"]["export_control"]
    assert (cat["tp"], cat["fp"], cat["fn"]) == (1, 1, 0)
    assert s["per_category"]["economic_coercion"]["recall"] == 0.0


def test_initiator_and_status_on_correct_types() -> None:
    s = score(ITEMS, PREDS)
    assert s["matched_events"] == 2
    assert s["initiator_accuracy"] == pytest.approx(0.5)  # CN shared; JP vs US not
    assert s["status_accuracy"] == pytest.approx(0.5)


def test_technologies_false_alarms_and_gate() -> None:
    s = score(ITEMS, PREDS)
    assert (s["technologies"]["tp"], s["technologies"]["fp"]) == (2, 1)
    assert s["false_alarm_rate"] == pytest.approx(0.5)
    assert s["gate_recall"] == 1.0


def test_duplicate_types_count_once_and_missing_prediction_is_empty() -> None:
    preds = [{"id": "a", "events": [ev("export_control.ban")] * 2, "technologies": []}]
    s = score(ITEMS[:2], preds)
    assert (s["micro"]["tp"], s["micro"]["fn"]) == (1, 2)
    assert s["gate_recall"] is None


def test_format_report_is_a_table() -> None:
    text = format_report(score(ITEMS, PREDS))
    assert "micro (event types)" in text and "export_control" in text
    assert "false-alarm rate" in text and "gate recall" in text


def test_read_items_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "items.jsonl"
    path.write_text('{"id": "x", "title": "ok"}\n\n{"id": "y", "title": \n')
    with pytest.raises(ValueError, match=r"items\.jsonl:3"):
        read_items(path)


def test_read_items_skips_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "items.jsonl"
    path.write_text('{"id": "x", "title": "a"}\n\n{"id": "y", "title": "b"}\n')
    assert [i["id"] for i in read_items(path)] == ["x", "y"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": "a", "title": "t"}', r"items\.jsonl:2: no 'labels' object"),
        ('{"id": "a", "title": "t", "labels": {}}', r"'labels\.events' must be a list"),
        (
            '{"id": "a", "title": "t", "labels": {"events": [{"status": "enacted"}]}}',
            r"'labels\.events\[0\]' must be an object with a 'type'",
        ),
        (
            '{"id": "a", "title": "t", "labels": {"events": [], "technologies": "ai"}}',
            r"'labels\.technologies' must be a list",
        ),
        ('{"id": "a", "title": 7, "labels": {"events": []}}', r"expected an object with a 'title'"),
        (
            '{"id": "a", "title": "t", "labels": {"events": [{"type": "export_control.bans"}]}}',
            r"'labels\.events\[0\]\.type' 'export_control\.bans' is not in the taxonomy; "
            r"did you mean export_control\.ban\?",
        ),
        (
            '{"id": "a", "title": "t", "labels": {"events": [{"type": "export_control"}]}}',
            r"'export_control' is not in the taxonomy",
        ),
        (
            '{"id": "a", "title": "t", "labels": {"events": [{"type": "weather.rain"}]}}',
            r"'weather\.rain' is not in the taxonomy; `econsec taxonomy` lists the codes",
        ),
        (
            '{"id": "a", "title": "t", "labels": '
            '{"events": [{"type": "export_control.ban", "status": "done"}]}}',
            r"'labels\.events\[0\]\.status' must be one of planned, enacted",
        ),
        (
            '{"id": "a", "title": "t", "labels": '
            '{"events": [], "technologies": ["semiconductor"]}}',
            r"'labels\.technologies\[0\]' 'semiconductor' is not in the taxonomy; "
            r"did you mean semiconductors\?",
        ),
    ],
)
def test_labelled_items_are_checked_with_file_line_and_field(
    tmp_path: Path, line: str, message: str
) -> None:
    path = tmp_path / "items.jsonl"
    path.write_text('{"id": "ok", "title": "t", "labels": {"events": []}}\n' + line + "\n")
    with pytest.raises(ValueError, match=message):
        read_items(path, labelled=True)
    if "title" not in message:
        assert len(read_items(path)) == 2  # unlabelled items are fine to predict on


def test_a_file_that_is_not_utf8_is_named_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "items.jsonl"
    path.write_bytes(b'{"id": "a", "title": "t"}\n{"id": "b", "title": "\xff"}\n')
    with pytest.raises(ValueError, match=r"items\.jsonl:2: not UTF-8"):
        read_items(path)


class FakeTagger:
    def tag_many(self, items: Iterable[tuple[str, str]]) -> Iterator[TagResult]:
        for title, _ in items:
            events = (
                [TaggedEvent("legislation.law", "enacted", ["JP"], confidence=0.9, evidence=title)]
                if "law" in title
                else []
            )
            yield TagResult(events=events, technologies=[], in_scope=bool(events))


def test_predict_writes_the_prediction_format() -> None:
    items = [
        {"id": "1", "title": "Japan passes law", "summary": ""},
        {"id": "2", "title": "Snow", "summary": ""},
    ]
    out = predict(FakeTagger(), items)
    assert [p["id"] for p in out] == ["1", "2"]
    assert out[0]["events"][0] == {
        "type": "legislation.law",
        "status": "enacted",
        "initiator": ["JP"],
        "target": [],
        "confidence": 0.9,
        "evidence": "Japan passes law",
    }
    assert out[1] == {"id": "2", "events": [], "technologies": [], "in_scope": False}


def _scored(code: str, confidence: float) -> dict[str, Any]:
    return {**ev(code), "confidence": confidence}


@pytest.mark.parametrize(
    ("confidence", "band"),
    [
        (0.3, "0.5-0.6"),
        (0.5, "0.5-0.6"),
        (0.65, "0.6-0.7"),
        (0.8, "0.8-0.9"),
        (0.99, "0.9-1.0"),
        (1.0, "0.9-1.0"),
    ],
)
def test_calibration_puts_each_event_in_its_band(confidence: float, band: str) -> None:
    items = [item("x", [ev("legislation.law")], [])]
    preds = [{"id": "x", "events": [_scored("legislation.law", confidence)], "technologies": []}]
    rows = {row["band"]: row for row in score(items, preds)["calibration"]}
    assert list(rows) == ["0.5-0.6", "0.6-0.7", "0.7-0.8", "0.8-0.9", "0.9-1.0"]
    assert rows[band]["predicted"] == 1 and rows[band]["precision"] == 1.0
    assert all(r["predicted"] == 0 and r["precision"] is None for b, r in rows.items() if b != band)


def test_calibration_counts_right_and_wrong_types_and_is_printed() -> None:
    items = [item("x", [ev("legislation.law")], []), item("y", [], [])]
    preds = [
        {
            "id": "x",
            "events": [_scored("legislation.law", 0.95), _scored("cyber.policy", 0.92)],
            "technologies": [],
        },
        {"id": "y", "events": [_scored("sanctions.imposed", 0.55)], "technologies": []},
    ]
    rows = {row["band"]: row for row in score(items, preds)["calibration"]}
    assert (rows["0.9-1.0"]["predicted"], rows["0.9-1.0"]["correct"]) == (2, 1)
    assert rows["0.9-1.0"]["precision"] == 0.5 and rows["0.5-0.6"]["precision"] == 0.0
    report = format_report(score(items, preds))
    assert "calibration" in report and "0.9-1.0" in report
