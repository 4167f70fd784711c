"""Title and summary joining (extractors.text): datelines cut, Title Case headlines truecased."""

from __future__ import annotations

import pytest

from extractors.text import SEPARATOR, is_title_case, join_item, strip_dateline, truecase


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("OSLO, June 2 (Reuters) - Norway tightened rules.", "Norway tightened rules."),
        ("LIMA (AP) — Peru signed a pact.", "Peru signed a pact."),
        ("(Newswire) -- The ministry said so.", "The ministry said so."),
        ("ROME — Italy vetoed the deal.", "Italy vetoed the deal."),
        ("SEOUL, Korea — Seoul vetoed it.", "Seoul vetoed it."),
        ("NATO: allies agree", "NATO: allies agree"),
        ("UK: new act in force", "UK: new act in force"),
        ("Madrid (Agency) - Spain froze assets.", "Spain froze assets."),
        # no dateline: unchanged
        ("Norway tightened rules on Monday.", "Norway tightened rules on Monday."),
        ("EU - China summit ends", "EU - China summit ends"),
        ("US-China talks resume", "US-China talks resume"),
        # nothing would be left
        ("OSLO (Reuters) - ", "OSLO (Reuters) - "),
        ("", ""),
    ],
)
def test_strip_dateline(text: str, expected: str) -> None:
    assert strip_dateline(text) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Norway Bans Exports Of Drone Parts To Russia", True),
        ("Norway bans exports of drone parts to Russia", False),
        ("Apple And Google", False),  # too short to tell a style from names
        ("EU AND US SIGN PACT ON CHIPS", False),  # capitals, not Title Case
    ],
)
def test_is_title_case(title: str, expected: bool) -> None:
    assert is_title_case(title) is expected


@pytest.mark.parametrize(
    ("title", "summary", "expected"),
    [
        (
            "Norway Bans Exports Of Drone Parts To Russia",
            "",
            "Norway bans exports of drone parts to Russia",
        ),
        # a word the summary capitalises mid-sentence is a name and keeps its capital
        (
            "Trade Ministry Adds Firms To Control List",
            "The Trade Ministry in Oslo said it added them.",
            "Trade Ministry adds firms to control list",
        ),
        # a word the summary writes in lower case is lowered even if not a known word
        (
            "Regulator Fines Widgetmakers Over Leaks",
            "Two widgetmakers were fined by the regulator.",
            "Regulator fines widgetmakers over leaks",
        ),
        # unknown words keep their capitals
        ("Quorvex Opens Zentrix Plant In Ohio", "", "Quorvex opens Zentrix plant in Ohio"),
        # not Title Case: untouched
        ("Norway bans exports of Drone parts", "", "Norway bans exports of Drone parts"),
    ],
)
def test_truecase(title: str, summary: str, expected: str) -> None:
    assert truecase(title, summary) == expected


def test_join_item() -> None:
    joined = join_item("OSLO (Reuters) - Norway Bans Exports Of Drone Parts", "ROME — It did.")
    assert joined == f"Norway bans exports of drone parts{SEPARATOR}It did."
    assert join_item(" Title ", "") == "Title"
