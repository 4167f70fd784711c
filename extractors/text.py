"""How an item's title and summary become one text (no spaCy import here).

Real items differ from the project's own in two ways the parser feels. Wire
copy opens with a dateline ("TOKYO, March 3 (Reuters) -"), which the parser
takes for the subject of the lead. And one headline in six is in Title Case,
which the tagger reads as a run of proper nouns whose lemmas are the words
themselves ("Bans" stays "Bans"), so lemma patterns miss it. The dateline is
cut and a Title Case headline is put in sentence case, keeping capitals on
words the summary capitalises or the text does not know as common words.
"""

from __future__ import annotations

import re
from functools import cache

from .resources import DATA_DIR, read_yaml

SEPARATOR = "\n\n"
CASING_FILE = "casing.yaml"
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
SUFFIXES = ("", "s", "es", "ed", "d", "ing")
TITLE_CASE_SHARE = 0.7  # share of a headline's long words capitalised to call it Title Case
LONG_WORD = 4
MIN_STEM = 3
SUMMARY_SCAN = 600  # characters of the summary read for its casing: the lead is enough
SENTENCE_OPENERS = frozenset(".!?:\"“‘'(")


def join_item(title: str, summary: str) -> str:
    """The text the tagger parses: title, a blank line, summary (datelines cut, a Title
    Case headline put in sentence case)."""
    title, summary = strip_dateline(title.strip()), strip_dateline(summary.strip())
    title = truecase(title, summary)
    return f"{title}{SEPARATOR}{summary}" if summary else title


@cache
def _casing() -> tuple[re.Pattern[str], frozenset[str]]:
    data = read_yaml(DATA_DIR / CASING_FILE) or {}
    dateline = re.compile("|".join(f"(?:{p})" for p in data.get("datelines", [])) or "(?!)")
    words = frozenset(str(w).lower() for w in data.get("common_words", []))
    lexicon = read_yaml(DATA_DIR / "lexicon.yaml") or {}
    words |= {str(w).lower() for ws in lexicon.values() for w in ws if str(w).isalpha()}
    return dateline, words


def strip_dateline(text: str) -> str:
    """`text` without an opening wire dateline; unchanged when nothing would be left."""
    match = _casing()[0].match(text)
    if match is None or not text[match.end() :].strip():
        return text
    rest = text[match.end() :].lstrip()
    return rest[:1].upper() + rest[1:]


def is_title_case(title: str) -> bool:
    """Most long words start with a capital (a headline style, not a name or two)."""
    long_words = [w for w in WORD.findall(title) if len(w) >= LONG_WORD]
    if len(long_words) < 3:
        return False
    capitalised = sum(w[0].isupper() and not w.isupper() for w in long_words)
    return capitalised / len(long_words) >= TITLE_CASE_SHARE


def truecase(title: str, summary: str) -> str:
    """A Title Case headline in sentence case: the first word and the words the summary
    capitalises (names) keep their capitals, and so do words that are not common words."""
    if not is_title_case(title):
        return title
    common = _casing()[1]
    summary = summary[:SUMMARY_SCAN]
    names = _capitalised_in(summary)
    lowered = {stem for w in WORD.findall(summary) if w.islower() for stem in _stems(w)}

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        if match.start() == 0 or not word.istitle() or word in names:
            return word
        low = word.lower()
        stems = _stems(low)
        return low if stems & lowered or stems & common else word

    return WORD.sub(fix, title)


def _stems(word: str) -> set[str]:
    """The word and the word less each inflection it ends in ("bans" -> bans, ban), keeping
    stems of three letters or more."""
    stems = {word[: len(word) - len(s)] for s in SUFFIXES if s and word.endswith(s)}
    return {word} | {s for s in stems if len(s) >= MIN_STEM}


def _capitalised_in(text: str) -> set[str]:
    """Capitalised words of `text` that do not open a sentence (names, as the text has it)."""
    out = set()
    for match in WORD.finditer(text):
        if not match.group(0)[0].isupper():
            continue
        j = match.start() - 1
        while j >= 0 and text[j].isspace():
            j -= 1
        if j >= 0 and text[j] not in SENTENCE_OPENERS:
            out.add(match.group(0))
    return out
