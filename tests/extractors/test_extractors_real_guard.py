"""The tagger's figures on held-back real news must not drop more than 2 points below those
quoted in the README.

`extractors/data/real_test_figures.json` holds the figures measured on the test part of the
real-news corpus (`extractors.learning.split`) when the tagger last changed. The corpus lives
outside the repository (its text belongs to its publishers); without it the test is skipped. The
split itself is checked here too, on items made up for the test.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractors.learning.evaluate import predict, read_items, score
from extractors.learning.split import (
    default_corpus_path,
    held_back_ids,
    select,
    story_groups,
    stratum,
)
from extractors.resources import DATA_DIR
from tests.extractors.test_extractors_dev_guard import drops, figures

CORPUS = default_corpus_path()
QUOTED = DATA_DIR / "real_test_figures.json"


def item(item_id: str, *types: str, title: str = "") -> dict[str, object]:
    events = [{"type": t, "status": "enacted", "initiator": [], "target": []} for t in types]
    words = title or f"headline{item_id.replace('-', '')} about topic{item_id.replace('-', '')}"
    return {"id": item_id, "title": words, "labels": {"events": events}}


def test_the_split_holds_back_one_item_in_four_of_every_category() -> None:
    items = [item(f"b-{i}", "export_control.ban") for i in range(40)]
    items += [item(f"n-{i}") for i in range(40)]
    held = held_back_ids(items)
    assert len([i for i in held if i.startswith("b-")]) == 10
    assert len([i for i in held if i.startswith("n-")]) == 10
    assert {stratum(items[0]), stratum(items[-1])} == {"export_control", "none"}


def test_copies_of_one_story_go_to_the_same_part() -> None:
    story = "Japan bans gallium exports to three countries from next month"
    items = [item(f"s-{i}", "export_control.ban", title=f"{story} (outlet {i})") for i in range(6)]
    items += [item(f"o-{i}", "export_control.ban") for i in range(30)]
    held = held_back_ids(items)
    assert len({f"s-{i}" in held for i in range(6)}) == 1
    assert story_groups(items) == [[0, 1, 2, 3, 4, 5]]


def test_the_split_does_not_depend_on_file_order() -> None:
    items = [item(f"x-{i}", "sanctions.imposed") for i in range(12)]
    assert held_back_ids(items) == held_back_ids(list(reversed(items)))
    train, test = select(items, "train"), select(items, "test")
    assert len(train) + len(test) == 12 and not {i["id"] for i in train} & {i["id"] for i in test}
    assert select(items, "all") == items


def test_the_corpus_path_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECONSEC_REAL_CORPUS", "/data/news.jsonl")
    assert default_corpus_path() == Path("/data/news.jsonl")


@pytest.mark.slow
@pytest.mark.skipif(not CORPUS.exists(), reason=f"no real-news corpus at {CORPUS}")
def test_real_test_figures_hold(tagger) -> None:  # type: ignore[no-untyped-def]
    items = select(read_items(CORPUS), "test")
    scores = score(items, predict(tagger, items))
    measured = {k: v for k, v in figures(scores).items() if not k.startswith("category_f1")}
    quoted = json.loads(QUOTED.read_text(encoding="utf-8"))
    assert not drops(measured, quoted), drops(measured, quoted)
