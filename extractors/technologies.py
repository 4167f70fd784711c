"""Technology domains, tagged from phrase lists on the tokenizer's output.

Working on LOWER only (no tagger, no parser) lets the relevance gate's cheap
pass tag technologies on items it turns away, as TAXONOMY.md asks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from .resources import DATA_DIR, DataFileError, read_yaml, with_plurals
from .taxonomy import TECHNOLOGIES

TECH_FILE = "technologies.yaml"

if not Doc.has_extension("technologies"):
    Doc.set_extension("technologies", default=None)


def load_technology_phrases(path: Path) -> dict[str, list[str]]:
    """Domain -> phrases as written; unknown domains are an error."""
    data = read_yaml(path) or {}
    unknown = set(data) - set(TECHNOLOGIES)
    if unknown:
        raise DataFileError(f"{path}: unknown technology domains {sorted(unknown)}")
    return {domain: list(phrases) for domain, phrases in data.items()}


class TechnologyTagger:
    """Sets `doc._.technologies` to the sorted domains whose phrases occur."""

    def __init__(self, nlp: Language, name: str, data_dir: str = "") -> None:
        self.name = name
        self.nlp = nlp
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.phrases: dict[str, list[str]] = {}
        self.initialize(data_dir=data_dir)

    def initialize(self, get_examples: Any = None, *, nlp: Any = None, data_dir: str = "") -> None:
        """(Re)load the phrase lists from `data_dir` (default: the package data)."""
        path = Path(data_dir or DATA_DIR) / TECH_FILE
        self.set_phrases(load_technology_phrases(path))

    def set_phrases(self, phrases: dict[str, list[str]]) -> None:
        self.phrases = phrases
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        for domain, terms in phrases.items():
            docs = [self.nlp.make_doc(t) for t in with_plurals(terms)]
            self.matcher.add(domain, docs)

    def __call__(self, doc: Doc) -> Doc:
        found = {self.nlp.vocab.strings[mid] for mid, _, _ in self.matcher(doc)}
        doc._.technologies = [t for t in TECHNOLOGIES if t in found]
        return doc

    def to_disk(self, path: Path, *, exclude: Any = ()) -> None:
        import yaml

        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / TECH_FILE).write_text(yaml.safe_dump(self.phrases), encoding="utf-8")

    def from_disk(self, path: Path, *, exclude: Any = ()) -> TechnologyTagger:
        self.initialize(data_dir=str(path))
        return self


@Language.factory("econsec_technologies", default_config={"data_dir": ""})
def make_technology_tagger(nlp: Language, name: str, data_dir: str) -> TechnologyTagger:
    return TechnologyTagger(nlp, name, data_dir=data_dir)
