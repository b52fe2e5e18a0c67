"""What each cleaning rule strips: the patterns, and the passes over a page's lines.

Each ``strip_*`` function claims lines or spans of a
:class:`~ceasefire_news.dataset.corpus.clean_page.Page`; they run in the order of
:data:`~ceasefire_news.dataset.corpus.clean_rules.RULES`
(:func:`~ceasefire_news.dataset.corpus.clean.clean_article` calls them).
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left
from dataclasses import dataclass

from ceasefire_news.dataset.corpus import metadata
from ceasefire_news.dataset.corpus.clean_page import (
    BULLET_CHARS,
    Page,
    is_body_line,
    is_headline,
    normalised,
    unbullet,
    word_count,
)
from ceasefire_news.dataset.corpus.clean_rules import (
    BULLETS,
    CAPTIONS,
    COMMENT_DEBRIS,
    CONTROL_CHARS,
    COUNTERS,
    DATELINES,
    PAGE_LABELS,
    PAGE_URLS,
    PHP_DUMP,
    RELATED_LINKS,
    REPEATED_LINES,
    SCRAPE_DATE,
    SHORTCODES,
    STORY_CODE,
    STRAY_TOKENS,
    SYMBOL_LINES,
    TITLE,
    TRAILING_HEADLINES,
)

# --- patterns ------------------------------------------------------------------------------
# Python's regex engine scans fast only from a literal first character, so each scan below
# starts with one ("(", "/", "[", ", ", "hoto", "string("), and the scans run over a Latin-1
# copy of the raw text (characters beyond Latin-1 become "?", so offsets stay the same), which
# the engine scans about twice as fast as text with typographic quotes. The rest is per line.
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
# The end of a word in the Latin-1 copy: ``\b`` there sees a boundary before "í" (a byte the
# ASCII engine does not count as a letter), and "?" stands for any letter beyond Latin-1.
_WORD_END = rb"(?![0-9A-Za-z_\xaa\xb5\xba\xc0-\xd6\xd8-\xf6\xf8-\xff?])"
_CAPTION_MARKS = (
    # position marks, the whole bracket: "(L)", "(2nd R)", "(C-L)", "(from left)". A bare "(C)"
    # is no mark (a team captain, a copyright sign), nor a bracket that only starts with one:
    # "(R-Okla.)", "(L-L)", "(C compilers".
    re.compile(
        rb"\((?:L|R|2nd [LR]|[23]rd [LR]|C-[LR]|L-R|R-L|[Ll]eft|[Rr]ight|[Cc]ent(?:er|re)|"
        rb"(?:from|second|far) (?:left|right))\)"
    ),
    # "(Photo by AFP)", "(File photo)"
    re.compile(rb"\((?:Photo|Photos|File photo|AP Photo)" + _WORD_END),
    # "Presidents Erdogan, left, and Putin"
    re.compile(
        rb", (?:left|right|cent(?:er|re)|second (?:left|right)|far (?:left|right))(?:,| and" + _WORD_END + rb")"
    ),
    # agency credits: "/ AFP / GEORGE OURFALIAN"
    re.compile(rb"/ ?(?:AFP|AP|Reuters|REUTERS|EPA|Getty Images|ANADOLU AGENCY|SANA|Sputnik) ?/"),
    # bracketed credits at the end: "[Pavel Golovkin/Pool via Reuters]"
    re.compile(rb"\[[^\]\n]{0,80}\b(?:Reuters|AFP|AP Photo|Getty Images|EPA|Anadolu|Pool|Handout)\]"),
    # credits "Photo: …", "Photo by …" (capitalised: "a photo by the agency" in a sentence stays)
    re.compile(rb"Photo(?:graph)?(?:: | by" + _WORD_END + rb")"),
    # "… in a photo taken on September 4, 2016."
    re.compile(rb"in an? (?:photo|picture|file photo|handout photo) (?:taken|released|provided)" + _WORD_END),
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
    rf"""(?:[{BULLET_CHARS}]\s*)?(?:
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
    rf"(?:[{BULLET_CHARS}]\s*)?(?:what do you think\??|related|more|read more)",
    re.IGNORECASE,
)
_RELATED_HEADER = re.compile(
    r"(?:more|read more|related|related (?:articles|news|stories|content)|also read|read also|"
    r"see also|recommended|you may also like|more on this)\s*:?",
    re.IGNORECASE,
)
_HAS_ALNUM = re.compile(r"[^\W_]")

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


# --- rules ---------------------------------------------------------------------------------


def strip_shortcodes(page: Page) -> None:
    """SHORTCODES: WordPress shortcodes, with their content."""
    for match in _SHORTCODE.finditer(page.latin1):
        if not page.overlaps(match.start(), match.end()):
            page.claim_span(match.start(), match.end(), SHORTCODES.id)


def strip_php_dump(page: Page) -> None:
    """PHP_DUMP: string(N) dumps of related articles, with the counter and category lines around them."""
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


def strip_captions(page: Page) -> None:
    """CAPTIONS: photo captions, every copy."""
    data, stripped, claims = page.latin1, page.stripped, page.claims
    for pattern in _CAPTION_MARKS:
        for match in pattern.finditer(data):
            i = page.line_of(match.start())
            if i not in claims and len(stripped[i]) <= _CAPTION_MAX_CHARS:
                page.claim(i, CAPTIONS.id)


@dataclass(slots=True)
class Header:
    """What the header rules found at the top of the page: the title and the publication date."""

    title: str | None = None
    published: dt.date | None = None


def _title_like(line: str) -> bool:
    return (
        2 <= word_count(line) <= 30
        and not line.endswith(".")
        and not is_body_line(line)
        and (line[0].isalnum() or _HAS_ALNUM.search(line) is not None)
    )


def strip_header(page: Page, given_title: str | None) -> Header:
    """Scrape stamp, datelines, story codes, stray tokens and the title, above the body."""
    header = Header()
    on = page.active
    title_key = None
    if given_title:
        header.title = given_title
        title_key = normalised(metadata.split_title_suffix(given_title)[0])
    seen = 0
    stripped, claims = page.stripped, page.claims
    for i in page.nonblank:
        if i in claims:
            continue
        seen += 1
        if seen > _HEADER_LINES:
            break
        line = stripped[i]
        if seen == 1 and SCRAPE_DATE.name in on and metadata.is_scrape_stamp(line):
            claims[i] = SCRAPE_DATE.id
            continue
        found = metadata.parse_date_line(line)
        if found is not None:
            if header.published is None:
                header.published = found.date
            if DATELINES.name in on:
                claims[i] = DATELINES.id
                continue
        if STORY_CODE.name in on and line[:5] in ("Story", "STORY", "story") and _STORY_CODE.fullmatch(line):
            claims[i] = STORY_CODE.id
            continue
        if is_body_line(line):
            break
        if title_key is None:
            if STRAY_TOKENS.name in on and (len(line) <= 3 or line.isdigit()) and _STRAY.fullmatch(line):
                claims[i] = STRAY_TOKENS.id
                continue
            if _title_like(line):
                header.title = line
                title_key = normalised(metadata.split_title_suffix(line)[0])
                if TITLE.name in on:
                    claims[i] = TITLE.id
        elif TITLE.name in on and (
            normalised(line) == title_key or normalised(metadata.split_title_suffix(line)[0]) == title_key
        ):
            claims[i] = TITLE.id
    return header


def strip_debris_lines(page: Page) -> list[int]:
    """Whole-line debris anywhere: comment widgets, page URLs, counters, labels, symbols.

    Returns the lines that open a related-links list ("More:"), for the next rule.
    """
    stripped, claims, on = page.stripped, page.claims, page.active
    related: list[int] = []
    for i in page.nonblank:
        line = stripped[i]
        if i in claims or (len(line) > _DEBRIS_MAX_CHARS and ":" not in line[:12]):
            continue
        if line.count(" ") >= 5 and line[: line.find(" ")].lower() not in _LONG_DEBRIS_STARTS:
            continue  # a sentence, not a widget (the long widgets start with these words)
        if len(line) <= 12 and _HAS_ALNUM.search(line) is None:
            if SYMBOL_LINES.name in on:
                claims[i] = SYMBOL_LINES.id
            continue
        match = _DEBRIS_LINE.fullmatch(line)
        if match is not None:
            rule = _DEBRIS_RULES[match.lastgroup or ""]
            if rule is COUNTERS and _continues(page, i):
                continue  # "9" then "meses tiene la aeronave": a number of the sentence, not a counter
            if rule.name in on:
                claims[i] = rule.id
        elif len(line) <= 40 and RELATED_LINKS.name in on and _RELATED_HEADER.fullmatch(line):
            related.append(i)
    _keep_content_urls(page)
    return related


def _keep_content_urls(page: Page) -> None:
    """Give back URL lines that are the article's own: a scrape prints the page's URL once, above
    or below the article; several URLs are references, and a URL between body paragraphs (a
    petition, a report) is part of the text."""
    urls = [i for i, rule in page.claims.items() if rule == PAGE_URLS.id]
    if not urls:
        return
    if len({page.stripped[i] for i in urls}) > 1:
        for i in urls:
            del page.claims[i]
        return
    body = [i for i in page.nonblank if i not in page.claims and is_body_line(page.stripped[i])]
    for i in urls:
        if body and body[0] < i < body[-1]:
            del page.claims[i]


def _continues(page: Page, i: int) -> bool:
    """The next non-blank line after line ``i`` carries on a sentence: it starts lower-case
    or with a unit or sign that follows a number ("%", "/", "km")."""
    following = page.nonblank
    at = bisect_left(following, i + 1)
    if at == len(following):
        return False
    first = page.stripped[following[at]][:1]
    return first.islower() or first in "%/‰°$€£-–—:,."


def strip_related_links(page: Page, headers: list[int]) -> None:
    """RELATED_LINKS: the headlines listed under a related-articles header (``headers``: their lines)."""
    if not headers:
        return
    open_lines = page.open_lines()
    for header in headers:
        page.claim(header, RELATED_LINKS.id)
        for i in open_lines:
            if i <= header or i in page.claims:
                continue
            if not is_headline(unbullet(page.stripped[i])):
                break
            page.claim(i, RELATED_LINKS.id)


def strip_tail(page: Page) -> None:
    """Other articles' headlines and late debris after the end of the article.

    From the bottom up, the tail is every line that is debris (already claimed), a headline
    or a comment prompt. Headlines there go only from the first debris line down: a short
    last paragraph of the article itself, above any debris, stays.
    """
    stripped, claims, on = page.stripped, page.claims, page.active
    zone: list[int] = []
    for i in reversed(page.nonblank):
        if i in claims:
            zone.append(i)
            continue
        line = stripped[i]
        if _TAIL_ONLY_DEBRIS.fullmatch(line) or is_headline(unbullet(line)):
            zone.append(i)
            continue
        break
    started = False
    for i in reversed(zone):
        rule = claims.get(i)
        if rule is not None:
            started = started or rule in _END_OF_ARTICLE_IDS
            continue
        line = stripped[i]
        if _TAIL_ONLY_DEBRIS.fullmatch(line):
            if COMMENT_DEBRIS.name in on:
                claims[i] = COMMENT_DEBRIS.id
                started = True
        elif TRAILING_HEADLINES.name not in on:
            continue
        elif metadata.split_title_suffix(unbullet(line))[1] is not None:
            claims[i] = TRAILING_HEADLINES.id  # another page's headline with its outlet suffix
            started = True
        elif started:
            claims[i] = TRAILING_HEADLINES.id


def strip_repeated_lines(page: Page) -> None:
    """REPEATED_LINES: the second copy of a line printed twice in a row."""
    open_lines = page.open_lines()
    stripped, on = page.stripped, page.active
    if len({stripped[i] for i in open_lines}) == len(open_lines):
        return
    prev: int | None = None
    for i in open_lines:
        if prev is not None and stripped[i] == stripped[prev]:
            # A caption printed twice (image alt text, then the caption) may carry no credit
            # at all; a repeated line ending "on March 5, 2020." is such a caption.
            if CAPTIONS.name in on and _CAPTION_DATE_END.search(stripped[i]):
                page.claims[prev] = CAPTIONS.id
                page.claims[i] = CAPTIONS.id
            elif REPEATED_LINES.name in on:
                page.claims[i] = REPEATED_LINES.id
            continue
        prev = i


def strip_bullets_and_controls(page: Page) -> None:
    """BULLETS and CONTROL_CHARS: bullet glyphs at a line's start, control and zero-width characters."""
    stripped, bullets, controls = page.stripped, BULLETS.name in page.active, CONTROL_CHARS.name in page.active
    for i in page.open_lines():
        line = stripped[i]
        if bullets and line[0] in BULLET_CHARS:
            start = page.bounds(i)[0]
            page.spans.append((start, start + 1, BULLETS.id))
        if controls and i in page.irregular:
            base = page.starts[i]
            for match in _CONTROL.finditer(page.lines[i]):
                page.spans.append((base + match.start(), base + match.end(), CONTROL_CHARS.id))


_DEBRIS_RULES = {
    "comment": COMMENT_DEBRIS,
    "label": PAGE_LABELS,
    "url": PAGE_URLS,
    "counter": COUNTERS,
}
#: Debris that ends an article: headlines below it are other articles'. A lone number or a
#: symbol line is no such end: it numbers a list, a verse, or separates sections of the text.
_END_OF_ARTICLE_IDS = frozenset(rule.id for rule in (COMMENT_DEBRIS, PAGE_LABELS, PAGE_URLS, PHP_DUMP))
