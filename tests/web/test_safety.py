"""The helpers that stand between feed text and markup, on their own: links, redirect
targets and highlights (whatever a backend's highlighter returns)."""

from __future__ import annotations

import pytest

from econsec.store.elastic.search import MARK, UNMARK, spans
from econsec.timeparse import parse_until
from econsec.web.params import SearchParams
from econsec.web.safety import clean_highlight, local_path, mark, safe_href


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/a?b=1#c", "https://example.com/a?b=1#c"),
        ("  http://example.com/  ", "http://example.com/"),
        ("HTTPS://EXAMPLE.COM/", "HTTPS://EXAMPLE.COM/"),
        ("javascript:alert(1)", ""),
        ("JaVaScRiPt:alert(1)", ""),
        ("java\tscript:alert(1)", ""),
        ("java\nscript:alert(1)", ""),
        ("\x00javascript:alert(1)", ""),
        ("data:text/html,<script>alert(1)</script>", ""),
        ("vbscript:msgbox(1)", ""),
        ("//evil.example/path", ""),
        ("/relative/path", ""),
        ("https:///no-host", ""),
        ("https://exa mple.com/", ""),
        ("feeds/samples/meti_press.xml", ""),
        ("https://example.com/\u202egpj.exe", ""),  # shows as https://example.com/exe.jpg
        ("https://example.com/\u2067x\u2069", ""),
        ("https://example.com/\u200f", ""),
        (None, ""),
    ],
)
def test_only_plain_http_links_are_links(url: object, expected: str) -> None:
    assert safe_href(url) == expected


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/alerts?rule=x", "/alerts?rule=x"),
        ("/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example/", "/"),
        ("https://evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("/ok\r\nSet-Cookie: x=1", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_redirects_stay_on_this_site(target: str | None, expected: str) -> None:
    assert local_path(target) == expected


@pytest.mark.parametrize(
    ("marked", "expected"),
    [
        ("China bans <b>gallium</b> exports", "China bans <b>gallium</b> exports"),
        ("&lt;script&gt; <b>x</b>", "&lt;script&gt; <b>x</b>"),
        ("<script>alert(1)</script> <b>x</b>", "alert(1) <b>x</b>"),
        ('<img src=x onerror="alert(1)"><b onclick="alert(1)">x</b>', "<b>x</b>"),
        ('<a href="javascript:alert(1)">click</a>', "click"),
        ("<b>unclosed", "<b>unclosed</b>"),
        ("</b>stray</b>", "stray"),
        ("a &amp; b &quot;c&quot;", "a &amp; b &quot;c&quot;"),
    ],
)
def test_highlights_keep_text_and_bold_marks_only(marked: str, expected: str) -> None:
    assert str(clean_highlight(marked)) == expected


def test_a_bare_until_date_takes_in_the_whole_day() -> None:
    until = parse_until("2024-05-03")
    assert until is not None and until.isoformat() == "2024-05-03T23:59:59.999999+00:00"
    exact = parse_until("2024-05-03T12:00")
    assert exact is not None and exact.hour == 12


def test_search_urls_toggle_one_value_and_start_over_at_page_one() -> None:
    params = SearchParams(q="chips", filters={"type": ("a.b",)}, page=3)
    assert params.url() == "/?q=chips&type=a.b&page=3"
    assert params.toggled("type", "a.b").url() == "/?q=chips"
    assert params.toggled("initiator", "US Steel").url() == "/?q=chips&type=a.b&initiator=US+Steel"
    assert params.dated("2024-01-01", "2024-12-31").url() == (
        "/?q=chips&type=a.b&since=2024-01-01&until=2024-12-31"
    )


def test_mark_escapes_the_text_and_wraps_only_the_spans() -> None:
    text = "<script>x</script> gallium & germanium"
    marked = str(mark(text, [[19, 26], [29, 38], [100, 120]]))
    assert marked == "&lt;script&gt;x&lt;/script&gt; <b>gallium</b> &amp; <b>germanium</b>"
    assert str(mark("gallium", [[0, 4], [2, 7]])) == "<b>gall</b><b>ium</b>"  # overlaps clipped


def test_elastic_marks_become_the_same_spans() -> None:
    marked = f"China bans {MARK}gallium{UNMARK} and {MARK}germanium{UNMARK}"
    assert spans(marked) == [(11, 18), (23, 32)]
