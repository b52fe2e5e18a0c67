"""The cleaning rules by name and version: what the manifest and every ``removed`` entry record.

A rule's version is bumped whenever its behaviour changes; :data:`RULES` lists the rules in
the order they run (:mod:`ceasefire_news.dataset.corpus.clean_strip` implements them). Each
rule names the input kinds it runs on: a plain-text scrape (``text``), the text trafilatura
extracted from an HTML page (``html``: no scrape stamps, no widgets printed as lines), the
text field of a JSON Lines record (``jsonl``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Literal, get_args

#: Where a raw article's text came from; the reader sets it on every RawArticle.
InputKind = Literal["text", "html", "jsonl"]
ALL_KINDS: frozenset[InputKind] = frozenset(get_args(InputKind))


@dataclass(frozen=True, slots=True)
class Rule:
    """One cleaning rule: a stable name, a version bumped whenever its behaviour changes."""

    name: str
    version: int
    description: str
    #: The rule removes text of other articles or pages (sets ``foreign_content_removed``).
    foreign: bool = False
    #: The input kinds the rule runs on.
    kinds: frozenset[InputKind] = ALL_KINDS
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
    2,
    "Photo captions, every copy: lines with photo credits or position marks ((L), ', left,', "
    "'/ AFP /', '(Photo'), and captions printed twice in a row. v2: a position mark is a whole "
    "bracket ('(R-Okla.)', '(C)', '(Ríe)' are no marks).",
)
SCRAPE_DATE = Rule("strip_scrape_date", 1, 'The scraper\'s "29 Mar 2024" stamp on the first line.')
DATELINES = Rule("strip_datelines", 1, "Lines that are only a date (publication date lines).")
STORY_CODE = Rule("strip_story_code", 1, '"Story Code : 566428" lines.')
STRAY_TOKENS = Rule("strip_stray_tokens", 1, 'Lone scrape tokens before the title ("0", "in").')
TITLE = Rule(
    "strip_title",
    1,
    "The title line and its repeats at the top (kept as metadata). Not on HTML: the page's "
    "headline inside the extracted main content is part of the article there.",
    kinds=frozenset({"text", "jsonl"}),
)
COMMENT_DEBRIS = Rule(
    "strip_comment_debris",
    1,
    'Comment and share widgets: "Comment", "mments (1)", "Your Name", "Leave a Reply", '
    '"GIPHY App Key not set…", "Please let us know if you\'re having issues with commenting."',
)
PAGE_URLS = Rule(
    "strip_page_urls",
    2,
    "Lines that are only a URL (the page's own). v2: only one URL, above or below the body; "
    "several URLs (references) and a URL between body paragraphs stay.",
)
COUNTERS = Rule(
    "strip_counters",
    2,
    "Lines that are only a number (view and comment counters). v2: not a number that a sentence "
    "carries on from on the next line ('9' then 'meses tiene…').",
)
SYMBOL_LINES = Rule("strip_symbol_lines", 1, 'Lines without a letter or digit ("()", "•").')
PAGE_LABELS = Rule("strip_page_labels", 1, 'Page labels: "Category:", "Tags:" lines.')
TRAILING_HEADLINES = Rule(
    "strip_trailing_headlines",
    2,
    "Other articles' headlines appended after the end of the article and its comment block. "
    "v2: a lone number or symbol line is no end of the article (lists, verses stay); a line "
    "ending '。' or over 200 characters is no headline.",
    foreign=True,
)
RELATED_LINKS = Rule(
    "strip_related_links",
    1,
    '"More:" lists of related headlines (a bullet that wraps a real paragraph stays).',
    foreign=True,
)
PROMO_LINES = Rule(
    "strip_promo_lines",
    1,
    "Inline promotion: a call to action with a link or a headline ('Read more: <headline>', "
    "'Related: <headline>', 'Click here to get the … app', 'Subscribe to our … newsletter', "
    "'Follow us on …').",
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
    PROMO_LINES,
    REPEATED_LINES,
    BULLETS,
    CONTROL_CHARS,
    WHITESPACE,
    JOIN_BROKEN,
)
FOREIGN = frozenset(rule.id for rule in RULES if rule.foreign)
#: Every rule's name: what ``clean_article(skip=...)`` accepts.
RULE_NAMES = frozenset(rule.name for rule in RULES)
#: Rules that cannot be switched off: the clean text is built by them.
ALWAYS_ON = frozenset({WHITESPACE.name})


@cache  # a handful of (kind, skip) pairs, asked once per article
def active_rules(kind: InputKind, skip: frozenset[str] = frozenset()) -> frozenset[str]:
    """The names of the rules that run on an input of ``kind``, less those in ``skip``.

    >>> "strip_title" in active_rules("text", frozenset({"strip_title"}))
    False
    """
    unknown = skip - RULE_NAMES
    if unknown:
        raise ValueError(
            f"unknown cleaning rule(s) to skip: {sorted(unknown)}; expected names from {sorted(RULE_NAMES)}"
        )
    if skip & ALWAYS_ON:
        raise ValueError(f"{sorted(skip & ALWAYS_ON)} cannot be skipped: the clean text is built by it")
    return frozenset(rule.name for rule in RULES if kind in rule.kinds and rule.name not in skip)


def rule_versions() -> dict[str, str]:
    """Rule name -> versioned name, in run order, for the corpus manifest.

    >>> rule_versions()["strip_php_dump"]
    'strip_php_dump_v1'
    """
    return {rule.name: rule.id for rule in RULES}
