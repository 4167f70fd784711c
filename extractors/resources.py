"""Reading the package's data files (YAML gazetteers, JSONL patterns).

Errors name the file and line, because these files are edited by hand and a
bad line should be found in seconds, not by bisecting the pipeline.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml

from econsec.errors import EconsecError

PACKAGE_DIR = Path(__file__).parent
DATA_DIR = PACKAGE_DIR / "data"
PATTERNS_DIR = PACKAGE_DIR / "patterns"


class DataFileError(ValueError, EconsecError):
    """A data file is malformed; the message names the file and line or field."""


def read_yaml(path: Path) -> Any:
    """Parse one YAML file, naming it in the error."""
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        raise DataFileError(f"{path}: invalid YAML: {exc}") from exc


def iter_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line number, object) for each non-blank line of a JSONL file."""
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise DataFileError(f"{path}:{lineno}: not UTF-8 text ({exc.reason})") from exc
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataFileError(f"{path}:{lineno}: invalid JSON: {exc.msg}") from exc
            if not isinstance(obj, dict):
                raise DataFileError(f"{path}:{lineno}: expected a JSON object")
            yield lineno, obj


def plural(phrase: str) -> str:
    """Regular English plural of the phrase's last word (good enough for gazetteers)."""
    if phrase.endswith(("s", "x", "ch", "sh")):
        return phrase + "es"
    if len(phrase) > 1 and phrase.endswith("y") and phrase[-2] not in "aeiou":
        return phrase[:-1] + "ies"
    return phrase + "s"


def with_plurals(phrases: Iterable[str]) -> list[str]:
    """The phrases plus the plural of each one that ends in a letter."""
    out: dict[str, None] = {}
    for phrase in phrases:
        out[phrase] = None
        if phrase[-1:].isalpha():
            out[plural(phrase)] = None
    return list(out)
