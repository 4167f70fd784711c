"""econsec's event tagger: the spaCy side of the pipeline.

Importing this package is cheap (no spaCy): the taxonomy and the output
records are here; `extractors.pipeline.EventTagger` loads spaCy when built.
"""

from .taxonomy import CATEGORIES, TECHNOLOGIES, EventType, load_taxonomy
from .types import TaggedEvent, TagResult

__all__ = ["CATEGORIES", "TECHNOLOGIES", "EventType", "TagResult", "TaggedEvent", "load_taxonomy"]
