"""Airflow is an extra (`econsec[airflow]`): the CLI, the web app and the library import and
run without it. Only `dags/` and `econsec/orchestration/` may import `airflow`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.paths import ROOT

# Run in a fresh interpreter in which `import airflow` fails, as where it is not installed.
HIDDEN_AIRFLOW = r"""
import importlib, pkgutil, sys, tempfile

class NoAirflow:
    def find_spec(self, name, path=None, target=None):
        if name == "airflow" or name.startswith("airflow."):
            raise ModuleNotFoundError(f"No module named {name!r} (hidden)", name=name)
        return None

sys.meta_path.insert(0, NoAirflow())
import econsec, extractors
skipped = ("econsec.orchestration",)
for package in (econsec, extractors):
    for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if not module.name.startswith(skipped):
            importlib.import_module(module.name)

from fastapi.testclient import TestClient
from typer.main import get_command
from typer.testing import CliRunner
from econsec.cli.main import app
from econsec.config import Settings
from econsec.web.app import create_app

runner = CliRunner()
for name in ["", *get_command(app).commands]:
    args = [name, "--help"] if name else ["--help"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, (args, result.output)
store = tempfile.mkdtemp()
web = create_app(Settings(store=store))
with TestClient(web, base_url="http://127.0.0.1") as client:
    answer = client.get("/healthz")
    assert answer.status_code == 200, answer.text
assert not [m for m in sys.modules if m.split(".")[0] == "airflow"]
print("ok")
"""


def test_cli_and_web_import_and_answer_without_airflow(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", HIDDEN_AIRFLOW],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-3000:]


def test_only_the_orchestration_glue_and_the_dags_name_airflow() -> None:
    """A static check as well, so that an import inside a function is caught too."""
    allowed = (ROOT / "econsec" / "orchestration", ROOT / "dags")
    naming = [
        str(path.relative_to(ROOT))
        for folder in ("econsec", "extractors")
        for path in (ROOT / folder).rglob("*.py")
        if not path.is_relative_to(allowed[0])
        and any(
            line.lstrip().startswith(("import airflow", "from airflow"))
            for line in path.read_text(encoding="utf-8").splitlines()
        )
    ]
    assert naming == []
