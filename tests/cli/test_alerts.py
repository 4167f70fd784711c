"""`econsec alerts …` end to end on a real embedded store, and `run` on osmem-server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from econsec.cli.main import app
from econsec.store.embedded.store import EmbeddedStore
from tests.support.alerts import Receiver, add_events, story, write_rule
from tests.support.backends import Backend
from tests.support.fault_proxy import FaultProxy

runner = CliRunner()


def test_run_json_twice_fires_nothing_new(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    add_events(store, *story(1, copies=3), *story(2))
    store.close()
    write_rule(tmp_path / "rules")
    args = [
        "alerts",
        "run",
        "--rules",
        str(tmp_path / "rules"),
        "--store",
        str(tmp_path / "store"),
        "--json",
    ]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert len(json.loads(first.stdout)) == 2
    second = runner.invoke(app, args)
    assert second.exit_code == 0 and json.loads(second.stdout) == []
    history = runner.invoke(
        app, ["alerts", "history", "--store", str(tmp_path / "store"), "--json"]
    )
    assert len(json.loads(history.stdout)) == 2


def test_test_is_a_backtest_with_counts(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    add_events(store, *story(1, copies=2))
    store.close()
    write_rule(tmp_path / "rules")
    result = runner.invoke(
        app,
        [
            "alerts",
            "test",
            "test-rule",
            "--since",
            "5000d",
            "--rules",
            str(tmp_path / "rules"),
            "--store",
            str(tmp_path / "store"),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["events"], summary["stories"], summary["alerts"]) == (2, 1, 1)


def test_validate_names_file_and_field(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("name: bad\ncondition: {type: frequency, window: 7d}\n")
    result = runner.invoke(app, ["alerts", "validate", str(tmp_path)])
    assert result.exit_code == 1
    assert "bad.yaml: condition.count: required" in result.output


def test_list_and_validate_the_examples(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ECONSEC_RULES", str(Path(__file__).resolve().parents[2] / "rules"))
    assert runner.invoke(app, ["alerts", "validate"]).exit_code == 0
    listed = runner.invoke(app, ["alerts", "list", "--json"])
    assert {r["name"] for r in json.loads(listed.stdout)} >= {"huawei-europe"}


def test_run_against_osmem_through_the_cli(
    osmem: Backend, proxy: FaultProxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI's own client reaches osmem-server through the proxy (plain media types)."""
    monkeypatch.setenv("ECONSEC_ES_INDEX_PREFIX", osmem.prefix)
    store = osmem.open()
    add_events(store, *story(1, copies=3), *story(2))
    store.close()
    write_rule(tmp_path / "rules")
    args = ["alerts", "run", "--rules", str(tmp_path / "rules"), "--store", proxy.url, "--json"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert sorted(len(a["event_ids"]) for a in json.loads(first.stdout)) == [1, 3]
    second = runner.invoke(app, args)
    assert second.exit_code == 0 and json.loads(second.stdout) == [], second.output
    history = runner.invoke(app, ["alerts", "history", "--store", proxy.url, "--json"])
    assert history.exit_code == 0 and len(json.loads(history.stdout)) == 2
    found = runner.invoke(
        app, ["alerts", "history", "--store", proxy.url, "--text", "chips", "--json"]
    )
    assert len(json.loads(found.stdout)) == 2


SEVERAL = "name: bad\ncondition: {type: frequency, window: 7 days}\ndigest: weekly\n"


def test_validate_shows_every_error_of_every_file_and_takes_one_file(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(SEVERAL)
    (tmp_path / "worse.yaml").write_text("name: worse\nquery: 'title:*'\ncolour: red\n")
    (tmp_path / "good.yaml").write_text("name: good\ncondition: {type: any}\n")
    result = runner.invoke(app, ["alerts", "validate", str(tmp_path)])
    assert result.exit_code == 1
    for line in (
        "bad.yaml: condition.window: not a duration",
        "bad.yaml: condition.count: required",
        "bad.yaml: digest:",
        "worse.yaml: condition: required",
        "worse.yaml: colour: unknown option",
        "worse.yaml: query: query 'title:*'",
        f"ok    {tmp_path / 'good.yaml'}",
        "1 valid, 2 invalid: 1 rules",
    ):
        assert line in result.output
    alone = runner.invoke(app, ["alerts", "validate", str(tmp_path / "good.yaml")])
    assert alone.exit_code == 0 and "1 valid, 0 invalid" in alone.output


def test_list_and_run_use_the_good_rules_and_report_the_bad(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    add_events(store, *story(1))
    store.close()
    write_rule(tmp_path / "rules")
    (tmp_path / "rules" / "bad.yaml").write_text(SEVERAL)
    listed = runner.invoke(app, ["alerts", "list", "--rules", str(tmp_path / "rules"), "--json"])
    assert listed.exit_code == 1
    assert [r["name"] for r in json.loads(listed.stdout)] == ["test-rule"]
    assert "bad.yaml: condition.count: required" in listed.stderr
    args = ["alerts", "run", "--rules", str(tmp_path / "rules"), "--store", str(tmp_path / "store")]
    ran = runner.invoke(app, [*args, "--json"])
    assert ran.exit_code == 1 and len(json.loads(ran.stdout)) == 1
    assert "bad.yaml: digest:" in ran.stderr


def test_silence_is_listed_holds_the_rule_back_and_is_lifted(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    add_events(store, *story(1, initiator=["CN"]), *story(2, initiator=["JP"]))
    store.close()
    write_rule(tmp_path / "rules", group_by="initiator")
    where = ["--rules", str(tmp_path / "rules"), "--store", str(tmp_path / "store")]
    silenced = runner.invoke(
        app, ["alerts", "silence", "test-rule", "--for", "2d", "--group", "CN", *where]
    )
    assert silenced.exit_code == 0, silenced.output
    assert "silenced test-rule (initiator=CN) until" in silenced.stdout
    listed = runner.invoke(app, ["alerts", "list", *where, "--json"])
    [rule] = json.loads(listed.stdout)
    assert [s["group"] for s in rule["silenced"]] == ["initiator=CN"]
    fired = runner.invoke(app, ["alerts", "run", *where, "--json"])
    assert [a["group"] for a in json.loads(fired.stdout)] == ["initiator=JP"]
    lifted = runner.invoke(app, ["alerts", "unsilence", "test-rule", *where])
    assert lifted.exit_code == 0 and "lifted 1 silence of test-rule" in lifted.stdout
    again = runner.invoke(app, ["alerts", "unsilence", "test-rule", *where])
    assert again.exit_code == 1
    listed = runner.invoke(app, ["alerts", "list", *where, "--json"])
    assert json.loads(listed.stdout)[0]["silenced"] == []


def test_silence_refuses_a_bad_duration_and_a_group_of_an_ungrouped_rule(tmp_path: Path) -> None:
    EmbeddedStore(tmp_path / "store").close()
    write_rule(tmp_path / "rules", condition={"type": "frequency", "count": 2, "window": "1d"})
    where = ["--rules", str(tmp_path / "rules"), "--store", str(tmp_path / "store")]
    bad = runner.invoke(app, ["alerts", "silence", "test-rule", "--for", "2 days", *where])
    assert bad.exit_code == 2 and "not a duration" in bad.output
    ungrouped = runner.invoke(
        app, ["alerts", "silence", "test-rule", "--for", "2d", "--group", "CN", *where]
    )
    assert ungrouped.exit_code == 2 and "not grouped" in ungrouped.output


def test_notify_test_posts_to_each_channel_and_says_what_it_answered(
    tmp_path: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ECONSEC_SECRET_UNSET_HOOK", raising=False)
    write_rule(tmp_path / "rules", notify=[receiver.url, "${ECONSEC_SECRET_UNSET_HOOK}"])
    where = ["--rules", str(tmp_path / "rules")]
    result = runner.invoke(app, ["alerts", "notify-test", "test-rule", *where, "--json"])
    assert result.exit_code == 1
    said = json.loads(result.stdout)
    assert said[next(iter(said))]["ok"] is True
    assert "ECONSEC_SECRET_UNSET_HOOK is not set" in said["${ECONSEC_SECRET_UNSET_HOOK}"]["error"]
    [post] = receiver.posts
    assert post["title"] == "[econsec] test-rule: test notification"
    assert "nothing needs doing" in post["message"]


def test_notify_test_of_a_rule_without_channels_fails(tmp_path: Path) -> None:
    write_rule(tmp_path / "rules")
    where = ["--rules", str(tmp_path / "rules")]
    result = runner.invoke(app, ["alerts", "notify-test", "test-rule", *where])
    assert result.exit_code == 1 and "has no channels" in result.output


def test_list_shows_the_rules_when_the_store_cannot_be_read(tmp_path: Path) -> None:
    write_rule(tmp_path / "rules")
    where = ["--rules", str(tmp_path / "rules"), "--store", str(tmp_path / "missing")]
    listed = runner.invoke(app, ["alerts", "list", *where, "--json"])
    assert listed.exit_code == 1 and "silences not shown" in listed.stderr
    assert [r["name"] for r in json.loads(listed.stdout)] == ["test-rule"]


def test_a_rule_that_raises_at_run_time_is_reported_and_the_others_deliver(
    tmp_path: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fault no validation can foresee (here injected into the frequency condition):
    the run names the rule and its file, exits 1, and the other rule still delivers."""
    from econsec.alerts import conditions

    def broken(*_: object, **__: object) -> list[object]:
        raise RuntimeError("disk read failed")

    monkeypatch.setattr(conditions.FrequencyCondition, "matches", broken)
    store = EmbeddedStore(tmp_path / "store")
    add_events(store, *story(1), *story(2))
    store.close()
    rules = tmp_path / "rules"
    write_rule(rules, name="breaks", condition={"type": "frequency", "count": 1, "window": "1y"})
    write_rule(rules, name="delivers", notify=[receiver.url])
    args = ["alerts", "run", "--rules", str(rules), "--store", str(tmp_path / "store")]
    ran = runner.invoke(app, [*args, "--json"])
    assert ran.exit_code == 1, ran.output
    assert {alert["rule"] for alert in json.loads(ran.stdout)} == {"delivers"}
    assert f"{rules / 'breaks.yaml'}: RuntimeError: disk read failed" in ran.stderr
    assert len(receiver.posts) == 2
