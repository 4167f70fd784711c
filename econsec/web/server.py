"""`econsec serve`: the web application under uvicorn, refusing to be open to a network.

Bound to anything but loopback, the server needs a token; the token is never
printed, and the access log shows `token=***` where a login link carried it.

One process serves its requests from a pool of threads, which overlap only where
the search engine runs without Python's interpreter lock; `--workers N` starts N
processes on the same port, each with its own store (readers never block one
another), so a machine's cores all serve requests.
"""

from __future__ import annotations

import copy
import ipaddress
import logging
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus

from econsec.config import Settings, load_settings
from econsec.errors import ConfigError
from econsec.store.backend import check_location

if TYPE_CHECKING:
    from fastapi import FastAPI

MIN_TOKEN_CHARS = 16
QUERY_PAIR = re.compile(r"([?&;])([^=&;\s]*)=([^&;\s]*)")
ENDED_SESSIONS = "ECONSEC_SERVE_ENDED_SESSIONS"  # the file `--workers` processes share
# uvicorn kills a worker that does not answer its supervisor's ping within this many
# seconds, as hung. It pings from the moment it spawns a worker, which can answer only
# once its fresh interpreter has started and imported uvicorn and this command (1 s on an
# idle machine, several on a loaded one); its ping thread then competes for the
# interpreter lock with the app's import and Apprise (4 s more of CPU), and later with
# searches. With uvicorn's default, 5, a loaded 2-core machine killed the workers it
# started, over and over, before they served a request ("Child process [N] died").
WORKER_PING_SECONDS = 120
NEW_TOKEN = "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"


def is_loopback(host: str) -> bool:
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name may resolve to anything


def check_binding(host: str, token: str | None) -> None:
    """Raise `ConfigError` when serving on `host` would let others in unchecked."""
    if token is not None and len(token) < MIN_TOKEN_CHARS:
        raise ConfigError(
            f"the API token is too short: use {MIN_TOKEN_CHARS} characters or more ({NEW_TOKEN})",
            field="ECONSEC_API_TOKEN",
        )
    if token is None and not is_loopback(host):
        raise ConfigError(
            f"refusing to serve on {host}, which is not a loopback address, without a token: "
            f"set ECONSEC_API_TOKEN (make one with {NEW_TOKEN}), or bind 127.0.0.1",
            field="ECONSEC_API_TOKEN",
        )


def redact(path: str) -> str:
    """`path` with the value of every `token` parameter as `***`, however its name is
    spelled (`%74oken`, `TOKEN`, `to%6Ben`): the server decodes names before it reads them."""

    def hidden(pair: re.Match[str]) -> str:
        name = pair[2]
        for _ in range(3):
            name = unquote_plus(name)
        return f"{pair[1]}{pair[2]}=***" if name.strip().lower() == "token" else pair[0]

    return QUERY_PAIR.sub(hidden, path)


class RedactTokens(logging.Filter):
    """Hides `?token=…` in uvicorn's access log lines (its args hold the path)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        return True


def serve(
    settings: Settings, host: str, port: int, rules: Path | None = None, workers: int = 1
) -> None:
    """Check the binding, then serve until interrupted, in `workers` processes."""
    import uvicorn

    from econsec.web.app import create_app

    if workers < 1:
        raise ConfigError(f"must be 1 or more, not {workers}", field="--workers")
    token = settings.api_token.get_secret_value() if settings.api_token else None
    check_binding(host, token or None)
    check_location(settings.store, existing=True)  # a mistyped path must not serve nothing
    if not token:
        settings = settings.model_copy(update={"api_token": None})
    if host.strip("[]") not in ("127.0.0.1", "localhost", "::1"):  # e.g. 127.0.0.2
        settings = settings.model_copy(update={"allowed_hosts": [*settings.allowed_hosts, host]})
    options: dict[str, Any] = {"log_config": log_config(), "server_header": False}
    if workers == 1:
        uvicorn.run(create_app(settings, rules=rules), host=host, port=port, **options)
        return
    with tempfile.TemporaryDirectory(prefix="econsec-serve-") as shared:
        os.environ.update(worker_environment(settings, rules))
        os.environ[ENDED_SESSIONS] = str(Path(shared) / "ended-sessions")
        options["timeout_worker_healthcheck"] = WORKER_PING_SECONDS
        target = f"{__name__}:worker_app"
        uvicorn.run(target, factory=True, workers=workers, host=host, port=port, **options)


def worker_environment(settings: Settings, rules: Path | None) -> dict[str, str]:
    """What a worker process needs to rebuild the parent's settings: the environment's,
    with the command line's store, token and rules on top (uvicorn starts workers afresh,
    so they can only be handed an import path and the environment)."""
    token = settings.api_token.get_secret_value() if settings.api_token else ""
    return {
        "ECONSEC_STORE": settings.store,
        "ECONSEC_API_TOKEN": token,
        "ECONSEC_RULES": str(rules or settings.rules),
        "ECONSEC_ALLOWED_HOSTS": ",".join(settings.allowed_hosts),
    }


def worker_app() -> FastAPI:
    """The application of one `--workers` process (uvicorn's factory)."""
    from econsec.web.app import create_app

    settings = load_settings()
    if settings.api_token is not None and not settings.api_token.get_secret_value():
        settings = settings.model_copy(update={"api_token": None})
    ended = os.environ.get(ENDED_SESSIONS)
    return create_app(settings, sessions=Path(ended) if ended else None)


def log_config() -> dict[str, Any]:
    """uvicorn's logging, with the access log passing through `RedactTokens`."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_tokens"] = {"()": RedactTokens}
    config["handlers"]["access"]["filters"] = ["redact_tokens"]
    return config
