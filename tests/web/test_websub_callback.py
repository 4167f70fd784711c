"""The WebSub callback of `econsec serve` (the real app under uvicorn on loopback), fed by
a real hub: a signed push is staged, tagged, indexed and alerted on; unsigned, wrongly
signed, oversized and unknown pushes are refused; pushes coalesce into bounded runs; a
later poll adds nothing; the callback is open without the token, nothing else is."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st
from pydantic import SecretStr

from econsec.config import Settings
from econsec.ingest import cycle, websub
from econsec.ingest.fetch import make_client
from econsec.ingest.subscriptions import Subscription, SubscriptionBook
from econsec.models import FeedSpec
from econsec.orchestration.push import InlineRunner, PushRunner, make_runner
from econsec.store.embedded.store import EmbeddedStore
from econsec.web import create_app
from tests.support.airflow_api import PASSWORD, USER, AirflowApi
from tests.support.live_server import LiveServer, wait_until_up
from tests.support.websub_hub import PublishedFeed, WebSubHub

DEADLINE = 180.0  # a loaded machine: generous, and only a failure waits it out
TOKEN = "a-token-of-twenty-chars"
ENTITY_LISTING = (
    "Commerce adds 80 entities to Entity List, including Inspur subsidiaries",
    "The Bureau of Industry and Security added 80 companies to the Entity List, more than 50 "
    "of them in China, for helping develop supercomputers for the Chinese military.",
)
RULE = "name: push-any\ndescription: Every event.\ncondition:\n  type: any\nnotify: []\n"


@dataclass
class Recording:
    """A runner that records its runs, optionally around a real one, optionally held."""

    inner: PushRunner | None = None
    hold: threading.Event | None = None
    runs: list[list[str]] = field(default_factory=list)
    started: threading.Event = field(default_factory=threading.Event)

    def run(self, feed_names: Sequence[str]) -> None:
        self.started.set()
        if self.hold is not None:
            assert self.hold.wait(DEADLINE)
        if self.inner is not None:
            self.inner.run(feed_names)
        self.runs.append(list(feed_names))


@dataclass
class PushSite:
    settings: Settings
    store: EmbeddedStore
    hub: WebSubHub
    feed: PublishedFeed
    server: LiveServer
    runner: Recording
    sub: Subscription
    app: FastAPI

    def client(self, **options: Any) -> httpx.Client:
        return httpx.Client(base_url=self.server.url, timeout=60.0, **options)

    @property
    def spec(self) -> FeedSpec:
        return FeedSpec(name="pushed", url=self.feed.topic, push=True)


def wait_for(check: Callable[[], Any], seconds: float = DEADLINE) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("not within the deadline")


@pytest.fixture
def make_site(
    settings: Settings, store: EmbeddedStore, tmp_path: Path
) -> Iterator[Callable[..., PushSite]]:
    started: list[Any] = []

    def make(runner: Recording, **overrides: Any) -> PushSite:
        hub = WebSubHub().start()
        feed = PublishedFeed(hub.url("/")).start()
        started.extend([hub, feed])
        feeds = tmp_path / "feeds.yaml"
        feeds.write_text(f"feeds:\n  - name: pushed\n    url: {feed.topic}\n    push: true\n")
        rules = tmp_path / "rules"
        rules.mkdir(exist_ok=True)
        (rules / "push-any.yaml").write_text(RULE, encoding="utf-8")
        values = {"feeds": str(feeds), "rules": str(rules), **overrides}
        values["push_state"] = str(tmp_path / "websub.sqlite3")
        site_settings = settings.model_copy(update=values)
        app = create_app(site_settings, store, rules=rules, runner=runner)
        server = LiveServer(app)
        started.append(server.start())
        site_settings = site_settings.model_copy(update={"push_callback_url": server.url})
        book = SubscriptionBook(site_settings.push_state)
        with make_client(site_settings) as client:
            link = websub.HubLink(hub.url("/"), feed.topic)
            sub = websub.subscribe(book, site_settings, "pushed", link, client)
        hub.wait_verified(1)
        return PushSite(site_settings, store, hub, feed, server, runner, sub, app)

    yield make
    for thing in reversed(started):
        thing.stop()


@pytest.fixture
def site(make_site: Callable[..., PushSite]) -> PushSite:
    return make_site(Recording())


def test_a_signed_push_is_staged_indexed_and_alerted(
    make_site: Callable[..., PushSite], settings: Settings, store: EmbeddedStore, tagger: Any
) -> None:
    runner = Recording()
    site = make_site(runner)
    runner.inner = InlineRunner(store, site.settings, Path(site.settings.rules), tagger)
    site.feed.add(*ENTITY_LISTING)
    [delivery] = site.hub.publish(site.feed.topic)
    assert delivery.status == 202, delivery.body
    wait_for(lambda: runner.runs)
    assert store.counts()["articles"] == 1 and store.counts()["unindexed_events"] == 0
    assert store.counts()["events"] >= 1
    state = store.alert_state()
    try:
        alerts = state.history("push-any")
    finally:
        state.close()
    assert alerts and alerts[0].evidence[0]["title"] == ENTITY_LISTING[0]
    pushed = SubscriptionBook(site.settings.push_state).get(site.sub.id)
    assert pushed is not None and pushed.pushes == 1


def test_a_push_under_the_airflow_runner_starts_a_run_limited_to_its_feed(
    make_site: Callable[..., PushSite],
) -> None:
    """The deployment's path: the callback stages the push, and the runner `make_runner`
    picks for `push_runner: airflow` asks Airflow's API for a run of that feed alone."""
    api = AirflowApi().start()
    try:
        runner = Recording()
        site = make_site(runner)
        airflow = site.settings.model_copy(
            update={
                "push_runner": "airflow",
                "airflow_url": api.base,
                "airflow_username": USER,
                "airflow_password": SecretStr(PASSWORD),
            }
        )
        runner.inner = make_runner(airflow, site.store, Path(site.settings.rules))
        site.feed.add(*ENTITY_LISTING)
        [delivery] = site.hub.publish(site.feed.topic)
        assert delivery.status == 202, delivery.body
        wait_for(lambda: runner.runs)
        [run] = api.sent("POST", "/api/v2/dags/econsec_ingest/dagRuns")
        assert run is not None and run["conf"] == {"only_feeds": ["pushed"]}
        assert site.store.counts()["articles"] == 1  # staged by the callback, tagged by the run
    finally:
        api.stop()


def test_a_duplicate_push_and_a_later_poll_add_no_article(site: PushSite) -> None:
    site.feed.add(*ENTITY_LISTING)
    site.feed.add("Tariffs on steel rise", "The new duty applies from May.")
    first = site.hub.publish(site.feed.topic)
    again = site.hub.publish(site.feed.topic)
    assert [d.status for d in first + again] == [202, 202]
    assert again[0].body == b"accepted: 0 new"
    assert site.store.counts()["articles"] == 2
    poll = cycle.fetch_feed(site.spec, site.store, site.settings)
    assert poll.status == "ok" and poll.new_articles == 0 and poll.duplicates == 2
    assert site.store.counts()["articles"] == 2
    assert site.store.validators("pushed", site.feed.topic)[0]  # the poll's ETag is kept


def test_a_push_keeps_the_validators_of_the_last_poll(site: PushSite) -> None:
    site.feed.add(*ENTITY_LISTING)
    cycle.fetch_feed(site.spec, site.store, site.settings)
    etag = site.store.validators("pushed", site.feed.topic)
    site.feed.add("Tariffs on steel rise", "The new duty applies from May.")
    assert site.hub.publish(site.feed.topic)[0].status == 202
    assert site.store.validators("pushed", site.feed.topic) == etag
    assert site.store.counts()["articles"] == 2


@pytest.mark.parametrize("method", ["sha1", "sha384", "sha512"])
def test_the_other_signature_methods_are_accepted(site: PushSite, method: str) -> None:
    site.hub.method = method
    site.feed.add(*ENTITY_LISTING)
    assert site.hub.publish(site.feed.topic)[0].status == 202


def test_unsigned_and_wrongly_signed_pushes_are_refused(site: PushSite) -> None:
    site.feed.add(*ENTITY_LISTING)
    [sub] = site.hub.subscribers(site.feed.topic)
    wrong = site.hub.deliver(sub, site.feed.body(), secret="not-the-secret")
    site.hub.method = ""
    unsigned = site.hub.deliver(sub, site.feed.body())
    assert (wrong.status, unsigned.status) == (403, 403)
    with site.client() as web:
        bad = web.post(
            f"/websub/{site.sub.id}", content=b"<rss/>", headers={"X-Hub-Signature": "x"}
        )
    assert bad.status_code == 403
    assert site.store.counts()["articles"] == 0 and site.runner.runs == []


def test_an_unknown_subscription_is_not_found(site: PushSite) -> None:
    with site.client() as web:
        assert web.post("/websub/nobody", content=b"<rss/>").status_code == 404
        assert web.post("/websub/" + "x" * 500, content=b"<rss/>").status_code == 404
        assert web.get("/websub/nobody").status_code == 404
        assert web.get(f"/websub/{site.sub.id}").status_code == 404  # no hub.* at all


def test_a_body_over_the_fetch_cap_is_refused(site: PushSite) -> None:
    [sub] = site.hub.subscribers(site.feed.topic)
    big = b"<rss>" + b" " * site.settings.max_feed_bytes
    assert site.hub.deliver(sub, big).status == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: the cap holds while reading
        for _ in range(site.settings.max_feed_bytes // 65_536 + 2):
            yield b" " * 65_536

    with site.client() as web:
        streamed = web.post(f"/websub/{site.sub.id}", content=chunks())
    assert streamed.status_code == 413
    assert site.store.counts()["articles"] == 0


def test_a_body_that_is_no_feed_is_refused_without_a_server_error(site: PushSite) -> None:
    [sub] = site.hub.subscribers(site.feed.topic)
    for body in (b"", b"\x00\xff garbage"):
        assert site.hub.deliver(sub, body).status == 400
    # as a fetch of it would: a page that parses to nothing stages nothing
    assert site.hub.deliver(sub, b"<html><body>hi</body></html>").body == b"accepted: 0 new"
    assert site.store.counts()["articles"] == 0


def test_pushes_coalesce_and_are_bounded_per_feed(make_site: Callable[..., PushSite]) -> None:
    hold = threading.Event()
    runner = Recording(hold=hold)
    site = make_site(runner, push_queue_limit=3)
    [sub] = site.hub.subscribers(site.feed.topic)
    try:
        site.feed.add(*ENTITY_LISTING)
        assert site.hub.deliver(sub, site.feed.body()).status == 202
        assert runner.started.wait(DEADLINE)  # the first run is going (and held)
        statuses = []
        for n in range(5):
            site.feed.add(f"Item {n} on tariffs", "More news.")
            statuses.append(site.hub.deliver(sub, site.feed.body()).status)
        assert statuses == [202, 202, 202, 429, 429]
    finally:
        hold.set()
    wait_for(lambda: len(runner.runs) == 2 and site.app.state.pushes.idle())
    assert runner.runs == [["pushed"], ["pushed"]]  # three pushes made one run
    assert site.store.counts()["articles"] == 1 + 3  # the refused ones come back later


def test_the_callback_needs_no_token_and_nothing_else_opens(
    make_site: Callable[..., PushSite],
) -> None:
    site = make_site(Recording(), api_token=SecretStr(TOKEN))
    site.feed.add(*ENTITY_LISTING)
    assert site.hub.publish(site.feed.topic)[0].status == 202
    with site.client() as web:
        assert web.get("/api/events").status_code == 401
        assert web.get("/websubx").status_code != 200
        other_host = {"Host": "news.example.org"}
        assert web.get("/websub/nobody", headers=other_host).status_code == 404


def test_a_tokenless_server_takes_pushes_under_the_proxy_host_name(site: PushSite) -> None:
    with site.client() as web:
        other_host = {"Host": "news.example.org"}
        assert web.get("/websub/nobody", headers=other_host).status_code == 404
        assert web.get("/api/events", headers=other_host).status_code == 400


def test_subscriptions_survive_a_restart_of_the_server(
    make_site: Callable[..., PushSite], store: EmbeddedStore
) -> None:
    site = make_site(Recording())
    site.server.stop()
    [sub] = site.hub.subscribers(site.feed.topic)
    app = create_app(site.settings, store, runner=Recording())  # a new process, same files
    with LiveServer(app) as again:
        moved = replace(sub, callback=f"{again.url}/websub/{site.sub.id}")
        site.feed.add(*ENTITY_LISTING)
        assert site.hub.deliver(moved, site.feed.body()).status == 202
    assert store.counts()["articles"] == 1


@examples(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    sub_id=st.text(min_size=1, max_size=80).filter(lambda s: "/" not in s and s not in (".", "..")),
    params=st.dictionaries(
        st.sampled_from(["hub.mode", "hub.topic", "hub.challenge", "hub.lease_seconds", "x"]),
        st.text(max_size=40),
    ),
    body=st.binary(max_size=300),
    signature=st.text(st.characters(min_codepoint=33, max_codepoint=255), max_size=80),
    known=st.booleans(),
)
def test_no_callback_request_is_a_server_error(
    site: PushSite, sub_id: str, params: dict[str, str], body: bytes, signature: str, known: bool
) -> None:
    target = f"/websub/{quote(site.sub.id if known else sub_id, safe='')}"
    with site.client() as web:
        asked = web.get(target, params=params)
        pushed = web.post(
            target, content=body, headers={"X-Hub-Signature": signature.encode("latin-1")}
        )
    assert asked.status_code in (200, 404) and pushed.status_code in (400, 403, 404)


@pytest.mark.slow
def test_econsec_serve_takes_a_push_through_to_an_alert(tmp_path: Path) -> None:
    """The real command in a subprocess, behind a token, with the inline runner: a hub's
    signed push reaches the index and the alert rules with nobody polling."""
    from bench.ingest_load import free_port

    hub = WebSubHub().start()
    feed = PublishedFeed(hub.url("/")).start()
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(f"feeds:\n  - name: pushed\n    url: {feed.topic}\n    push: true\n")
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "push-any.yaml").write_text(RULE, encoding="utf-8")
    EmbeddedStore(tmp_path / "store").close()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECONSEC_")}
    env |= {
        "ECONSEC_API_TOKEN": TOKEN,
        "ECONSEC_FEEDS": str(feeds),
        "ECONSEC_PUSH_STATE": str(tmp_path / "websub.sqlite3"),
        "ECONSEC_PUSH_CALLBACK_URL": base,
        "ECONSEC_ALLOWED_FEED_HOSTS": "127.0.0.0/8",
    }
    command = [str(Path(sys.executable).with_name("econsec")), "serve", "--port", str(port)]
    command += ["--store", str(tmp_path / "store"), "--rules", str(rules)]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        wait_until_up(base, process)
        settings = Settings(
            store=str(tmp_path / "store"),
            push_state=env["ECONSEC_PUSH_STATE"],
            push_callback_url=base,
            allowed_feed_hosts=["127.0.0.0/8"],
        )
        book = SubscriptionBook(settings.push_state)
        with make_client(settings) as client:
            link = websub.HubLink(hub.url("/"), feed.topic)
            websub.subscribe(book, settings, "pushed", link, client)
        hub.wait_verified(1)
        feed.add(*ENTITY_LISTING)
        assert [d.status for d in hub.publish(feed.topic)] == [202]
        wait_for(lambda: _alerts(tmp_path / "store"))
        with httpx.Client(base_url=base, timeout=60) as web:
            assert web.get("/api/events").status_code == 401  # everything else keeps its token
    finally:
        process.terminate()
        process.communicate(timeout=60)
        feed.stop()
        hub.stop()


def _alerts(store_path: Path) -> int:
    store = EmbeddedStore(store_path)
    try:
        state = store.alert_state()
        try:
            return len(state.history("push-any"))
        finally:
            state.close()
    finally:
        store.close()
