"""Quality flags read off the clean text: damage that cleaning can see but must not repair.

Flag names come from :data:`schema.labels.TEXT_FLAGS`. Each detector looks for a literal
anchor first (Python's regex engine is only fast from a literal) and then checks the words
around it, so a flag is raised only on evidence in the text.
"""

from __future__ import annotations

import re

from schema.labels import TEXT_FLAGS

#: Words after which a number was cut out: "raising the number … to .", "on March ,".
_BEFORE_LOST_NUMBER = frozenset(
    [
        "to",
        "of",
        "from",
        "at",
        "by",
        "than",
        "least",
        "about",
        "nearly",
        "over",
        "reached",
        "killing",
        "killed",
        "aged",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ]
)
#: "killed at least people": a quantity phrase directly followed by what was counted.
_QUANTITY_ANCHORS = ("at least ", "more than ", "less than ", "fewer than ")
_COUNTED = frozenset(
    [
        "people",
        "persons",
        "civilians",
        "children",
        "women",
        "soldiers",
        "troops",
        "fighters",
        "militants",
        "rebels",
        "residents",
        "refugees",
        "deaths",
        "casualties",
        "killed",
        "wounded",
        "injured",
        "percent",
        "km",
        "kilometres",
        "kilometers",
        "miles",
        "districts",
        "villages",
        "towns",
        "families",
    ]
)
#: Run-together words: "achievingan", "statementadded", "towardtrying".
_RUN_TOGETHER = (
    re.compile(r"ing(?:an|the|to|of|and|in|on|at|for|with|by|from|that|was|were|said|added)\b"),
    re.compile(r"ment(?:an|the|to|of|and|in|at|for|with|by|from|that|was|were|said|added)\b"),
    re.compile(r"toward(?!s\b)[a-z]{2,}"),
)
#: Possessives without the apostrophe: "Russias", "Syrias", "Turkeys".
_POSSESSIVE = (re.compile(r"ias\b"), re.compile(r"eys\b"))
#: Contractions without the apostrophe: "didnt", "doesnt", "isnt" (no English word ends in
#: "dnt" or "snt"), "dont", "arent", "werent", "havent".
_CONTRACTION = re.compile(r"nt\b(?:(?<=[ds]nt)|(?<=\bdont)|(?<=\barent)|(?<=\bwerent)|(?<=\bhavent))")
_SENTENCE_END = ".!?…"
_CLOSERS = "\"”’')]"
_KNOWN = frozenset(TEXT_FLAGS.names)


def _word_before(text: str, pos: int) -> str:
    start = text.rfind(" ", 0, pos) + 1
    return text[start:pos].lower()


def _numbers_stripped(text: str) -> bool:
    for gap in (" .", " ,"):
        pos = text.find(gap)
        while pos != -1:
            if _word_before(text, pos) in _BEFORE_LOST_NUMBER:
                return True
            pos = text.find(gap, pos + 2)
    for anchor in _QUANTITY_ANCHORS:
        pos = text.find(anchor)
        while pos != -1:
            start = pos + len(anchor)
            end = start
            while end < len(text) and text[end].isalpha():
                end += 1
            if text[start:end] in _COUNTED:
                return True
            pos = text.find(anchor, end)
    return False


def _word_start(text: str, pos: int) -> int:
    while pos > 0 and text[pos - 1].isalpha():
        pos -= 1
    return pos


def _apostrophes_missing(text: str) -> bool:
    if _CONTRACTION.search(text):
        return True
    for pattern in _POSSESSIVE:
        for match in pattern.finditer(text):
            start = _word_start(text, match.start())
            word = text[start : match.end()]
            if not word[:1].isupper():
                continue
            # The base standing alone elsewhere ("Syria", "Syria's") shows that "Syrias"
            # lost its apostrophe; a name that only ever appears with the "s" is left alone.
            base = word[:-1]
            pos = text.find(base)
            while pos != -1:
                after = text[pos + len(base) : pos + len(base) + 1]
                if after != "s" and not after.isalpha() and not text[pos - 1 : pos].isalpha():
                    return True
                pos = text.find(base, pos + 1)
    return False


def _missing_spaces(text: str) -> bool:
    for pattern in _RUN_TOGETHER:
        for match in pattern.finditer(text):
            start = _word_start(text, match.start())
            # A lower-case word of some length ("achievingan"), not a name ("Menton").
            if match.start() - start >= 2 and text[start].islower():
                return True
    return False


def _truncated(text: str) -> bool:
    last = text.rstrip(_CLOSERS)[-1:] if text[-1:] in _CLOSERS else text[-1:]
    return bool(text) and text[-1:] not in '"”' and last not in _SENTENCE_END


def text_flags(text: str) -> set[str]:
    """The TEXT_FLAGS the text shows (a set; the caller sorts it).

    >>> sorted(text_flags("Russias army killed at least people. Syria said so"))
    ['missing_apostrophes', 'numbers_stripped', 'truncated']
    """
    flags: set[str] = set()
    if _numbers_stripped(text):
        flags.add("numbers_stripped")
    if _missing_spaces(text):
        flags.add("missing_spaces")
    if _apostrophes_missing(text):
        flags.add("missing_apostrophes")
    if _truncated(text):
        flags.add("truncated")
    if not flags <= _KNOWN:  # detectors only ever use names from the vocabulary
        raise AssertionError(f"unknown text flags {sorted(flags - _KNOWN)}")
    return flags
