"""The relevance gate: decide from tokens alone whether an item may be in scope.

The full pipeline (tagger, parser, NER) costs hundreds of times more than the
tokenizer, and most news is out of scope, so a phrase lookup decides which
items deserve a parse. It must keep recall near 1: precision is the event
patterns' job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from .resources import DATA_DIR, DataFileError, read_yaml
from .taxonomy import CATEGORIES

GATE_FILE = "gate.yaml"
CONTEXT_KEY = "context"
ORDINARY_KEY = "ordinary"

for _name, _default in (("in_scope", False), ("gate_categories", None)):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=_default)


@dataclass
class GateLists:
    """Phrases of the gate: per-category strong and weak triggers and context of their own,
    shared context, and the markers of ordinary news that overrule weak triggers."""

    strong: dict[str, list[str]] = field(default_factory=dict)
    weak: dict[str, list[str]] = field(default_factory=dict)
    context: list[str] = field(default_factory=list)
    near: dict[str, list[str]] = field(default_factory=dict)
    ordinary: list[str] = field(default_factory=list)


def load_gate_lists(path: Path) -> GateLists:
    """Read gate.yaml; categories must be taxonomy categories."""
    data = read_yaml(path) or {}
    triggers = data.get("triggers", {})
    unknown = set(triggers) - set(CATEGORIES)
    if unknown:
        raise DataFileError(f"{path}: unknown categories {sorted(unknown)}")
    lists = GateLists(
        context=list(data.get(CONTEXT_KEY, [])), ordinary=list(data.get(ORDINARY_KEY, []))
    )
    for cat, entry in triggers.items():
        lists.strong[cat] = list(entry.get("strong", []))
        lists.weak[cat] = list(entry.get("weak", []))
        lists.near[cat] = list(entry.get(CONTEXT_KEY, []))
    return lists


def decide(keys: set[str], technologies: bool) -> list[str]:
    """Categories an item may hold, from the matcher's keys: every strong trigger's; a weak
    trigger's with shared context, a technology or its category's own context, unless a
    marker of ordinary news says the weak words are used in another sense (a player
    suspended, a council's bill)."""
    strong = {k.split(":", 1)[1] for k in keys if k.startswith("strong:")}
    if ORDINARY_KEY in keys:
        return sorted(strong)
    shared = CONTEXT_KEY in keys or technologies
    weak = {k.split(":", 1)[1] for k in keys if k.startswith("weak:")}
    weak = {c for c in weak if shared or f"{CONTEXT_KEY}:{c}" in keys}
    return sorted(strong | weak)


class RelevanceGate:
    """Sets `doc._.in_scope` and `doc._.gate_categories` from token phrases.

    Run it after `econsec_technologies`: a technology phrase counts as context.
    """

    def __init__(self, nlp: Language, name: str, data_dir: str = "") -> None:
        self.name = name
        self.nlp = nlp
        self.lists = GateLists()
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.initialize(data_dir=data_dir)

    def initialize(self, get_examples: Any = None, *, nlp: Any = None, data_dir: str = "") -> None:
        """(Re)load gate.yaml from `data_dir` (default: the package data)."""
        self.set_lists(load_gate_lists(Path(data_dir or DATA_DIR) / GATE_FILE))

    def set_lists(self, lists: GateLists) -> None:
        self.lists = lists
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self._add(CONTEXT_KEY, lists.context)
        self._add(ORDINARY_KEY, lists.ordinary)
        for cat in lists.strong:
            self._add(f"strong:{cat}", lists.strong[cat])
            self._add(f"weak:{cat}", lists.weak[cat])
            self._add(f"{CONTEXT_KEY}:{cat}", lists.near.get(cat, []))

    def _add(self, key: str, phrases: list[str]) -> None:
        if phrases:
            self.matcher.add(key, [self.nlp.make_doc(p) for p in phrases])

    def __call__(self, doc: Doc) -> Doc:
        keys = {self.nlp.vocab.strings[mid] for mid, _, _ in self.matcher(doc)}
        ext = doc._  # one view of the extensions for every item's reads and writes
        ext.gate_categories = categories = decide(keys, bool(ext.technologies))
        ext.in_scope = bool(categories)
        return doc

    def to_disk(self, path: Path, *, exclude: Any = ()) -> None:
        import yaml

        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        triggers = {
            c: {
                "strong": self.lists.strong[c],
                "weak": self.lists.weak[c],
                CONTEXT_KEY: self.lists.near.get(c, []),
            }
            for c in self.lists.strong
        }
        data = {
            CONTEXT_KEY: self.lists.context,
            ORDINARY_KEY: self.lists.ordinary,
            "triggers": triggers,
        }
        (path / GATE_FILE).write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")

    def from_disk(self, path: Path, *, exclude: Any = ()) -> RelevanceGate:
        self.initialize(data_dir=str(path))
        return self


@Language.factory("econsec_gate", default_config={"data_dir": ""})
def make_relevance_gate(nlp: Language, name: str, data_dir: str) -> RelevanceGate:
    return RelevanceGate(nlp, name, data_dir=data_dir)
