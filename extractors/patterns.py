"""Event patterns: one JSONL file per category, each line one spaCy pattern.

A line looks like

    {"id": "export_control.ban", "pattern": [{"LEMMA": "@ban_verbs"}, {"OP": "{,4}"},
     {"LEMMA": "@export_objects"}], "anchor": 0, "weight": 0.85}

`id` is the taxonomy code (its category must match the file name), and
`pattern` a token Matcher pattern or `dep_pattern` a DependencyMatcher one.
Options: `anchor` (index of the pattern token that carries the action; the
status walk and role search start there), `weight` (prior precision, 0-1),
`status` (forced planned/enacted), `context` (a cues.yaml context list the
sentence must hold), `allow` (modalities to ignore: negated, hypothetical,
background, kept), `blocked_by` (lemmas on the status walk that cancel the
match), `needs_action` (a noun anchor must be governed by an action verb),
`last_not_compound` (the last matched token must not modify a following
noun: "research" but not "research centre"), `not_subject` (words, or an
"@name" list, that the acting clause's subject must not hold: a bill "the
House passed" is not yet a law).
"@name" values expand to lexicon.yaml lists. LEMMA values also match their
capitalised form: spaCy keeps the case of proper nouns' lemmas, and
headlines turn many words into proper nouns ("the Entity List").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .resources import DATA_DIR, PATTERNS_DIR, DataFileError, iter_jsonl, read_yaml
from .taxonomy import event_types_by_code

LEXICON_FILE = "lexicon.yaml"
MODALITIES = frozenset({"negated", "hypothetical", "background", "kept"})
OPTION_KEYS = frozenset(
    {
        "id",
        "pattern",
        "dep_pattern",
        "anchor",
        "weight",
        "status",
        "context",
        "allow",
        "blocked_by",
        "needs_action",
        "last_not_compound",
        "not_subject",
        "note",
    }
)


@dataclass(frozen=True)
class EventPattern:
    """One pattern line, validated, with "@name" lists expanded."""

    code: str
    key: str  # unique matcher key: code#file:line
    tokens: list[dict[str, Any]] | None = None
    dep: list[dict[str, Any]] | None = None
    anchor: int = 0
    weight: float = 0.75
    status: str | None = None
    context: str | None = None
    allow: frozenset[str] = field(default_factory=frozenset)
    blocked_by: frozenset[str] = field(default_factory=frozenset)
    needs_action: bool = False
    last_not_compound: bool = False
    not_subject: frozenset[str] = field(default_factory=frozenset)


def load_lexicon(path: Path = DATA_DIR / LEXICON_FILE) -> dict[str, list[str]]:
    data = read_yaml(path) or {}
    return {name: [str(w) for w in words] for name, words in data.items()}


def expand(value: Any, lexicon: dict[str, list[str]], where: str) -> Any:
    """Replace "@name" strings (alone or inside IN/NOT_IN lists) by lexicon lists."""
    if isinstance(value, dict):
        return {k: _expand_attr(k, v, lexicon, where) for k, v in value.items()}
    if isinstance(value, list):
        return [expand(v, lexicon, where) for v in value]
    return value


def _expand_attr(key: str, value: Any, lexicon: dict[str, list[str]], where: str) -> Any:
    if isinstance(value, str) and value.startswith("@"):
        return {"IN": _lookup(value, lexicon, where)}
    if key in ("IN", "NOT_IN") and isinstance(value, list):
        out: list[Any] = []
        for v in value:
            out.extend(_lookup(v, lexicon, where) if str(v).startswith("@") else [v])
        return out
    return expand(value, lexicon, where)


def case_insensitive_lemmas(tokens: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add capitalised variants to every LEMMA value of a token pattern."""
    return [_lemma_variants(t) for t in tokens]


def _dep_variants(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The same case-insensitivity for DependencyMatcher nodes."""
    return [{**n, "RIGHT_ATTRS": _lemma_variants(n.get("RIGHT_ATTRS", {}))} for n in nodes]


def _lemma_variants(token: dict[str, Any]) -> dict[str, Any]:
    value = token.get("LEMMA")
    if value is None:
        return token
    if isinstance(value, str):
        value = {"IN": [value]}
    if not isinstance(value, dict) or "IN" not in value:
        return token
    variants = [f(w) for w in value["IN"] for f in (str.capitalize, str.upper)]
    words = list(dict.fromkeys([*value["IN"], *variants]))
    return {**token, "LEMMA": {**value, "IN": words}}


def _lookup(name: str, lexicon: dict[str, list[str]], where: str) -> list[str]:
    try:
        return lexicon[name[1:]]
    except KeyError:
        raise DataFileError(f"{where}: unknown word list {name!r} (see {LEXICON_FILE})") from None


def parse_pattern(
    obj: dict[str, Any], where: str, category: str, lexicon: dict[str, list[str]]
) -> EventPattern:
    """Validate one JSONL object; errors name `where` (file:line) and the field."""
    code = obj.get("id", "")
    if code not in event_types_by_code():
        raise DataFileError(f"{where}: id {code!r} is not a taxonomy code")
    if code.split(".")[0] != category:
        raise DataFileError(f"{where}: id {code!r} does not belong in {category}.jsonl")
    unknown = set(obj) - OPTION_KEYS
    if unknown:
        raise DataFileError(f"{where}: unknown fields {sorted(unknown)}")
    tokens, dep = obj.get("pattern"), obj.get("dep_pattern")
    if (tokens is None) == (dep is None) or not isinstance(tokens or dep, list):
        raise DataFileError(f"{where}: need exactly one of 'pattern' or 'dep_pattern' (a list)")
    allow = frozenset(obj.get("allow", ()))
    if not allow <= MODALITIES:
        raise DataFileError(f"{where}: 'allow' takes {sorted(MODALITIES)}")
    if obj.get("status") not in (None, "planned", "enacted"):
        raise DataFileError(f"{where}: 'status' must be planned or enacted")
    return EventPattern(
        code=code,
        key=f"{code}#{where}",
        tokens=case_insensitive_lemmas(expand(tokens, lexicon, where))
        if tokens is not None
        else None,
        dep=_dep_variants(expand(dep, lexicon, where)) if dep is not None else None,
        anchor=int(obj.get("anchor", 0)),
        weight=float(obj.get("weight", 0.75)),
        status=obj.get("status"),
        context=obj.get("context"),
        allow=allow,
        blocked_by=frozenset(obj.get("blocked_by", ())),
        needs_action=bool(obj.get("needs_action", False)),
        last_not_compound=bool(obj.get("last_not_compound", False)),
        not_subject=frozenset(_word_list(obj.get("not_subject", ()), lexicon, where)),
    )


def _word_list(value: Any, lexicon: dict[str, list[str]], where: str) -> list[str]:
    """A list of words, or one "@name" lexicon list."""
    if isinstance(value, str):
        return _lookup(value, lexicon, where) if value.startswith("@") else [value]
    return [str(v) for v in value]


def load_patterns(
    patterns_dir: Path = PATTERNS_DIR, lexicon: dict[str, list[str]] | None = None
) -> list[EventPattern]:
    """All patterns of all category files in `patterns_dir`, in file order."""
    lex = load_lexicon() if lexicon is None else lexicon
    out = []
    for path in sorted(Path(patterns_dir).glob("*.jsonl")):
        for lineno, obj in iter_jsonl(path):
            out.append(parse_pattern(obj, f"{path.name}:{lineno}", path.stem, lex))
    return out
