"""The least-privileged writer (deploy/elasticsearch/roles/econsec_writer.json) has no
`manage` on the indices: nothing it runs after `econsec init` may change a mapping."""

from __future__ import annotations

from datetime import timedelta

from tests.support.alerts import now
from tests.support.backends import Backend
from tests.support.fault_proxy import FaultProxy


def test_claiming_alerts_on_indices_made_from_the_template_puts_no_mapping(
    osmem: Backend, proxy: FaultProxy
) -> None:
    osmem.open().init()
    store = osmem.behind(proxy).open()
    proxy.fail(5, 403, f"PUT /{osmem.prefix}-alerts/_mapping")  # as for a writer without manage
    state = store.alert_state()
    try:
        assert state.claim(["absent"], now(), now() + timedelta(minutes=5)) == []
    finally:
        state.close()
        store.close()
    assert proxy.count("_mapping -> fail") == 0 and proxy.count("_mapping -> pass") == 1


def test_an_alerts_index_older_than_leases_still_learns_the_claim_field(osmem: Backend) -> None:
    store = osmem.open()
    store.init()
    alias = f"{osmem.prefix}-alerts"
    admin = osmem.admin()
    (index,) = admin.indices.get_alias(name=alias)
    admin.indices.delete(index=index)
    admin.indices.create(
        index=index,
        aliases={alias: {"is_write_index": True}},
        mappings={"properties": {"id": {"type": "keyword"}}},
    )
    state = store.alert_state()
    try:
        state.claim(["absent"], now(), now() + timedelta(minutes=5))
        mapping = admin.indices.get_mapping(index=alias)[index]["mappings"]["properties"]
        assert mapping["claim"] == {"type": "object", "enabled": False}
    finally:
        state.close()
        store.close()
        admin.close()
