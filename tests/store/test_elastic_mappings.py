"""The shipped templates, component templates and lifecycle policy, read as files and applied
to osmem-server: shared settings in one place, URLs that cannot reject a document, the
rollover naming, and a cluster set up by an earlier release moved to it."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

from econsec.models import SearchQuery, TaggedArticle
from econsec.store.elastic import lifecycle, templates
from econsec.store.elastic.store import ElasticStore
from econsec.store.elastic.templates import KINDS
from tests.support import factories
from tests.support.backends import Backend

LUCENE_TERM_BYTES = 32_766  # the longest term Lucene indexes; Elasticsearch rejects longer
LONG_URL = "https://example.com/" + "a" * 40_000


def url_fields(node: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "url" and isinstance(value, dict) and "type" in value:
                yield f"{path}.{key}", value
            else:
                yield from url_fields(value, f"{path}.{key}")


def test_every_template_takes_its_settings_from_the_one_component() -> None:
    shared = templates.load_json(templates.SETTINGS)
    assert shared["template"]["settings"]["number_of_shards"] == 1
    for kind in KINDS:
        template = templates.load_template(kind, "econsec")
        assert template["composed_of"] == ["econsec-settings"], kind
        assert "settings" not in template["template"], kind


def test_every_url_keyword_ignores_what_lucene_could_not_index() -> None:
    """At four bytes a character (the UTF-8 worst case) the limit stays under Lucene's."""
    found = 0
    for kind in KINDS:
        mappings = templates.load_template(kind, "econsec")["template"]["mappings"]
        for path, field in url_fields(mappings):
            found += 1
            assert field["type"] == "keyword", (kind, path)
            assert 0 < field["ignore_above"] * 4 <= LUCENE_TERM_BYTES, (kind, path)
    assert found >= 6


def test_an_over_long_url_is_stored_not_rejected(es: ElasticStore) -> None:
    """osmem-server does not enforce Lucene's term limit, so this shows the mapping is
    applied and the document kept whole; the limit itself is checked on the files above."""
    article = factories.article(1, url=LONG_URL)
    assert es.stage_articles([article]) == [article.id]
    es.save_tagged([TaggedArticle(article, b"", [])], [factories.event(article, "x.y")])
    es.index_pending()
    [hit] = es.search(SearchQuery(collapse=False)).hits
    assert hit.url == LONG_URL
    index = next(iter(es.calls.client.indices.get_alias(name=es.names.events).body))
    mapping = es.calls.client.indices.get_mapping(index=index).body[index]["mappings"]
    assert mapping["properties"]["url"]["ignore_above"] == 8191


def test_the_lifecycle_policy_rolls_over_and_deletes_nothing() -> None:
    policy = templates.load_json(templates.POLICY)
    assert list(policy["phases"]) == ["hot"]
    rollover = policy["phases"]["hot"]["actions"]["rollover"]
    assert any(condition.startswith("max_") for condition in rollover)
    settings = lifecycle.component("econsec", "econsec-events")["template"]["settings"]
    assert settings == {
        "index.lifecycle.name": "econsec-rollover",
        "index.lifecycle.rollover_alias": "econsec-events",
    }


def test_without_ilm_nothing_lifecycle_is_put_and_the_report_says_so(es: ElasticStore) -> None:
    report = es.init()
    [(name, action)] = report["lifecycle"].items()
    assert name == f"{es.names.prefix}-rollover" and "no ILM" in action
    for kind in lifecycle.ROLLED:
        [index] = es.calls.client.indices.get_alias(name=es.names.alias(kind)).body
        assert lifecycle.GENERATION.search(index), index


def test_a_cluster_set_up_before_rollover_keeps_working_after_init(
    osmem: Backend, es: ElasticStore
) -> None:
    """Version 1 of the templates (settings inline, no URL limit) and `-v1` indices: init
    updates the templates, gives the old index the URL limit, and moves the write index to
    `-v1-000001`; what was stored stays readable and is not stored again."""
    admin = osmem.admin()
    for kind in KINDS:
        old = json.loads((templates.mappings_dir() / f"{kind}.json").read_text())
        alias = f"{osmem.prefix}-{kind}"
        old["template"]["settings"] = templates.load_json(templates.SETTINGS)["template"][
            "settings"
        ]
        for _, field in url_fields(old["template"]["mappings"]):
            field.pop("ignore_above")
        admin.indices.put_index_template(
            name=alias, index_patterns=[f"{alias}-v*"], version=1, template=old["template"]
        )
        admin.indices.create(index=f"{alias}-v1", aliases={alias: {"is_write_index": True}})
    feed = [factories.article(n) for n in (1, 2)]
    assert len(es.stage_articles(feed)) == 2

    report = es.init()
    events, articles = es.names.events, es.names.articles
    for alias in (events, articles):
        assert report["templates"][alias].startswith("updated from version 1")
        assert report["aliases"][alias] == (
            f"write index moved from {alias}-v1 to {alias}-v1-000001, which can roll over"
        )
    assert report["aliases"][es.names.feeds] == "exists"
    mapping = admin.indices.get_mapping(index=f"{articles}-v1").body
    assert mapping[f"{articles}-v1"]["mappings"]["properties"]["url"]["ignore_above"] == 8191
    assert es.init()["aliases"][articles] == "exists"  # moved once

    later = factories.article(3, url=LONG_URL)
    assert es.stage_articles([*feed, later]) == [later.id]
    stored = admin.search(index=articles, query={"match_all": {}}, size=10)["hits"]["hits"]
    assert Counter(hit["_index"] for hit in stored) == {
        f"{articles}-v1": 2,
        f"{articles}-v1-000001": 1,
    }
    admin.close()
