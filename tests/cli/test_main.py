"""The CLI as a user calls it: exit codes, JSON shapes, clear errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from econsec.cli.main import app
from tests.support.paths import FEED_FIXTURES, FIXTURES

runner = CliRunner()


def _invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_help_lists_commands_with_examples() -> None:
    code, out, _ = _invoke("--help")
    assert code == 0
    for command in ("ingest", "run", "search", "tag", "eval", "feeds", "taxonomy", "status"):
        assert command in out
    code, out, _ = _invoke("search", "--help")
    assert "Example:" in out


def test_console_script_is_installed() -> None:
    exe = Path(sys.executable).with_name("econsec")
    completed = subprocess.run([str(exe), "--version"], capture_output=True, text=True, check=True)
    assert completed.stdout.startswith("econsec ")


@pytest.mark.slow
def test_ingest_then_search_json(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    code, out, err = _invoke(
        "ingest", "--feeds", str(FIXTURES / "cycle_feeds.yaml"), "--store", store, "--json"
    )
    assert code == 0, err
    summary = json.loads(out)
    assert summary["new_articles"] > 0 and summary["new_events"] > 0
    assert summary["feeds_failed"] == 2
    per_feed = {f["feed"]: f for f in summary["feeds"]}
    assert per_feed["good-rss"]["entries_found"] == 3
    assert per_feed["html-page"]["error"]

    code, out, _ = _invoke("search", "*", "--store", store, "--json")
    assert code == 0
    found = json.loads(out)
    assert found["total"] > 0 and all("type" in e for e in found["events"])

    code, out, _ = _invoke(
        "ingest", "--feed", str(FEED_FIXTURES / "valid_small.rss"), "--store", store, "--json"
    )
    assert json.loads(out)["new_articles"] == 0

    code, out, _ = _invoke("feeds", "--store", store, "--json")
    assert {f["feed"] for f in json.loads(out)} >= {"good-rss", "html-page"}

    code, out, _ = _invoke("search", "*", "--articles", "--store", store, "--json")
    assert json.loads(out)["total"] >= 5

    initiators = {i for e in found["events"] for i in e["initiator"]}
    assert initiators, "the fixture feeds should name who acted"
    wanted = sorted(initiators)[0]
    code, out, _ = _invoke(
        "search",
        "*",
        "--initiator",
        wanted.lower() if len(wanted) == 2 else wanted,
        "--store",
        store,
        "--json",
    )
    narrowed = json.loads(out)["events"]
    assert code == 0 and narrowed and all(wanted in e["initiator"] for e in narrowed)


def test_bad_since_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = _invoke("search", "*", "--since", "last tuesday", "--store", str(tmp_path / "s"))
    assert code == 2 and "not a date" in err


def test_bad_query_is_a_clear_error(tmp_path: Path) -> None:
    assert _invoke("init", "--store", str(tmp_path / "s"))[0] == 0
    code, _, err = _invoke("search", "type:(", "--store", str(tmp_path / "s"))
    assert code == 1 and "query 'type:('" in err


@pytest.mark.parametrize(
    ("location", "words"),
    [
        ("{tmp}/no/such/store", "does not exist (create it with `econsec init`"),
        ("", "store: empty: give a directory or an http(s):// URL"),
        ("ftp://h/x", "'ftp://h/x' is neither a directory nor an http(s):// URL"),
        ("{tmp}/a-file", "a-file: is not a directory"),
        ("/dev/null", "store /dev/null: is not a directory"),
        ("{tmp}", "is not an econsec store: it holds no state.sqlite3"),
    ],
    ids=["missing", "empty", "ftp", "file", "dev-null", "not-a-store"],
)
@pytest.mark.parametrize(
    "command", [["search", "*"], ["feeds"], ["status"], ["alerts", "history"], ["alerts", "run"]]
)
def test_reading_commands_refuse_a_store_that_is_not_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str], location: str, words: str
) -> None:
    """A mistyped path must not answer "0 events match" from a store made on the spot."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a-file").write_text("not a store")
    (tmp_path / "rules").mkdir()
    before = sorted(tmp_path.rglob("*"))
    code, out, err = _invoke(*command, "--store", location.format(tmp=tmp_path))
    assert code == 1 and words in err and "Traceback" not in err + out
    assert sorted(tmp_path.rglob("*")) == before  # nothing made: no store, no "ftp:" folder


@pytest.mark.parametrize(
    ("location", "words"),
    [
        ("", "store: empty"),
        ("ftp://h/x", "neither a directory nor an http(s):// URL"),
        ("/dev/null", "is not a directory"),
    ],
)
def test_creating_commands_refuse_what_cannot_be_a_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, location: str, words: str
) -> None:
    monkeypatch.chdir(tmp_path)
    for command in (["init"], ["ingest", "--feed", str(FEED_FIXTURES / "valid_small.rss")]):
        code, _, err = _invoke(*command, "--store", location)
        assert code == 1 and words in err, command
    assert list(tmp_path.iterdir()) == []


def test_init_makes_the_store_that_search_then_reads(tmp_path: Path) -> None:
    store = str(tmp_path / "new" / "store")
    assert _invoke("init", "--store", store)[0] == 0
    code, out, _ = _invoke("search", "*", "--store", store, "--json")
    assert code == 0 and json.loads(out)["total"] == 0


def test_a_read_only_store_is_searchable(tmp_path: Path) -> None:
    """A mounted snapshot: nothing may be written, not even a lock file or SQLite's WAL index."""
    from econsec.store.embedded.store import EmbeddedStore
    from tests.support.web_data import fill

    store = EmbeddedStore(tmp_path / "store")
    fill(store)
    store.close()
    exe = str(Path(sys.executable).with_name("econsec"))
    reads = [
        [exe, "search", "gallium", "--store", str(tmp_path / "store"), "--json"],
        [exe, "alerts", "history", "--store", str(tmp_path / "store"), "--json"],
        [exe, "feeds", "--store", str(tmp_path / "store"), "--json"],
    ]
    found = [_read_only(tmp_path / "store", command) for command in reads]
    assert json.loads(found[0])["total"] == 2
    assert json.loads(found[1]) == []
    assert {feed["feed"] for feed in json.loads(found[2])} == {"wire", "metals"}


def _read_only(folder: Path, command: list[str]) -> str:
    """`command`'s output with `folder` read-only: a read-only bind mount for root (whom
    file modes do not stop), file modes for anyone else."""
    if os.geteuid() != 0:
        for path in [folder, *folder.rglob("*")]:
            path.chmod(path.stat().st_mode & ~0o222)
        done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    else:
        script = f'mount --bind -o ro "{folder}" "{folder}" && exec "$@"'
        wrapped = ["unshare", "--mount", "sh", "-c", script, "sh", *command]
        try:
            done = subprocess.run(wrapped, capture_output=True, text=True, timeout=300)
        except FileNotFoundError:
            pytest.skip("unshare is not installed")
        if "mount:" in done.stderr or "unshare:" in done.stderr:
            pytest.skip(f"no read-only bind mount here: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_missing_feeds_file(tmp_path: Path) -> None:
    code, _, err = _invoke(
        "ingest", "--feeds", str(tmp_path / "none.yaml"), "--store", str(tmp_path / "s")
    )
    assert code == 1 and "not found" in err


def test_elasticsearch_url_is_refused_clearly(tmp_path: Path) -> None:
    code, _, err = _invoke("feeds", "--store", "http://127.0.0.1:9200")
    assert code == 1 and "Elasticsearch" in err


def test_eval_rejects_a_malformed_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "title": "ok", "labels": {"events": []}}\nnot json\n')
    code, _, err = _invoke("eval", str(bad))
    assert code == 2 and "bad.jsonl:2: invalid JSON" in err


def test_eval_names_the_item_without_labels(tmp_path: Path) -> None:
    unlabelled = tmp_path / "items.jsonl"
    unlabelled.write_text('{"id": "x", "title": "Japan bans gallium exports"}\n')
    code, _, err = _invoke("eval", str(unlabelled))
    assert code == 2 and "items.jsonl:1: no 'labels' object" in err
    assert "Traceback" not in err


def test_a_search_nested_too_deep_is_an_error_not_a_crash(tmp_path: Path) -> None:
    """In a child process: before the limit, Tantivy's parser killed the process."""
    exe = Path(sys.executable).with_name("econsec")
    deep = "(" * 9_500 + "huawei" + ")" * 9_500
    done = subprocess.run(
        [str(exe), "search", deep, "--store", str(tmp_path / "store")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "nested 9500 parentheses deep; at most 64" in done.stderr


def test_ingest_where_no_feed_could_be_read_exits_3(tmp_path: Path) -> None:
    """A cron job or an Airflow task must be able to tell that the pipeline is dead."""
    store = str(tmp_path / "store")
    missing = ("--feed", str(tmp_path / "gone.xml"), "--feed", str(tmp_path / "also-gone.xml"))
    code, out, err = _invoke("ingest", *missing, "--store", store, "--json")
    assert code == 3, err
    summary = json.loads(out)
    assert summary["feeds_failed"] == 2 and summary["no_feed_read"] is True
    assert "no feed could be read" in err
    code, _, err = _invoke("ingest", *missing, "--store", store)
    assert code == 3 and "no feed could be read" in err


def test_ingest_with_one_feed_read_exits_0(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    feeds = ("--feed", str(tmp_path / "gone.xml"), "--feed", str(FEED_FIXTURES / "empty_feed.xml"))
    code, out, err = _invoke("ingest", *feeds, "--store", store, "--json")
    assert code == 0, err
    assert json.loads(out)["no_feed_read"] is False


def _store_with_a_quarantined_article(root: Path) -> str:
    from datetime import UTC, datetime

    from econsec.models import Quarantined
    from econsec.store.embedded.store import EmbeddedStore
    from tests.support import factories

    store = EmbeddedStore(root)
    bad, good = factories.article(1, title="x" * 300), factories.article(2)
    store.stage_articles([bad, good])
    store.quarantine(
        [
            Quarantined(
                article_id=bad.id,
                feed=bad.feed,
                title=bad.title[:200],
                reason="ValueError: [E088] Text of length 1000001 exceeds maximum",
                quarantined_at=datetime(2024, 6, 1, tzinfo=UTC),
            )
        ]
    )
    store.close()
    return bad.id


def test_status_shows_quarantined_articles_with_their_reason(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    held = _store_with_a_quarantined_article(tmp_path / "store")
    code, out, _ = _invoke("status", "--store", store, "--json")
    assert code == 0
    data = json.loads(out)
    assert data["quarantined_articles"] == 1 and data["untagged_articles"] == 1
    assert data["quarantined"][0]["article_id"] == held
    assert "E088" in data["quarantined"][0]["reason"]
    code, out, _ = _invoke("status", "--store", store)
    assert code == 0 and "E088" in out and held in out and "econsec requeue" in out


def test_requeue_puts_quarantined_articles_back(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    held = _store_with_a_quarantined_article(tmp_path / "store")
    code, _, err = _invoke("requeue", "--store", store)
    assert code == 2 and "--all" in err
    code, out, _ = _invoke("requeue", "not-an-id", "--store", store, "--json")
    assert code == 0 and json.loads(out) == {"requeued": 0}
    code, out, _ = _invoke("requeue", held, "--store", store, "--json")
    assert code == 0 and json.loads(out) == {"requeued": 1}
    code, out, _ = _invoke("status", "--store", store, "--json")
    data = json.loads(out)
    assert data["quarantined_articles"] == 0 and data["untagged_articles"] == 2


def test_requeue_all(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    _store_with_a_quarantined_article(tmp_path / "store")
    code, out, _ = _invoke("requeue", "--all", "--store", store)
    assert code == 0 and "1 article" in out


@pytest.mark.parametrize(
    ("since", "message"),
    [
        ("2024-01-01T00:00+23:59", "UTC offset +23:59 is outside"),
        ("2024-01-01T00:00-13:00", "UTC offset -13:00 is outside"),
        ("9999-12-31T23:00-12:00", "out of the range of dates"),
        ("-0044-03-15", "not a date"),
    ],
)
def test_impossible_dates_are_usage_errors(tmp_path: Path, since: str, message: str) -> None:
    code, _, err = _invoke("search", "*", "--since", since, "--store", str(tmp_path / "s"))
    assert code == 2 and message in err and "Traceback" not in err
