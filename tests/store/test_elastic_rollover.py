"""Rolling the write aliases over in the middle of the pipeline, on osmem-server: ids stay
unique across each alias and no alert fires twice.

osmem-server has neither `_rollover` nor ILM, so the rollover is done as Elasticsearch
does it: a new index created behind the alias, which becomes its write index in one
`_aliases` call, the old one staying readable.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from econsec.alerts.engine import run_rules
from econsec.alerts.notify import Outcome
from econsec.ingest import cycle
from econsec.ingest.feedfile import load_feeds
from econsec.models import Article, Event, SearchQuery, TaggedArticle
from econsec.store.elastic.alert_state import ElasticAlertState
from econsec.store.elastic.store import ElasticStore
from tests.support import factories
from tests.support.alerts import now, write_rule
from tests.support.backends import Backend
from tests.support.paths import FIXTURES

SILENT = lambda url, title, body: Outcome(True)  # noqa: E731
TYPE = "export_control.restriction"


@pytest.fixture
def es(osmem: Backend) -> Iterator[ElasticStore]:
    opened = osmem.open()
    assert isinstance(opened, ElasticStore)
    opened.init()
    yield opened
    opened.close()


def roll_over(es: ElasticStore, kind: str, generation: int) -> str:
    """Make the next generation the write index of the alias, as `_rollover` names it;
    the indices before it stay readable."""
    alias = es.names.alias(kind)
    client = es.calls.client
    new = f"{alias}-v1-{generation + 1:06d}"
    client.indices.create(index=new)
    actions = [
        {"add": {"index": index, "alias": alias, "is_write_index": False}}
        for index in client.indices.get_alias(name=alias).body
    ]
    actions.append({"add": {"index": new, "alias": alias, "is_write_index": True}})
    client.indices.update_aliases(actions=actions)
    return new


def ids_behind(es: ElasticStore, kind: str) -> Counter[str]:
    alias = es.names.alias(kind)
    hits = es.calls.client.search(index=alias, query={"match_all": {}}, size=1000, source=False)
    return Counter(hit["_id"] for hit in hits["hits"]["hits"])


def tag(es: ElasticStore, staged: list[str], feed: list[Article]) -> list[Event]:
    """What the tag stage does with the staged articles: one event each."""
    articles = [a for a in feed if a.id in staged]
    events = [factories.event(a, TYPE) for a in articles]
    return es.save_tagged([TaggedArticle(a, b"", []) for a in articles], events)


def test_a_rollover_mid_stream_recreates_nothing_and_alerts_once(
    es: ElasticStore, tmp_path: Path
) -> None:
    rule = write_rule(tmp_path, name="every-event")
    state = ElasticAlertState(es)
    feed = [factories.article(n, day=n) for n in (1, 2, 3)]

    # cycle 1, with both aliases rolled over between staging and tagging
    staged = es.stage_articles(feed)
    assert len(staged) == 3
    roll_over(es, "articles", 1)
    roll_over(es, "events", 1)
    assert len(tag(es, staged, feed)) == 3
    assert es.index_pending().events_indexed == 3
    first = run_rules(es, [rule], state, now=now(), sender=SILENT)
    assert len(first.alerts) == 3

    # cycle 2: the feed still carries the three, and brings one more, after another rollover
    roll_over(es, "articles", 2)
    roll_over(es, "events", 2)
    feed.append(factories.article(4, day=4))
    staged = es.stage_articles(feed)
    assert staged == [feed[3].id]
    assert [e.article_id for e in tag(es, staged, feed)] == [feed[3].id]
    es.index_pending()
    second = run_rules(es, [rule], state, now=now(), sender=SILENT)
    assert len(second.alerts) == 1

    # cycle 3: the same events saved again (a rerun of the tag task) create nothing
    articles = [TaggedArticle(a, b"", []) for a in feed]
    assert es.save_tagged(articles, [factories.event(a, TYPE) for a in feed]) == []
    es.index_pending()
    third = run_rules(es, [rule], state, now=now(), sender=SILENT)
    assert third.alerts == []

    for kind in ("articles", "events"):
        counted = ids_behind(es, kind)
        assert len(counted) == 4 and set(counted.values()) == {1}, (kind, counted)
    alerted = Counter(event_id for alert in state.history() for event_id in alert.event_ids)
    assert len(alerted) == 4 and set(alerted.values()) == {1}
    assert es.search(SearchQuery(collapse=False)).total == 4
    assert es.counts()["untagged_articles"] == 0


def test_a_revision_after_a_rollover_updates_the_stored_copy(es: ElasticStore) -> None:
    """A changed text of an article that lives in the old index is revised there, tagged
    there, and its event updated where it is: still one of each behind the aliases."""
    article = factories.article(7, title="Ban on gallium exports")
    staged = es.stage_articles([article])
    tag(es, staged, [article])
    es.index_pending()
    old = {
        kind: es.calls.client.indices.get_alias(name=es.names.alias(kind)).body
        for kind in ("articles", "events")
    }
    roll_over(es, "articles", 1)
    roll_over(es, "events", 1)
    changed = factories.article(7, title="Ban on gallium and germanium exports")
    assert es.stage_articles([changed]) == [changed.id]
    assert tag(es, [changed.id], [changed]) == []  # the event exists: updated, not new
    es.index_pending()
    for kind in ("articles", "events"):
        counted = ids_behind(es, kind)
        assert set(counted.values()) == {1}, (kind, counted)
        [where] = old[kind]
        assert es.calls.client.count(index=where)["count"] == 1
    [hit] = es.search(SearchQuery(q="germanium", collapse=False)).hits
    assert hit.article_id == changed.id


@pytest.mark.slow
def test_whole_cycles_across_a_rollover_index_nothing_again(
    osmem: Backend, es: ElasticStore, tagger: object, tmp_path: Path
) -> None:
    """The case as it happens: the real cycle over the same feeds before and after both
    aliases roll over, alert rules run after each."""
    settings = osmem.settings(feeds=str(FIXTURES / "cycle_feeds.yaml"))
    specs = load_feeds(settings.feeds)
    rule = write_rule(tmp_path, name="every-event")
    state = ElasticAlertState(es)
    first = cycle.run_cycle(specs, es, settings, tagger=tagger)  # type: ignore[arg-type]
    fired = run_rules(es, [rule], state, now=now(), sender=SILENT)
    assert first.tagging.new_events > 0 and fired.alerts
    roll_over(es, "articles", 1)
    roll_over(es, "events", 1)
    second = cycle.run_cycle(specs, es, settings, tagger=tagger)  # type: ignore[arg-type]
    assert second.new_articles == 0 and second.tagging.new_events == 0
    assert run_rules(es, [rule], state, now=now(), sender=SILENT).alerts == []
    for kind in ("articles", "events"):
        assert set(ids_behind(es, kind).values()) == {1}, kind
    assert sum(ids_behind(es, "events").values()) == first.tagging.new_events
