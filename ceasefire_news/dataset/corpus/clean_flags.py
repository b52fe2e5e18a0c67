"""Quality flags read off the clean text: damage that cleaning can see but must not repair.

Flag names come from :data:`ceasefire_news.schema.labels.TEXT_FLAGS`. A flag is raised only on evidence in
the text. Each detector looks for a literal anchor first and then checks the words around
it. The scans run over an ASCII copy of the text (every other character becomes ``?``, so
offsets stay the same): Python's regex engine scans bytes about twice as fast as text with
typographic quotes, and this runs once per article on the build's hot path.
"""

from __future__ import annotations

import re

from ceasefire_news.schema.labels import TEXT_FLAGS


def _words(text: str) -> frozenset[bytes]:
    return frozenset(word.encode() for word in text.split())


#: Words after which a number was cut out: "raising the number … to .", "on March ,".
_BEFORE_LOST_NUMBER = _words(
    "to of from at by than least about nearly over reached killing killed aged january "
    "february march april may june july august september october november december"
)
#: "killed at least people": a quantity phrase directly followed by what was counted.
_QUANTITY_ANCHORS = (b"at least ", b"more than ")
_COUNTED = _words(
    "people persons civilians children women soldiers troops fighters militants rebels "
    "residents refugees deaths casualties killed wounded injured percent km kilometres "
    "kilometers miles districts villages towns families"
)
#: Run-together words: "achievingan", "statementadded" (a word, then a short one glued on)
#: and "towardtrying" (a word glued onto "toward").
_GLUED_AFTER = (
    re.compile(rb"ing(?:an|the|to|of|and|in|on|at|for|with|by|from|that|was|were|said|added)\b"),
    re.compile(rb"ment(?:an|the|to|of|and|in|at|for|with|by|from|that|was|were|said|added)\b"),
)
_GLUED_TO_TOWARD = re.compile(rb"toward(?!s\b)[a-z]{2,}")
#: Possessives without the apostrophe: "Russias", "Syrias", "Turkeys".
_POSSESSIVE = (re.compile(rb"ias\b"), re.compile(rb"eys\b"))
#: Contractions without the apostrophe: "didnt", "doesnt", "isnt" (no English word ends in
#: "dnt" or "snt"), "dont", "arent", "werent", "havent".
_CONTRACTION = re.compile(rb"nt\b(?:(?<=[ds]nt)|(?<=\bdont)|(?<=\barent)|(?<=\bwerent)|(?<=\bhavent))")
_SENTENCE_END = ".!?…"
_CLOSERS = "\"”’')]"
_KNOWN = frozenset(TEXT_FLAGS.names)


def _word_start(data: bytes, pos: int) -> int:
    while pos > 0 and data[pos - 1 : pos].isalpha():
        pos -= 1
    return pos


def _numbers_stripped(data: bytes) -> bool:
    for gap in (b" .", b" ,"):
        pos = data.find(gap)
        while pos != -1:
            if data[_word_start(data, pos) : pos].lower() in _BEFORE_LOST_NUMBER:
                return True
            pos = data.find(gap, pos + 2)
    for anchor in _QUANTITY_ANCHORS:
        pos = data.find(anchor)
        while pos != -1:
            start = end = pos + len(anchor)
            while data[end : end + 1].isalpha():
                end += 1
            if data[start:end] in _COUNTED:
                return True
            pos = data.find(anchor, end)
    return False


def _apostrophes_missing(data: bytes) -> bool:
    if _CONTRACTION.search(data):
        return True
    for pattern in _POSSESSIVE:
        for match in pattern.finditer(data):
            start = _word_start(data, match.start())
            if not data[start : start + 1].isupper():
                continue
            # The base standing alone elsewhere ("Syria", "Syria's") shows that "Syrias"
            # lost its apostrophe; a name that only ever appears with the "s" is left alone.
            base = data[start : match.end() - 1]
            pos = data.find(base)
            while pos != -1:
                after = data[pos + len(base) : pos + len(base) + 1]
                if after != b"s" and not after.isalpha() and not data[pos - 1 : pos].isalpha():
                    return True
                pos = data.find(base, pos + 1)
    return False


def _missing_spaces(data: bytes) -> bool:
    for pattern in _GLUED_AFTER:
        for match in pattern.finditer(data):
            start = _word_start(data, match.start())
            # A lower-case word of some length ("achievingan"), not a name ("Menton").
            if match.start() - start >= 2 and data[start : start + 1].islower():
                return True
    return any(_word_start(data, m.start()) == m.start() for m in _GLUED_TO_TOWARD.finditer(data))


def _truncated(text: str) -> bool:
    last = text.rstrip(_CLOSERS)[-1:] if text[-1:] in _CLOSERS else text[-1:]
    return bool(text) and text[-1:] not in '"”' and last not in _SENTENCE_END


def text_flags(text: str) -> set[str]:
    """The TEXT_FLAGS the text shows (a set; the caller sorts it).

    >>> sorted(text_flags("Russias army killed at least people. Syria said so"))
    ['missing_apostrophes', 'numbers_stripped', 'truncated']
    """
    data = text.encode("ascii", "replace")
    flags: set[str] = set()
    if _numbers_stripped(data):
        flags.add("numbers_stripped")
    if _missing_spaces(data):
        flags.add("missing_spaces")
    if _apostrophes_missing(data):
        flags.add("missing_apostrophes")
    if _truncated(text):
        flags.add("truncated")
    if not flags <= _KNOWN:  # detectors only ever use names from the vocabulary
        raise AssertionError(f"unknown text flags {sorted(flags - _KNOWN)}")
    return flags
