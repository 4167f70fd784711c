"""The built wheel, installed on its own with the locked requirements and without Airflow,
sets Elasticsearch up (`econsec init` against osmem-server): the index templates travel
inside the package, not beside a checkout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from econsec.store.elastic.templates import KINDS
from tests.support.backends import Backend
from tests.support.fault_proxy import FaultProxy
from tests.support.paths import ROOT, uv

DROP = ("UV_PROJECT_ENVIRONMENT", "VIRTUAL_ENV", "PYTHONPATH", "AIRFLOW_HOME")


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in DROP and not k.startswith("ECONSEC_")}
    return {**env, **extra}


def run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=clean_env(**env), capture_output=True, text=True)


def offline_first(args: list[str], cwd: Path) -> None:
    """From uv's cache when it has everything (the usual case after `make`), else the
    registry."""
    done = run([*args, "--offline"], cwd)
    if done.returncode != 0:
        done = run(args, cwd)
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A venv holding the wheel and the locked requirements (no extra, no dev group)."""
    tool = uv()
    if tool is None:
        pytest.skip("uv is not installed (make bootstraps it into .tools/)")
    work = tmp_path_factory.mktemp("wheel")
    dist, venv, requirements = work / "dist", work / "venv", work / "requirements.txt"
    offline_first([tool, "build", "--wheel", "--quiet", "--out-dir", str(dist)], ROOT)
    (wheel,) = dist.glob("econsec-*.whl")
    export = [tool, "export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes"]
    offline_first([*export, "--quiet", "--output-file", str(requirements)], ROOT)
    offline_first([tool, "venv", "--quiet", "--python", sys.executable, str(venv)], work)
    python = str(venv / "bin" / "python")
    install = [tool, "pip", "install", "--quiet", "--python", python, "-r", str(requirements)]
    offline_first([*install, str(wheel)], work)
    yield venv


def test_the_templates_and_dags_load_from_the_installed_package(
    installed: Path, tmp_path: Path
) -> None:
    code = (
        "import json, sys\n"
        "from econsec.store.elastic.templates import KINDS, load_template, mappings_dir\n"
        "print(mappings_dir())\n"
        "print(json.dumps({k: load_template(k, 'x')['index_patterns'] for k in KINDS}))\n"
        "from econsec.config import Settings\n"
        "print(Settings().dags_folder)\n"
    )
    done = run([str(installed / "bin" / "python"), "-c", code], tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    where, patterns, dags = done.stdout.splitlines()
    assert Path(where).is_relative_to(installed) and where.endswith("econsec/mappings")
    assert json.loads(patterns) == {kind: [f"x-{kind}-v*"] for kind in KINDS}
    assert Path(dags).is_relative_to(installed) and dags.endswith("econsec/dags")
    assert {p.name for p in Path(dags).glob("*.py")} == {p.name for p in ROOT.glob("dags/*.py")}


def test_init_from_the_wheel_sets_up_every_index(
    installed: Path, osmem: Backend, proxy: FaultProxy, tmp_path: Path
) -> None:
    econsec = str(installed / "bin" / "econsec")
    args = [econsec, "init", "--store", proxy.url, "--json"]
    done = run(args, tmp_path, ECONSEC_ES_INDEX_PREFIX=osmem.prefix)
    assert done.returncode == 0, done.stdout + done.stderr
    client = osmem.admin()
    try:
        for kind in KINDS:
            assert client.indices.exists_alias(name=f"{osmem.prefix}-{kind}"), kind
    finally:
        client.close()


def test_the_wheel_runs_without_airflow_and_run_names_the_extra(
    installed: Path, tmp_path: Path
) -> None:
    python, econsec = str(installed / "bin" / "python"), str(installed / "bin" / "econsec")
    assert run([python, "-c", "import airflow"], tmp_path).returncode != 0
    feeds = str(ROOT / "feeds" / "samples" / "feeds.yaml")
    done = run([econsec, "run", "--feeds", feeds, "--store", str(tmp_path / "s")], tmp_path)
    assert done.returncode == 1
    assert "pip install 'econsec[airflow]'" in " ".join(done.stderr.split())
