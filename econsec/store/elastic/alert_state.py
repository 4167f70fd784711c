"""The `AlertState` protocol on the Elasticsearch store, in two indices behind their aliases.

- `econsec-alerts`: one document per alert (`_id` = alert id), searchable by rule,
  group, event ids, evidence, fired time and delivery results;
- `econsec-alert-state`: one document per rule (`_id` = rule name) with its
  checkpoint, the events evaluated near it, when each group last fired, the
  values a `new_value` rule learned with its warm-up end, and an `outbox`: the
  alerts of the rule's last commit; and one document per silence (`_id`
  `silence:RULE:GROUP`, the field `silence`), apart from the rule's own, so that
  setting one never races a run's commit.

`commit` writes the rule document first, guarded by the `_seq_no` and
`_primary_term` read at the start of the run (a runner that raced another on
the same rule fails with a `StoreError` and records nothing), then creates its
alerts (op_type create: a replay never overwrites delivery results). A runner
claims an alert before sending it by writing a lease (`claim`: holder, until)
into its document, guarded by the version it read. The
outbox is replayed before the undelivered alerts are read, so an alert whose
checkpoint is committed is in the history before anything is sent, even after
a crash between the two writes. The store's client and settings are reused.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol

from elasticsearch import ApiError

from econsec.errors import QueryError, StoreError
from econsec.models import Alert, check_query_size
from econsec.store.elastic.client import WAIT_FOR, write_guard
from econsec.store.elastic.search import user_query
from econsec.store.protocols import Learned, Silence

if TYPE_CHECKING:
    from econsec.store.elastic.client import Calls
    from econsec.store.elastic.templates import Names


class Cluster(Protocol):
    """What the alert state needs of its `ElasticStore`: its client, set up on first use,
    and its index names (a protocol, so that the store and its state do not import each
    other)."""

    location: str
    names: Names

    @property
    def calls(self) -> Calls: ...


NEWEST = [{"fired_at": {"order": "desc"}}, {"id": {"order": "asc"}}]
OLDEST = [{"fired_at": {"order": "asc"}}, {"id": {"order": "asc"}}]
CLAIM_FIELD = {"claim": {"type": "object", "enabled": False}}  # holder and until, never searched
SILENCE_FIELD = {"silence": {"type": "object", "enabled": False}}  # group, until, created_at
WAITING = {"terms": {"deliveries.status": ["pending", "failed"]}}
TEXT_FIELDS = [
    "rule",
    "group",
    "title",
    "summary",
    "cluster_id",
    "event_ids",
    "deliveries.channel",
    "deliveries.error",
    "evidence.id",
    "evidence.title",
    "evidence.evidence",
    "evidence.url",
    "evidence.source",
    "evidence.initiator",
    "evidence.target",
    "evidence.countries",
    "evidence.type",
]


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


class RuleDoc:
    """One rule's state document as read, with the version that guards its next write."""

    def __init__(self, found: dict[str, Any] | None):
        self.source: dict[str, Any] = dict(found["_source"]) if found else {}
        self.guard = write_guard(found)

    def processed(self) -> dict[str, str]:
        return {item["id"]: item["at"] for item in self.source.get("processed") or []}

    def fired(self) -> dict[str, str]:
        return {item["group"]: item["at"] for item in self.source.get("last_fired") or []}

    def learned(self) -> dict[str, Learned]:
        return {
            item["field"]: Learned(
                set(item.get("values") or []), datetime.fromisoformat(item["warm_until"])
            )
            for item in self.source.get("learned") or []
        }


class ElasticAlertState:
    """Alert history and rule state in the cluster of an `ElasticStore`."""

    def __init__(self, store: Cluster):
        self.store = store
        self.location = store.location
        self.alerts_index = store.names.alerts
        self.state_index = store.names.alert_state
        self._docs: dict[str, RuleDoc] = {}
        self.holder = uuid.uuid4().hex  # whose claims are whose, between runners
        self._mapped = False

    @property
    def calls(self) -> Calls:
        return self.store.calls  # the store's client; set up on first use

    # rule state ----------------------------------------------------------------

    def _read(self, rule: str) -> RuleDoc:
        """Read the rule's document (realtime GET: no refresh needed) and remember its version."""
        calls = self.calls
        request = partial(calls.client.get, index=self.state_index, id=rule)
        try:
            found = dict(
                calls.run(self.state_index, f"reading rule {rule!r}", request, expect=(404,))
            )
        except ApiError:
            found = None
        self._docs[rule] = RuleDoc(found)
        return self._docs[rule]

    def _doc(self, rule: str) -> RuleDoc:
        return self._docs.get(rule) or self._read(rule)

    def checkpoint(self, rule: str) -> datetime | None:
        at = self._read(rule).source.get("checkpoint")  # the start of a run: read afresh
        return datetime.fromisoformat(at) if at else None

    def processed(self, rule: str, event_ids: list[str]) -> set[str]:
        return set(self._doc(rule).processed()) & set(event_ids)

    def last_fired(self, rule: str, group: str) -> datetime | None:
        at = self._doc(rule).fired().get(group)
        return datetime.fromisoformat(at) if at else None

    def learned(self, rule: str, field: str) -> Learned | None:
        return self._doc(rule).learned().get(field)

    def commit(
        self,
        rule: str,
        *,
        alerts: list[Alert],
        processed: list[str],
        checkpoint: datetime,
        learned: dict[str, Learned],
        forget_before: datetime,
    ) -> None:
        doc = self._doc(rule)
        at = _iso(checkpoint)
        done = doc.processed()
        done.update({event_id: at for event_id in processed if event_id not in done})
        done = {k: v for k, v in done.items() if datetime.fromisoformat(v) >= forget_before}
        fired = doc.fired()
        for alert in alerts:
            fired[alert.group] = _iso(alert.fired_at)
        values = doc.learned()
        for name, seen in learned.items():
            known = values[name].values if name in values else set()
            values[name] = Learned(known | seen.values, seen.warm_until)
        outbox = [alert.model_dump(mode="json") for alert in alerts]
        source: dict[str, Any] = {
            "rule": rule,
            "checkpoint": at,
            "updated_at": _iso(datetime.now(UTC)),
            "processed": [{"id": k, "at": v} for k, v in sorted(done.items())],
            "last_fired": [{"group": g, "at": t} for g, t in sorted(fired.items())],
            "learned": [
                {"field": f, "values": sorted(v.values), "warm_until": _iso(v.warm_until)}
                for f, v in sorted(values.items())
            ],
            "outbox": outbox,
        }
        self._write_rule(rule, doc, source)
        self._create(outbox)

    def _write_rule(self, rule: str, doc: RuleDoc, source: dict[str, Any]) -> None:
        calls, index = self.calls, self.state_index
        write = partial(
            calls.client.index, index=index, id=rule, document=source, refresh=WAIT_FOR, **doc.guard
        )
        try:
            written = calls.run(index, f"committing rule {rule!r}", write, expect=(409,))
        except ApiError as exc:
            self._docs.pop(rule, None)
            raise StoreError(
                self.location,
                f"index {index}: rule {rule!r} was committed by another run meanwhile; "
                "this run's outcome was dropped (the next run evaluates those events again)",
            ) from exc
        self._docs[rule] = RuleDoc(
            {
                "_source": source,
                "_seq_no": written["_seq_no"],
                "_primary_term": written["_primary_term"],
            }
        )

    # silences ------------------------------------------------------------------

    def silence(self, silence: Silence) -> None:
        calls, index = self.calls, self.state_index
        self._silenceable()
        document = {
            "rule": silence.rule,
            "silence": {
                "group": silence.group,
                "until": _iso(silence.until),
                "created_at": _iso(silence.created_at),
            },
        }
        write = partial(
            calls.client.index,
            index=index,
            id=f"silence:{silence.rule}:{silence.group}",
            document=document,
            refresh=WAIT_FOR,
        )
        calls.run(index, f"silencing rule {silence.rule!r}", write)

    def unsilence(self, rule: str, group: str | None = None) -> int:
        calls, index = self.calls, self.state_index
        lifted = 0
        for found in self._silences(rule):
            if group is None or found.group == group:
                delete = partial(
                    calls.client.delete,
                    index=index,
                    id=f"silence:{rule}:{found.group}",
                    refresh=WAIT_FOR,
                )
                try:
                    calls.run(index, f"lifting a silence of {rule!r}", delete, expect=(404,))
                except ApiError:
                    continue  # lifted meanwhile by another command
                lifted += 1
        return lifted

    def silences(self, now: datetime, rule: str | None = None) -> list[Silence]:
        return [s for s in self._silences(rule) if s.until > now]

    def _silences(self, rule: str | None) -> list[Silence]:
        """Every stored silence (a few documents among the rules'), expired ones too."""
        query = {"term": {"rule": rule}} if rule else {"match_all": {}}
        hits = self.calls.scan(
            self.state_index, query, [{"rule": {"order": "asc"}}], source=["rule", "silence"]
        )
        found = []
        for hit in hits:
            kept = hit["_source"].get("silence")
            if kept:
                found.append(
                    Silence(
                        hit["_source"]["rule"],
                        kept["group"],
                        datetime.fromisoformat(kept["until"]),
                        datetime.fromisoformat(kept["created_at"]),
                    )
                )
        return sorted(found, key=lambda s: (s.rule, s.group))

    def _silenceable(self) -> None:
        """A state index made before silences existed learns the field."""
        self._learn_fields(self.state_index, SILENCE_FIELD)

    # alerts --------------------------------------------------------------------

    def _create(self, alerts: list[dict[str, Any]]) -> None:
        """Create alerts (409: already there, delivery results kept), searchable on return."""
        if not alerts:
            return
        actions = ({"_op_type": "create", "_id": a["id"], "_source": a} for a in alerts)
        self.calls.bulk(self.alerts_index, "recording alerts", actions)

    def _replay_outboxes(self) -> None:
        """Every rule's last committed alerts, in case a crash came between the two writes."""
        hits = self.calls.scan(
            self.state_index, {"match_all": {}}, [{"rule": {"order": "asc"}}], source=["outbox"]
        )
        self._create([a for hit in hits for a in hit["_source"].get("outbox") or []])

    def claim(self, alert_ids: list[str], now: datetime, until: datetime) -> list[Alert]:
        """Each alert read with its version, its lease tested, then written back with the
        lease, guarded by that version: of two runners, one write wins, the other skips."""
        self._claimable()
        claimed = []
        for alert_id in alert_ids:
            found = self._get_alert(alert_id)
            if found is None:
                continue
            source = dict(found["_source"])
            alert, lease = Alert.model_validate(source), source.get("claim") or {}
            if not alert.undelivered or (
                lease.get("holder") not in (None, self.holder)
                and datetime.fromisoformat(lease["until"]) > now
            ):
                continue
            source["claim"] = {"holder": self.holder, "until": _iso(until)}
            if self._put_guarded(alert_id, source, found):
                claimed.append(alert)
        return claimed

    def _claimable(self) -> None:
        """Indices made before leases existed learn the field (see `_learn_fields`)."""
        if self._mapped:
            return
        self._learn_fields(self.alerts_index, CLAIM_FIELD)
        self._mapped = True

    def _learn_fields(self, index: str, properties: dict[str, Any]) -> None:
        """Put fields an index made by an older template lacks (adding one is always
        allowed). The mapping is read first: putting one needs the `manage` privilege,
        which a writer without it (the least it needs) lacks, and indices made from the
        template have them."""
        calls = self.calls
        read = partial(calls.client.indices.get_mapping, index=index)
        found = calls.run(index, "reading the mapping", read)
        mapped = [m.get("mappings", {}).get("properties", {}) for m in dict(found).values()]
        if not mapped or any(name not in have for have in mapped for name in properties):
            request = partial(calls.client.indices.put_mapping, index=index, properties=properties)
            calls.run(index, f"adding the field {', '.join(properties)}", request)

    def _get_alert(self, alert_id: str) -> dict[str, Any] | None:
        calls, index = self.calls, self.alerts_index
        request = partial(calls.client.get, index=index, id=alert_id)
        try:
            return dict(calls.run(index, f"reading alert {alert_id}", request, expect=(404,)))
        except ApiError:
            return None

    def _put_guarded(self, alert_id: str, source: dict[str, Any], read: dict[str, Any]) -> bool:
        calls, index = self.calls, self.alerts_index
        write = partial(
            calls.client.index,
            index=index,
            id=alert_id,
            document=source,
            refresh=WAIT_FOR,
            **write_guard(read),
        )
        try:
            calls.run(index, f"claiming alert {alert_id}", write, expect=(409,))
        except ApiError:
            return False  # another runner wrote it since it was read
        return True

    def save_deliveries(self, alert: Alert) -> None:
        """The alert as delivered so far, written whole: its lease is dropped with it."""
        calls, index = self.calls, self.alerts_index
        document = alert.model_dump(mode="json")
        write = partial(
            calls.client.index, index=index, id=alert.id, document=document, refresh=WAIT_FOR
        )
        calls.run(index, f"recording deliveries of alert {alert.id}", write)

    def undelivered(self, rule: str | None = None) -> list[Alert]:
        self._replay_outboxes()
        found = self._alerts(WAITING, rule, OLDEST, None)
        return [alert for alert in found if alert.undelivered]

    def history(
        self, rule: str | None = None, limit: int = 50, text: str | None = None
    ) -> list[Alert]:
        """Newest first; `text` is Lucene syntax over titles, evidence, group, ids, channels."""
        match = None
        if text and text.strip():
            check_query_size(text)
            match = user_query(text, TEXT_FIELDS)
        return self._alerts(match, rule, NEWEST, limit or None, text)

    def _alerts(
        self,
        match: dict[str, Any] | None,
        rule: str | None,
        sort: list[Any],
        limit: int | None,
        text: str | None = None,
    ) -> list[Alert]:
        clauses = [c for c in (match, {"term": {"rule": rule}} if rule else None) if c]
        query = {"bool": {"filter": clauses}} if clauses else {"match_all": {}}
        try:
            hits = list(self.calls.scan(self.alerts_index, query, sort, limit=limit))
        except StoreError as exc:
            if text and "400" in str(exc):
                raise QueryError(text, str(exc)) from exc
            raise
        return [Alert.model_validate(hit["_source"]) for hit in hits]

    def close(self) -> None:
        self._docs.clear()  # the client is the store's: closed with it
