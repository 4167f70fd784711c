"""Files for users that cannot run here: index templates, the compose stack, the image and
the Kibana objects, checked by parsing them (there is no Docker engine on the build machines)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from econsec import models
from econsec.models import Article, CycleReport, Event, FeedHealth, Quarantined
from econsec.store.elastic.templates import KINDS, POLICY, SETTINGS

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, Any] = COMPOSE["services"]
KIBANA_OBJECTS = ROOT / "mappings" / "kibana" / "econsec.ndjson"
ALERT_FIELDS = {"id", "rule", "group", "event_ids", "evidence", "fired_at", "deliveries", "claim"}
ALERT: type[BaseModel] | None = getattr(models, "Alert", None)  # the alerts work brings it

# what each index holds: a model and the fields the Elasticsearch store adds to it
TEMPLATES: dict[str, tuple[type[BaseModel] | None, set[str]]] = {
    "events": (Event, {"created_at", "indexed_at"}),
    "articles": (
        Article,
        {"technologies", "event_types", "minhash", "staged_at", "tagged_at", "indexed_at"},
    ),
    "feeds": (FeedHealth, {"etag", "last_modified"}),
    "quarantine": (Quarantined, set()),
    "cycles": (CycleReport, set()),
    "alerts": (ALERT, ALERT_FIELDS),
    # one document per rule, written by econsec/store/elastic/alert_state.py (no model)
    "alert-state": (
        None,
        {"rule", "checkpoint", "updated_at", "processed", "last_fired", "learned", "outbox"},
    ),
}


def template(name: str) -> dict[str, Any]:
    return json.loads((ROOT / "mappings" / f"{name}.json").read_text())


def uncovered(model: type[BaseModel], properties: dict[str, Any], path: str = "") -> list[str]:
    """Model fields without a mapping, looking into nested models (the cycle's feed results)."""
    missing = []
    for name, info in model.model_fields.items():
        if name not in properties:
            missing.append(f"{path}{name}")
            continue
        inner = getattr(info.annotation, "__args__", (info.annotation,))[0]
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            nested = properties[name].get("properties", {})
            missing += uncovered(inner, nested, f"{path}{name}.")
    return missing


def test_there_is_a_template_for_every_index_the_store_writes() -> None:
    shipped = {p.stem for p in (ROOT / "mappings").glob("*.json")} - {SETTINGS, POLICY}
    assert shipped == set(KINDS) == set(TEMPLATES)


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_templates_are_strict_versioned_and_cover_every_field(name: str) -> None:
    found = template(name)
    mappings = found["template"]["mappings"]
    assert mappings["dynamic"] == "strict"
    assert isinstance(found["version"], int) and found["_meta"]["schema_version"] >= 1
    assert found["index_patterns"] == [f"econsec-{name}-v*"]  # versioned indices behind an alias
    model, extra = TEMPLATES[name]
    properties = mappings["properties"]
    missing = (uncovered(model, properties) if model else []) + sorted(extra - set(properties))
    assert not missing, missing
    if "id" in properties:
        assert properties["id"]["type"] == "keyword"


def test_alert_state_ids_are_keywords_and_free_form_maps_unindexed() -> None:
    properties = template("alert-state")["template"]["mappings"]["properties"]
    assert properties["rule"]["type"] == "keyword"
    assert properties["checkpoint"]["type"] == "date"
    for name in ("processed", "last_fired", "learned", "outbox"):
        assert properties[name] == {"type": "object", "enabled": False}, name


@pytest.mark.parametrize(
    ("name", "field"),
    [("events", "title"), ("events", "evidence"), ("articles", "title"), ("alerts", "title")],
)
def test_prose_is_english_text_with_a_keyword_subfield(name: str, field: str) -> None:
    mapping = template(name)["template"]["mappings"]["properties"][field]
    assert mapping["type"] == "text" and mapping["analyzer"] == "english"
    assert mapping["fields"]["raw"]["type"] == "keyword"


@pytest.mark.parametrize(
    "field",
    [
        "type",
        "category",
        "status",
        "initiator",
        "countries",
        "technologies",
        "story_id",
        "cluster_id",
    ],
)
def test_codes_and_actors_are_keywords(field: str) -> None:
    assert template("events")["template"]["mappings"]["properties"][field]["type"] == "keyword"


def test_compose_runs_the_whole_stack() -> None:
    expected = {
        "elasticsearch",
        "kibana",
        "postgres",
        "airflow-api-server",
        "airflow-scheduler",
        "airflow-dag-processor",
        "airflow-triggerer",
    }
    assert expected <= set(SERVICES)
    for name in expected - {"elasticsearch", "kibana", "postgres"}:
        assert SERVICES[name]["image"] == "econsec:0.1.0", name
        assert SERVICES[name]["build"]["dockerfile"] == "Dockerfile", name
        assert SERVICES[name]["environment"]["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
        assert any(v.startswith("./dags:") for v in SERVICES[name]["volumes"]), name


def test_compose_serves_the_web_pages_behind_a_token() -> None:
    web = SERVICES["web"]
    assert web["image"] == "econsec:0.1.0" and web["entrypoint"] == ["econsec"]
    command = web["command"]
    assert command[0] == "serve" and command[command.index("--host") + 1] == "0.0.0.0"
    env = web["environment"]
    assert env["ECONSEC_API_TOKEN"].startswith("${ECONSEC_API_TOKEN:?")  # no token, no start
    assert env["ECONSEC_STORE"] == "http://elasticsearch:9200"
    assert web["ports"] == ["127.0.0.1:8000:8000"]
    assert "/healthz" in " ".join(web["healthcheck"]["test"])


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_image_tag_is_pinned(name: str) -> None:
    image = SERVICES[name]["image"]
    repository, _, tag = image.rpartition(":")
    assert repository and "/" not in tag, f"{name}: no tag in {image}"
    assert tag != "latest" and re.search(r"\d", tag), f"{name}: unpinned tag {tag}"


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_services_are_healthchecked_and_bound_to_loopback(name: str) -> None:
    service = SERVICES[name]
    if service.get("restart") != "no":  # one-shot set-up services run to completion instead
        assert service["healthcheck"]["test"], name
    for port in service.get("ports", []):
        assert str(port).startswith("127.0.0.1:"), (name, port)


def test_named_volumes_are_declared_and_keep_the_data() -> None:
    declared = set(COMPOSE["volumes"])
    for name, service in SERVICES.items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if not source.startswith((".", "/")):
                assert source in declared, (name, source)
    assert any(
        v.endswith(":/usr/share/elasticsearch/data") for v in SERVICES["elasticsearch"]["volumes"]
    )
    assert any(v.endswith(":/var/lib/postgresql/data") for v in SERVICES["postgres"]["volumes"])


def test_elasticsearch_is_secured_and_kibana_matches_it() -> None:
    es = SERVICES["elasticsearch"]
    assert es["image"].startswith("docker.elastic.co/elasticsearch/elasticsearch:9.")
    assert es["environment"]["xpack.security.enabled"] == "true"
    assert es["environment"]["ELASTIC_PASSWORD"].startswith("${ELASTIC_PASSWORD")
    assert SERVICES["kibana"]["image"].rpartition(":")[2] == es["image"].rpartition(":")[2]


def test_airflow_reaches_elasticsearch_through_the_connection() -> None:
    env = SERVICES["airflow-scheduler"]["environment"]
    assert env["ECONSEC_STORE"].startswith("http")
    connection = json.loads(
        re.sub(r"\$\{[^}]*\}", "secret", env["AIRFLOW_CONN_ECONSEC_ELASTICSEARCH"])
    )
    assert (connection["host"], connection["port"]) == ("elasticsearch", 9200)


def test_every_variable_compose_needs_is_in_env_example() -> None:
    used = set(
        re.findall(r"(?<!\$)\$\{(\w+)", (ROOT / "docker-compose.yml").read_text())
    )  # $$ escapes
    example = (ROOT / ".env.example").read_text()
    assert used and all(f"\n{name}=" in f"\n{example}" for name in used), used


def test_the_image_installs_the_project_on_the_pinned_airflow() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "FROM apache/airflow:3.3.2-python3.11" in dockerfile
    assert "pip install" in dockerfile and "/opt/econsec" in dockerfile


def test_kibana_objects_parse_line_by_line_and_reference_each_other() -> None:
    objects = [json.loads(line) for line in KIBANA_OBJECTS.read_text().splitlines() if line]
    ids = {(o["type"], o["id"]) for o in objects}
    (data_view,) = [o for o in objects if o["type"] == "index-pattern"]
    assert data_view["attributes"]["title"] == "econsec-events*"
    assert data_view["attributes"]["timeFieldName"] == "published"
    (dashboard,) = [o for o in objects if o["type"] == "dashboard"]
    panels = json.loads(dashboard["attributes"]["panelsJSON"])
    titles = {p["title"] for p in panels}
    assert titles == {"Stories over time by category", "Top initiators", "Technologies"}
    for reference in dashboard["references"]:
        assert (reference["type"], reference["id"]) in ids
