"""`econsec submit`: in this process on the store, or through Airflow's REST API when
ECONSEC_AIRFLOW_URL is set (an API stand-in on loopback here; the real one in
tests/dags/test_scheduler.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from econsec.cli.main import app
from tests.support.airflow_api import PASSWORD, USER, AirflowApi
from tests.support.feed_server import FeedServer

runner = CliRunner()
LOOPBACK = {"ECONSEC_ALLOWED_FEED_HOSTS": "127.0.0.0/8", "ECONSEC_AIRFLOW_URL": None}


@pytest.fixture
def api() -> Iterator[AirflowApi]:
    server = AirflowApi().start()
    yield server
    server.stop()


def _airflow(api: AirflowApi) -> dict[str, str | None]:
    return {
        "ECONSEC_AIRFLOW_URL": api.base,
        "ECONSEC_AIRFLOW_USERNAME": USER,
        "ECONSEC_AIRFLOW_PASSWORD": PASSWORD,
    }


@pytest.mark.slow
def test_an_article_page_and_a_feed_are_ingested_in_process(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    page = feed_server.url("/page/article_with_open_graph.html")
    feed = feed_server.url("/feed/valid_small.rss")
    store = tmp_path / "store"
    args = ["submit", page, feed, "--store", str(store), "--feeds", str(tmp_path / "none.yaml")]
    result = runner.invoke(app, [*args, "--json"], env=LOOPBACK)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["feeds_ok"] == 2 and summary["new_articles"] == 4
    found = runner.invoke(app, ["search", "*", "--articles", "--store", str(store), "--json"])
    titles = {hit["title"] for hit in json.loads(found.stdout)["articles"]}
    assert "Japan restricts exports of 23 chipmaking tools" in titles
    again = runner.invoke(app, [*args, "--json"], env=LOOPBACK)
    assert json.loads(again.stdout)["new_articles"] == 0  # the same ids: nothing twice


@pytest.mark.slow
def test_a_url_the_feeds_file_lists_is_that_feed(feed_server: FeedServer, tmp_path: Path) -> None:
    url = feed_server.url("/feed/valid_small.rss")
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(f"feeds:\n  - {{name: wire, url: '{url}', title: Wire}}\n")
    args = ["submit", url, "--store", str(tmp_path / "store"), "--feeds", str(feeds), "--json"]
    result = runner.invoke(app, args, env=LOOPBACK)
    assert result.exit_code == 0, result.output
    assert [f["feed"] for f in json.loads(result.stdout)["feeds"]] == ["wire"]


@pytest.mark.slow
def test_a_url_that_cannot_be_read_exits_3(feed_server: FeedServer, tmp_path: Path) -> None:
    args = ["submit", feed_server.url("/status/404"), "--store", str(tmp_path / "store")]
    result = runner.invoke(app, args, env=LOOPBACK)
    assert result.exit_code == 3 and "HTTP 404" in result.output


def test_only_http_urls_are_submitted(tmp_path: Path) -> None:
    result = runner.invoke(app, ["submit", "/etc/passwd", "--store", str(tmp_path / "s")])
    assert result.exit_code == 2 and "only http(s) URLs" in result.stderr
    assert not (tmp_path / "s").exists()


def test_with_airflow_it_triggers_a_run_and_prints_its_id(api: AirflowApi) -> None:
    url = "https://news.example.com/a"
    result = runner.invoke(app, ["submit", url], env=_airflow(api))
    assert result.exit_code == 0, result.output
    [run_id] = api.runs
    assert f"queued: run {run_id} of econsec_ingest" in result.stdout
    assert api.runs[run_id]["conf"] == {"urls": [url]}
    again = runner.invoke(app, ["submit", url, "--json"], env=_airflow(api))
    assert json.loads(again.stdout) == {"run_id": run_id, "queued": False}


def test_wait_prints_the_runs_counts(api: AirflowApi) -> None:
    args = ["submit", "https://news.example.com/a", "--wait"]
    result = runner.invoke(app, args, env=_airflow(api))
    assert result.exit_code == 0, result.output
    assert ": success; feeds ok 1, feeds failed 0, new articles 3, new events 2" in result.stdout
    as_json = runner.invoke(app, [*args[:2], "https://x.test/b", "--wait", "--json"],
                            env=_airflow(api))  # fmt: skip
    data = json.loads(as_json.stdout)
    assert data["state"] == "success" and data["new_events"] == 2 and data["queued"]


def test_a_failed_run_exits_1(api: AirflowApi) -> None:
    api.behaviour.states = ["running", "failed"]
    result = runner.invoke(app, ["submit", "https://x.test/a", "--wait"], env=_airflow(api))
    assert result.exit_code == 1 and "failed" in result.stderr


def test_a_paused_dag_is_a_clear_error(api: AirflowApi) -> None:
    api.behaviour.dags["econsec_ingest"] = True
    result = runner.invoke(app, ["submit", "https://x.test/a"], env=_airflow(api))
    assert result.exit_code == 1
    assert "econsec_ingest" in result.stderr and "paused" in result.stderr
    assert api.runs == {}
