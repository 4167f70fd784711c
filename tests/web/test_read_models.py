"""The read models turn hit records into what the API and the pages show: the API's JSON
keeps its shape, and HTML is made here from the records' spans."""

from __future__ import annotations

from datetime import UTC, datetime

from econsec.store.hits import ArticleHit, EventHit, Outlet
from econsec.web.read_models import EventStory, StorySource, hit_json
from econsec.web.safety import day, marked_evidence, minute

WHEN = datetime(2024, 5, 1, 8, 30, tzinfo=UTC)
HIT = EventHit(
    id="e1",
    type="export_control.ban",
    evidence="Gallium <ban> & more",
    published=WHEN,
    sources=(Outlet("Wire", "https://example.com/1"),),
    event_ids=("e1",),
    highlights=((0, 7), (8, 13)),
)


def test_the_api_hit_adds_the_marked_evidence_to_the_records_json() -> None:
    found = hit_json(HIT)
    assert list(found)[-2:] == ["highlights", "evidence_html"]
    assert found["evidence_html"] == "<b>Gallium</b> <b>&lt;ban&gt;</b> &amp; more"
    assert found["published"] == "2024-05-01T08:30:00Z" and found["source_count"] == 1
    assert str(marked_evidence(HIT)) == found["evidence_html"]


def test_a_hit_without_highlights_is_escaped_only() -> None:
    plain = EventHit(id="e2", evidence="a < b")
    assert hit_json(plain)["evidence_html"] == "a &lt; b"
    assert "highlights" not in plain.to_json() and "updated" not in plain.to_json()


def test_dates_on_the_pages() -> None:
    assert (day(WHEN), minute(WHEN), day(None), minute(None)) == (
        "2024-05-01",
        "2024-05-01 08:30",
        "",
        "",
    )


def test_an_event_story_as_the_api_gives_it() -> None:
    article = ArticleHit(id="a1", source="Wire", feed="wire", url="u", title="t", published=WHEN)
    story = EventStory(HIT, [StorySource(article, True)], 1, WHEN, None)
    assert story.to_json() == {
        "event": HIT.to_json(),
        "sources": [
            {
                "id": "a1",
                "source": "Wire",
                "feed": "wire",
                "url": "u",
                "title": "t",
                "published": "2024-05-01T08:30:00Z",
                "reports_event": True,
            }
        ],
        "outlets": 1,
        "first": "2024-05-01T08:30:00Z",
        "updated": "",
    }
