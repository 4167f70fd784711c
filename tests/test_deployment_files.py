"""Files for users that cannot run here: index templates, the compose stack, the image and
the Kibana objects, checked by parsing them (there is no Docker engine on the build machines)."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import threading
import tomllib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml
from pydantic import BaseModel

from econsec import models
from econsec.config import Settings
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


def test_the_web_service_triggers_ingest_runs_as_a_user_airflow_knows() -> None:
    """Pushed feeds and `econsec submit` reach Airflow's REST API from the web service, as a
    user of the simple auth manager whose password airflow-init writes from .env."""
    web = SERVICES["web"]["environment"]
    api = SERVICES["airflow-api-server"]
    port = api["ports"][0].rsplit(":", 1)[1]
    assert web["ECONSEC_AIRFLOW_URL"] == f"http://airflow-api-server:{port}"
    user, password = web["ECONSEC_AIRFLOW_USERNAME"], web["ECONSEC_AIRFLOW_PASSWORD"]
    airflow = api["environment"]
    users = airflow["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"].split(",")
    roles = dict(u.split(":")[:2] for u in users)
    assert roles.get(user) == "user"  # may trigger runs, not administer Airflow
    init = SERVICES["airflow-init"]
    assert init["environment"]["ECONSEC_AIRFLOW_PASSWORD"] == password
    assert password_variable(password) == "ECONSEC_AIRFLOW_PASSWORD"
    script = " ".join(init["command"])
    assert f'known["{user}"] = os.environ["ECONSEC_AIRFLOW_PASSWORD"]' in script
    passwords = Path(airflow["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"])
    for name in ("airflow-init", "airflow-api-server"):  # the file is on a volume both see
        volumes = [v.split(":") for v in SERVICES[name]["volumes"]]
        assert any(not src.startswith(".") and passwords.is_relative_to(dst)
                   for src, dst, *_ in volumes), name  # fmt: skip
    assert "mkdir -p /opt/airflow/auth" in (ROOT / "Dockerfile").read_text()


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


# What each service running econsec code reads -----------------------------------------

ECONSEC_IMAGE = SERVICES["web"]["image"]
ECONSEC_SERVICES = sorted(n for n, s in SERVICES.items() if s.get("image") == ECONSEC_IMAGE)
TASK_SERVICES = [n for n in ECONSEC_SERVICES if n.startswith("airflow-") and n != "airflow-init"]
# Path settings the compose services do not read, and why.
# `dags_folder`: `econsec run` only, Airflow has its DAGS_FOLDER; `searches`: saved by the
# CLI, and the search page lists none where the folder is absent (no task reads it)
NOT_READ_UNDER_COMPOSE = {"dags_folder", "searches"}
SETUP_SCRIPT = ROOT / "deploy" / "elasticsearch" / "setup.sh"
KIBANA_SCRIPT = ROOT / "deploy" / "kibana" / "setup.sh"
ROLES = {p.stem: json.loads(p.read_text()) for p in (SETUP_SCRIPT.parent / "roles").glob("*.json")}
KIBANA_ROLE = json.loads((KIBANA_SCRIPT.parent / "econsec_kibana_viewer.json").read_text())
# `user NAME PASSWORD_VARIABLE ROLE...` lines of the setup script
USERS = {
    line.split()[1]: (line.split()[2], line.split()[3:])
    for line in SETUP_SCRIPT.read_text().splitlines()
    if line.startswith("user ")
}
WRITES = {"create", "create_doc", "index", "delete", "write", "all"}
ADMINISTERS = {"manage", "create_index", "delete_index", "all", "manage_ilm"}


def path_settings() -> set[str]:
    """Settings naming a file or folder: their defaults are relative to the working directory
    (or the user's home) and mean nothing in a container, so a service reading one sets it."""
    found = set()
    for name, info in Settings.model_fields.items():
        default = info.get_default(call_default_factory=True)
        words = (info.description or "").lower()
        if isinstance(default, str) and any(w in words for w in ("file", "folder", "path")):
            found.add(name)
    return found - NOT_READ_UNDER_COMPOSE


def reads(service: str) -> tuple[set[str], str]:
    """The path settings a service's econsec code reads, and the role its user must hold.
    Airflow tasks run any econsec code (ingest and alerts); init and web read less."""
    if service == "airflow-init":
        return {"store"}, "econsec_setup"
    if service == "web":
        return {"store", "rules"}, "econsec_reader"
    return path_settings(), "econsec_writer"


def variable(name: str) -> str:
    return f"ECONSEC_{name.upper()}"


def mounted(service: dict[str, Any], target: str) -> Path | None:
    """The repository path a bind mount of the service shows at `target`, if any."""
    for volume in service.get("volumes", []):
        source, mount = volume.split(":")[:2]
        if source.startswith(".") and (target == mount or target.startswith(mount + "/")):
            return ROOT / source / target[len(mount) :].lstrip("/")
    return None


def password_variable(value: str) -> str:
    found = re.fullmatch(r"\$\{(\w+):\?[^}]*\}", value)
    assert found, f"a password comes from .env as ${{NAME:?...}}, not {value!r}"
    return found.group(1)


def test_the_services_that_run_econsec_code_are_the_airflow_ones_and_web() -> None:
    assert {"airflow-init", "airflow-scheduler", "airflow-dag-processor", "web"} <= set(
        ECONSEC_SERVICES
    )
    assert reads("web")[0] <= path_settings() and {"store", "feeds", "rules"} <= path_settings()


@pytest.mark.parametrize("name", ECONSEC_SERVICES)
def test_every_path_setting_a_service_reads_is_set_and_mounted(name: str) -> None:
    service = SERVICES[name]
    env = service["environment"]
    for setting in sorted(reads(name)[0]):
        value = env.get(variable(setting))
        assert value, f"{name}: {variable(setting)} is not set"
        if value.startswith(("http://", "https://")):
            continue
        local = mounted(service, value)
        assert local is not None, f"{name}: {variable(setting)}={value} is not on a bind mount"
        assert local.exists(), f"{name}: {value} is {local}, which is not in the repository"


@pytest.mark.parametrize("name", ECONSEC_SERVICES)
def test_every_econsec_variable_a_service_gets_is_a_setting(name: str) -> None:
    fields = {variable(field) for field in Settings.model_fields}
    unknown = [key for key in SERVICES[name]["environment"] if key.startswith("ECONSEC_")]
    assert sorted(set(unknown) - fields) == []


@pytest.mark.parametrize("name", ECONSEC_SERVICES)
def test_each_service_reaches_elasticsearch_as_its_least_privileged_user(name: str) -> None:
    env = SERVICES[name]["environment"]
    assert env[variable("store")] == "http://elasticsearch:9200"
    user, role = env[variable("es_username")], reads(name)[1]
    assert user != "elastic" and user in USERS, f"{name}: {user} is not made by setup.sh"
    password, roles = USERS[user]
    assert roles[0] == role, f"{name}: {user} holds {roles}, not {role}"
    assert password_variable(env[variable("es_password")]) == password
    assert password in SERVICES["setup"]["environment"]
    if name in TASK_SERVICES:  # tasks take the Connection over the settings
        connection = json.loads(
            re.sub(r"\$\{[^}]*\}", "secret", env["AIRFLOW_CONN_ECONSEC_ELASTICSEARCH"])
        )
        assert connection["login"] == user


@pytest.mark.parametrize("name", TASK_SERVICES)
def test_the_airflow_services_get_the_dags(name: str) -> None:
    service = SERVICES[name]
    dags = service["environment"]["AIRFLOW__CORE__DAGS_FOLDER"]
    assert mounted(service, dags) == ROOT / "dags"


def test_only_the_services_that_run_tasks_get_the_channel_secrets() -> None:
    """The LocalExecutor runs tasks (and so sends alerts) in the scheduler's container."""
    runners = {n for n in TASK_SERVICES if SERVICES[n]["command"] == "scheduler"}
    assert {SERVICES[n]["environment"]["AIRFLOW__CORE__EXECUTOR"] for n in runners} == {
        "LocalExecutor"
    }
    given = {n for n, s in SERVICES.items() if "env_file" in s}
    assert given == runners == {"airflow-scheduler"}
    channels = [{"path": "./channels.env", "required": False}]
    assert SERVICES["airflow-scheduler"]["env_file"] == channels


def test_the_channel_secrets_example_holds_names_notify_urls_may_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from econsec.alerts.notify import refused

    monkeypatch.delenv("ECONSEC_NOTIFY_VARIABLES", raising=False)
    example = (ROOT / "channels.env.example").read_text()
    names = re.findall(r"^(\w+)=", example, re.MULTILINE)
    assert names and all(refused(f"${{{n}}}") == [] for n in names), names
    in_rules = {
        n
        for p in (ROOT / "rules").glob("*.yaml")
        for n in re.findall(r"\$\{(\w+)\}", p.read_text())
    }
    assert in_rules <= set(names)
    assert "channels.env" in (ROOT / ".gitignore").read_text().split()
    assert "channels.env" in (ROOT / ".dockerignore").read_text().split()


# Least-privileged Elasticsearch roles --------------------------------------------------


def test_the_roles_cover_only_the_econsec_indices_and_aliases() -> None:
    assert set(ROLES) == {"econsec_setup", "econsec_writer", "econsec_reader"}
    prefix = Settings().es_index_prefix
    for name, role in ROLES.items():
        for entry in role["indices"]:
            assert entry["names"] == [f"{prefix}-*"], name
            assert entry.get("allow_restricted_indices") is False, name


def test_only_setup_manages_templates_and_indices() -> None:
    (setup,) = ROLES["econsec_setup"]["indices"]
    assert ROLES["econsec_setup"]["cluster"] == ["manage_index_templates", "manage_ilm"]
    assert not set(setup["privileges"]) & WRITES - {"all"} and "all" not in setup["privileges"]
    for name in ("econsec_writer", "econsec_reader"):
        assert ROLES[name]["cluster"] == [], name
        (entry,) = ROLES[name]["indices"]
        assert not set(entry["privileges"]) & ADMINISTERS, name


def test_the_writer_creates_indexes_and_reads_and_the_reader_only_reads() -> None:
    (writer,) = ROLES["econsec_writer"]["indices"]
    (reader,) = ROLES["econsec_reader"]["indices"]
    assert {"read", "create", "index"} <= set(writer["privileges"])
    assert "read" in reader["privileges"] and not set(reader["privileges"]) & WRITES


def test_every_user_holds_roles_that_are_made_and_the_analyst_reads_in_kibana() -> None:
    kibana_roles = {"econsec_kibana_viewer"}
    assert set(USERS) == {"econsec_setup", "econsec_writer", "econsec_web", "econsec_analyst"}
    for user, (password, roles) in USERS.items():
        assert set(roles) <= set(ROLES) | kibana_roles, user
        assert password in SERVICES["setup"]["environment"], user
    assert USERS["econsec_web"][1] == ["econsec_reader"]
    assert USERS["econsec_analyst"][1] == ["econsec_reader", "econsec_kibana_viewer"]
    assert KIBANA_ROLE["elasticsearch"] == {"cluster": [], "indices": []}
    assert KIBANA_ROLE["kibana"] == [{"base": ["read"], "feature": {}, "spaces": ["default"]}]


def test_only_the_setup_services_use_the_superuser() -> None:
    text = yaml.safe_dump(COMPOSE)
    for name, service in SERVICES.items():
        uses = "ELASTIC_PASSWORD" in yaml.safe_dump(service)
        assert uses == (name in {"elasticsearch", "setup", "kibana-setup"}), name
    assert "login: elastic" not in text and '"login": "elastic"' not in text


class Recorder(BaseHTTPRequestHandler):
    """Answers 200 to everything and keeps what it was sent, as (method, path, user, body)."""

    seen: ClassVar[list[tuple[str, str, str, bytes]]] = []

    def _any(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        user = base64.b64decode(self.headers["Authorization"].split()[1]).decode()
        self.seen.append((self.command, self.path, user, body))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    do_GET = do_PUT = do_POST = _any

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[str]:
    Recorder.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_setup_script_puts_the_roles_and_users(recorder: str) -> None:
    passwords = {variable: f"pw-{variable.lower()}" for variable, _ in USERS.values()}
    env = {"PATH": os.environ["PATH"], "ELASTICSEARCH_URL": recorder}
    env |= {"ELASTIC_PASSWORD": "su", "KIBANA_PASSWORD": "kb", **passwords}
    done = subprocess.run(["bash", str(SETUP_SCRIPT)], env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    sent = {(method, path): json.loads(body) for method, path, _, body in Recorder.seen}
    assert {user for _, _, user, _ in Recorder.seen} == {"elastic:su"}
    assert sent["POST", "/_security/user/kibana_system/_password"] == {"password": "kb"}
    for name, role in ROLES.items():
        assert sent["PUT", f"/_security/role/{name}"] == role
    for user, (password, roles) in USERS.items():
        assert sent["PUT", f"/_security/user/{user}"] == {
            "password": passwords[password],
            "roles": roles,
        }


def test_the_kibana_script_puts_the_viewer_role_and_imports_the_objects(
    recorder: str,
) -> None:
    env = {"PATH": os.environ["PATH"], "KIBANA_URL": recorder, "ELASTIC_PASSWORD": "su"}
    env["KIBANA_OBJECTS"] = str(KIBANA_OBJECTS.parent)
    done = subprocess.run(["bash", str(KIBANA_SCRIPT)], env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    calls = [(method, path.split("?")[0]) for method, path, _, _ in Recorder.seen]
    assert calls == [
        ("GET", "/api/status"),
        ("PUT", "/api/security/role/econsec_kibana_viewer"),
        ("POST", "/api/saved_objects/_import"),
    ]
    assert json.loads(Recorder.seen[1][3]) == KIBANA_ROLE
    assert KIBANA_OBJECTS.read_bytes() in Recorder.seen[2][3]


# The image -----------------------------------------------------------------------------


def dockerfile_runs() -> list[str]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    return [line.strip()[4:] for line in text.splitlines() if line.strip().startswith("RUN ")]


def test_the_image_builds_a_wheel_from_the_lock_and_installs_it_not_editable() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    runs = " ".join(dockerfile_runs())
    assert len(re.findall(r"^FROM ", dockerfile, re.MULTILINE)) == 2  # build, then runtime
    assert "uv build --wheel" in runs and "uv export --frozen" in runs and "--no-dev" in runs
    assert "--extra airflow" in runs
    assert "--require-hashes -r /tmp/dist/requirements.txt" in runs
    assert re.search(r"pip install [^&]*--no-deps [^&]*econsec-\*\.whl", runs)
    assert not re.search(r"(^|\s)(-e|--editable)(\s|=)", runs), "an editable install"


def test_the_image_builds_on_the_locked_airflow_with_the_makefiles_uv() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    (image,) = re.findall(r"^ARG AIRFLOW_IMAGE=(\S+)$", dockerfile, re.MULTILINE)
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    (airflow,) = [p["version"] for p in lock["package"] if p["name"] == "apache-airflow"]
    assert image == f"apache/airflow:{airflow}-python3.11"
    assert SERVICES["airflow-scheduler"]["image"] == SERVICES["web"]["image"] == ECONSEC_IMAGE
    makefile_uv = re.search(r"^UV_VERSION := (\S+)$", (ROOT / "Makefile").read_text(), re.M)
    assert makefile_uv and f"uv=={makefile_uv.group(1)}" in " ".join(dockerfile_runs())


def test_the_image_copies_everything_the_wheel_is_built_from() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    copied = {
        Path(source).name
        for line in re.findall(r"^COPY --chown=\S+ (.+) \S+$", dockerfile, re.MULTILINE)
        for source in line.split()
    }
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    wheel = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]
    needed = {"pyproject.toml", "uv.lock", pyproject["project"]["readme"]}
    needed |= set(wheel["packages"]) | set(wheel["force-include"])
    assert needed <= copied, needed - copied
    assert all((ROOT / name).exists() for name in copied)
