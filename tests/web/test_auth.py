"""The token: required by the API and the pages when set, compared in constant time, never
printed; `econsec serve` refuses a non-loopback address without one."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from econsec.cli.main import app as cli
from econsec.errors import ConfigError
from econsec.store.embedded.store import EmbeddedStore
from econsec.web.auth import COOKIE
from econsec.web.server import check_binding, is_loopback
from tests.support.live_server import wait_until_up
from tests.support.web_data import fill, write_rules
from tests.web.conftest import Site, running_site

TOKEN = "s3cret-token-for-the-web-tests"
ROOT = Path(__file__).resolve().parents[2]
CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith("ECONSEC_")}


@pytest.fixture(scope="module")
def guarded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    with running_site("embedded", request, tmp_path_factory, api_token=TOKEN) as running:
        yield running


@pytest.fixture(scope="module")
def open_site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    allowed = ["analyst-box.internal"]
    with running_site("embedded", request, tmp_path_factory, allowed_hosts=allowed) as running:
        yield running


@pytest.fixture
def anonymous(guarded: Site) -> Iterator[httpx.Client]:
    with guarded.client(follow_redirects=False) as client:
        yield client


def test_the_api_wants_a_bearer_token(anonymous: httpx.Client) -> None:
    refused = anonymous.get("/api/events")
    assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
    assert "Authorization: Bearer" in refused.json()["detail"]
    wrong = anonymous.get("/api/events", headers={"Authorization": "Bearer not-the-token"})
    assert wrong.status_code == 401
    assert anonymous.get("/api/events", params={"token": TOKEN}).status_code == 401
    right = anonymous.get("/api/events", headers={"Authorization": f"Bearer {TOKEN}"})
    assert right.status_code == 200 and right.json()["stories"] == 4


def test_pages_send_strangers_to_the_login_form(anonymous: httpx.Client) -> None:
    response = anonymous.get("/feeds", params={"x": "1"})
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Ffeeds%3Fx%3D1"
    form = anonymous.get(response.headers["location"])
    assert form.status_code == 200 and 'name="token"' in form.text
    assert TOKEN not in form.text
    for open_path in ("/healthz", "/static/style.css", "/login"):
        assert anonymous.get(open_path).status_code == 200, open_path


def logged_in(site: Site, cookie: str) -> httpx.Client:
    return site.client(follow_redirects=False, cookies={COOKIE: cookie})


def test_logging_in_sets_a_cookie_that_is_not_the_token(
    anonymous: httpx.Client, guarded: Site
) -> None:
    wrong = anonymous.post("/login", data={"token": "guess", "next": "/feeds"})
    assert wrong.status_code == 401 and COOKIE not in wrong.cookies
    right = anonymous.post("/login", data={"token": TOKEN, "next": "/feeds"})
    assert (right.status_code, right.headers["location"]) == (303, "/feeds")
    cookie = right.cookies[COOKIE]
    issued, _, signature = cookie.split(".")
    assert TOKEN not in cookie and len(signature) == 64 and abs(int(issued) - time.time()) < 60
    set_cookie = right.headers["set-cookie"].lower()
    assert "httponly" in set_cookie and "samesite=lax" in set_cookie
    with logged_in(guarded, cookie) as client:
        assert client.get("/feeds").status_code == 200
        assert client.get("/api/feeds").status_code == 200
        logout = client.get("/logout")
        assert logout.status_code == 303 and f'{COOKIE}=""' in logout.headers["set-cookie"]
    altered = cookie[:-1] + ("0" if cookie[-1] != "0" else "1")
    with logged_in(guarded, altered) as client:
        assert client.get("/feeds").status_code == 303


def test_an_old_or_forged_session_is_refused() -> None:
    from econsec.web.auth import COOKIE_DAYS, TokenGuard

    guard = TokenGuard(TOKEN)
    week_ago = int(time.time()) - COOKIE_DAYS * 86_400 - 60
    assert guard.valid_session(guard.session())
    assert not guard.valid_session(guard.session(issued=week_ago))
    assert not guard.valid_session(f"{int(time.time())}.{'0' * 64}")
    assert not guard.valid_session(TokenGuard("another-token-of-16-chars").session())
    assert not guard.valid_session("") and not guard.valid_session("١٢٣.abc")


def test_a_logout_ends_the_session_on_the_server(guarded: Site) -> None:
    """A copy of the cookie (another tab, a stolen one) dies with the logout; a session
    logged in on its own, even in the same second, lives on."""
    with guarded.client(follow_redirects=False) as anonymous:
        first = anonymous.post("/login", data={"token": TOKEN}).cookies[COOKIE]
        second = anonymous.post("/login", data={"token": TOKEN}).cookies[COOKIE]
    assert first != second
    with logged_in(guarded, first) as client:
        assert client.get("/api/feeds").status_code == 200
        assert client.get("/logout").status_code == 303
    with logged_in(guarded, first) as copy:
        assert copy.get("/feeds").status_code == 303
        assert copy.get("/api/feeds").status_code == 401
    with logged_in(guarded, second) as other:
        assert other.get("/feeds").status_code == 200


def test_ended_sessions_pass_between_processes_through_their_file(tmp_path: Path) -> None:
    from econsec.web.auth import EndedSessions, TokenGuard

    shared = tmp_path / "ended"
    one, two = (TokenGuard(TOKEN, EndedSessions(shared)) for _ in range(2))
    cookie = one.session()
    assert two.valid_session(cookie)
    one.ended.end(cookie)
    assert not two.valid_session(cookie) and not one.valid_session(cookie)
    assert two.valid_session(two.session())


@pytest.mark.parametrize(
    "spelling", ["token", "%74oken", "TOKEN", "to%6Ben", "%2574oken", "tok%65n", "Token"]
)
def test_the_access_log_hides_every_spelling_of_the_token(spelling: str) -> None:
    from econsec.web.server import redact

    logged = redact(f"/alerts?q=chips&{spelling}={TOKEN}&page=2")
    assert logged == f"/alerts?q=chips&{spelling}=***&page=2"
    assert redact("/?tokens=1&q=token%3Dx") == "/?tokens=1&q=token%3Dx"


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("127.0.0.1:{port}", 200),
        ("localhost:{port}", 200),
        ("LOCALHOST", 200),
        ("[::1]:{port}", 200),
        ("analyst-box.internal:{port}", 200),  # configured
        ("evil.example:{port}", 400),
        ("127.0.0.1.evil.example", 400),
        ("localhost.:{port}", 400),
        ("", 400),
    ],
)
def test_a_tokenless_server_answers_only_its_own_host_names(
    open_site: Site, host: str, status: int
) -> None:
    """DNS rebinding: a page on evil.example whose name now resolves to 127.0.0.1 reaches
    the server from the analyst's browser, but its requests still say `Host: evil.example`."""
    port = open_site.url.rsplit(":", 1)[1]
    with open_site.client(follow_redirects=False) as client:
        for path in ("/api/events", "/", "/healthz"):
            response = client.get(path, headers={"Host": host.format(port=port)})
            assert response.status_code == status, (path, response.text)
            if status == 400:
                assert "does not answer to the host" in response.text


def test_with_a_token_any_host_name_reaches_the_token_check(anonymous: httpx.Client) -> None:
    response = anonymous.get("/api/events", headers={"Host": "econsec.example.org"})
    assert response.status_code == 401


def test_a_token_link_never_leads_off_site(guarded: Site) -> None:
    with guarded.client(follow_redirects=False) as anonymous:
        response = anonymous.get("/%2F%2Fevil.example/", params={"token": TOKEN})
    location = response.headers["location"]
    assert response.status_code == 303 and location.startswith("/")
    assert not location.startswith(("//", "/\\"))


def test_a_link_with_the_token_logs_in_and_drops_it_from_the_address(guarded: Site) -> None:
    with guarded.client(follow_redirects=False) as anonymous:
        wrong = anonymous.get("/", params={"token": "nope"})
        response = anonymous.get("/", params={"q": "gallium", "token": TOKEN})
    assert (response.status_code, response.headers["location"]) == (303, "/?q=gallium")
    with logged_in(guarded, response.cookies[COOKIE]) as client:
        assert client.get("/?q=gallium").status_code == 200
    assert wrong.status_code == 303 and "failed=1" in wrong.headers["location"]
    assert COOKIE not in wrong.cookies


@pytest.mark.parametrize(
    ("host", "token", "refused"),
    [
        ("127.0.0.1", None, ""),
        ("127.0.0.2", None, ""),
        ("localhost", None, ""),
        ("::1", None, ""),
        ("[::1]", None, ""),
        ("0.0.0.0", None, "refusing to serve on 0.0.0.0"),
        ("::", None, "refusing to serve on ::"),
        ("192.168.1.20", None, "not a loopback address"),
        ("example.org", None, "set ECONSEC_API_TOKEN"),
        ("0.0.0.0", TOKEN, ""),
        ("127.0.0.1", "short", "too short"),
    ],
)
def test_binding_beyond_loopback_needs_a_token(host: str, token: str | None, refused: str) -> None:
    if not refused:
        check_binding(host, token)
        return
    with pytest.raises(ConfigError, match=refused):
        check_binding(host, token)
    assert is_loopback(host) is False or token is not None


def test_serve_refuses_an_open_address_without_a_token(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["serve", "--host", "0.0.0.0", "--store", str(tmp_path)], env={"ECONSEC_API_TOKEN": ""}
    )
    assert result.exit_code == 2
    assert "refusing to serve on 0.0.0.0" in result.stderr
    assert "ECONSEC_API_TOKEN" in result.stderr


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_econsec_serve_runs_the_app_and_never_prints_the_token(tmp_path: Path) -> None:
    """The real command in a subprocess: pages behind the token, and an access log where a
    login link shows `token=***`."""
    port, base = free_port(), ""
    env = {**CLEAN_ENV, "ECONSEC_API_TOKEN": TOKEN}
    store = EmbeddedStore(tmp_path / "store")  # serve refuses a store that is not there
    fill(store)
    store.close()
    command = [
        str(Path(sys.executable).with_name("econsec")),
        "serve",
        "--port",
        str(port),
        "--store",
        str(tmp_path / "store"),
        "--rules",
        str(write_rules(tmp_path / "rules")),
    ]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base, process)
        with httpx.Client(base_url=base, follow_redirects=False, timeout=60) as client:
            assert client.get("/api/events").status_code == 401
            login = client.get("/alerts", params={"token": TOKEN})
            assert login.status_code == 303
            client.cookies.set(COOKIE, login.cookies[COOKIE])
            alerts = client.get("/alerts")
            assert alerts.status_code == 200 and "gallium-watch" in alerts.text
            encoded = client.get(f"/feeds?%74oken={TOKEN}")
            assert encoded.status_code == 303 and COOKIE in encoded.cookies
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=60)
    assert "/alerts?token=*** HTTP/1.1" in output
    assert "/feeds?%74oken=*** HTTP/1.1" in output
    assert TOKEN not in output


LOADS_APPRISE = """
import sys
from pathlib import Path
from apprise.manager_plugins import NotificationManager
from econsec.config import Settings
from econsec.web import create_app
from tests.support.live_server import LiveServer

app = create_app(Settings(store=sys.argv[1]), rules=Path(sys.argv[2]))
before = bool(NotificationManager())
with LiveServer(app):
    print(before, bool(NotificationManager()))
"""


def test_apprise_loads_its_plugins_before_the_first_request(tmp_path: Path) -> None:
    """Loading them took seconds on a busy machine, inside the first request to /alerts
    (a client's 5 s timeout ran out); the server now loads them as it starts. A fresh
    interpreter, since another test may have loaded them in this one."""
    store = EmbeddedStore(tmp_path / "store")
    fill(store)
    store.close()
    rules = write_rules(tmp_path / "rules")
    command = [sys.executable, "-c", LOADS_APPRISE, str(tmp_path / "store"), str(rules)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True"]
