"""Starting a run of the ingest DAG from outside Airflow, through its stable REST API.

`econsec submit` and pushed feeds use `AirflowTrigger`: it asks Airflow's API server
(`POST /api/v2/dags/econsec_ingest/dagRuns`, `logical_date: null`) for a run limited to some
feeds or URLs (the DAG's `only_feeds` and `urls` params). It authenticates with a configured
JWT, or with one it gets from `POST /auth/token` (the simple auth manager) for a user and
password, fetched again once when it expires. Airflow is not imported: this module runs in
the web app and the CLI, which do without it.

The run id comes from what is submitted and a time window (`airflow_trigger_window`), so the
same submission twice within the window is one run: Airflow answers the second with 409,
taken as "already queued". Failures are `TriggerError`s naming the Airflow and the DAG.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx

from econsec.config import Settings
from econsec.errors import ConfigError, TransientTriggerError, TriggerAuthError, TriggerError
from econsec.orchestration.names import INGEST_DAG_ID, ONLY_FEEDS_PARAM, URLS_PARAM

FINISHED = ("success", "failed")
RUN_ID_PREFIX = "submitted"
SUMMARY_TASK = "announce"  # its XCom holds the cycle's counts


@dataclass(frozen=True)
class Submission:
    """A run asked for: its id, and whether this request queued it (False: the same
    submission was already queued within the window)."""

    run_id: str
    queued: bool


@dataclass(frozen=True)
class RunOutcome:
    """A finished run: its state and the cycle's counts (empty when the run recorded none)."""

    run_id: str
    state: str
    summary: dict[str, Any]


def run_conf(feeds: Sequence[str] = (), urls: Sequence[str] = ()) -> dict[str, Any]:
    """The DAG run's conf for a limited run: feed names and URLs, each once, in order."""
    conf: dict[str, Any] = {}
    if feeds:
        conf[ONLY_FEEDS_PARAM] = list(dict.fromkeys(feeds))
    if urls:
        conf[URLS_PARAM] = list(dict.fromkeys(u.strip() for u in urls))
    return conf


def run_id_for(conf: Mapping[str, Any], now: datetime, window: int) -> str:
    """The same conf within the same `window` seconds gives the same id (order of the feeds
    and URLs aside), so Airflow refuses a second run of it."""
    canonical = {k: sorted(v) if isinstance(v, list) else v for k, v in conf.items()}
    digest = hashlib.sha256(json.dumps(canonical, sort_keys=True).encode("utf-8")).hexdigest()
    start = datetime.fromtimestamp(int(now.timestamp()) // window * window, tz=UTC)
    return f"{RUN_ID_PREFIX}__{start:%Y%m%dT%H%M%SZ}__{digest[:16]}"


def runner(settings: Settings) -> AirflowTrigger:
    """The push queue's runner when `push_runner` is `airflow` (`orchestration.push.make_runner`):
    each coalesced push becomes a run limited to the pushed feeds."""
    return AirflowTrigger(settings)


class AirflowTrigger:
    """Runs of `econsec_ingest` through Airflow's REST API; a `PushRunner` (`run`) for the
    push queue (`econsec.orchestration.push`).

    `conf` is added to every run's conf (a `feeds` file or `store` path the deployment should
    read instead of its own settings); a store URL with credentials does not belong there
    (Airflow keeps a run's conf and shows it)."""

    def __init__(
        self,
        settings: Settings,
        *,
        client: httpx.Client | None = None,
        conf: Mapping[str, Any] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        if not settings.airflow_url:
            raise ConfigError("no Airflow to trigger", field="ECONSEC_AIRFLOW_URL")
        self.base = settings.airflow_url.rstrip("/")
        self.dag_id = INGEST_DAG_ID
        self.window = settings.airflow_trigger_window
        self.conf = dict(conf or {})
        self.clock = clock
        self._own_client = client is None
        self.client = client or httpx.Client(timeout=settings.airflow_request_timeout)
        self._username = settings.airflow_username
        self._password = settings.airflow_password
        self._token = settings.airflow_token.get_secret_value() if settings.airflow_token else None

    def close(self) -> None:
        if self._own_client:
            self.client.close()

    def __enter__(self) -> AirflowTrigger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # what callers use ----------------------------------------------------------------------

    def run(self, feed_names: Sequence[str]) -> None:
        """`PushRunner`: ingest these feeds of the feeds file now."""
        self.trigger(feeds=feed_names, reason="feeds pushed: " + ", ".join(feed_names))

    def trigger(
        self, *, feeds: Sequence[str] = (), urls: Sequence[str] = (), reason: str = ""
    ) -> str:
        """The id of the run ingesting these feeds and URLs (queued now or already)."""
        return self.submit(feeds=feeds, urls=urls, reason=reason).run_id

    def submit(
        self, *, feeds: Sequence[str] = (), urls: Sequence[str] = (), reason: str = ""
    ) -> Submission:
        """Queue a run; `reason` becomes the run's note in Airflow's UI."""
        if not feeds and not urls:
            raise ConfigError("nothing to ingest: name feeds or URLs")
        conf = {**run_conf(feeds, urls), **self.conf}
        run_id = run_id_for(conf, self.clock(), self.window)
        self._check_dag()
        body = {"dag_run_id": run_id, "logical_date": None, "conf": conf, "note": reason or None}
        response = self._request("POST", f"/dags/{self.dag_id}/dagRuns", json=body)
        if response.status_code == 409:
            return Submission(run_id, queued=False)
        self._raise_for(response, "triggering a run")
        return Submission(str(response.json()["dag_run_id"]), queued=True)

    def state(self, run_id: str) -> str:
        response = self._request("GET", f"/dags/{self.dag_id}/dagRuns/{quote(run_id)}")
        self._raise_for(response, f"reading run {run_id}")
        return str(response.json()["state"])

    def wait(self, run_id: str, timeout: float, poll: float = 2.0) -> RunOutcome:
        """Until the run finishes; a `TriggerError` after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while (state := self.state(run_id)) not in FINISHED:
            if time.monotonic() + poll > deadline:
                raise TriggerError(
                    self.base, self.dag_id, f"run {run_id} still {state} after {timeout:g} s"
                )
            time.sleep(poll)
        return RunOutcome(run_id, state, self.summary(run_id))

    def summary(self, run_id: str) -> dict[str, Any]:
        """The counts the run's last task recorded ({} when it recorded none)."""
        path = (
            f"/dags/{self.dag_id}/dagRuns/{quote(run_id)}/taskInstances/{SUMMARY_TASK}"
            "/xcomEntries/return_value"
        )
        response = self._request("GET", path)
        if response.status_code == 404:
            return {}
        self._raise_for(response, f"reading the counts of run {run_id}")
        value = response.json().get("value")
        value = json.loads(value) if isinstance(value, str) else value
        return dict(value) if isinstance(value, dict) else {}

    # HTTP ----------------------------------------------------------------------------------

    def _check_dag(self) -> None:
        """A paused DAG would queue the run for ever; a missing one is said plainly."""
        response = self._request("GET", f"/dags/{self.dag_id}")
        if response.status_code == 404:
            raise TriggerError(
                self.base, self.dag_id, "no such DAG (is the dags folder deployed and parsed?)"
            )
        self._raise_for(response, "reading the DAG")
        if response.json().get("is_paused"):
            raise TriggerError(
                self.base,
                self.dag_id,
                f"the DAG is paused, so a run would wait for ever; unpause it "
                f"(airflow dags unpause {self.dag_id})",
            )

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """A request to the API, with a fresh token once when the one used has expired."""
        fresh = self._token is None
        response = self._send(method, path, **kwargs)
        if response.status_code == 401 and self._username and not fresh:
            self._token = None  # expired: log in again, once
            response = self._send(method, path, **kwargs)
        return response

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self._bearer()}"} if self._can_auth() else {}
        return self._http(method, f"{self.base}/api/v2{path}", headers=headers, **kwargs)

    def _can_auth(self) -> bool:
        return self._token is not None or self._username is not None

    def _bearer(self) -> str:
        if self._token is None:
            self._token = self._login()
        return self._token

    def _login(self) -> str:
        """A JWT from the simple auth manager's `POST /auth/token`."""
        password = self._password.get_secret_value() if self._password else ""
        credentials = {"username": self._username, "password": password}
        response = self._http("POST", f"{self.base}/auth/token", json=credentials)
        if response.status_code in (400, 401, 403):
            raise TriggerAuthError(
                self.base, self.dag_id, f"user {self._username!r} was refused a token"
            )
        self._raise_for(response, "logging in")
        return str(response.json()["access_token"])

    def _http(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            return self.client.request(method, url, **kwargs)
        except httpx.TransportError as exc:
            raise TransientTriggerError(
                self.base, self.dag_id, f"cannot reach Airflow ({type(exc).__name__}: {exc})"
            ) from exc

    def _raise_for(self, response: httpx.Response, doing: str) -> None:
        status = response.status_code
        if status < 400:
            return
        detail = _detail(response)
        if status in (401, 403):
            hint = (
                "set ECONSEC_AIRFLOW_TOKEN, or ECONSEC_AIRFLOW_USERNAME and _PASSWORD"
                if not self._can_auth()
                else "the credentials were refused"
            )
            raise TriggerAuthError(self.base, self.dag_id, f"{doing}: HTTP {status} ({hint})")
        error = TransientTriggerError if status >= 500 else TriggerError
        raise error(self.base, self.dag_id, f"{doing}: HTTP {status}{detail}")


def _detail(response: httpx.Response) -> str:
    """Airflow's own explanation (`detail`), cut short."""
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        return ""
    return f": {str(detail)[:300]}" if detail else ""
