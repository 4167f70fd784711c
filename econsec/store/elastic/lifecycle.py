"""Index lifecycle: events and articles, which only grow, roll over to a new write index.

The ILM policy `PREFIX-rollover` (`mappings/lifecycle.json`) rolls the write
alias of each over by age or shard size and deletes nothing. A rolled-over
index needs two settings naming the policy and its alias; the alias differs by
kind, so each kind has its own small component template `PREFIX-lifecycle-KIND`,
added to its index template only where the cluster has ILM. Where it has none
(OpenSearch; the osmem-server the tests use), nothing is put and the report says
so; the aliases can still be rolled over by hand (`POST PREFIX-events/_rollover`).
Either way ids stay unique across an alias (see `store`), so a rollover at any
moment re-creates nothing.

Rollover increments the number that ends an index name and refuses a name that
has none (`-v1`), so the first index of a rolled kind is `-v1-000001`. A
cluster set up before that has its write index moved once to such an index by
`number_generations`; the old index stays behind the alias, readable.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from elasticsearch import ApiError

from econsec.store.elastic.client import Calls

ROLLED = ("events", "articles")
FIRST = "000001"
GENERATION = re.compile(r"-\d+$")
COMPONENT_VERSION = 1


class _NoLifecycle(Exception):
    """The cluster has no ILM API."""


def policy_name(prefix: str) -> str:
    return f"{prefix}-rollover"


def apply(calls: Calls, prefix: str, policy: dict[str, Any]) -> tuple[dict[str, str], bool]:
    """Put the policy unless the cluster has its version; what was done, and whether the
    cluster manages lifecycles at all."""
    name = policy_name(prefix)
    try:
        current = _version(calls, name)
    except _NoLifecycle:
        return {name: "not put: this cluster has no ILM; roll the aliases over by hand"}, False
    if current == policy["_meta"]["version"]:
        return {name: "unchanged"}, True
    request = partial(calls.client.ilm.put_lifecycle, name=name, policy=policy)
    calls.run(name, "putting the lifecycle policy", request)
    return {name: "created" if current is None else f"updated from version {current}"}, True


def _version(calls: Calls, name: str) -> int | None:
    """The policy's `_meta.version` (-1 without one); None when there is no such policy."""
    request = partial(calls.client.ilm.get_lifecycle, name=name)
    try:
        found = calls.run(name, "reading the lifecycle policy", request, expect=(400, 404, 405))
    except ApiError as exc:
        body = str(exc.body)
        if "resource_not_found" in body:
            return None
        if exc.meta.status in (404, 405) or "no handler" in body:
            raise _NoLifecycle from exc
        raise calls.error(name, "reading the lifecycle policy", exc) from exc
    meta = found.get(name, {}).get("policy", {}).get("_meta") or {}
    return int(meta.get("version", -1))


def component(prefix: str, alias: str) -> dict[str, Any]:
    """The settings that hand a kind's new indices to the policy, rolling over `alias`."""
    settings = {
        "index.lifecycle.name": policy_name(prefix),
        "index.lifecycle.rollover_alias": alias,
    }
    return {
        "version": COMPONENT_VERSION,
        "_meta": {"project": "econsec", "description": f"{alias} rolls over by {prefix}-rollover"},
        "template": {"settings": settings},
    }


def number_generations(calls: Calls, alias: str, first: str) -> str | None:
    """Move the alias's write index to `first` when its name ends in no generation (a
    cluster set up before rollover); what was done, or None when nothing was needed."""
    found = calls.run(
        alias, "reading the alias", partial(calls.client.indices.get_alias, name=alias)
    )
    writes = [i for i, v in found.items() if v["aliases"][alias].get("is_write_index")]
    if not writes and len(found) == 1:
        writes = list(found)
    if len(writes) != 1 or GENERATION.search(writes[0]):
        return None
    create = partial(calls.client.indices.create, index=first)
    try:
        calls.run(first, "creating the index", create, expect=(400,))
    except ApiError as exc:
        if "already_exists" not in str(exc.body):
            raise calls.error(first, f"creating the index behind alias {alias}", exc) from exc
    actions = [
        {"add": {"index": writes[0], "alias": alias, "is_write_index": False}},
        {"add": {"index": first, "alias": alias, "is_write_index": True}},
    ]
    move = partial(calls.client.indices.update_aliases, actions=actions)
    calls.run(alias, "moving the write index", move)
    return f"write index moved from {writes[0]} to {first}, which can roll over"
