"""Index templates from `mappings/`, versioned indices and their write aliases.

Each kind of document lives in a concrete index `PREFIX-KIND-vN` (N is the
template's `_meta.schema_version`) and is read and written only through the
alias `PREFIX-KIND`, which marks it as the write index. A new schema is a new
template version and a `-v2` index: reindex, move the alias, nothing else
changes. Applying all of it is idempotent, and safe when two workers race.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache, partial
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from elasticsearch import ApiError

from econsec.errors import ConfigError
from econsec.store.elastic.client import Calls

KINDS = ("events", "articles", "feeds", "cycles", "alerts", "alert-state", "quarantine")
SHIPPED_PREFIX = "econsec"
# The wheel carries the top-level mappings/ as econsec/mappings (pyproject's force-include);
# a source checkout or an editable install reads the top-level folder itself.
CHECKOUT_MAPPINGS = Path(__file__).resolve().parents[3] / "mappings"


@dataclass(frozen=True)
class Names:
    """Alias, template and index names under one prefix (`econsec` unless set)."""

    prefix: str

    def alias(self, kind: str) -> str:
        return f"{self.prefix}-{kind}"

    @property
    def events(self) -> str:
        return self.alias("events")

    @property
    def articles(self) -> str:
        return self.alias("articles")

    @property
    def feeds(self) -> str:
        return self.alias("feeds")

    @property
    def cycles(self) -> str:
        return self.alias("cycles")

    @property
    def alerts(self) -> str:
        return self.alias("alerts")

    @property
    def alert_state(self) -> str:
        return self.alias("alert-state")

    @property
    def quarantine(self) -> str:
        return self.alias("quarantine")

    def concrete(self, kind: str, template: dict[str, Any]) -> str:
        return f"{self.alias(kind)}-v{template['_meta']['schema_version']}"


def check_prefix(prefix: str) -> str:
    """Elasticsearch index names: lowercase, no wildcard or separators, not starting with - _ +."""
    bad = set(prefix) & set(' "*\\<|,>/?#:')
    if not prefix or prefix != prefix.lower() or bad or prefix[0] in "-_+.":
        raise ConfigError(f"not a usable index name prefix: {prefix!r}", field="es_index_prefix")
    return prefix


def mappings_dir() -> Traversable:
    """The index templates, through importlib.resources, so that an installed wheel finds
    the copy packaged with it wherever (and however) it is installed."""
    candidates = (resources.files("econsec") / "mappings", CHECKOUT_MAPPINGS)
    for candidate in candidates:
        if (candidate / "events.json").is_file():
            return candidate
    raise ConfigError(f"index templates not found in {' or '.join(map(str, candidates))}")


@cache
def _shipped(kind: str) -> str:
    return (mappings_dir() / f"{kind}.json").read_text(encoding="utf-8")


def load_template(kind: str, prefix: str) -> dict[str, Any]:
    """The template file of `kind`, its index pattern moved to `prefix`."""
    template: dict[str, Any] = json.loads(_shipped(kind))
    template["index_patterns"] = [
        f"{prefix}{pattern[len(SHIPPED_PREFIX) :]}" for pattern in template["index_patterns"]
    ]
    return template


def apply(calls: Calls, names: Names) -> dict[str, dict[str, str]]:
    """Put every template and create every index with its alias; report what was done."""
    report: dict[str, dict[str, str]] = {"templates": {}, "aliases": {}}
    for kind in KINDS:
        template = load_template(kind, names.prefix)
        alias = names.alias(kind)
        report["templates"][alias] = action = _put_template(calls, alias, template)
        report["aliases"][alias] = _ensure_alias(calls, alias, names.concrete(kind, template))
        if action.startswith("updated"):
            _add_new_fields(calls, alias, template)
    return report


def _add_new_fields(calls: Calls, alias: str, template: dict[str, Any]) -> None:
    """A template only shapes indices made after it; a newer one's added fields are put on
    the index already behind the alias too, or its strict mapping would refuse documents
    that carry them. (Fields are only ever added within a schema version.)"""
    mappings = template["template"]["mappings"]
    request = partial(
        calls.client.indices.put_mapping,
        index=alias,
        properties=mappings["properties"],
        dynamic=mappings["dynamic"],
    )
    calls.run(alias, "adding the template's new fields to the index", request)


def ready(calls: Calls, names: Names) -> bool:
    """True when every alias exists (then the first use needs no set-up)."""
    aliases = [names.alias(kind) for kind in KINDS]
    request = partial(calls.client.indices.exists_alias, name=aliases)
    return bool(calls.run(",".join(aliases), "checking aliases", request))


def _put_template(calls: Calls, name: str, template: dict[str, Any]) -> str:
    current = _template_version(calls, name)
    if current == template["version"]:
        return "unchanged"
    request = partial(
        calls.client.indices.put_index_template,
        name=name,
        index_patterns=template["index_patterns"],
        priority=template["priority"],
        version=template["version"],
        meta=template["_meta"],
        template=template["template"],
    )
    calls.run(name, "putting the index template", request)
    return "created" if current is None else f"updated from version {current}"


def _template_version(calls: Calls, name: str) -> int | None:
    request = partial(calls.client.indices.get_index_template, name=name)
    try:
        found = calls.run(name, "reading the index template", request, expect=(404,))
    except ApiError:
        return None
    templates = found.get("index_templates") or [{}]
    version = templates[0].get("index_template", {}).get("version")
    return int(version) if version is not None else -1


def _ensure_alias(calls: Calls, alias: str, index: str) -> str:
    exists = partial(calls.client.indices.exists_alias, name=alias)
    if calls.run(alias, "checking the alias", exists):
        return "exists"
    create = partial(
        calls.client.indices.create, index=index, aliases={alias: {"is_write_index": True}}
    )
    try:
        calls.run(index, "creating the index", create, expect=(400,))
    except ApiError as exc:
        if "already_exists" not in str(exc.body):
            raise calls.error(index, f"creating the index behind alias {alias}", exc) from exc
        put = partial(calls.client.indices.put_alias, index=index, name=alias, is_write_index=True)
        calls.run(index, "adding the alias", put)
        return f"added to existing {index}"
    return f"created on {index}"
