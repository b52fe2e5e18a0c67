"""Cleaning raw article text with small named, versioned rules, and extracting metadata.

The raw text is seen as lines. Each rule marks what it removes, as whole lines or as spans,
in raw-text offsets, and the first rule to claim a line keeps it. The clean text is the raw
text minus those pieces, with whitespace normalised (and nothing else changed), so the clean
text plus :attr:`CleanArticle.removed` accounts for every non-whitespace character of the
raw text. :data:`RULES` lists the rules in the order they apply (rules that look at the same
lines share one pass: the header rules, the whole-line debris rules); their versioned names go
into the manifest (:func:`rule_versions`) and into every ``removed`` entry. Quality flags
come from :mod:`ceasefire_news.dataset.corpus.clean_flags`, metadata from :mod:`ceasefire_news.dataset.corpus.metadata`.

Speed: every rule is a precompiled regular expression over the whole text or a single pass
over a bounded number of lines, so cleaning stays linear in the text's length.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate, compress

from ceasefire_news.dataset.corpus import metadata
from ceasefire_news.dataset.corpus.clean_flags import text_flags
from ceasefire_news.dataset.corpus.document import CleanArticle, RawArticle, Removal


@dataclass(frozen=True, slots=True)
class Rule:
    """One cleaning rule: a stable name, a version bumped whenever its behaviour changes."""

    name: str
    version: int
    description: str
    #: The rule removes text of other articles or pages (sets ``foreign_content_removed``).
    foreign: bool = False
    #: The versioned name recorded in ``removed`` and in the manifest: ``strip_php_dump_v1``.
    id: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "id", f"{self.name}_v{self.version}")


CONTROL_CHARS = Rule("strip_control_chars", 1, "Control and zero-width characters.")
SHORTCODES = Rule("strip_shortcodes", 1, "WordPress shortcodes such as [caption …]…[/caption], with content.")
PHP_DUMP = Rule(
    "strip_php_dump",
    1,
    'PHP string(N) "[{…}]" dumps of related articles, with the counter and "Category:" lines around them.',
    foreign=True,
)
CAPTIONS = Rule(
    "strip_captions",
    1,
    "Photo captions, every copy: lines with photo credits or position marks ((L), ', left,', "
    "'/ AFP /', '(Photo'), and captions printed twice in a row.",
)
SCRAPE_DATE = Rule("strip_scrape_date", 1, 'The scraper\'s "29 Mar 2024" stamp on the first line.')
DATELINES = Rule("strip_datelines", 1, "Lines that are only a date (publication date lines).")
STORY_CODE = Rule("strip_story_code", 1, '"Story Code : 566428" lines.')
STRAY_TOKENS = Rule("strip_stray_tokens", 1, 'Lone scrape tokens before the title ("0", "in").')
TITLE = Rule("strip_title", 1, "The title line and its repeats at the top (kept as metadata).")
COMMENT_DEBRIS = Rule(
    "strip_comment_debris",
    1,
    'Comment and share widgets: "Comment", "mments (1)", "Your Name", "Leave a Reply", '
    '"GIPHY App Key not set…", "Please let us know if you\'re having issues with commenting."',
)
PAGE_URLS = Rule("strip_page_urls", 1, "Lines that are only a URL.")
COUNTERS = Rule("strip_counters", 1, "Lines that are only a number (view and comment counters).")
SYMBOL_LINES = Rule("strip_symbol_lines", 1, 'Lines without a letter or digit ("()", "•").')
PAGE_LABELS = Rule("strip_page_labels", 1, 'Page labels: "Category:", "Tags:" lines.')
TRAILING_HEADLINES = Rule(
    "strip_trailing_headlines",
    1,
    "Other articles' headlines appended after the end of the article and its comment block.",
    foreign=True,
)
RELATED_LINKS = Rule(
    "strip_related_links",
    1,
    '"More:" lists of related headlines (a bullet that wraps a real paragraph stays).',
    foreign=True,
)
REPEATED_LINES = Rule("strip_repeated_lines", 1, "The second copy of a line printed twice in a row.")
BULLETS = Rule("strip_bullets", 1, "Bullet glyphs at the start of a line (the line stays).")
WHITESPACE = Rule(
    "normalize_whitespace",
    1,
    "No-break spaces, indentation, runs of spaces and blank lines; one blank line between "
    "paragraphs (a space before a comma stays: it shows where the source lost a number).",
)
JOIN_BROKEN = Rule(
    "join_broken_paragraphs",
    1,
    "Rejoin a sentence broken across paragraphs (next starts lower-case; whitespace only).",
)

#: Every rule, in the order they run.
RULES: tuple[Rule, ...] = (
    SHORTCODES,
    PHP_DUMP,
    CAPTIONS,
    SCRAPE_DATE,
    DATELINES,
    STORY_CODE,
    STRAY_TOKENS,
    TITLE,
    COMMENT_DEBRIS,
    PAGE_URLS,
    COUNTERS,
    SYMBOL_LINES,
    PAGE_LABELS,
    TRAILING_HEADLINES,
    RELATED_LINKS,
    REPEATED_LINES,
    BULLETS,
    CONTROL_CHARS,
    WHITESPACE,
    JOIN_BROKEN,
)
_FOREIGN = frozenset(rule.id for rule in RULES if rule.foreign)


def rule_versions() -> dict[str, str]:
    """Rule name -> versioned name, in run order, for the corpus manifest.

    >>> rule_versions()["strip_php_dump"]
    'strip_php_dump_v1'
    """
    return {rule.name: rule.id for rule in RULES}


# --- patterns ------------------------------------------------------------------------------
# Python's regex engine scans fast only from a literal first character, so each scan below
# starts with one ("(", "/", "[", ", ", "hoto", "string("), and the scans run over a Latin-1
# copy of the raw text (characters beyond Latin-1 become "?", so offsets stay the same), which
# the engine scans about twice as fast as text with typographic quotes. The rest is per line.

_BULLET_CHARS = "•·▪◦‣●■►"
#: Bytes of the Latin-1 copy that need no whitespace work: printable ASCII, line ends and
#: printable Latin-1 (not the no-break space U+00A0, the soft hyphen U+00AD or C1 controls).
_REGULAR_BYTES = bytes(range(0x20, 0x7F)) + b"\n\r" + bytes(c for c in range(0xA1, 0x100) if c != 0xAD)
#: Characters beyond Latin-1 that need whitespace work or removal: other spaces, zero-width
#: characters, the byte order mark (each checked by a single-character search, fast).
_IRREGULAR_CHARS = "\u2002\u2003\u2009\u200a\u200b\u200c\u200d\u202f\u205f\u2060\u3000\ufeff"
_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\xad\u200b\u200c\u200d\u2060\ufeff]+")
_SHORTCODE = re.compile(
    rb"\[(caption|embed|gallery|video|audio)\b[^\]\n]*\].*?\[/\1\]"
    rb"|\[/?(?:caption|embed|gallery|video|audio)\b[^\]\n]*\]",
    re.DOTALL,
)
_PHP_DUMP = re.compile(
    rb'string\(\d+\) "(?:\[.*?\]|[^"\n]*)"(?=[^\S\n]*(?:\n|$))|string\(\d+\) "\[\{[^\n]*',
    re.DOTALL,
)
_CAPTION_MARKS = (
    # position marks: "(L)", "(C)", "(2nd R)", "(from left)"; "(Photo by AFP)"
    re.compile(
        rb"\((?:L|R|C|2nd [LR]|C-[LR]|L-R|R-L|[Ll]eft|[Rr]ight|[Cc]ent(?:er|re)|"
        rb"from (?:left|right)|Photo|Photos|File photo|AP Photo)\b"
    ),
    # "Presidents Erdogan, left, and Putin"
    re.compile(rb", (?:left|right|cent(?:er|re)|second (?:left|right)|far (?:left|right))(?:,| and\b)"),
    # agency credits: "/ AFP / GEORGE OURFALIAN"
    re.compile(rb"/ ?(?:AFP|AP|Reuters|REUTERS|EPA|Getty Images|ANADOLU AGENCY|SANA|Sputnik) ?/"),
    # bracketed credits at the end: "[Pavel Golovkin/Pool via Reuters]"
    re.compile(rb"\[[^\]\n]{0,80}\b(?:Reuters|AFP|AP Photo|Getty Images|EPA|Anadolu|Pool|Handout)\]"),
    # credits "Photo: …", "Photo by …" (capitalised: "a photo by the agency" in a sentence stays)
    re.compile(rb"Photo(?:graph)?(?:: | by\b)"),
    # "… in a photo taken on September 4, 2016."
    re.compile(rb"in an? (?:photo|picture|file photo|handout photo) (?:taken|released|provided)\b"),
)
_DUMP_NEIGHBOUR = re.compile(r"Category:.*|\d{1,7}")
_CAPTION_DATE_END = re.compile(
    r"\b(?:on|in) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? \d{1,2}"
    r"(?:, \d{4})?[.,]?$"
)
_STORY_CODE = re.compile(r"Story Code\s*:\s*\d+", re.IGNORECASE)
_STRAY = re.compile(r"\d+|[^\W\d_]{1,3}")
_COMMENTS_SUFFIXES = "|".join(
    "comments"[i:] for i in range(len("comments") - 4 + 1)
)  # the scrape cuts the start of "Comments (1)": "mments (1)"
_DEBRIS_LINE = re.compile(
    rf"""(?:[{_BULLET_CHARS}]\s*)?(?:
        (?P<comment>
            (?:\d+\s+)?comments?(?:\s*\(\d+\))?
          | (?:{_COMMENTS_SUFFIXES})\s*\(\d+\)
          | your\ name\ ?\*? | your\ e-?mail(?:\ address)?\ ?\*? | name\ ?\* | e-?mail\ ?\*
          | website | submit | post\ comment | add\ (?:a\ )?comment | leave\ a\ (?:reply|comment)
          | your\ e-?mail\ address\ will\ not\ be\ published\.?.*
          | required\ fields\ are\ marked\ \*?
          | save\ my\ name,\ email,?\ and\ website\ in\ this\ browser.*
          | giphy\ app\ key\ not\ set\..*
          | please\ let\ us\ know\ if\ you(?:'|’)?re\ having\ issues\ with\ commenting\.?
          | you\ must\ be\ logged\ in\ to\ post\ a\ comment\.?
          | \(read\ more\).*
          | share(?:\ this(?:\ article|\ story)?)?(?:\ on\ (?:facebook|twitter|whatsapp))? | tweet
          | print | e-?mail\ this(?:\ article)?
        )
      | (?P<label>(?:category|categories|tags?|topics?|keywords)\s*:.{{0,200}})
      | (?P<url>(?:https?://|www\.)\S+)
      | (?P<counter>\d{{1,9}})
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_TAIL_ONLY_DEBRIS = re.compile(
    rf"(?:[{_BULLET_CHARS}]\s*)?(?:what do you think\??|related|more|read more)",
    re.IGNORECASE,
)
_RELATED_HEADER = re.compile(
    r"(?:more|read more|related|related (?:articles|news|stories|content)|also read|read also|"
    r"see also|recommended|you may also like|more on this)\s*:?",
    re.IGNORECASE,
)
_HAS_ALNUM = re.compile(r"[^\W_]")
_CLOSERS = "\"”’')]"

_HEADER_LINES = 15
_CAPTION_MAX_CHARS = 700
_DEBRIS_MAX_CHARS = 120
_LONG_DEBRIS_STARTS = frozenset(
    [
        "please",
        "your",
        "save",
        "giphy",
        "you",
        "required",
        "(read",
        "share",
        "category:",
        "categories:",
        "tags:",
        "tag:",
        "topics:",
        "keywords:",
        "•",
        "·",
        "▪",
        "◦",
        "‣",
        "●",
        "■",
        "►",
    ]
)


def _words(line: str) -> int:
    return line.count(" ") + 1 if line else 0


def _ends_sentence(line: str) -> bool:
    last = line[-1:]
    if not last:
        return False
    if last in '"”':
        return True
    if last in _CLOSERS:
        last = line.rstrip(_CLOSERS)[-1:]
    return last != "" and last in ".!?…"


def _is_body_line(line: str) -> bool:
    """A real paragraph: a sentence of some length."""
    words = _words(line)
    return words >= 25 or (words >= 8 and _ends_sentence(line))


def _is_headline(line: str) -> bool:
    """A headline: one short line that does not end a sentence."""
    return 1 <= _words(line) <= 25 and not _ends_sentence(line)


def _unbullet(line: str) -> str:
    return line[1:].lstrip() if line[:1] in _BULLET_CHARS and line[:1] else line


def _norm(line: str) -> str:
    return " ".join(line.split()).casefold()


class _Page:
    """The raw text as lines, and what the rules have claimed so far."""

    __slots__ = ("claims", "irregular", "latin1", "lines", "nonblank", "raw", "spans", "starts", "stripped")

    def __init__(self, raw: str) -> None:
        self.raw = raw
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


# --- rules ---------------------------------------------------------------------------------


def _strip_shortcodes(page: _Page) -> None:
    for match in _SHORTCODE.finditer(page.latin1):
        if not page.overlaps(match.start(), match.end()):
            page.claim_span(match.start(), match.end(), SHORTCODES.id)


def _strip_php_dump(page: _Page) -> None:
    if b"string(" not in page.latin1:
        return
    for match in _PHP_DUMP.finditer(page.latin1):
        if page.overlaps(match.start(), match.end()):
            continue
        page.claim_span(match.start(), match.end(), PHP_DUMP.id)
        first, last = page.line_of(match.start()), page.line_of(match.end() - 1)
        # The counter and "Category:" lines sit just before the dump (and sometimes after).
        for order in (range(first - 1, max(first - 8, -1), -1), range(last + 1, min(last + 8, len(page.lines)))):
            for i in order:
                line = page.stripped[i]
                if not line:
                    continue
                if i not in page.claims and _DUMP_NEIGHBOUR.fullmatch(line):
                    page.claim(i, PHP_DUMP.id)
                    continue
                break


def _strip_captions(page: _Page) -> None:
    data, stripped, claims = page.latin1, page.stripped, page.claims
    for pattern in _CAPTION_MARKS:
        for match in pattern.finditer(data):
            i = page.line_of(match.start())
            if i not in claims and len(stripped[i]) <= _CAPTION_MAX_CHARS:
                page.claim(i, CAPTIONS.id)


@dataclass(slots=True)
class _Header:
    title: str | None = None
    published: dt.date | None = None


def _title_like(line: str) -> bool:
    return (
        2 <= _words(line) <= 30
        and not line.endswith(".")
        and not _is_body_line(line)
        and (line[0].isalnum() or _HAS_ALNUM.search(line) is not None)
    )


def _strip_header(page: _Page, given_title: str | None) -> _Header:
    """Scrape stamp, datelines, story codes, stray tokens and the title, above the body."""
    header = _Header()
    title_key = None
    if given_title:
        header.title = given_title
        title_key = _norm(metadata.split_title_suffix(given_title)[0])
    seen = 0
    stripped, claims = page.stripped, page.claims
    for i in page.nonblank:
        if i in claims:
            continue
        seen += 1
        if seen > _HEADER_LINES:
            break
        line = stripped[i]
        if seen == 1 and metadata.is_scrape_stamp(line):
            claims[i] = SCRAPE_DATE.id
            continue
        found = metadata.parse_date_line(line)
        if found is not None:
            claims[i] = DATELINES.id
            if header.published is None:
                header.published = found.date
            continue
        if line[:5] in ("Story", "STORY", "story") and _STORY_CODE.fullmatch(line):
            claims[i] = STORY_CODE.id
            continue
        if _is_body_line(line):
            break
        if title_key is None:
            if (len(line) <= 3 or line.isdigit()) and _STRAY.fullmatch(line):
                claims[i] = STRAY_TOKENS.id
                continue
            if _title_like(line):
                header.title = line
                title_key = _norm(metadata.split_title_suffix(line)[0])
                claims[i] = TITLE.id
        elif _norm(line) == title_key or _norm(metadata.split_title_suffix(line)[0]) == title_key:
            claims[i] = TITLE.id
    return header


def _strip_debris_lines(page: _Page) -> list[int]:
    """Whole-line debris anywhere: comment widgets, page URLs, counters, labels, symbols.

    Returns the lines that open a related-links list ("More:"), for the next rule.
    """
    stripped, claims = page.stripped, page.claims
    related: list[int] = []
    for i in page.nonblank:
        line = stripped[i]
        if i in claims or (len(line) > _DEBRIS_MAX_CHARS and ":" not in line[:12]):
            continue
        if line.count(" ") >= 5 and line[: line.find(" ")].lower() not in _LONG_DEBRIS_STARTS:
            continue  # a sentence, not a widget (the long widgets start with these words)
        if len(line) <= 12 and _HAS_ALNUM.search(line) is None:
            claims[i] = SYMBOL_LINES.id
            continue
        match = _DEBRIS_LINE.fullmatch(line)
        if match is not None:
            claims[i] = _DEBRIS_RULES[match.lastgroup or ""]
        elif len(line) <= 40 and _RELATED_HEADER.fullmatch(line):
            related.append(i)
    return related


def _strip_related_links(page: _Page, headers: list[int]) -> None:
    if not headers:
        return
    open_lines = page.open_lines()
    for header in headers:
        page.claim(header, RELATED_LINKS.id)
        for i in open_lines:
            if i <= header or i in page.claims:
                continue
            if not _is_headline(_unbullet(page.stripped[i])):
                break
            page.claim(i, RELATED_LINKS.id)


def _strip_tail(page: _Page) -> None:
    """Other articles' headlines and late debris after the end of the article.

    From the bottom up, the tail is every line that is debris (already claimed), a headline
    or a comment prompt. Headlines there go only from the first debris line down: a short
    last paragraph of the article itself, above any debris, stays.
    """
    stripped, claims = page.stripped, page.claims
    zone: list[int] = []
    for i in reversed(page.nonblank):
        if i in claims:
            zone.append(i)
            continue
        line = stripped[i]
        if _TAIL_ONLY_DEBRIS.fullmatch(line) or _is_headline(_unbullet(line)):
            zone.append(i)
            continue
        break
    started = False
    for i in reversed(zone):
        rule = claims.get(i)
        if rule is not None:
            started = started or rule in _DEBRIS_IDS
            continue
        line = stripped[i]
        if _TAIL_ONLY_DEBRIS.fullmatch(line):
            claims[i] = COMMENT_DEBRIS.id
            started = True
        elif metadata.split_title_suffix(_unbullet(line))[1] is not None:
            claims[i] = TRAILING_HEADLINES.id  # another page's headline with its outlet suffix
            started = True
        elif started:
            claims[i] = TRAILING_HEADLINES.id


def _strip_repeated_lines(page: _Page) -> None:
    open_lines = page.open_lines()
    stripped = page.stripped
    if len({stripped[i] for i in open_lines}) == len(open_lines):
        return
    prev: int | None = None
    for i in open_lines:
        if prev is not None and stripped[i] == stripped[prev]:
            # A caption printed twice (image alt text, then the caption) may carry no credit
            # at all; a repeated line ending "on March 5, 2020." is such a caption.
            if _CAPTION_DATE_END.search(stripped[i]):
                page.claims[prev] = CAPTIONS.id
                page.claims[i] = CAPTIONS.id
            else:
                page.claims[i] = REPEATED_LINES.id
            continue
        prev = i


def _strip_bullets_and_controls(page: _Page) -> None:
    stripped = page.stripped
    for i in page.open_lines():
        line = stripped[i]
        if line[0] in _BULLET_CHARS:
            start = page.bounds(i)[0]
            page.spans.append((start, start + 1, BULLETS.id))
        if i in page.irregular:
            base = page.starts[i]
            for match in _CONTROL.finditer(page.lines[i]):
                page.spans.append((base + match.start(), base + match.end(), CONTROL_CHARS.id))


_DEBRIS_RULES = {
    "comment": COMMENT_DEBRIS.id,
    "label": PAGE_LABELS.id,
    "url": PAGE_URLS.id,
    "counter": COUNTERS.id,
}
_DEBRIS_IDS = frozenset(rule.id for rule in (COMMENT_DEBRIS, PAGE_LABELS, PAGE_URLS, COUNTERS, SYMBOL_LINES, PHP_DUMP))


# --- assembly ------------------------------------------------------------------------------


def _removals(page: _Page) -> list[Removal]:
    raw = page.raw
    pieces = list(page.spans)
    for i, rule in page.claims.items():
        if rule:
            pieces.append((*page.bounds(i), rule))
    pieces.sort()
    removed: list[Removal] = []
    last_end = 0
    for start, end, rule in pieces:
        start = max(start, last_end)  # noqa: PLW2901 -- a piece inside a removed line adds nothing
        if start < end:
            removed.append(Removal(start=start, end=end, rule=rule, text=raw[start:end]))
            last_end = end
    return removed


def _paragraphs(page: _Page) -> list[str]:
    """The kept text of every line, whitespace normalised: one paragraph per line."""
    partial: dict[int, list[tuple[int, int]]] = {}
    for start, end, _ in page.spans:
        for i in range(page.line_of(start), page.line_of(max(start, end - 1)) + 1):
            if i not in page.claims:
                partial.setdefault(i, []).append((start, end))
    paragraphs: list[str] = []
    stripped, claims, raw = page.stripped, page.claims, page.raw
    for i in page.nonblank:
        if i in claims:
            continue
        line = stripped[i]
        cuts = partial.get(i)
        if cuts:
            line_start, line_end = page.bounds(i)
            kept: list[str] = []
            pos = line_start
            for start, end in sorted(cuts):
                kept.append(raw[pos : max(pos, start)])
                pos = max(pos, end)
            kept.append(raw[pos:line_end])
            # A space where a piece was cut keeps the words on either side apart.
            line = " ".join(" ".join(kept).split())
        elif i in page.irregular:
            line = " ".join(line.split())
        if line:
            paragraphs.append(line)
    return paragraphs


def _join_broken(paragraphs: list[str]) -> list[str]:
    """Join a paragraph to the previous one when a sentence was broken between them."""
    joined: list[str] = []
    for paragraph in paragraphs:
        if joined and paragraph[0].islower() and not _ends_sentence(joined[-1]) and not joined[-1].endswith(":"):
            joined[-1] = f"{joined[-1]} {paragraph}"
        else:
            joined.append(paragraph)
    return joined


def _page_url(removed: list[Removal]) -> str | None:
    for piece in removed:
        if piece.rule == PAGE_URLS.id:
            text = _unbullet(piece.text.strip())
            return text if text.startswith("http") else f"https://{text}"
    return None


def clean_article(raw: RawArticle) -> CleanArticle:
    """Clean one raw article and take its metadata from the text (given metadata wins).

    >>> from ceasefire_news.dataset.corpus.document import RawArticle
    >>> text = "Title here\\n\\nA body sentence that is long enough to count.\\nComment"
    >>> article = clean_article(RawArticle("a.txt", "a.txt", text))
    >>> article.title, article.text, [r.rule for r in article.removed]
    ('Title here', 'A body sentence that is long enough to count.', ['strip_title_v1', 'strip_comment_debris_v1'])
    """
    page = _Page(raw.raw_text)
    _strip_shortcodes(page)
    _strip_php_dump(page)
    _strip_captions(page)
    header = _strip_header(page, raw.given_title)
    related = _strip_debris_lines(page)
    _strip_tail(page)
    _strip_related_links(page, related)
    _strip_repeated_lines(page)
    _strip_bullets_and_controls(page)
    removed = _removals(page)
    text = "\n\n".join(_join_broken(_paragraphs(page)))

    flags = text_flags(text)
    if any(piece.rule in _FOREIGN for piece in removed):
        flags.add("foreign_content_removed")

    title, title_outlet = (None, None)
    if header.title is not None:
        title, title_outlet = metadata.split_title_suffix(" ".join(header.title.split()))
    url = raw.given_url or _page_url(removed)
    published = metadata.parse_date(raw.given_date) if raw.given_date else None
    if published is None:
        published = header.published
    if published is None and url:
        published = metadata.date_from_url(url)
    outlet = raw.given_outlet or title_outlet or (metadata.outlet_from_url(url) if url else None)
    return CleanArticle(
        source_file=raw.source_file,
        text=text,
        title=title or None,
        outlet=outlet,
        url=url,
        published_date=published,
        language=metadata.detect_language(text),
        quality_flags=sorted(flags),
        removed=removed,
    )
