"""Setting the Elasticsearch side up: templates, versioned indices and aliases (idempotent),
the `init` command, the client built from settings, the Airflow Connection, and what only
the Elasticsearch path has (paging past the result window)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from typer.testing import CliRunner

from econsec.cli.main import app
from econsec.config import Settings
from econsec.errors import ConfigError, StoreError
from econsec.models import CycleReport, SearchQuery, TaggedArticle, TagReport
from econsec.orchestration.ingest import settings_for
from econsec.store import open_store
from econsec.store.elastic import search as elastic_search
from econsec.store.elastic import templates
from econsec.store.elastic.client import make_client
from econsec.store.elastic.lifecycle import ROLLED
from econsec.store.elastic.store import ElasticStore
from econsec.store.elastic.templates import KINDS
from tests.store.test_store_contract import fill
from tests.support import factories
from tests.support.backends import Backend
from tests.support.fault_proxy import FaultProxy


def test_init_creates_versioned_indices_behind_write_aliases_once(osmem: Backend) -> None:
    store = osmem.open()
    first = store.init()
    assert set(first["templates"].values()) == {"created"}
    assert first["components"] == {f"{osmem.prefix}-settings": "created"}  # no ILM here
    for kind in KINDS:
        index = f"{osmem.prefix}-{kind}-v1" + ("-000001" if kind in ROLLED else "")
        assert first["aliases"][f"{osmem.prefix}-{kind}"] == f"created on {index}"
    again = store.init()
    assert set(again["templates"].values()) == {"unchanged"}
    assert set(again["components"].values()) == {"unchanged"}
    assert set(again["aliases"].values()) == {"exists"}
    admin = osmem.admin()
    aliases = admin.indices.get_alias(name=f"{osmem.prefix}-events")
    assert aliases.body == {
        f"{osmem.prefix}-events-v1-000001": {
            "aliases": {f"{osmem.prefix}-events": {"is_write_index": True}}
        }
    }
    mapping = admin.indices.get_mapping(index=f"{osmem.prefix}-events-v1-000001").body
    assert next(iter(mapping.values()))["mappings"]["dynamic"] == "strict"
    admin.close()
    store.close()


def test_first_use_sets_the_indices_up(osmem: Backend) -> None:
    store = osmem.open()
    assert store.counts()["events"] == 0
    admin = osmem.admin()
    assert admin.indices.exists_alias(name=[f"{osmem.prefix}-{kind}" for kind in KINDS])
    admin.close()
    store.close()


def test_an_older_template_is_updated(osmem: Backend) -> None:
    store = osmem.open()
    store.init()
    admin = osmem.admin()
    admin.indices.put_index_template(
        name=f"{osmem.prefix}-feeds", index_patterns=[f"{osmem.prefix}-feeds-v*"], version=0
    )
    admin.close()
    report = store.init()
    assert report["templates"][f"{osmem.prefix}-feeds"] == "updated from version 0"
    store.close()


def test_an_index_squatting_an_alias_name_is_a_clear_error(osmem: Backend) -> None:
    admin = osmem.admin()
    admin.indices.create(index=f"{osmem.prefix}-events")
    admin.close()
    store = osmem.open()
    with pytest.raises(StoreError, match=f"{osmem.prefix}-events"):
        store.init()
    store.close()


def test_init_on_the_embedded_store_creates_its_directories(tmp_path: Any) -> None:
    store = open_store(str(tmp_path / "fresh"))
    report = store.init()
    assert report["backend"] == "embedded"
    assert all((tmp_path / "fresh" / name).is_dir() for name in ("events", "articles"))
    store.close()


def test_init_command_on_both_backends(
    osmem: Backend, proxy: FaultProxy, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the proxy, the CLI's own unmodified client can reach osmem-server."""
    monkeypatch.setenv("ECONSEC_ES_INDEX_PREFIX", osmem.prefix)
    runner = CliRunner()
    for _ in range(2):
        result = runner.invoke(app, ["init", "--store", proxy.url, "--json"])
        assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["backend"] == "elasticsearch"
    assert set(report["aliases"].values()) == {"exists"}
    told = runner.invoke(app, ["init", "--store", proxy.url]).stdout
    assert f"component template {osmem.prefix}-settings: unchanged" in told
    assert f"lifecycle policy {osmem.prefix}-rollover: not put: this cluster has no ILM" in told
    result = runner.invoke(app, ["init", "--store", str(tmp_path / "s")])
    assert result.exit_code == 0 and "embedded" in result.stdout


def test_nothing_connects_before_first_use_and_secrets_stay_hidden() -> None:
    settings = Settings(store="https://127.0.0.1:1", es_password="pw-secret", es_api_key="k-secret")
    assert "secret" not in repr(settings) and "secret" not in str(settings.model_dump())
    store = open_store(settings.store, settings)  # port 1: nothing listens, nothing is tried
    assert isinstance(store, ElasticStore)
    store.close()
    in_url = open_store("https://econsec:pw-secret@127.0.0.1:1", settings)
    assert in_url.location == "https://127.0.0.1:1"


def test_a_bad_prefix_is_a_config_error() -> None:
    settings = Settings(store="http://127.0.0.1:9200", es_index_prefix="Econsec*")
    with pytest.raises(ConfigError, match="es_index_prefix"):
        open_store(settings.store, settings)


@pytest.mark.parametrize(
    ("values", "header"),
    [
        ({"es_api_key": "a2V5OnNlY3JldA=="}, "ApiKey a2V5OnNlY3JldA=="),
        ({"es_username": "elastic", "es_password": "pw"}, "Basic ZWxhc3RpYzpwdw=="),
    ],
)
def test_client_credentials_from_settings(values: dict[str, str], header: str) -> None:
    settings = Settings(store="https://es.example.org:9200", **values)  # type: ignore[arg-type]
    client = make_client(settings.store, settings, 0.5)
    assert client._headers["authorization"] == header
    client.close()


def test_settings_come_from_the_airflow_connection_when_defined(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("AIRFLOW_CONN_ECONSEC_ELASTICSEARCH", raising=False)
    assert settings_for({"store": "/tmp/x"}).store == "/tmp/x"  # absent: no error
    connection = {
        "conn_type": "elasticsearch",
        "host": "es01",
        "port": 9243,
        "schema": "https",
        "login": "econsec",
        "password": "pw-from-airflow",
        "extra": {"ca_certs": "/certs/ca.crt", "api_key": "a2V5"},
    }
    monkeypatch.setenv("AIRFLOW_CONN_ECONSEC_ELASTICSEARCH", json.dumps(connection))
    settings = settings_for({})
    assert settings.store == "https://es01:9243"
    assert settings.es_username == "econsec" and settings.es_ca_certs == "/certs/ca.crt"
    assert settings.es_password is not None
    assert settings.es_password.get_secret_value() == "pw-from-airflow"
    assert settings.es_api_key is not None and settings.es_api_key.get_secret_value() == "a2V5"
    assert settings_for({"store": "/tmp/run-store"}).store == "/tmp/run-store"


def test_pages_past_the_result_window_use_search_after(
    osmem: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = osmem.open()
    fill(store)
    query = SearchQuery(q="*", collapse=False, limit=2, offset=1, facets=True)
    expected = store.search(query)
    monkeypatch.setattr(elastic_search, "MAX_WINDOW", 2)
    assert store.search(query) == expected
    with pytest.raises(Exception, match="one line per story"):
        store.search(SearchQuery(limit=2, offset=1))
    store.close()


def test_indexing_still_works_after_the_alias_moves_to_a_v2_index(osmem: Backend) -> None:
    """A rollover to `-v2` (done here with an alias swap: osmem has no _rollover): events
    written before it are still marked indexed where they live, new ones land in v2."""
    store = osmem.open()
    before = [factories.article(n) for n in (1, 2)]
    after = [factories.article(n) for n in (3, 4, 5)]
    store.stage_articles(before + after)
    store.save_tagged(
        [TaggedArticle(a, b"", []) for a in before], [factories.event(a, "x.y") for a in before]
    )
    alias, admin = f"{osmem.prefix}-events", osmem.admin()
    admin.indices.create(index=f"{alias}-v2")
    admin.indices.update_aliases(
        actions=[
            {"add": {"index": f"{alias}-v1-000001", "alias": alias, "is_write_index": False}},
            {"add": {"index": f"{alias}-v2", "alias": alias, "is_write_index": True}},
        ]
    )
    store.save_tagged(
        [TaggedArticle(a, b"", []) for a in after], [factories.event(a, "x.y") for a in after]
    )
    assert store.index_pending().events_indexed == 5
    assert store.search(SearchQuery(collapse=False)).total == 5
    assert admin.count(index=f"{alias}-v2")["count"] == 3
    admin.close()
    store.close()


def test_an_updated_template_adds_its_new_fields_to_the_existing_index(osmem: Backend) -> None:
    """A cluster set up by an older release: its cycles index predates `tagging.quarantined`,
    and a strict mapping would refuse every cycle report until the field is added."""
    old = json.loads((templates.mappings_dir() / "cycles.json").read_text())
    del old["template"]["mappings"]["properties"]["tagging"]["properties"]["quarantined"]
    alias = f"{osmem.prefix}-cycles"
    admin = osmem.admin()
    admin.indices.put_index_template(
        name=alias,
        index_patterns=[f"{alias}-v*"],
        version=1,
        template=old["template"],
    )
    admin.indices.create(index=f"{alias}-v1", aliases={alias: {"is_write_index": True}})
    admin.close()
    store = osmem.open()
    report = store.init()
    assert report["templates"][alias] == "updated from version 1"
    cycle = CycleReport(
        run_id="r1", started=datetime(2024, 6, 1, tzinfo=UTC), tagging=TagReport(quarantined=1)
    )
    store.record_cycle(cycle)
    last = store.last_cycle()
    assert last is not None and last.tagging.quarantined == 1
    store.close()
