"""Title/summary boundary: a headline is its own sentence.

Headlines have no final full stop, so the parser tends to glue them to the
summary's first sentence. The tagger joins title and summary with a blank
line; this component (placed before the parser, which respects preset
sentence starts) marks the token after it as a sentence start and records
where the title ends.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from .text import SEPARATOR

TEXT_KEY = "econsec.text"  # doc.user_data key of the doc's text (see doc_text)

if not Doc.has_extension("title_end"):
    Doc.set_extension("title_end", default=None)


def title_end(doc: Doc) -> int:
    """Index of the first summary token (len(doc) when there is no summary)."""
    for tok in doc:
        if SEPARATOR in tok.text_with_ws and (tok.is_space or SEPARATOR in tok.whitespace_):
            return tok.i + 1
    return len(doc)


def span_text(span: Span) -> str:
    """`span.text`, sliced from the doc's text: `Span.text` joins a new Token object per
    word, and evidence sentences and headlines are read for every item."""
    if span.start == span.end:
        return ""
    return doc_text(span.doc)[span.start_char : span.end_char]


def doc_text(doc: Doc) -> str:
    """`doc.text`, joined once per doc: spaCy joins a new Token object per word at every
    read, and the status walk and the evidence read it thousands of times per batch."""
    # Kept with the doc's size in tokens and characters: `Span.as_doc(copy_user_data=True)`
    # copies the parent's entry into a smaller doc.
    last = doc[-1] if len(doc) else None
    size = (len(doc), last.idx + len(last.text_with_ws) if last is not None else 0)
    cached = doc.user_data.get(TEXT_KEY)
    if isinstance(cached, tuple) and cached[0] == size:
        return str(cached[1])
    text = doc.text
    doc.user_data[TEXT_KEY] = (size, text)
    return text


def headline_end(doc: Doc) -> int:
    """Where the headline ends, as `econsec_title` recorded it (the whole doc before it ran)."""
    return doc._.title_end if doc._.title_end is not None else len(doc)


def headline_only(doc: Doc) -> bool:
    """A bare headline, no lead: its pattern events stand whatever the policy says, at run
    time and in training alike (`extractors.classifier.combine`)."""
    return headline_end(doc) >= len(doc)


@Language.component("econsec_title")
def mark_title(doc: Doc) -> Doc:
    """Set `doc._.title_end` and start a sentence at the summary."""
    end = title_end(doc)
    doc._.title_end = end
    if 0 < end < len(doc):
        doc[end].is_sent_start = True
    return doc
