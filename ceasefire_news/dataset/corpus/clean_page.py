"""The raw text of an article as lines, and what the cleaning rules have claimed of it.

A :class:`Page` keeps, per line, its raw offsets and stripped content, and the claims of the
rules, as whole lines or as spans in raw-text offsets (the first rule to claim a line keeps
it). The line tests here (:func:`is_body_line`, :func:`is_headline`, ...) are what the rules
of :mod:`ceasefire_news.dataset.corpus.clean_strip` decide with.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate, compress

from ceasefire_news.dataset.corpus.clean_rules import RULE_NAMES

#: Glyphs that start a bulleted line.
BULLET_CHARS = "•·▪◦‣●■►"
#: Bytes of the Latin-1 copy that need no whitespace work: printable ASCII, line ends and
#: printable Latin-1 (not the no-break space U+00A0, the soft hyphen U+00AD or C1 controls).
_REGULAR_BYTES = bytes(range(0x20, 0x7F)) + b"\n\r" + bytes(c for c in range(0xA1, 0x100) if c != 0xAD)
#: Characters beyond Latin-1 that need whitespace work or removal: other spaces, zero-width
#: characters, the byte order mark (each checked by a single-character search, fast).
_IRREGULAR_CHARS = "\u2002\u2003\u2009\u200a\u200b\u200c\u200d\u202f\u205f\u2060\u3000\ufeff"
_CLOSERS = "\"”’')]"
_HEADLINE_MAX_CHARS = 200


def word_count(line: str) -> int:
    """Words of a stripped line, counted by its spaces."""
    return line.count(" ") + 1 if line else 0


def ends_sentence(line: str) -> bool:
    """The line ends a sentence: with a full stop (also the ideographic "。"), a question or
    exclamation mark, or a closing quote."""
    last = line[-1:]
    if not last:
        return False
    if last in '"”':
        return True
    if last in _CLOSERS:
        last = line.rstrip(_CLOSERS)[-1:]
    return last != "" and last in ".!?…。！？"


def is_body_line(line: str) -> bool:
    """A real paragraph: a sentence of some length."""
    count = word_count(line)
    return count >= 25 or (count >= 8 and ends_sentence(line))


def is_headline(line: str) -> bool:
    """A headline: one short line that does not end a sentence (short in characters too: a
    paragraph of a script written without spaces is one "word")."""
    return 1 <= word_count(line) <= 25 and len(line) <= _HEADLINE_MAX_CHARS and not ends_sentence(line)


def unbullet(line: str) -> str:
    """The line without a leading bullet glyph."""
    return line[1:].lstrip() if line[:1] in BULLET_CHARS and line[:1] else line


def normalised(line: str) -> str:
    """The line for comparisons: whitespace collapsed, case folded."""
    return " ".join(line.split()).casefold()


class Page:
    """The raw text as lines, and what the rules have claimed so far."""

    __slots__ = ("active", "claims", "irregular", "latin1", "lines", "nonblank", "raw", "spans", "starts", "stripped")

    def __init__(self, raw: str, active: frozenset[str] = RULE_NAMES) -> None:
        self.raw = raw
        #: The names of the rules that run on this page (the rest are switched off).
        self.active = active
        self.latin1 = raw.encode("latin-1", "replace")
        # splitlines() splits where str.strip() sees line ends too (\r\n, \r, \u2028, …).
        self.lines = raw.splitlines(keepends=True)
        self.stripped = list(map(str.strip, self.lines))
        self.starts = list(accumulate(map(len, self.lines), initial=0))
        self.nonblank = list(compress(range(len(self.stripped)), self.stripped))
        #: Lines holding anything but printable characters and single spaces (no-break
        #: spaces, tabs, runs of spaces, control characters): the only ones that need
        #: whitespace work. Cheap whole-text checks spare the usual clean text a line loop.
        self.irregular: frozenset[int] = frozenset()
        if (
            b"  " in self.latin1
            or self.latin1.translate(None, _REGULAR_BYTES)
            or (not raw.isascii() and any(char in raw for char in _IRREGULAR_CHARS))
        ):
            self.irregular = frozenset(
                i for i in self.nonblank if "  " in self.stripped[i] or not self.stripped[i].isprintable()
            )
        #: Line index -> rule id of a whole-line removal ("" when a span covers the line).
        self.claims: dict[int, str] = {}
        #: Removals that are not one whole line: (start, end, rule id).
        self.spans: list[tuple[int, int, str]] = []

    def open_lines(self) -> list[int]:
        """Non-blank lines that no rule has claimed, top to bottom."""
        claims = self.claims
        return [i for i in self.nonblank if i not in claims]

    def bounds(self, i: int) -> tuple[int, int]:
        """Raw offsets of line ``i``'s content, without surrounding whitespace."""
        line = self.lines[i]
        start = self.starts[i] + len(line) - len(line.lstrip())
        return start, start + len(self.stripped[i])

    def line_of(self, offset: int) -> int:
        return bisect_right(self.starts, offset) - 1

    def claim(self, i: int, rule: str) -> None:
        if i not in self.claims and self.stripped[i]:
            self.claims[i] = rule

    def claim_span(self, start: int, end: int, rule: str) -> None:
        """Claim raw[start:end]; lines it covers entirely are claimed as covered by it."""
        for i in range(self.line_of(start), self.line_of(max(start, end - 1)) + 1):
            if self.stripped[i] and i not in self.claims:
                line_start, line_end = self.bounds(i)
                if start <= line_start and line_end <= end:
                    self.claims[i] = ""
        self.spans.append((start, end, rule))

    def overlaps(self, start: int, end: int) -> bool:
        return any(s < end and start < e for s, e, _ in self.spans)
