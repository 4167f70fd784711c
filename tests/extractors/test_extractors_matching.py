"""Running patterns sentence by sentence, on the stretch their edge words allow, finds every
match a whole-document run would keep (loads the model)."""

from __future__ import annotations

from typing import cast

import pytest
from spacy.matcher import Matcher

from extractors.matching import run_patterns
from extractors.pipeline import EventTagger
from extractors.text import join_item

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("title", "summary"),
    [
        (
            "Seoul adds three drone makers to its export control list",
            "The trade ministry said it would also tighten licensing for battery exports. "
            "Officials added that the measures take effect next month.",
        ),
        (
            "Ministers approve 2 billion euros in grants for a new chip plant",
            "The aid, cleared by Brussels, will fund a fab and a research centre in the north.",
        ),
        ("Regulator lifts ban on exports of graphite to allied countries", ""),
    ],
)
def test_stretches_find_what_whole_sentences_find(
    tagger: EventTagger, title: str, summary: str
) -> None:
    nlp = tagger.nlp
    doc = nlp(join_item(title, summary))
    events = nlp.get_pipe("econsec_events")
    fast = sorted((p.key, s, e, a) for p, s, e, a in run_patterns(events.compiled, doc))
    slow = []
    for c in events.compiled:
        if c.pattern.tokens is None:
            continue
        for sent in doc.sents:
            matcher = cast(Matcher, c.matcher)
            for _, s, e, align in matcher(sent, with_alignments=True):  # type: ignore[misc]
                offsets = [i for i, x in enumerate(align) if x == c.pattern.anchor]
                s, e = s + sent.start, e + sent.start
                slow.append((c.pattern.key, s, e, s + (offsets[0] if offsets else 0)))
    dep = [m for m in fast if events.patterns[m[0]].tokens is None]
    assert fast and sorted(slow + dep) == fast
