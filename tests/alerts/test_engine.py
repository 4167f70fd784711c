"""The engine on both backends (embedded, osmem-server): conditions, dedup, realert, late events,
warm-up, retries, digests, backtests, and delivery to a real webhook on loopback."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from econsec.alerts.backtest import backtest
from econsec.alerts.engine import LEASE, RunReport, run_rules
from econsec.alerts.notify import Outcome, send
from econsec.store import AlertState, Store
from econsec.store.elastic.alert_state import ElasticAlertState
from econsec.store.elastic.store import ElasticStore
from econsec.store.embedded.alert_state import SqliteAlertState
from econsec.store.embedded.store import EmbeddedStore
from tests.support.alerts import Receiver, add_events, now, restamp, story, write_rule

SILENT = lambda url, title, body: Outcome(True)  # noqa: E731


def run(store, rules, state, at=None, sender=SILENT):  # type: ignore[no-untyped-def]
    return run_rules(store, rules, state, now=at or now(), sender=sender)


def test_any_fires_once_per_story_across_syndicated_copies(store, state, tmp_path) -> None:  # type: ignore[no-untyped-def]
    add_events(store, *story(1, copies=4), *story(2))
    rule = write_rule(tmp_path, condition={"type": "any"})
    report = run(store, [rule], state)
    assert sorted(len(a.event_ids) for a in report.alerts) == [1, 4]
    assert all(a.count == 1 for a in report.alerts)
    assert run(store, [rule], state).alerts == []  # a second run fires nothing new


def test_filters_and_query_select_events(store, state, tmp_path) -> None:  # type: ignore[no-untyped-def]
    add_events(store, *story(1, initiator=["US"]), *story(2, initiator=["CN"], confidence=0.2))
    rule = write_rule(
        tmp_path, query="chips", filters={"initiator": ["CN", "US"], "min_confidence": 0.5}
    )
    alerts = run(store, [rule], state).alerts
    assert [a.evidence[0]["initiator"] for a in alerts] == [["US"]]


def test_realert_holds_a_group_back_until_the_window_passes(store, state, tmp_path) -> None:  # type: ignore[no-untyped-def]
    rule = write_rule(tmp_path, group_by="initiator", realert="6h")
    add_events(store, *story(1))
    start = now()
    assert len(run(store, [rule], state, start).alerts) == 1
    add_events(store, *story(2))
    second = run(store, [rule], state, start + timedelta(hours=1))
    assert second.alerts == [] and second.rules[0].suppressed == 1
    add_events(store, *story(3))
    assert len(run(store, [rule], state, start + timedelta(hours=7)).alerts) == 1


def test_late_indexed_events_are_caught_by_the_lookback(store, state, tmp_path) -> None:  # type: ignore[no-untyped-def]
    rule = write_rule(tmp_path)
    add_events(store, *story(1))
    first = now()
    assert len(run(store, [rule], state, first).alerts) == 1
    late = story(2)
    add_events(store, *late)
    stamp = (first - timedelta(minutes=10)).isoformat()  # stamped before the checkpoint
    restamp(store, stamp, [late[0].id])
    alerts = run(store, [rule], state, first + timedelta(minutes=5)).alerts
    assert [a.event_ids for a in alerts] == [[late[0].id]]


def test_frequency_counts_stories_in_a_window(store, state, tmp_path) -> None:  # type: ignore[no-untyped-def]
    rule = write_rule(tmp_path, condition={"type": "frequency", "count": 3, "window": "7d"})
    add_events(store, *story(1, day=1, copies=3), *story(2, day=3))
    assert run(store, [rule], state).alerts == []  # 2 stories (4 reports) is not 3
    add_events(store, *story(3, day=5))
    alerts = run(store, [rule], state).alerts
    assert [(a.group, a.count) for a in alerts] == [("all", 3)]


def test_frequency_ignores_stories_outside_the_window(store, state, tmp_path) -> None:  # type: ignore[no-untyped-def]
    rule = write_rule(tmp_path, condition={"type": "frequency", "count": 2, "window": "2d"})
    add_events(store, *story(1, day=1), *story(2, day=10))
    assert run(store, [rule], state).alerts == []


def test_spike_against_the_baseline_windows(store, state, tmp_path) -> None:  # type: ignore[no-untyped-def]
    spike = {"type": "spike", "factor": 3, "window": "2d", "baseline_windows": 4, "min_count": 2}
    rule = write_rule(tmp_path, condition=spike)
    add_events(store, *story(1, day=2), *story(2, day=20), *story(3, day=20), *story(4, day=21))
    alerts = run(store, [rule], state).alerts
    assert [a.count for a in alerts] == [3]


def test_no_spike_when_the_baseline_is_as_busy(store, state, tmp_path) -> None:  # type: ignore[no-untyped-def]
    spike = {"type": "spike", "factor": 2, "window": "2d", "baseline_windows": 2, "min_count": 2}
    rule = write_rule(tmp_path, condition=spike)
    add_events(store, *[s for n in range(1, 9) for s in story(n, day=13 + n % 8)])
    assert run(store, [rule], state).alerts == []


def test_new_value_warm_up_learns_without_firing(store, state, tmp_path) -> None:  # type: ignore[no-untyped-def]
    condition = {"type": "new_value", "field": "initiator", "warmup": "3d"}
    rule = write_rule(tmp_path, condition=condition)
    add_events(store, *story(1, day=1, initiator=["CN"]), *story(2, day=2, initiator=["US"]))
    assert run(store, [rule], state).alerts == []  # the start of history: learned, silent
    add_events(store, *story(3, day=9, initiator=["US"]), *story(4, day=9, initiator=["JP"]))
    alerts = run(store, [rule], state).alerts
    assert [a.group for a in alerts] == ["initiator=JP"]
    add_events(store, *story(5, day=10, initiator=["JP"]))
    assert run(store, [rule], state).alerts == []


def test_new_value_first_run_learns_the_store(store, state, tmp_path) -> None:  # type: ignore[no-untyped-def]
    add_events(store, *[s for n in range(1, 6) for s in story(n, day=n, initiator=[f"C{n}"])])
    restamp(store, (now() - timedelta(days=2)).isoformat())  # indexed two days ago
    rule = write_rule(
        tmp_path, condition={"type": "new_value", "field": "initiator", "warmup": "2d"}
    )
    assert run(store, [rule], state).alerts == []
    add_events(store, *story(6, day=6, initiator=["C6", "C2"]), *story(7, day=7, initiator=["C1"]))
    assert [a.group for a in run(store, [rule], state).alerts] == ["initiator=C6"]


def test_webhook_delivery_on_loopback(store, state, tmp_path, receiver: Receiver) -> None:  # type: ignore[no-untyped-def]
    add_events(store, *story(1))
    rule = write_rule(tmp_path, notify=[receiver.url])
    report = run_rules(store, [rule], state, now=now())
    assert report.deliveries["delivered"] == 1
    [post] = receiver.posts
    assert "Story 1 about chips" in post["title"] and "https://example.com/" in post["message"]
    [alert] = state.history()
    assert alert.deliveries[0].status == "delivered" and alert.deliveries[0].channel.startswith(
        "json://127.0.0.1"
    )


def test_failed_channel_is_retried_and_the_alert_never_lost(
    store, state, tmp_path, receiver: Receiver
) -> None:  # type: ignore[no-untyped-def]
    add_events(store, *story(1))
    rule = write_rule(tmp_path, notify=[receiver.url])
    receiver.fail_next = 10
    first = run_rules(store, [rule], state, now=now())
    assert first.deliveries["failed"] == 1 and receiver.posts == []
    [pending] = state.undelivered()
    assert pending.deliveries[0].status == "failed" and pending.deliveries[0].error
    receiver.fail_next = 0
    second = run_rules(store, [rule], state, now=now())
    assert second.alerts == [] and second.deliveries["delivered"] == 1
    assert len(receiver.posts) == 1 and state.undelivered() == []
    assert state.history()[0].deliveries[0].attempts == 2


def test_secrets_come_from_the_environment(store, state, tmp_path, receiver, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    add_events(store, *story(1))
    rule = write_rule(tmp_path, notify=["${ECONSEC_SECRET_TEST_HOOK}"])
    first = run(store, [rule], state, sender=__import__("econsec.alerts.notify").alerts.notify.send)
    assert first.deliveries["failed"] == 1
    error = state.undelivered()[0].deliveries[0].error or ""
    assert "ECONSEC_SECRET_TEST_HOOK is not set" in error
    monkeypatch.setenv("ECONSEC_SECRET_TEST_HOOK", receiver.url)
    from econsec.alerts.notify import send

    assert run(store, [rule], state, sender=send).deliveries["delivered"] == 1
    assert receiver.url not in state.history()[0].model_dump_json()


def test_hourly_digest_batches_alerts_into_one_message(store, state, tmp_path) -> None:  # type: ignore[no-untyped-def]
    sent: list[tuple[str, str]] = []
    sender = lambda url, title, body: sent.append((title, body)) or Outcome(True)  # noqa: E731
    rule = write_rule(tmp_path, digest="hourly", notify=["json://localhost/hook"])
    add_events(store, *story(1), *story(2), *story(3))
    start = now()
    assert len(run(store, [rule], state, start, sender).alerts) == 3
    assert sent == []  # the hour is not over
    run(store, [rule], state, start + timedelta(hours=1), sender)
    [(title, body)] = sent
    assert "3 alerts (hourly digest)" in title and body.count("## Story") == 3
    run(store, [rule], state, start + timedelta(hours=2), sender)
    assert len(sent) == 1


def test_daily_digest_waits_for_the_day_to_close(store, state, tmp_path) -> None:  # type: ignore[no-untyped-def]
    sent: list[str] = []
    sender = lambda url, title, body: sent.append(title) or Outcome(True)  # noqa: E731
    rule = write_rule(tmp_path, digest="daily", notify=["json://localhost/hook"])
    add_events(store, *story(1), *story(2))
    start = now()
    run(store, [rule], state, start, sender)
    run(store, [rule], state, start + timedelta(seconds=1), sender)
    assert sent == []
    run(store, [rule], state, start + timedelta(days=1), sender)
    assert sent == ["[econsec] test-rule: 2 alerts (daily digest)"]


def test_backtest_counts_without_recording_or_notifying(store, state, tmp_path) -> None:  # type: ignore[no-untyped-def]
    add_events(store, *story(1, day=1, copies=2), *story(2, day=2), *story(3, day=20))
    rule = write_rule(tmp_path, realert="1d", notify=["json://localhost/never"])
    result = backtest(store, rule, timedelta(days=60), now=datetime(2024, 6, 30, tzinfo=UTC))
    assert (result.events, result.stories, len(result.alerts)) == (4, 3, 3)
    assert result.summary()["by_group"] and state.history() == []


def test_a_rule_that_errors_stops_no_other(store, state, tmp_path) -> None:  # type: ignore[no-untyped-def]
    add_events(store, *story(1))
    # Loading refuses such a query; a rule can still fail at run time (a backend that
    # rejects it, a store error), which this stands in for by skipping validation.
    broken = write_rule(tmp_path, name="broken").model_copy(update={"query": "title:("})
    fine = write_rule(tmp_path, name="fine")
    report = run(store, [broken, fine], state)
    assert set(report.errors) == {"broken"} and len(report.alerts) == 1


def test_whatever_a_rule_raises_is_its_own_and_the_others_deliver(
    store, state, tmp_path, receiver: Receiver
) -> None:  # type: ignore[no-untyped-def]
    """A rule past validation that raises a plain error (here its look-back leaves the
    calendar) is reported against it; earlier and later rules still run and deliver."""
    add_events(store, *story(1), *story(2))
    first = write_rule(tmp_path, name="first", notify=[receiver.url])
    spike = write_rule(
        tmp_path, name="broken", condition={"type": "spike", "factor": 2, "window": "7d"}
    )
    endless = spike.condition.model_copy(
        update={"window": timedelta(days=36_500), "baseline_windows": 30}
    )
    broken = spike.model_copy(update={"condition": endless})
    last = write_rule(tmp_path, name="last", query="chips", notify=[receiver.url])
    report = run(store, [first, broken, last], state, sender=send)
    assert set(report.errors) == {"broken"}
    assert "broken.yaml" in report.errors["broken"] and "OverflowError" in report.errors["broken"]
    assert len(report.alerts) == 4 and len(receiver.posts) == 4
    assert state.undelivered() == []


def test_two_runners_at_once_deliver_each_alert_once(
    alert_backend, store, state, tmp_path, receiver: Receiver
) -> None:  # type: ignore[no-untyped-def]
    """Both runners read the same undelivered alerts; each alert is claimed by one of them
    before it is sent, so the webhook gets one POST per alert."""
    add_events(store, *story(1), *story(2), *story(3))
    rule = write_rule(tmp_path, notify=[receiver.url])
    receiver.fail_next = 100
    start = now()
    assert len(run(store, [rule], state, start, send).alerts) == 3  # recorded, not delivered
    receiver.fail_next, receiver.hold = 0, 0.5
    later = start + timedelta(minutes=1)

    def runner(_: int) -> RunReport:  # its own store and state, as a second process has
        own = alert_backend.open()
        own_state = own.alert_state()
        try:
            return run(own, [rule], own_state, later, send)
        finally:
            own_state.close()
            own.close()

    with ThreadPoolExecutor(2) as pool:
        reports = list(pool.map(runner, range(2)))
    assert len(receiver.posts) == 3
    assert sum(r.deliveries["delivered"] for r in reports) == 3
    assert [d.attempts for a in state.history() for d in a.deliveries] == [2, 2, 2]
    assert state.undelivered() == []


class Meeting:
    """An alert state whose runner, having evaluated a rule, waits to commit until the
    other runner has evaluated it too: both found the same alerts."""

    def __init__(self, state: AlertState, barrier: threading.Barrier) -> None:
        self.state, self.barrier = state, barrier

    def commit(self, rule: str, **outcome: Any) -> None:
        self.barrier.wait(timeout=60)
        self.state.commit(rule, **outcome)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.state, name)


def test_two_runners_on_the_same_events_record_each_alert_once(
    alert_backend, store, state, tmp_path, receiver: Receiver
) -> None:  # type: ignore[no-untyped-def]
    add_events(store, *story(1), *story(2))
    rule = write_rule(tmp_path, notify=[receiver.url])
    barrier, at = threading.Barrier(2), now()

    def runner(i: int) -> RunReport:
        own = alert_backend.open()
        own_state = own.alert_state()
        try:
            return run(own, [rule], Meeting(own_state, barrier), at + timedelta(seconds=i), send)
        finally:
            own_state.close()
            own.close()

    with ThreadPoolExecutor(2) as pool:
        reports = list(pool.map(runner, range(2)))
    assert sorted(len(r.alerts) for r in reports) == [0, 2]
    assert [bool(r.errors) for r in sorted(reports, key=lambda r: len(r.alerts))] == [True, False]
    assert len(state.history()) == 2 and len(receiver.posts) == 2


def test_a_crashed_runners_claim_is_retried_once_its_lease_runs_out(
    store, state, tmp_path, receiver: Receiver
) -> None:  # type: ignore[no-untyped-def]
    add_events(store, *story(1))
    rule = write_rule(tmp_path, notify=[receiver.url])
    receiver.fail_next = 1
    start = now()
    [alert] = run(store, [rule], state, start, send).alerts
    crashed = store.alert_state()  # claims the alert, then dies before sending
    assert [a.id for a in crashed.claim([alert.id], start, start + LEASE)] == [alert.id]
    assert crashed.claim([alert.id], start, start + LEASE) != []  # its own claim, renewed
    assert state.claim([alert.id], start, start + LEASE) == []  # held by the other
    held = run(store, [rule], state, start + timedelta(minutes=1), send)
    assert receiver.posts == [] and not held.deliveries
    after = run(store, [rule], state, start + LEASE + timedelta(minutes=1), send)
    assert after.deliveries["delivered"] == 1 and len(receiver.posts) == 1
    crashed.close()


def test_history_is_searchable(store, state, tmp_path) -> None:  # type: ignore[no-untyped-def]
    add_events(store, *story(1), *story(2, initiator=["JP"]))
    run(store, [write_rule(tmp_path)], state)
    assert len(state.history(rule="test-rule")) == 2
    assert len(state.history(text='"JP"')) == 1
    assert state.history(rule="other") == []


def test_alert_state_lives_in_the_store(store: Store) -> None:
    opened: AlertState = store.alert_state()
    try:
        if isinstance(store, EmbeddedStore):
            assert isinstance(opened, SqliteAlertState)
            assert opened.path == store.root / "state.sqlite3"
        else:
            assert isinstance(store, ElasticStore) and isinstance(opened, ElasticAlertState)
            assert opened.store is store  # the store's client and credentials, no second set
            assert opened.state_index == f"{store.names.prefix}-alert-state"
    finally:
        opened.close()


def test_history_text_is_literal_on_the_embedded_store(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from econsec.store.embedded.alert_state import SqliteAlertState
    from econsec.store.embedded.store import EmbeddedStore

    store = EmbeddedStore(tmp_path / "s")
    state = SqliteAlertState(tmp_path / "s" / "state.sqlite3")
    try:
        add_events(store, *story(1))
        run(store, [write_rule(tmp_path / "rules")], state)
        assert len(state.history(text="test-rule")) == 1
        assert state.history(text="test_rule") == []  # `_` is not a wildcard
        assert state.history(text="%") == []
    finally:
        state.close()
        store.close()


def test_history_is_read_whole_and_once_across_pages(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store's scan, in pages of 4, over 10 events on ten days and 9 in one instant."""
    from tests.support import factories

    small_pages(monkeypatch)
    spread = [e for n in range(1, 11) for e in story(n, day=n)]
    crowd = [
        factories.event(factories.article(9_000 + i, day=20), "export_control.restriction")
        for i in range(9)
    ]
    add_events(store, *spread, *crowd)
    rule = write_rule(tmp_path / "rules")
    everything = rule.events(store)
    assert sorted(e.id for e in everything) == sorted(e.id for e in spread + crowd)
    since, until = datetime(2024, 5, 3, tzinfo=UTC), datetime(2024, 5, 20, 8, tzinfo=UTC)
    window = rule.events(store, since=since, until=until)
    wanted = [e.id for e in spread + crowd if since <= e.published <= until]
    assert sorted(e.id for e in window) == sorted(wanted) and len(wanted) == 17


def test_paging_returns_what_one_big_page_would(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Crowded seconds and a ceiling inside one: pages of 4 must not widen the window."""
    from tests.support import factories

    crowd = []
    for i, millis in enumerate([100] * 4 + [700] * 5):
        art = factories.article(7_000 + i, day=9)
        art.published = art.published.replace(microsecond=millis * 1000)
        crowd.append(factories.event(art, "export_control.restriction"))
    add_events(store, *crowd)
    rule = write_rule(tmp_path / "rules")
    until = datetime(2024, 5, 9, 8, 0, 0, 300_000, tzinfo=UTC)
    whole = store.search(rule.search_query(limit=100, until=until)).hits
    small_pages(monkeypatch)
    paged = rule.events(store, until=until)
    assert sorted(e.id for e in paged) == sorted(e.id for e in whole)


def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Both backends' scans read pages of 4, so that a few events span many pages."""
    from econsec.store.elastic import client
    from econsec.store.embedded import tantivy_index

    monkeypatch.setattr(tantivy_index, "SCAN_PAGE", 4)
    monkeypatch.setattr(client, "PAGE", 4)
