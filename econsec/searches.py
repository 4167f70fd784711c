"""Saved searches: a name for a search (its query and filters), one YAML file per search
in a folder (`ECONSEC_SEARCHES`, default `searches/`), as alert rules are, so that they
can be read, diffed and shared. A saved search reruns by name, is a link on the search
page, and becomes an alert rule in one step (`to_rule`): the rule watches the same
events as they arrive.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from econsec.errors import ConfigError
from econsec.models import SearchQuery
from econsec.vocabulary import Known

SUFFIX = ".yaml"
NAME = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"  # a file name on every system, and a URL part
# the saved search's field -> the alert rule filter it becomes (`alerts.rules.Filters`)
RULE_FILTERS = {
    "types": "types",
    "categories": "categories",
    "initiators": "initiator",
    "countries": "countries",
    "technologies": "technologies",
    "statuses": "status",
}


class SavedSearch(BaseModel):
    """A search as `econsec search` and the search page take it, under a name."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=NAME)
    query: str = "*"
    types: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    countries: list[str] = Field(default_factory=list)
    initiators: list[str] = Field(default_factory=list)
    technologies: list[str] = Field(default_factory=list)
    statuses: list[str] = Field(default_factory=list)
    outlets: list[str] = Field(default_factory=list)
    since: str = ""
    until: str = ""
    min_confidence: float = Field(default=0.0, ge=0.0, le=1.0)

    def search_query(self, known: Known | None = None, **options: Any) -> SearchQuery:
        """The store query; a `ValueError` names a value or date that cannot be searched."""
        lists = self.model_dump(include=set(RULE_FILTERS) | {"outlets"})
        return SearchQuery.from_user(
            self.query,
            since=self.since or None,
            until=self.until or None,
            min_confidence=self.min_confidence,
            known=known,
            **lists,
            **options,
        )

    def normalised(self, known: Known | None = None) -> SavedSearch:
        """The search as the index reads it (`China` -> `CN`), so that it is kept in the
        form that will be searched, and refused now if it never could be."""
        query = self.search_query(known)
        lists = {field: getattr(query, field) for field in [*RULE_FILTERS, "outlets"]}
        return self.model_copy(update={"query": query.q, **lists})


def path_of(folder: Path, name: str) -> Path:
    if not re.match(NAME, name):
        raise ValueError(f"{name!r} is not a name for a saved search (letters, digits, _ and -)")
    return folder / f"{name}{SUFFIX}"


def save(folder: Path, search: SavedSearch, *, replace: bool = False) -> Path:
    """Write the search to its file; an existing one is kept unless `replace`."""
    path = path_of(folder, search.name)
    if path.exists() and not replace:
        raise FileExistsError(f"{path} exists: a saved search {search.name!r} (replace it?)")
    folder.mkdir(parents=True, exist_ok=True)
    data = search.model_dump(exclude_defaults=True)
    path.write_text(yaml.safe_dump({"name": search.name, **data}, sort_keys=False), "utf-8")
    return path


def load(folder: Path, name: str) -> SavedSearch:
    """A saved search by name: a `LookupError` when there is none, a `ConfigError` naming
    the file when it cannot be read."""
    path = path_of(folder, name)
    if not path.is_file():
        known = ", ".join(s.name for s in saved_searches(folder)) or "none yet"
        raise LookupError(f"no saved search named {name!r} in {folder} (saved: {known})")
    return _read(path)


def saved_searches(folder: Path) -> list[SavedSearch]:
    """Every saved search of the folder, by name (none when the folder does not exist)."""
    paths = sorted(folder.glob(f"*{SUFFIX}")) if folder.is_dir() else []
    return [_read(path) for path in paths]


def _read(path: Path) -> SavedSearch:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        found = SavedSearch.model_validate(data)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read saved search: {exc}", file=str(path)) from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "search"
        raise ConfigError(f"{where}: {first['msg']}", file=str(path)) from exc
    if found.name != path.stem:
        raise ConfigError(f"name {found.name!r} is not the file's", file=str(path))
    return found


def to_rule(search: SavedSearch, description: str = "") -> dict[str, Any]:
    """An `any` alert rule watching what the search finds, as the rule file's mapping.
    Dates are left out (a rule watches new events); an outlet filter has no rule
    equivalent, so such a search is refused rather than widened silently."""
    if search.outlets:
        raise ValueError(f"{search.name}: alert rules cannot filter by outlet; drop the outlets")
    filters: dict[str, Any] = {
        rule_field: getattr(search, field)
        for field, rule_field in RULE_FILTERS.items()
        if getattr(search, field)
    }
    if search.min_confidence:
        filters["min_confidence"] = search.min_confidence
    rule: dict[str, Any] = {
        "name": search.name,
        "description": description or f"New stories of the saved search {search.name}.",
        "query": search.query,
    }
    if filters:
        rule["filters"] = filters
    rule["condition"] = {"type": "any"}
    return rule


def write_rule(search: SavedSearch, rules: Path, description: str = "") -> Path:
    """The rule file for `search` in the rules folder, validated as every rule is; a file
    that would not load is not left behind."""
    from econsec.alerts.rules import load_rule

    path = rules / f"{search.name}{SUFFIX}"
    if path.exists():
        raise FileExistsError(f"{path} exists: a rule file of that name")
    rules.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(to_rule(search, description), sort_keys=False), "utf-8")
    try:
        load_rule(path)
    except ConfigError:
        path.unlink()
        raise
    return path
