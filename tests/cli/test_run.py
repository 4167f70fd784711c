"""`econsec run` (what `make run` calls): both DAGs through real Airflow, then a summary."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import FIXTURES, ROOT

pytestmark = pytest.mark.slow


def test_run_goes_through_airflow_and_reports_feeds_events_and_alerts(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("econsec")
    command = [
        str(exe), "run", "--feeds", str(FIXTURES / "cycle_feeds.yaml"),
        "--store", str(tmp_path / "store"), "--airflow-home", str(tmp_path / "airflow"),
        "--rules", str(ROOT / "rules"), "--json",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads(done.stdout)
    assert summary["feeds_failed"] == 2 and summary["feeds_ok"] == 3
    assert summary["new_articles"] >= 5 and summary["new_events"] > 0
    assert isinstance(summary["alerts"], list)
    log = (tmp_path / "airflow" / "last-run.log").read_text()
    assert log.count("econsec_alerts") > 0
    # The store (a URL may carry credentials) reaches the DAGs through the environment,
    # never through a run's conf, which Airflow keeps and shows.
    assert str(tmp_path / "store") not in log


def test_a_broken_feeds_file_fails_before_airflow_starts(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("econsec")
    bad = tmp_path / "feeds.yaml"
    bad.write_text("feeds: [")
    command = [
        str(exe), "run", "--feeds", str(bad), "--store", str(tmp_path / "store"),
        "--airflow-home", str(tmp_path / "airflow"), "--no-alerts",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    assert done.returncode == 1
    assert "not valid YAML" in done.stderr and str(bad) in done.stderr
    assert not (tmp_path / "airflow").exists()
