"""`econsec push subscribe|status|renew|unsubscribe` against a real hub on loopback, the
callback served by the real web app in a thread."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from typer.testing import CliRunner

from econsec.cli.main import app
from econsec.config import Settings
from econsec.store.embedded.store import EmbeddedStore
from econsec.web import create_app
from tests.support.live_server import LiveServer
from tests.support.websub_hub import PublishedFeed, WebSubHub

runner = CliRunner()
DEADLINE = 120.0


class NoRuns:
    def run(self, feed_names: Sequence[str]) -> None:
        pass


@pytest.fixture
def setup(
    tmp_path: Path, settings: Settings, store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[WebSubHub, PublishedFeed]]:
    hub = WebSubHub().start()
    feed = PublishedFeed(hub.url("/"), announce="header").start()
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(
        f"feeds:\n  - name: pushed\n    url: {feed.topic}\n    push: true\n"
        f"  - name: polled\n    url: {feed.url('/other')}\n",
        encoding="utf-8",
    )
    values = {"feeds": str(feeds), "push_state": str(tmp_path / "websub.sqlite3")}
    server = LiveServer(create_app(settings.model_copy(update=values), store, runner=NoRuns()))
    server.start()
    monkeypatch.setenv("ECONSEC_FEEDS", str(feeds))
    monkeypatch.setenv("ECONSEC_PUSH_STATE", values["push_state"])
    monkeypatch.setenv("ECONSEC_PUSH_CALLBACK_URL", server.url)
    monkeypatch.setenv("ECONSEC_ALLOWED_FEED_HOSTS", "127.0.0.0/8")
    yield hub, feed
    server.stop()
    feed.stop()
    hub.stop()


def status() -> dict[str, str]:
    result = runner.invoke(app, ["push", "status", "--json"])
    assert result.exit_code == 0, result.output
    return {row["feed"]: row["state"] for row in json.loads(result.stdout)}


def wait_state(feed: str, state: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while status().get(feed) != state:
        assert time.monotonic() < deadline, status()
        time.sleep(0.1)


def test_subscribe_status_renew_unsubscribe(setup: tuple[WebSubHub, PublishedFeed]) -> None:
    hub, feed = setup
    result = runner.invoke(app, ["push", "subscribe", "--json"])
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.stdout)  # only the feed with push: true
    assert row["feed"] == "pushed" and row["hub"] == hub.url("/") and row["topic"] == feed.topic
    assert "secret" not in row
    wait_state("pushed", "verified")
    renewed = runner.invoke(app, ["push", "renew", "--json"])
    assert renewed.exit_code == 0 and json.loads(renewed.stdout) == []  # nothing due
    renewed = runner.invoke(app, ["push", "renew", "--all", "--json"])
    assert [r["feed"] for r in json.loads(renewed.stdout)] == ["pushed"]
    hub.wait_verified(2)
    table = runner.invoke(app, ["push", "status"], env={"COLUMNS": "80"})
    assert "pushed" in table.stdout and "verified" in table.stdout
    assert max(len(line) for line in table.stdout.splitlines()) <= 80
    gone = runner.invoke(app, ["push", "unsubscribe", "--feed", "pushed", "--json"])
    assert gone.exit_code == 0 and json.loads(gone.stdout)[0]["pending_mode"] == "unsubscribe"
    wait_state("pushed", "unsubscribed")


def test_subscribe_needs_the_callback_url_and_a_push_feed(
    setup: tuple[WebSubHub, PublishedFeed], monkeypatch: pytest.MonkeyPatch
) -> None:
    unknown = runner.invoke(app, ["push", "subscribe", "--feed", "polled"])
    assert unknown.exit_code == 2 and "polled" in unknown.output
    monkeypatch.delenv("ECONSEC_PUSH_CALLBACK_URL")
    result = runner.invoke(app, ["push", "subscribe"])
    assert result.exit_code == 2 and "ECONSEC_PUSH_CALLBACK_URL" in result.output


def test_a_feed_that_announces_no_hub_fails_subscribe(
    setup: tuple[WebSubHub, PublishedFeed],
) -> None:
    _, feed = setup
    feed.announce = "none"
    result = runner.invoke(app, ["push", "subscribe", "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout) == [
        {"feed": "pushed", "state": "no hub", "error": "announces no hub"}
    ]
