"""The event taxonomy, read from `data/taxonomy.yaml`.

The codes are a public contract (index, alert rules, eval files), so they
live in one data file that tests compare with TAXONOMY.md; code never spells
a list of codes itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml

from econsec.errors import EconsecError

DATA_DIR = Path(__file__).parent / "data"
TAXONOMY_PATH = DATA_DIR / "taxonomy.yaml"

InitiatorKind = Literal["state", "any", "company", "complainant", "cause", "attributed"]
INITIATOR_KINDS = ("state", "any", "company", "complainant", "cause", "attributed")


class TaxonomyError(ValueError, EconsecError):
    """The taxonomy data file is malformed; the message names the field."""


@dataclass(frozen=True)
class EventType:
    """One event type: `code` is `category.type` and never changes."""

    code: str
    category: str
    name: str
    definition: str
    initiator: InitiatorKind = "state"
    dominates: tuple[str, ...] = field(default_factory=tuple)
    parties: bool = False  # agreements: every party is an initiator
    min_parties: int = 1  # distinct state actors (or one group) needed
    context: str | None = None  # cues.yaml context the item must show
    other_state: bool = False  # a state other than the initiator must be named
    has_target: bool = True  # False: the type acts against no one (a law, an agreement)


@cache
def _raw(path: Path = TAXONOMY_PATH) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    if not isinstance(data, dict) or "event_types" not in data:
        raise TaxonomyError(f"{path}: missing 'event_types'")
    return data


def _event_type(entry: dict[str, Any], path: Path) -> EventType:
    code = entry.get("code", "")
    if code.count(".") != 1:
        raise TaxonomyError(f"{path}: bad code {code!r} (expected category.type)")
    for key in ("name", "definition"):
        if not entry.get(key):
            raise TaxonomyError(f"{path}: {code}: missing field {key!r}")
    initiator = entry.get("initiator", "state")
    if initiator not in INITIATOR_KINDS:
        raise TaxonomyError(f"{path}: {code}: initiator must be one of {INITIATOR_KINDS}")
    return EventType(
        code=code,
        category=code.split(".", 1)[0],
        name=entry["name"],
        definition=entry["definition"],
        initiator=initiator,
        dominates=tuple(entry.get("dominates", ())),
        parties=bool(entry.get("parties", False)),
        min_parties=int(entry.get("min_parties", 1)),
        context=entry.get("context"),
        other_state=bool(entry.get("other_state", False)),
        has_target=bool(entry.get("target", True)),
    )


def load_taxonomy(path: Path = TAXONOMY_PATH) -> list[EventType]:
    """All event types, in the order of the data file."""
    return [_event_type(e, path) for e in _raw(path)["event_types"]]


@cache
def event_types_by_code() -> dict[str, EventType]:
    """Event types keyed by code, for the components' lookups."""
    return {t.code: t for t in load_taxonomy()}


def technology_definitions(path: Path = TAXONOMY_PATH) -> dict[str, str]:
    """The technology domains with their definitions."""
    return dict(_raw(path)["technologies"])


def category_definitions(path: Path = TAXONOMY_PATH) -> dict[str, str]:
    """The categories with their one-line descriptions."""
    return dict(_raw(path)["categories"])


TECHNOLOGIES: tuple[str, ...] = tuple(technology_definitions())
CATEGORIES: tuple[str, ...] = tuple(category_definitions())
CODES: tuple[str, ...] = tuple(t.code for t in load_taxonomy())
