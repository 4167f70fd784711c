"""The tagger's output records.

They are plain dataclasses so that `extractors` stands alone (no import of
`econsec`); the pipeline turns them into `econsec.models.Event`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal["planned", "enacted"]


@dataclass
class TaggedEvent:
    """One event type found in one item, with the sentence that proves it."""

    type: str
    status: Status
    initiator: list[str] = field(default_factory=list)
    target: list[str] = field(default_factory=list)
    partner: list[str] = field(default_factory=list)
    # Who a type that acts against no one is about ("a law on Chinese apps": CN): no role,
    # but the `countries` facet counts them.
    concerns: list[str] = field(default_factory=list)
    confidence: float = 0.5
    evidence: str = ""

    @property
    def category(self) -> str:
        return self.type.split(".", 1)[0]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class TagResult:
    """Everything the tagger says about one item (title + summary)."""

    events: list[TaggedEvent] = field(default_factory=list)
    technologies: list[str] = field(default_factory=list)
    in_scope: bool = False  # passed the relevance gate

    def to_dict(self) -> dict[str, Any]:
        return {
            "events": [e.to_dict() for e in self.events],
            "technologies": list(self.technologies),
            "in_scope": self.in_scope,
        }
