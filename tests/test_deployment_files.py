"""Files for users that cannot run here: mappings and the compose stack, checked by parsing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from econsec.models import Article, Event

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("name", "model", "extra"),
    [("events", Event, set()), ("articles", Article, {"technologies", "event_types"})],
)
def test_mappings_are_strict_and_cover_every_field(name: str, model: type, extra: set) -> None:
    template = json.loads((ROOT / "mappings" / f"{name}.json").read_text())
    mappings = template["template"]["mappings"]
    assert mappings["dynamic"] == "strict"
    assert template["_meta"]["schema_version"] >= 1
    fields = set(model.model_fields) | extra
    assert fields <= set(mappings["properties"]), fields - set(mappings["properties"])
    for code_field in ("id", "story_id"):
        assert mappings["properties"][code_field]["type"] == "keyword"


def test_compose_services_are_pinned_healthchecked_and_local() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert compose["services"]
    for name, service in compose["services"].items():
        image = service["image"]
        assert ":" in image and not image.endswith(":latest"), name
        assert "healthcheck" in service, name
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), (name, port)
    assert compose["volumes"]
