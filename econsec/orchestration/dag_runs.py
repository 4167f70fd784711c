"""Run the ingest DAG once through real Airflow (`airflow dags test`) on a local metadata DB.

Airflow's own output goes to a log file so the terminal shows only the
summary; the summary comes from the cycle record the DAG's last task writes.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from econsec.config import Settings
from econsec.errors import ConfigError, DagRunError
from econsec.models import Alert, CycleReport
from econsec.orchestration.ingest import DAG_ID
from econsec.orchestration.names import FEEDS_POOL, FEEDS_POOL_SLOTS
from econsec.store.backend import open_store

ALERTS_DAG_ID = "econsec_alerts"
AIRFLOW_MISSING = "`econsec run` needs Airflow: pip install 'econsec[airflow]'"


def require_airflow() -> None:
    """Airflow is an extra: without it, say what to install instead of a missing command."""
    if importlib.util.find_spec("airflow") is None:
        raise ConfigError(AIRFLOW_MISSING)


def airflow_env(airflow_home: Path, settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("AIRFLOW_HOME", str(airflow_home))
    env.setdefault("AIRFLOW__CORE__DAGS_FOLDER", settings.dags_folder)
    env.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    env.setdefault("AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION", "False")
    env["ECONSEC_STORE"] = settings.store
    env["ECONSEC_FEEDS"] = str(Path(settings.feeds).resolve())
    env["ECONSEC_SPACY_MODEL"] = settings.spacy_model
    return env


def run_ingest_dag(
    settings: Settings, airflow_home: Path, rules: Path | None = None
) -> tuple[CycleReport, list[Alert]]:
    """One run of the ingest DAG, then of the alerts DAG when a rules folder is given (a
    scheduler would start it on the Asset; `dags test` runs one DAG, so it is run in turn).
    Raises `DagRunError` naming the log when Airflow or a run fails."""
    require_airflow()
    airflow_home.mkdir(parents=True, exist_ok=True)
    log = airflow_home / "last-run.log"
    env = airflow_env(airflow_home, settings)
    airflow = str(Path(sys.executable).with_name("airflow"))
    started = datetime.now(UTC)
    with log.open("w", encoding="utf-8") as out:
        _run([airflow, "db", "migrate"], env, out, log, "airflow db migrate failed")
        _run(pool_command(airflow), env, out, log, "airflow pools set failed")
        # The store travels in the environment only: a URL may carry credentials, and a
        # DAG run's conf is kept in Airflow's database and shown in its UI.
        conf = json.dumps({"feeds": env["ECONSEC_FEEDS"]})
        _run([airflow, "dags", "test", DAG_ID, "-c", conf], env, out, log, "the DAG run failed")
        if rules is not None:
            conf = json.dumps({"rules": str(rules.resolve())})
            _run(
                [airflow, "dags", "test", ALERTS_DAG_ID, "-c", conf],
                env,
                out,
                log,
                "the alerts DAG run failed",
            )
    return _recorded(settings, started, log, with_alerts=rules is not None)


def pool_command(airflow: str = "airflow", slots: int = FEEDS_POOL_SLOTS) -> list[str]:
    """Creates (or resizes) the pool the `fetch` tasks take a slot of; a task whose pool
    does not exist is never scheduled."""
    return [airflow, "pools", "set", FEEDS_POOL, str(slots), "feeds fetched at once"]


def _recorded(
    settings: Settings, started: datetime, log: Path, *, with_alerts: bool
) -> tuple[CycleReport, list[Alert]]:
    """The cycle and the alerts the DAG runs recorded since `started`."""
    store = open_store(settings.store, settings)
    try:
        report = store.last_cycle()
        alerts: list[Alert] = []
        if with_alerts:
            state = store.alert_state()
            try:
                alerts = [a for a in state.history(limit=500) if a.fired_at >= started]
            finally:
                state.close()
    finally:
        store.close()
    if report is None or report.started < started.replace(microsecond=0):
        raise DagRunError("the DAG run recorded no cycle", log)
    return report, alerts


def _run(cmd: list[str], env: dict[str, str], out: object, log: Path, message: str) -> None:
    completed = subprocess.run(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, check=False)  # type: ignore[call-overload]
    if completed.returncode != 0:
        raise DagRunError(f"{message} (exit {completed.returncode})", log)
