"""How the Elasticsearch store reads, on osmem-server: user queries cannot start with a
wildcard, and writes are visible to the next read without anyone asking for a refresh."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from econsec.errors import QueryError
from econsec.models import SearchQuery, TaggedArticle
from econsec.store.elastic.store import ElasticStore
from tests.store.test_store_contract import fill
from tests.support import factories
from tests.support.backends import Backend
from tests.support.fault_proxy import FaultProxy


@pytest.fixture
def es(osmem: Backend) -> Iterator[ElasticStore]:
    opened = osmem.open()
    assert isinstance(opened, ElasticStore)
    yield opened
    opened.close()


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
