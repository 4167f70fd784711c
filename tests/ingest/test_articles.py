from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from econsec.ingest.articles import canonical_url, content_hash, entry_date, plain_text, to_articles
from econsec.models import FeedSpec, stable_id

FETCHED = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
SPEC = FeedSpec(name="wire", url="/tmp/wire.xml", title="Wire")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://News.Example.com/a/b?utm_source=rss&utm_medium=feed#comments",
            "https://news.example.com/a/b",
        ),
        ("https://example.com:443/x?id=7&fbclid=abc", "https://example.com/x?id=7"),
        ("http://example.com:8080/x?b=2&a=1", "http://example.com:8080/x?a=1&b=2"),
        ("https://example.com", "https://example.com/"),
        ("not a url", "not a url"),
    ],
)
def test_canonical_url_strips_tracking_and_fragments(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>Tokyo &amp; Seoul</p><p>agree</p>", "Tokyo & Seoul agree"),
        ("Chip curbs<script>alert('x')</script> widen", "Chip curbs widen"),
        ("<img src=x onerror=alert(1)>Ban on <b>gallium</b>", "Ban on gallium"),
        ("it&#8217;s &lt;script&gt;", "it’s ‹script›"),
        ("", ""),
    ],
)
def test_plain_text_removes_markup_and_never_leaves_a_tag(html: str, text: str) -> None:
    assert plain_text(html) == text


def _entry(**fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "title": "Japan curbs chip tool exports",
        "summary": "The ministry said so.",
        "link": "https://example.com/a",
    }
    base.update(fields)
    return base


def test_entry_date_in_utc() -> None:
    parsed = time.strptime("2024-05-01 08:00", "%Y-%m-%d %H:%M")
    when, quality = entry_date({"published_parsed": parsed}, FETCHED)
    assert (when, quality) == (datetime(2024, 5, 1, 8, 0, tzinfo=UTC), "ok")


@pytest.mark.parametrize(
    ("raw", "utc_hour"),
    [
        ("Tue, 6 Jun 2023 18:00 JST", 9),
        ("Tue, 6 Jun 2023 18:00 CEST", 16),
        ("Tue, 6 Jun 2023 18:00 GMT", 18),
        ("Tue, 6 Jun 2023 18:00:00 +0900", 9),
    ],
)
def test_zone_abbreviations_feedparser_misses_are_applied(raw: str, utc_hour: int) -> None:
    import feedparser

    feed = f"<rss version='2.0'><channel><item><title>x</title><pubDate>{raw}</pubDate>"
    entry = feedparser.parse(feed + "</item></channel></rss>").entries[0]
    when, quality = entry_date(entry, FETCHED)
    assert (when.hour, quality) == (utc_hour, "ok")


@pytest.mark.parametrize(
    ("entry", "quality"),
    [
        ({}, "missing"),
        ({"published": "not a date"}, "unparseable"),
        ({"published_parsed": (FETCHED + timedelta(days=400)).timetuple()}, "future"),
    ],
)
def test_bad_dates_become_fetch_time_and_are_flagged(entry: dict, quality: str) -> None:
    assert entry_date(entry, FETCHED) == (FETCHED, quality)


def test_to_articles_drops_exact_repeats_and_empty_items_with_reasons() -> None:
    entries = [
        _entry(),
        _entry(link="https://example.com/a?utm_source=x"),  # same canonical URL
        _entry(link="https://example.com/b"),  # same text, other URL, same feed
        _entry(title="", summary="", link="https://example.com/c"),
    ]
    articles, dropped = to_articles(SPEC, entries, FETCHED, max_summary_chars=500)
    assert [a.url for a in articles] == ["https://example.com/a"]
    assert dropped == {"duplicate in feed": 2, "no title or summary": 1}


def test_article_id_is_stable_and_link_scheme_is_checked() -> None:
    first, _ = to_articles(SPEC, [_entry()], FETCHED, max_summary_chars=500)
    again, _ = to_articles(
        SPEC, [_entry(link="https://EXAMPLE.com/a#x")], FETCHED, max_summary_chars=500
    )
    assert first[0].id == again[0].id
    hostile, _ = to_articles(
        SPEC, [_entry(link="javascript:alert(1)", id="guid-1")], FETCHED, max_summary_chars=500
    )
    assert hostile[0].url == ""


def test_huge_summary_is_cut_and_flagged() -> None:
    articles, _ = to_articles(
        SPEC, [_entry(summary="word " * 100_000)], FETCHED, max_summary_chars=1000
    )
    assert articles[0].truncated
    assert len(articles[0].summary) <= 1002


def test_content_hash_ignores_case_and_spacing() -> None:
    assert content_hash("A  B", "c") == content_hash("a b", "C")


def test_an_item_with_no_link_and_no_guid_is_kept_under_an_id_from_feed_and_text() -> None:
    entries = [
        _entry(title="Only a title", link=""),
        _entry(title="", summary="Only a lead", link=""),
    ]
    articles, dropped = to_articles(SPEC, entries, FETCHED, max_summary_chars=500)
    assert [a.title for a in articles] == ["Only a title", "Only a lead"] and not dropped
    assert all(a.url == "" and not a.has_link for a in articles)
    again, _ = to_articles(SPEC, entries[:1], FETCHED, max_summary_chars=500)
    other_feed, _ = to_articles(
        FeedSpec(name="other", url="/tmp/other.xml"), entries[:1], FETCHED, max_summary_chars=500
    )
    assert again[0].id == articles[0].id != other_feed[0].id


def test_a_guid_repeated_with_other_text_is_two_articles_and_an_identical_repeat_one() -> None:
    docket = "https://court.example.gov/docket/23-101"
    filings = [
        _entry(title="Acme v. Commerce", summary="[12] Motion to dismiss", link=docket, id="d1"),
        _entry(title="Acme v. Commerce", summary="[13] Order granting stay", link=docket, id="d1"),
        _entry(title="Acme v. Commerce", summary="[13] Order granting stay", link=docket, id="d1"),
        _entry(title="No link", summary="first text", link="", id="g7"),
        _entry(title="No link", summary="second text", link="", id="g7"),
    ]
    articles, dropped = to_articles(SPEC, filings, FETCHED, max_summary_chars=500)
    assert [a.summary for a in articles] == [
        "[12] Motion to dismiss",
        "[13] Order granting stay",
        "first text",
        "second text",
    ]
    assert len({a.id for a in articles}) == 4 and dropped == {"duplicate in feed": 1}
    assert {a.url for a in articles[:2]} == {docket}
    reordered, _ = to_articles(SPEC, filings[::-1], FETCHED, max_summary_chars=500)
    assert {a.id for a in reordered} == {a.id for a in articles}


def test_a_single_entry_keeps_the_id_of_its_link() -> None:
    articles, _ = to_articles(SPEC, [_entry()], FETCHED, max_summary_chars=500)
    assert articles[0].id == stable_id("https://example.com/a") and articles[0].has_link


def test_relative_links_are_resolved_against_the_base() -> None:
    entries = [_entry(link="/news/1"), _entry(title="Second", link="story/2")]
    articles, _ = to_articles(
        SPEC, entries, FETCHED, max_summary_chars=500, base="https://pub.example.com/rss/all.xml"
    )
    assert [a.url for a in articles] == [
        "https://pub.example.com/news/1",
        "https://pub.example.com/rss/story/2",
    ]


def test_a_link_no_parser_reads_is_no_crash_with_a_base() -> None:
    entries = [_entry(link="http://[::1/x", id="https://example.com/g")]
    articles, _ = to_articles(
        SPEC, entries, FETCHED, max_summary_chars=500, base="https://b.example/"
    )
    assert [a.url for a in articles] == ["https://example.com/g"]


def test_huge_title_is_cut_and_flagged() -> None:
    """A megabyte of headline must not reach the store (or the tagger) whole."""
    articles, _ = to_articles(
        SPEC,
        [_entry(title="headline " * 120_000, summary="short")],
        FETCHED,
        max_summary_chars=1000,
        max_title_chars=300,
    )
    assert articles[0].truncated
    assert len(articles[0].title) <= 302 and articles[0].title.endswith(" …")
    assert articles[0].summary == "short"


def test_huge_title_without_a_space_is_cut_too() -> None:
    articles, _ = to_articles(
        SPEC, [_entry(title="x" * 1_000_000)], FETCHED, max_summary_chars=1000, max_title_chars=300
    )
    assert articles[0].truncated and len(articles[0].title) <= 302


def test_a_title_within_the_cap_is_left_alone() -> None:
    articles, _ = to_articles(
        SPEC, [_entry(title="Short headline")], FETCHED, max_summary_chars=1000, max_title_chars=300
    )
    assert articles[0].title == "Short headline" and not articles[0].truncated


def _feed_entry(raw: str) -> dict:
    import feedparser

    feed = f"<rss version='2.0'><channel><item><title>x</title><pubDate>{raw}</pubDate>"
    return feedparser.parse(feed + "</item></channel></rss>").entries[0]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    "raw",
    [
        "-0044-03-15",  # the Ides of March, 44 BC: feedparser reads it as a date of this decade
        "-0044-03-15T12:00:00Z",
        "Fri, 31 Mar 2023 09:00:00 +9999",  # no zone is 99 hours from UTC
        "2023-03-31T09:00:00+99:99",
        "2023-03-31T09:00:00-15:00",
        "2023-03-31T09:00:00+14:30",
        "Fri, 31 Mar 2023 09:00:00 +0975",
    ],
)
def test_impossible_dates_are_flagged_not_stored_as_ok(raw: str) -> None:
    assert entry_date(_feed_entry(raw), FETCHED) == (FETCHED, "unparseable")


@pytest.mark.parametrize(
    ("raw", "utc"),
    [
        ("Fri, 31 Mar 2023 09:00:00 +1400", datetime(2023, 3, 30, 19, tzinfo=UTC)),
        ("Fri, 31 Mar 2023 09:00:00 -1200", datetime(2023, 3, 31, 21, tzinfo=UTC)),
        ("2023-03-31T09:00:00+05:45", datetime(2023, 3, 31, 3, 15, tzinfo=UTC)),
        ("2023-03-31", datetime(2023, 3, 31, tzinfo=UTC)),
    ],
)
def test_real_offsets_at_the_edges_are_kept(raw: str, utc: datetime) -> None:
    assert entry_date(_feed_entry(raw), FETCHED) == (utc, "ok")


# Unicode's embeddings, overrides and isolates: they reorder whole runs of text on screen.
REORDERING = [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]
MARKS = ["\u200e", "\u200f", "\u061c"]  # left-to-right, right-to-left and Arabic letter marks


@pytest.mark.parametrize("control", REORDERING, ids=[f"U+{ord(c):04X}" for c in REORDERING])
def test_bidirectional_overrides_and_isolates_never_reach_stored_text(control: str) -> None:
    """`Invoice{RLO}fdp.exe` shows as `Invoiceexe.pdf`: a title must read as it is stored."""
    entry = _entry(title=f"Ban on {control}fdp.exe", summary=f"It{control} said so{control}.")
    (article,), _ = to_articles(
        SPEC, [entry], FETCHED, max_summary_chars=500, source=f"<b>Wire</b>{control}"
    )
    assert (article.title, article.summary) == ("Ban on fdp.exe", "It said so.")
    assert article.source == "Wire"


def test_bidirectional_marks_stay_in_text() -> None:
    """A mark moves only the punctuation beside it, as Hebrew and Arabic headlines need."""
    for mark in MARKS:
        assert (
            plain_text(f"\u05d7\u05d3\u05e9\u05d5\u05ea{mark}!")
            == f"\u05d7\u05d3\u05e9\u05d5\u05ea{mark}!"
        )


@pytest.mark.parametrize(
    "control", REORDERING + MARKS, ids=[f"U+{ord(c):04X}" for c in REORDERING + MARKS]
)
def test_a_link_holding_a_bidirectional_control_is_no_link(control: str) -> None:
    """No URL needs one; in an `href` it makes the address shown differ from the one
    followed. Such a link is dropped like a `javascript:` one, and so is such a guid."""
    entry = _entry(
        link=f"https://example.com/{control}fdp.exe", id=f"https://example.com/g{control}"
    )
    (article,), _ = to_articles(SPEC, [entry], FETCHED, max_summary_chars=500)
    assert article.url == "" and not article.has_link
