"""Unicode's bidirectional controls: invisible characters that change the order in which
text is shown, not the text a program reads (`Invoice<U+202E>fdp.exe` shows as
`Invoiceexe.pdf`).

- Embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) reorder whole runs
  of text, and one left open reorders whatever follows it on a page or in a terminal:
  they are stripped from the text of feeds (`strip_reordering`).
- The marks (U+200E, U+200F, U+061C) only move the neutral characters beside them (the
  punctuation of an Arabic or Hebrew headline), which is what they are written for: text
  keeps them.
- A URL needs none of them, marks included, and one inside a link makes the address shown
  differ from the one followed: a URL holding any of them is refused (`control_in`).
"""

from __future__ import annotations

import re
import unicodedata

REORDERING = re.compile("[\u202a-\u202e\u2066-\u2069]")
CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def strip_reordering(text: str) -> str:
    """`text` without embeddings, overrides and isolates; marks stay."""
    return REORDERING.sub("", text)


def control_in(text: str, controls: re.Pattern[str] = CONTROLS) -> str | None:
    """The first of `controls` in `text`, named for an error message
    (`U+202E RIGHT-TO-LEFT OVERRIDE`), or None."""
    found = controls.search(text)
    if found is None:
        return None
    char = found.group()
    return f"U+{ord(char):04X} {unicodedata.name(char)}"


def refusal(text: str, controls: re.Pattern[str] = CONTROLS) -> str | None:
    """Why `text` (a URL, a name in a configuration file) is refused, or None."""
    named = control_in(text, controls)
    return f"holds {named}, an invisible character that reorders text on screen" if named else None
