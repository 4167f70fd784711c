"""How the Elasticsearch store reads, on osmem-server: user queries cannot start with a
wildcard, writes are visible to the next read without anyone asking for a refresh, and
reads longer than a page are one snapshot (a point in time, closed afterwards)."""

from __future__ import annotations

import pytest

from econsec.errors import QueryError
from econsec.models import SearchQuery, TaggedArticle
from econsec.store.elastic import client
from econsec.store.elastic import search as elastic_search
from econsec.store.elastic.store import ElasticStore
from econsec.store.hits import parse_instant
from tests.store.test_store_contract import fill
from tests.support import factories
from tests.support.backends import Backend
from tests.support.fault_proxy import FaultProxy


@pytest.mark.parametrize("q", ["*hip", "?hip", "title:*ban", "chips OR *ban"])
def test_a_leading_wildcard_is_a_query_error(es: ElasticStore, q: str) -> None:
    fill(es)
    with pytest.raises(QueryError, match="wildcard|first character"):
        es.search(SearchQuery(q=q))
    with pytest.raises(QueryError):
        es.check_query(q)
    with pytest.raises(QueryError):
        es.alert_state().history(text=q)


def test_a_trailing_wildcard_still_works(es: ElasticStore) -> None:
    fill(es)
    assert es.search(SearchQuery(q="expor*", collapse=False)).total >= 1


def test_writes_are_visible_to_the_next_read_without_a_refresh(
    osmem: Backend, proxy: FaultProxy
) -> None:
    """Each stage reads what the previous one wrote, and nothing asks for `_refresh` (which
    needs the `manage` privilege): the writes wait for the refresh instead."""
    store = osmem.behind(proxy).open()
    store.init()
    proxy.seen.clear()
    article = factories.article(1)
    assert store.stage_articles([article]) == [article.id]
    assert [a.id for a in store.untagged_articles()] == [article.id]
    store.save_tagged([TaggedArticle(article, b"", [])], [factories.event(article, "x.y")])
    assert store.counts()["unindexed_events"] == 1
    assert store.index_pending().events_indexed == 1
    assert store.search(SearchQuery(collapse=False)).total == 1
    store.close()
    assert proxy.count("_refresh") == 0, proxy.seen
    writes = [line for line in proxy.seen if "_bulk" in line]
    assert writes and all("refresh=wait_for" in line for line in writes), writes


def open_pits(backend: Backend) -> set[str]:
    """The points in time osmem-server holds open (its own listing API)."""
    admin = backend.admin()
    listed = admin.perform_request("GET", "/_search/point_in_time/_all").body
    admin.close()
    return {pit["pit_id"] for pit in listed.get("pits", [])}


def fill_days(store: ElasticStore, days: range) -> list[str]:
    articles = [factories.article(10 + day, day=day) for day in days]
    store.stage_articles(articles)
    events = [factories.event(a, "x.y") for a in articles]
    store.save_tagged([TaggedArticle(a, b"", []) for a in articles], events)
    store.index_pending()
    return [e.id for e in reversed(events)]  # newest first


def test_a_long_read_sees_one_snapshot_and_closes_its_point_in_time(
    osmem: Backend, es: ElasticStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages of two: an event indexed between two pages of an export is not in it (the
    PIT's snapshot), and once the read ends no PIT is left open."""
    newest_first = fill_days(es, range(2, 7))
    before = open_pits(osmem)
    monkeypatch.setattr(client, "PAGE", 2)
    export = es.scan(SearchQuery())
    head = [next(export).id, next(export).id]
    assert len(open_pits(osmem) - before) == 1
    fill_days(es, range(1, 2))  # older than all: it would come on the last page
    assert head + [hit.id for hit in export] == newest_first
    assert open_pits(osmem) == before
    assert len(list(es.scan(SearchQuery()))) == 6  # a new read sees it


def test_a_deep_page_closes_its_point_in_time(
    osmem: Backend, es: ElasticStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    newest_first = fill_days(es, range(1, 8))
    before = open_pits(osmem)
    monkeypatch.setattr(client, "PAGE", 2)
    monkeypatch.setattr(elastic_search, "MAX_WINDOW", 2)
    found = es.search(SearchQuery(collapse=False, offset=3, limit=3))
    assert [hit.id for hit in found.hits] == newest_first[3:6] and found.total == 7
    assert open_pits(osmem) == before


def test_a_cluster_without_the_pit_api_is_paged_without_one(
    osmem: Backend, proxy: FaultProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unmodified client (through the proxy) asks osmem-server for an Elasticsearch PIT,
    is told there is no such API, and pages with search_after alone, asking only once."""
    plain = Backend(osmem.name, osmem.root, proxy.url, osmem.prefix)  # no PlainJsonNode
    store = plain.open()
    assert isinstance(store, ElasticStore)
    newest_first = fill_days(store, range(1, 6))
    monkeypatch.setattr(client, "PAGE", 2)
    proxy.seen.clear()
    assert [hit.id for hit in store.scan(SearchQuery())] == newest_first
    assert [hit.id for hit in store.scan(SearchQuery())] == newest_first
    assert proxy.count("/_pit") == 1, proxy.seen
    store.close()


def test_a_story_with_more_copies_than_outlets_listed_keeps_its_first_report() -> None:
    """The outlets' inner hits stop at `OUTLETS_SHOWN`; the first copy comes apart."""
    latest = {"id": "b", "source": "B", "url": "https://b", "published": "2024-05-03T09:00:00Z"}
    first = {"id": "a", "published": "2024-05-03T08:00:00Z"}
    hit = {
        "_source": latest,
        "inner_hits": {
            "outlets": {"hits": {"hits": [{"_source": latest}]}},
            "first": {"hits": {"hits": [{"_source": first}]}},
        },
    }
    found = elastic_search._collapsed(hit, [])
    expected = (parse_instant(first["published"]), parse_instant(latest["published"]))
    assert (found.published, found.updated) == expected
    body = elastic_search.request(SearchQuery(), "events")
    (_, oldest) = body["collapse"]["inner_hits"]
    assert oldest["sort"] == elastic_search.OLDEST and oldest["size"] == 1
