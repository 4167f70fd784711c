"""A revised article on both backends (embedded, osmem-server): the event it still holds does
not fire again, however long after its first alert; the event it adds does."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from econsec.alerts.engine import run_rules
from econsec.alerts.notify import Outcome
from econsec.ingest.articles import content_hash
from econsec.models import TaggedArticle
from econsec.store import AlertState, Store
from tests.support import factories
from tests.support.alerts import now, restamp, write_rule

SILENT = lambda url, title, body: Outcome(True)  # noqa: E731


def test_an_unchanged_event_of_a_revised_article_fires_once(
    store: Store, state: AlertState, tmp_path: Path
) -> None:
    article = factories.article(1, title="China curbs gallium exports", summary="Licences.")
    store.stage_articles([article])
    ban = factories.event(article, "export_control.ban")
    store.save_tagged([TaggedArticle(article, b"", [])], [ban])
    store.index_pending()
    start = now()
    restamp(store, (start - timedelta(hours=10)).isoformat())  # indexed ten hours ago
    rule = write_rule(tmp_path, condition={"type": "any"}, realert="1m")  # realert holds nothing
    first = run_rules(store, [rule], state, now=start - timedelta(hours=10, minutes=-1))
    assert [a.event_ids for a in first.alerts] == [[ban.id]]
    quiet = run_rules(store, [rule], state, now=start - timedelta(hours=5), sender=SILENT)
    assert quiet.alerts == []  # the rule has forgotten which events it read

    summary = "Licences from August, and a subsidy for refiners."
    revised = article.model_copy(
        update={"summary": summary, "content_hash": content_hash(article.title, summary)}
    )
    store.stage_articles([revised])
    [pending] = store.untagged_articles()
    still = factories.event(pending, "export_control.ban", evidence="Licences from August")
    added = factories.event(pending, "industrial_policy.subsidy")
    store.save_tagged([TaggedArticle(pending, b"", [])], [still, added])
    store.index_pending()
    after = run_rules(store, [rule], state, now=now() + timedelta(minutes=1), sender=SILENT)
    assert [a.event_ids for a in after.alerts] == [[added.id]]
