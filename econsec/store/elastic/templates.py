"""Index templates from `mappings/`, versioned indices and their write aliases.

Each kind of document lives in a concrete index `PREFIX-KIND-vN` (N is the
template's `_meta.schema_version`) and is read and written only through the
alias `PREFIX-KIND`, which marks it as the write index. Events and articles,
which grow, are rolled over (see `lifecycle`), so their indices carry a
generation: `PREFIX-KIND-vN-000001`, then `-000002`. A new schema is a new
template version and a `-v2` index: reindex, move the alias, nothing else
changes. The settings every index shares are one component template,
`PREFIX-settings` (`mappings/settings.json`), that each index template is
composed of. Applying all of it is idempotent, and safe when two workers race.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, partial
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from elasticsearch import ApiError

from econsec.errors import ConfigError
from econsec.store.elastic import lifecycle
from econsec.store.elastic.client import Calls

KINDS = ("events", "articles", "feeds", "cycles", "alerts", "alert-state", "quarantine")
SETTINGS = "settings"  # mappings/settings.json: the component template of shared settings
POLICY = "lifecycle"  # mappings/lifecycle.json: the ILM policy of events and articles
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
        """The first index of a kind; a rolled-over kind's name ends in a generation, which
        is what Elasticsearch's rollover increments."""
        first = f"{self.alias(kind)}-v{template['_meta']['schema_version']}"
        return f"{first}-{lifecycle.FIRST}" if kind in lifecycle.ROLLED else first

    def component(self, name: str) -> str:
        return f"{self.prefix}-{name}"


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


def load_json(name: str) -> dict[str, Any]:
    """A shipped file of `mappings/` (a template, the shared settings, the lifecycle policy)."""
    found: dict[str, Any] = json.loads(_shipped(name))
    return found


def _moved(name: str, prefix: str) -> str:
    return f"{prefix}{name[len(SHIPPED_PREFIX) :]}"


def load_template(kind: str, prefix: str) -> dict[str, Any]:
    """The template file of `kind`, its index pattern and components moved to `prefix`."""
    template = load_json(kind)
    template["index_patterns"] = [_moved(p, prefix) for p in template["index_patterns"]]
    template["composed_of"] = [_moved(c, prefix) for c in template.get("composed_of", [])]
    return template


def apply(calls: Calls, names: Names) -> dict[str, dict[str, str]]:
    """Put the shared settings, the lifecycle policy where the cluster has ILM, every template,
    and create every index with its alias; report what was done."""
    report: dict[str, dict[str, str]] = {"components": {}, "templates": {}, "aliases": {}}
    shared = names.component(SETTINGS)
    report["components"][shared] = _put_component(calls, shared, load_json(SETTINGS))
    report["lifecycle"], managed = lifecycle.apply(calls, names.prefix, load_json(POLICY))
    for kind in KINDS:
        template = load_template(kind, names.prefix)
        alias = names.alias(kind)
        if managed and kind in lifecycle.ROLLED:
            extra = names.component(f"lifecycle-{kind}")
            report["components"][extra] = _put_component(
                calls, extra, lifecycle.component(names.prefix, alias)
            )
            template["composed_of"].append(extra)
        report["templates"][alias] = action = _put_template(calls, alias, template)
        report["aliases"][alias] = _ensure_alias(calls, alias, names.concrete(kind, template))
        if action.startswith("updated"):
            _add_new_fields(calls, alias, template)
        if kind in lifecycle.ROLLED and report["aliases"][alias] == "exists":
            moved = lifecycle.number_generations(calls, alias, names.concrete(kind, template))
            report["aliases"][alias] = moved or "exists"
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
    """Put the index template unless the cluster has its version already. A template
    names its components, so they are put first (`apply`)."""
    request = partial(
        calls.client.indices.put_index_template,
        name=name,
        index_patterns=template["index_patterns"],
        composed_of=template["composed_of"],
        priority=template["priority"],
        version=template["version"],
        meta=template["_meta"],
        template=template["template"],
    )
    return _put_versioned(calls, name, "index_template", template["version"], request)


def _put_component(calls: Calls, name: str, component: dict[str, Any]) -> str:
    """Put a component template unless the cluster has its version already. Indices take
    its settings when they are created; existing ones keep theirs."""
    request = partial(
        calls.client.cluster.put_component_template,
        name=name,
        version=component["version"],
        meta=component.get("_meta"),
        template=component["template"],
    )
    return _put_versioned(calls, name, "component_template", component["version"], request)


def _put_versioned(
    calls: Calls, name: str, kind: str, version: int, request: Callable[[], Any]
) -> str:
    """Send `request` unless the cluster holds `version` of the `kind` already; what
    happened, as `econsec init` reports it."""
    current = _version(calls, name, kind)
    if current == version:
        return "unchanged"
    calls.run(name, f"putting the {kind.replace('_', ' ')}", request)
    return "created" if current is None else f"updated from version {current}"


def _version(calls: Calls, name: str, kind: str) -> int | None:
    """The version of the index or component template `name`; None when there is none."""
    if kind == "index_template":
        request = partial(calls.client.indices.get_index_template, name=name)
    else:
        request = partial(calls.client.cluster.get_component_template, name=name)
    try:
        found = calls.run(name, f"reading the {kind.replace('_', ' ')}", request, expect=(404,))
    except ApiError:
        return None
    templates = found.get(f"{kind}s") or [{}]
    version = templates[0].get(kind, {}).get("version")
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
