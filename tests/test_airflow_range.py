"""The DAG tests on the lowest Airflow the `airflow` extra claims, in a venv of their own.

`make test` runs everything on the locked Airflow; this installs the project with the
extra and the lowest claimed release from the registry (or uv's cache) into a temporary
venv, resolved afresh as a user's install would be, and runs `tests/dags` there (all but
the real-scheduler test, which takes minutes and runs on the locked Airflow).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.support.paths import ROOT, uv


def claimed_range() -> tuple[str, str]:
    """The extra's lower and upper bound, e.g. ('3.3', '4')."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (requirement,) = pyproject["project"]["optional-dependencies"]["airflow"]
    found = re.fullmatch(r"apache-airflow>=([\d.]+),<([\d.]+)", requirement.replace(" ", ""))
    assert found, f"expected a range like apache-airflow>=3.3,<4, not {requirement}"
    return found.group(1), found.group(2)


def lowest_release() -> str:
    lower = claimed_range()[0]
    return lower if lower.count(".") == 2 else f"{lower}.0"


def test_the_claim_is_airflow_3_only() -> None:
    lower, upper = claimed_range()
    assert lower.startswith("3.") and upper == "4"


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_the_dag_tests_pass_on_the_lowest_claimed_airflow(tmp_path: Path) -> None:
    tool = uv()
    if tool is None:
        pytest.skip("uv is not installed (make bootstraps it into .tools/)")
    venv, release = tmp_path / "venv", lowest_release()
    drop = ("UV_PROJECT_ENVIRONMENT", "VIRTUAL_ENV", "PYTHONPATH", "AIRFLOW_HOME")
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("PYTEST")}
    python = venv / "bin" / "python"
    steps = [
        [tool, "venv", "--quiet", "--python", sys.executable, str(venv)],
        [tool, "pip", "install", "--quiet", "--python", str(python), "--group", "dev",
         "-e", f"{ROOT}[airflow]", f"apache-airflow=={release}"],
    ]  # fmt: skip
    for step in steps:
        done = subprocess.run(step, cwd=ROOT, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-3000:]
    show = "from importlib.metadata import version; print(version('apache-airflow'))"
    version = subprocess.run(
        [str(python), "-c", show], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert version == release
    tests = subprocess.run(
        [
            str(python),
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/dags",
            "--ignore",
            "tests/dags/test_scheduler.py",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert tests.returncode == 0, tests.stdout[-5000:]
    assert re.search(r"\d+ passed", tests.stdout) and "failed" not in tests.stdout
