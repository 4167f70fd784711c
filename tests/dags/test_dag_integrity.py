"""Every DAG imports cleanly, carries retries and tags, and the ingest DAG runs end to end."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from econsec.models import SearchQuery
from econsec.store.embedded.store import EmbeddedStore

DAGS = Path(__file__).resolve().parents[2] / "dags"


@pytest.fixture(scope="module")
def dagbag():  # type: ignore[no-untyped-def]
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


@pytest.fixture(scope="module")
def migrated() -> None:
    """Airflow's metadata database, made once for the runs below (a migration takes
    seconds of Airflow start-up)."""
    airflow = Path(sys.executable).with_name("airflow")
    subprocess.run([str(airflow), "db", "migrate"], check=True, capture_output=True)


def ingest_run(dagbag, store: Path, feeds: Path):  # type: ignore[no-untyped-def]
    """One `econsec_ingest` run in this process, as `make run` does it."""
    return dagbag.dags["econsec_ingest"].test(run_conf={"store": str(store), "feeds": str(feeds)})


def test_no_import_errors(dagbag) -> None:  # type: ignore[no-untyped-def]
    assert dagbag.import_errors == {}
    assert "econsec_ingest" in dagbag.dags


def test_every_dag_has_tags_and_retries(dagbag) -> None:  # type: ignore[no-untyped-def]
    for dag_id, dag in dagbag.dags.items():
        assert dag.tags, dag_id
        for task in dag.tasks:
            assert task.retries >= 1, f"{dag_id}.{task.task_id}"


def test_fetch_is_mapped_and_index_announces_the_asset(dagbag) -> None:  # type: ignore[no-untyped-def]
    dag = dagbag.dags["econsec_ingest"]
    fetch = dag.get_task("fetch")
    assert fetch.is_mapped and fetch.pool == "econsec_feeds"
    assert fetch.map_index_template == "{{ feed_name }}"  # the grid names each feed
    tag = dag.get_task("tag")
    assert tag.trigger_rule == "all_done_min_one_success"
    assert tag.upstream_task_ids == {"list_feeds", "fetch"}
    outlets = dag.get_task("announce").outlets
    assert [(o.name, o.uri) for o in outlets] == [("econsec_events", "econsec://events/")]


HEAVY_MODULES = ("spacy", "numpy", "scipy", "datasketch", "feedparser", "pydantic", "tantivy")
PARSE_BUDGET_SECONDS = 3.0  # each file parses in well under a second; the heavy imports took 5


@pytest.mark.parametrize("dag_file", ["econsec_ingest.py", "econsec_alerts.py"])
def test_parsing_a_dag_file_is_light(dag_file: str) -> None:
    """Airflow parses a DAG file in the dag-processor and in every task process; heavy imports
    at parse time made each mapped fetch time out under a real scheduler."""
    code = (
        "import sys, runpy, time\n"
        "import airflow.sdk\n"
        "before = set(sys.modules)\n"
        "start = time.perf_counter()\n"
        "runpy.run_path(sys.argv[1])\n"
        "seconds = time.perf_counter() - start\n"
        "heavy = sorted({m.split('.')[0] for m in set(sys.modules) - before} & set(sys.argv[2:]))\n"
        "print(f'{seconds:.3f} {\",\".join(heavy)}')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(DAGS.parent)}
    out = subprocess.run(
        [sys.executable, "-c", code, str(DAGS / dag_file), *HEAVY_MODULES],
        check=True,
        env=env,
        capture_output=True,
        text=True,
    ).stdout.split()
    seconds, heavy = float(out[0]), out[1] if len(out) > 1 else ""
    assert not heavy, f"{dag_file} imports {heavy} at parse time"
    assert seconds < PARSE_BUDGET_SECONDS, f"{dag_file} took {seconds:.2f} s to parse"


def test_both_dags_share_one_events_asset(dagbag) -> None:  # type: ignore[no-untyped-def]
    announced = dagbag.dags["econsec_ingest"].get_task("announce").outlets
    scheduled = dagbag.dags["econsec_alerts"].timetable.asset_condition.objects
    assert list(announced) == list(scheduled)
    assert announced[0].extra == scheduled[0].extra == {"what": "econsec events index"}


@pytest.mark.slow
def test_dag_test_runs_a_full_cycle(dagbag, migrated, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.support.paths import FIXTURES

    run = ingest_run(dagbag, tmp_path / "store", FIXTURES / "cycle_feeds.yaml")
    assert run.state == "success"  # failed feeds show as failed fetches, not a failed run
    fetches = {ti.rendered_map_index: ti.state for ti in run.get_task_instances()
               if ti.task_id == "fetch"}  # fmt: skip
    failed = {name for name, state in fetches.items() if state == "failed"}
    assert failed == {"html-page", "missing-file"} and len(fetches) > len(failed)
    store = EmbeddedStore(tmp_path / "store")
    try:
        cycle = store.last_cycle()
        assert cycle is not None and cycle.run_id == run.run_id
        assert {f.feed for f in cycle.feeds if f.status == "failed"} == {
            "html-page",
            "missing-file",
        }
        assert cycle.new_articles >= 5
        assert store.search(SearchQuery(collapse=False)).total == store.counts()["events"] > 0
    finally:
        store.close()


@pytest.mark.slow
def test_a_broken_feeds_file_fails_the_run_without_retries(
    dagbag, migrated, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "feeds.yaml"
    bad.write_text("feeds: [")
    run = ingest_run(dagbag, tmp_path / "store", bad)
    assert run.state == "failed"
    states = {ti.task_id: ti.state for ti in run.get_task_instances()}
    assert states["list_feeds"] == "failed" and states["announce"] == "upstream_failed"
    assert states["tag"] == states["index"] == "upstream_failed"  # the store is left alone


@pytest.mark.slow
def test_a_run_where_no_feed_could_be_read_fails_after_recording_the_cycle(  # type: ignore[no-untyped-def]
    dagbag, migrated, tmp_path: Path
) -> None:
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("feeds:\n  - {name: gone, url: gone.xml}\n  - {name: also, url: also.xml}\n")
    run = ingest_run(dagbag, tmp_path / "store", feeds)
    assert run.state == "failed"
    states = {ti.task_id: ti.state for ti in run.get_task_instances()}
    assert states["tag"] == "success" and states["announce"] == "failed"
    store = EmbeddedStore(tmp_path / "store")
    try:
        cycle = store.last_cycle()
        assert cycle is not None and cycle.run_id == run.run_id and cycle.no_feed_read
    finally:
        store.close()


def test_a_run_may_be_limited_to_feeds_and_urls(dagbag) -> None:  # type: ignore[no-untyped-def]
    from airflow.sdk.definitions.param import ParamsDict

    params = dagbag.dags["econsec_ingest"].params
    assert params["only_feeds"] is None and params["urls"] is None  # the hourly run: all

    def validated(conf: dict[str, object]) -> dict[str, object]:
        given = ParamsDict({k: params.get_param(k) for k in params})
        given.update(conf)
        return dict(given.validate())

    assert validated({"only_feeds": ["a"], "urls": ["https://x.test/a"]})["only_feeds"] == ["a"]
    for bad in ({"only_feeds": "a"}, {"urls": ["/etc/passwd"]}, {"only_feeds": [""]}):
        with pytest.raises(ValueError, match="Invalid input for param"):  # a 400 from the API
            validated(bad)


def test_list_feeds_returns_only_what_the_run_names(tmp_path: Path) -> None:
    from econsec.errors import ConfigError
    from econsec.orchestration import ingest
    from tests.support.paths import FIXTURES

    params = {"feeds": str(FIXTURES / "cycle_feeds.yaml"), "store": str(tmp_path / "store")}
    every = ingest.list_feeds(params)
    assert len(every) == 5
    named = ingest.list_feeds({**params, "only_feeds": ["good-atom"], "urls": ["https://x.test/a"]})
    assert [(f["name"], f["submitted"]) for f in named] == [
        ("good-atom", False),
        ("x.test-a", True),
    ]
    with pytest.raises(ConfigError, match="unknown feed 'good-rs' .*did you mean 'good-rss'"):
        ingest.list_feeds({**params, "only_feeds": ["good-rs"]})
    with pytest.raises(ConfigError, match="only http"):  # `airflow dags test` does not validate
        ingest.list_feeds({**params, "urls": [str(FIXTURES / "cycle_feeds.yaml")]})


@pytest.mark.slow
def test_a_run_limited_to_one_feed_fetches_only_it(dagbag, migrated, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.support.paths import FIXTURES

    conf = {"store": str(tmp_path / "store"), "feeds": str(FIXTURES / "cycle_feeds.yaml"),
            "only_feeds": ["good-rss"]}  # fmt: skip
    run = dagbag.dags["econsec_ingest"].test(run_conf=conf)
    assert run.state == "success"
    fetched = [ti.rendered_map_index for ti in run.get_task_instances() if ti.task_id == "fetch"]
    assert fetched == ["good-rss"]
    store = EmbeddedStore(tmp_path / "store")
    try:
        assert {h.feed for h in store.feed_health()} == {"good-rss"}
        assert store.counts()["articles"] == 3
    finally:
        store.close()


@pytest.mark.slow
def test_an_unknown_feed_name_fails_the_run_at_once(dagbag, migrated, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.support.paths import FIXTURES

    conf = {"store": str(tmp_path / "store"), "feeds": str(FIXTURES / "cycle_feeds.yaml"),
            "only_feeds": ["good-rss", "no-such-feed"]}  # fmt: skip
    run = dagbag.dags["econsec_ingest"].test(run_conf=conf)
    assert run.state == "failed"
    [listing] = [ti for ti in run.get_task_instances() if ti.task_id == "list_feeds"]
    assert listing.state == "failed" and listing.try_number == 1  # no retry
    states = {ti.task_id: ti.state for ti in run.get_task_instances()}
    assert states["tag"] == states["announce"] == "upstream_failed"
