"""Faults between the store and the cluster, injected by a proxy in front of osmem-server:
429 and 5xx retried with backoff, rejected documents retried then reported, a server
that stops mid-bulk failing the cycle with a clear error, and a rerun that completes
with no event lost or duplicated."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from econsec.errors import StoreError
from econsec.ingest import cycle
from econsec.ingest.feedfile import load_feeds
from econsec.models import CycleReport, SearchQuery
from econsec.store import Store
from extractors.types import TaggedEvent, TagResult
from tests.support import factories
from tests.support.backends import BACKOFF, Backend
from tests.support.fault_proxy import FaultProxy


@pytest.fixture
def faulty(osmem: Backend, proxy: FaultProxy) -> Iterator[Store]:
    """A store on osmem through the proxy, set up before any fault is injected."""
    store = osmem.behind(proxy).open(es_bulk_chunk_size=2)
    store.counts()
    yield store
    store.close()


def articles(count: int) -> list:  # type: ignore[type-arg]
    return [factories.article(n) for n in range(1, count + 1)]


@pytest.mark.parametrize(("status", "path"), [(429, "_search"), (503, "_count"), (502, "_bulk")])
def test_busy_and_failing_answers_are_retried_with_backoff(
    faulty: Store, proxy: FaultProxy, status: int, path: str
) -> None:
    faulty.stage_articles(articles(1))
    faulty.index_pending()
    proxy.fail(2, status, match=path)
    started = time.monotonic()
    if path == "_bulk":
        assert len(faulty.stage_articles(articles(3))) == 2
    else:
        faulty.search(SearchQuery()) if path == "_search" else faulty.counts()
    assert proxy.count(f"-> fail {status}") == 2
    assert time.monotonic() - started >= BACKOFF * (1 + 2)  # two waits, doubling


def test_rejected_documents_are_retried(faulty: Store, proxy: FaultProxy) -> None:
    proxy.reject_items(2, status=429)
    assert len(faulty.stage_articles(articles(4))) == 4
    assert proxy.count("-> reject 429") == 2
    assert faulty.counts()["articles"] == 4


def test_documents_still_rejected_are_reported_never_dropped(
    faulty: Store, proxy: FaultProxy, osmem: Backend
) -> None:
    proxy.reject_items(3, status=429)  # the first try and both retries of the first chunk
    with pytest.raises(StoreError) as caught:
        faulty.stage_articles(articles(2))
    message = str(caught.value)
    assert f"index {osmem.prefix}-articles" in message
    assert "2 documents failed after 2 retries" in message
    assert factories.article(1).id in message and "es_rejected_execution_exception" in message
    assert faulty.counts()["articles"] == 0
    assert len(faulty.stage_articles(articles(2))) == 2  # a rerun writes them


def test_a_permanent_document_failure_is_not_retried(faulty: Store, proxy: FaultProxy) -> None:
    proxy.reject_items(5, status=400)
    with pytest.raises(StoreError, match="1 documents failed"):
        faulty.stage_articles(articles(1))
    assert proxy.count("-> reject 400") == 1


def test_server_stopped_mid_bulk_then_rerun_completes(
    faulty: Store, proxy: FaultProxy, osmem: Backend
) -> None:
    proxy.go_down(after=1, match="articles/_bulk")  # the first chunk of 2 passes
    with pytest.raises(StoreError) as caught:
        faulty.stage_articles(articles(6))
    message = str(caught.value)
    assert f"index {osmem.prefix}-articles" in message
    assert "stopped after 2 documents" in message and "cannot reach Elasticsearch" in message
    proxy.come_back()
    assert faulty.stage_articles(articles(6)) == [a.id for a in articles(6)[2:]]
    assert faulty.counts()["articles"] == 6


def test_unreachable_cluster_is_a_clear_error_without_secrets(
    osmem: Backend, proxy: FaultProxy
) -> None:
    proxy.go_down()
    url = proxy.url.replace("http://", "http://elastic:s3cret-pw@")
    store = Backend("osmem", osmem.root, url, osmem.prefix, osmem.options).open()
    with pytest.raises(StoreError) as caught:
        store.counts()
    assert "cannot reach Elasticsearch" in str(caught.value)
    assert f"{osmem.prefix}-events" in str(caught.value)
    assert "s3cret-pw" not in str(caught.value) and "s3cret-pw" not in store.location
    store.close()


class StubTagger:
    """A fast stand-in for the spaCy tagger: one or two events per article, by title."""

    def tag_many(self, items: Iterable[tuple[str, str]]) -> Iterator[TagResult]:
        for title, _ in items:
            types = ["export_control.ban"]
            if len(title) % 2 == 0:
                types.append("investment_screening.review")
            events = [TaggedEvent(type=t, status="enacted", evidence=title) for t in types]
            yield TagResult(events=events, technologies=["semiconductors"], in_scope=True)


def _cycle(backend: Backend, **overrides: object) -> tuple[CycleReport, set[str]]:
    store = backend.open(**overrides)
    settings = backend.settings(**overrides)
    try:
        report = cycle.run_cycle(load_feeds(settings.feeds), store, settings, tagger=StubTagger())  # type: ignore[arg-type]
        hits = store.search(SearchQuery(collapse=False, limit=1000)).hits
        assert store.counts()["unindexed_events"] == 0
    finally:
        store.close()
    return report, {h.id for h in hits}


def test_cycle_fails_clearly_when_the_server_stops_and_a_rerun_loses_nothing(
    osmem: Backend, proxy: FaultProxy, tmp_path: Path
) -> None:
    reference, expected = _cycle(Backend("embedded", tmp_path))
    assert reference.tagging.new_events == len(expected) > 4
    broken = osmem.behind(proxy)
    proxy.go_down(after=1, match="events/_bulk")
    with pytest.raises(StoreError, match=f"index {osmem.prefix}-events: saving events stopped"):
        _cycle(broken, es_bulk_chunk_size=2)
    proxy.come_back()
    rerun, found = _cycle(broken, es_bulk_chunk_size=2)
    assert found == expected
    assert rerun.new_articles == 0 and 0 < rerun.tagging.new_events < len(expected)
    again, found = _cycle(broken)
    assert found == expected and again.tagging.new_events == 0 and again.new_articles == 0
