"""The Kibana dashboard counts what econsec counts: stories (unique `story_id`) among the
searchable events, not event documents; read from the saved objects file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from tests.support.paths import ROOT

OBJECTS = ROOT / "mappings" / "kibana" / "econsec.ndjson"
EVENT_FIELDS = json.loads((ROOT / "mappings" / "events.json").read_text())["template"]["mappings"][
    "properties"
]


def panels() -> list[dict[str, Any]]:
    objects = [json.loads(line) for line in OBJECTS.read_text().splitlines() if line]
    (dashboard,) = [o for o in objects if o["type"] == "dashboard"]
    found: list[dict[str, Any]] = json.loads(dashboard["attributes"]["panelsJSON"])
    return found


def columns(panel: dict[str, Any]) -> Iterator[dict[str, Any]]:
    layers = panel["embeddableConfig"]["attributes"]["state"]["datasourceStates"]["formBased"]
    for layer in layers["layers"].values():
        yield from layer["columns"].values()


def test_every_metric_counts_unique_stories() -> None:
    metrics = [c for panel in panels() for c in columns(panel) if not c["isBucketed"]]
    assert len(metrics) == len(panels())
    for metric in metrics:
        assert (metric["operationType"], metric["sourceField"]) == ("unique_count", "story_id")
        assert metric["label"] == "Stories"
    assert EVENT_FIELDS["story_id"]["type"] == "keyword"


def test_panels_read_searchable_events_on_mapped_fields() -> None:
    for panel in panels():
        state = panel["embeddableConfig"]["attributes"]["state"]
        assert state["query"] == {"query": "indexed_at : *", "language": "kuery"}
        for column in columns(panel):
            assert column["sourceField"] in EVENT_FIELDS, column
        assert "Events" not in panel["title"]
