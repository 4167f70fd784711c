"""Registered factories: build on a blank pipeline, save and load with spaCy."""

from __future__ import annotations

from pathlib import Path

import spacy

import extractors.actors  # noqa: F401  (register factories)
import extractors.events  # noqa: F401
import extractors.gate  # noqa: F401
import extractors.segment  # noqa: F401
import extractors.technologies  # noqa: F401
from extractors.matching import required_words
from extractors.text import join_item

PIPES = [
    "econsec_technologies",
    "econsec_gate",
    "econsec_title",
    "econsec_actors",
    "econsec_events",
]


def blank_pipeline() -> spacy.language.Language:
    nlp = spacy.blank("en")
    for name in PIPES:
        nlp.add_pipe(name)
    return nlp


def test_pipeline_round_trips_through_disk(tmp_path: Path) -> None:
    nlp = blank_pipeline()
    nlp.to_disk(tmp_path / "pipe")
    loaded = spacy.load(tmp_path / "pipe")
    assert loaded.pipe_names == PIPES
    assert (tmp_path / "pipe" / "econsec_events" / "patterns" / "export_control.jsonl").exists()
    before = len(nlp.get_pipe("econsec_events").compiled)
    assert len(loaded.get_pipe("econsec_events").compiled) == before > 0
    doc = loaded(join_item("Japan curbs exports of chips", "Tokyo said so."))
    assert doc._.technologies == ["semiconductors"] and doc._.in_scope


def test_title_component_starts_a_sentence_at_the_summary() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("econsec_title")
    doc = nlp(join_item("Headline without full stop", "First sentence. Second one."))
    assert doc._.title_end == 5
    assert doc[5].is_sent_start and doc[5].text == "First"


def test_title_only_item() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("econsec_title")
    doc = nlp(join_item("Just a headline", ""))
    assert doc._.title_end == len(doc)


def test_required_words_ignore_optional_and_gap_tokens() -> None:
    specs = [
        {"LEMMA": {"IN": ["Ban", "halt"]}},
        {"OP": "{,4}"},
        {"LOWER": "on", "OP": "?"},
        {"LOWER": "exports"},
        {"LIKE_NUM": True},
    ]
    assert required_words(specs) == [frozenset({"ban", "halt"}), frozenset({"exports"})]


def test_doc_text_is_the_docs_text_also_in_a_doc_cut_from_it() -> None:
    from extractors.segment import doc_text, span_text

    doc = spacy.blank("en")("Tokyo curbs exports of chip tools.  Seoul protests; talks stall. ")
    assert doc_text(doc) == doc.text and doc_text(doc) == doc_text(doc)
    cut = doc[5:9].as_doc(copy_user_data=True)  # carries the parent's cached text along
    assert doc_text(cut) == cut.text
    assert span_text(cut[1:3]) == cut[1:3].text
    assert doc_text(spacy.blank("en")("")) == ""
