"""The project's own labelled sets stay readable and use only taxonomy codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.learning.evaluate import read_items
from extractors.taxonomy import CODES, TECHNOLOGIES

EVALSETS = Path(__file__).resolve().parents[2] / "evalsets"


@pytest.mark.parametrize("name", ["fresh_a.jsonl", "fresh_b.jsonl"])
def test_evalset_is_valid(name: str) -> None:
    items = read_items(EVALSETS / name)
    assert len({item["id"] for item in items}) == len(items) >= 200
    for item in items:
        for event in item["labels"]["events"]:
            assert event["type"] in CODES and event["status"] in ("planned", "enacted")
        assert set(item["labels"]["technologies"]) <= set(TECHNOLOGIES)
