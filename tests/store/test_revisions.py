"""An item republished under the same id with new text is a revision, on every backend: it is
staged again (first-seen time kept), re-tagged, and its events replaced; an event that still
holds keeps the moment it was first indexed, so alert rules never see it as new again."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from econsec.ingest.articles import content_hash
from econsec.models import Article, Quarantined, SearchQuery, TaggedArticle
from econsec.store import Store
from tests.support import factories

FIRST_SEEN = datetime(2024, 6, 1, tzinfo=UTC)


def revise(article: Article, summary: str, **extra: object) -> Article:
    """The same item fetched later with another lead."""
    update = {
        "summary": summary,
        "content_hash": content_hash(article.title, summary),
        "fetched": FIRST_SEEN + timedelta(days=3),
        **extra,
    }
    return article.model_copy(update=update)


def test_a_changed_text_is_staged_again_and_keeps_its_first_seen_time(store: Store) -> None:
    first = factories.article(1, summary="The ministry said so.")
    assert store.stage_articles([first]) == [first.id]
    store.save_tagged([TaggedArticle(first, b"", [])], [])
    assert store.stage_articles([first]) == []  # an identical repeat
    again = revise(first, "The ministry said licences start in August.")
    assert store.stage_articles([again]) == [again.id]
    [pending] = store.untagged_articles()
    assert pending.summary == again.summary and pending.fetched == FIRST_SEEN
    assert store.counts()["articles"] == 1


def test_an_id_twice_in_one_batch_is_staged_once_with_the_later_text(store: Store) -> None:
    """A feed that lists one item twice, edited between the copies, stages one article."""
    first = factories.article(1, summary="The ministry said so.")
    again = revise(first, "The ministry said licences start in August.")
    assert store.stage_articles([first, again]) == [first.id]
    [pending] = store.untagged_articles()
    assert pending.summary == again.summary


def test_a_revised_text_leaves_the_quarantine_and_an_identical_repeat_does_not(
    store: Store,
) -> None:
    """The tagger failed on the old text; the new one is a new chance."""
    first = factories.article(1, summary="The ministry said so.")
    store.stage_articles([first])
    held = Quarantined(
        article_id=first.id,
        feed=first.feed,
        title=first.title,
        reason="tagger failed",
        quarantined_at=FIRST_SEEN,
    )
    store.quarantine([held])
    assert store.stage_articles([first]) == [] and store.untagged_articles() == []
    again = revise(first, "The ministry said licences start in August.")
    assert store.stage_articles([again]) == [again.id]
    assert [a.summary for a in store.untagged_articles()] == [again.summary]
    assert store.quarantined() == []


def test_another_feed_with_the_same_url_and_its_own_text_revises_nothing(store: Store) -> None:
    first = factories.article(1, summary="The ministry said so.")
    store.stage_articles([first])
    section = revise(first, "A shorter lead.", feed="business")
    assert store.stage_articles([section]) == []
    [pending] = store.untagged_articles()
    assert pending.summary == first.summary


def test_a_revision_replaces_the_events_and_alerts_see_only_the_new_one(store: Store) -> None:
    article = factories.article(1, title="China curbs gallium exports", summary="Licences.")
    store.stage_articles([article])
    ban = factories.event(article, "export_control.ban")
    gone = factories.event(article, "export_control.restriction")
    assert store.save_tagged([TaggedArticle(article, b"", [])], [ban, gone]) == [ban, gone]
    store.index_pending()
    time.sleep(0.01)
    checkpoint = datetime.now(UTC)
    time.sleep(0.01)

    revised = revise(article, "Licences from August; a subsidy for refiners.")
    store.stage_articles([revised])
    [pending] = store.untagged_articles()
    still = factories.event(pending, "export_control.ban", evidence="Licences from August")
    added = factories.event(pending, "industrial_policy.subsidy")
    new = store.save_tagged([TaggedArticle(pending, b"", [])], [still, added])
    assert new == [added]
    store.index_pending()

    events = store.search(SearchQuery(collapse=False, limit=100)).hits
    assert sorted(h.type for h in events) == ["export_control.ban", "industrial_policy.subsidy"]
    by_type = {h.type: h for h in events}
    assert by_type["export_control.ban"].evidence == "Licences from August"
    assert by_type["export_control.ban"].summary == revised.summary
    fresh = store.search(SearchQuery(indexed_since=checkpoint, collapse=False, limit=100))
    assert [h.type for h in fresh.hits] == ["industrial_policy.subsidy"]
    assert store.get_event(gone.id) is None
    [stored] = store.search(SearchQuery(limit=10), "articles").hits
    assert stored.summary == revised.summary
    assert stored.fetched is not None and stored.fetched.date().isoformat() == "2024-06-01"
    counts = store.counts()
    assert (counts["events"], counts["unindexed_events"], counts["untagged_articles"]) == (2, 0, 0)


def test_tagging_again_without_a_revision_changes_nothing(store: Store) -> None:
    article = factories.article(1, title="Japan curbs chip tool exports")
    store.stage_articles([article])
    event = factories.event(article, "export_control.restriction")
    store.save_tagged([TaggedArticle(article, b"", [])], [event])
    store.index_pending()
    assert store.save_tagged([TaggedArticle(article, b"", [])], [event]) == []
    report = store.index_pending()
    assert report.events_indexed == 0
    assert store.search(SearchQuery(collapse=False)).total == 1
