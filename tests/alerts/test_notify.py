"""Notify URLs: only the variables the operator allows are read, their values are
percent-encoded into the URL, and credentials never show where a URL is shown."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from econsec.alerts.notify import check_url, redact, send
from econsec.cli.main import app
from tests.support.alerts import Receiver, write_rule

PASSWORD = "p@ss/w:rd#?%&"  # every character that means something in a URL


def test_a_variable_not_allowed_is_refused_at_load_and_at_send(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, receiver: Receiver
) -> None:
    monkeypatch.setenv("ECONSEC_API_TOKEN", "the-api-token")
    with pytest.raises(ValueError, match="ECONSEC_API_TOKEN. is not a variable notify URLs may"):
        check_url(receiver.url + "/${ECONSEC_API_TOKEN}")
    outcome = send(receiver.url + "/${ECONSEC_API_TOKEN}", "title", "body")
    assert not outcome.ok and "ECONSEC_NOTIFY_VARIABLES" in (outcome.error or "")
    assert receiver.paths == []


def test_the_operator_chooses_which_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ECONSEC_NOTIFY_VARIABLES", "SLACK_WEBHOOK, TEAM_*")
    check_url("${SLACK_WEBHOOK}")
    check_url("json://hooks.example.com/${TEAM_TOKEN}")
    with pytest.raises(ValueError, match="ECONSEC_SECRET_HOOK"):
        check_url("${ECONSEC_SECRET_HOOK}")  # the default prefix no longer holds


def test_values_are_percent_encoded_into_the_url(
    monkeypatch: pytest.MonkeyPatch, receiver: Receiver
) -> None:
    monkeypatch.setenv("ECONSEC_SECRET_PASSWORD", PASSWORD)
    template = receiver.url.replace("json://", "json://analyst:${ECONSEC_SECRET_PASSWORD}@")
    check_url(template)
    outcome = send(template, "title", "body")
    assert outcome.ok, outcome.error
    assert receiver.paths == ["/hook"]
    [header] = receiver.auth
    assert base64.b64decode((header or "").removeprefix("Basic ")).decode() == f"analyst:{PASSWORD}"


def test_a_url_that_is_one_variable_is_taken_whole(
    monkeypatch: pytest.MonkeyPatch, receiver: Receiver
) -> None:
    monkeypatch.setenv("ECONSEC_SECRET_HOOK", receiver.url)
    assert send("${ECONSEC_SECRET_HOOK}", "title", "body").ok and receiver.paths == ["/hook"]


@pytest.mark.parametrize(
    ("url", "secret"),
    [
        ("json://analyst:hunter2@hooks.example.com/econsec", "hunter2"),
        ("mailtos://analyst:hunter2@mail.example.com", "hunter2"),
        ("slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ", "TIiajkdnlazkcOXrIdevi7FQ"),
        ("json://analyst:hunter2@hooks.example.com/${ECONSEC_SECRET_PATH}", "hunter2"),
    ],
)
def test_credentials_are_redacted_where_a_url_is_shown(url: str, secret: str) -> None:
    shown = redact(url)
    assert secret not in shown and shown.split("://")[0] == url.split("://")[0]


def test_alerts_list_json_shows_no_password(tmp_path: Path) -> None:
    write_rule(tmp_path, notify=["json://analyst:hunter2@hooks.example.com/econsec"])
    listed = CliRunner().invoke(app, ["alerts", "list", "--rules", str(tmp_path), "--json"])
    assert listed.exit_code == 0, listed.output
    [rule] = json.loads(listed.stdout)
    assert "hunter2" not in listed.stdout and rule["notify"][0].startswith("json://analyst:")
