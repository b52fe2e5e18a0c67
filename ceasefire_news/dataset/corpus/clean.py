"""Cleaning raw article text with small named, versioned rules, and extracting metadata.

The raw text is seen as lines. Each rule marks what it removes, as whole lines or as spans,
in raw-text offsets, and the first rule to claim a line keeps it. The clean text is the raw
text minus those pieces, with whitespace normalised (and nothing else changed), so the clean
text plus :attr:`CleanArticle.removed` accounts for every non-whitespace character of the
raw text. :data:`~ceasefire_news.dataset.corpus.clean_rules.RULES` lists the rules in the order
they apply (rules that look at the same lines share one pass: the header rules, the
whole-line debris rules); their versioned names go into the manifest
(:func:`~ceasefire_news.dataset.corpus.clean_rules.rule_versions`) and into every ``removed``
entry; :mod:`ceasefire_news.dataset.corpus.clean_strip` implements them. Quality flags come
from :mod:`ceasefire_news.dataset.corpus.clean_flags`, metadata from
:mod:`ceasefire_news.dataset.corpus.metadata`.

Speed: every rule is a precompiled regular expression over the whole text or a single pass
over a bounded number of lines, so cleaning stays linear in the text's length.
"""

from __future__ import annotations

from ceasefire_news.dataset.corpus import metadata
from ceasefire_news.dataset.corpus.clean_flags import text_flags
from ceasefire_news.dataset.corpus.clean_page import Page, ends_sentence, unbullet
from ceasefire_news.dataset.corpus.clean_promo import strip_promo_lines
from ceasefire_news.dataset.corpus.clean_rules import (
    CAPTIONS,
    FOREIGN,
    JOIN_BROKEN,
    PAGE_URLS,
    PHP_DUMP,
    PROMO_LINES,
    SHORTCODES,
    active_rules,
)
from ceasefire_news.dataset.corpus.clean_strip import (
    strip_bullets_and_controls,
    strip_captions,
    strip_debris_lines,
    strip_header,
    strip_php_dump,
    strip_related_links,
    strip_repeated_lines,
    strip_shortcodes,
    strip_tail,
)
from ceasefire_news.dataset.corpus.document import CleanArticle, RawArticle, Removal


def _removals(page: Page) -> list[Removal]:
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


def _paragraphs(page: Page) -> list[str]:
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
        if joined and paragraph[0].islower() and not ends_sentence(joined[-1]) and not joined[-1].endswith(":"):
            joined[-1] = f"{joined[-1]} {paragraph}"
        else:
            joined.append(paragraph)
    return joined


def _page_url(removed: list[Removal]) -> str | None:
    for piece in removed:
        if piece.rule == PAGE_URLS.id:
            text = unbullet(piece.text.strip())
            return text if text.startswith("http") else f"https://{text}"
    return None


def clean_article(raw: RawArticle, *, skip: frozenset[str] = frozenset()) -> CleanArticle:
    """Clean one raw article and take its metadata from the text (given metadata wins).

    Only the rules that name ``raw.kind`` among their input kinds run; ``skip`` switches
    rules off by name (to measure what each one does; the build skips none).

    >>> from ceasefire_news.dataset.corpus.document import RawArticle
    >>> text = "Title here\\n\\nA body sentence that is long enough to count.\\nComment"
    >>> article = clean_article(RawArticle("a.txt", "a.txt", text))
    >>> article.title, article.text, [r.rule for r in article.removed]
    ('Title here', 'A body sentence that is long enough to count.', ['strip_title_v1', 'strip_comment_debris_v1'])
    """
    page = Page(raw.raw_text, active_rules(raw.kind, skip))
    if SHORTCODES.name in page.active:
        strip_shortcodes(page)
    if PHP_DUMP.name in page.active:
        strip_php_dump(page)
    if CAPTIONS.name in page.active:
        strip_captions(page)
    header = strip_header(page, raw.given_title)
    related = strip_debris_lines(page)
    strip_tail(page)
    strip_related_links(page, related)
    if PROMO_LINES.name in page.active:
        strip_promo_lines(page)
    strip_repeated_lines(page)
    strip_bullets_and_controls(page)
    removed = _removals(page)
    paragraphs = _paragraphs(page)
    text = "\n\n".join(_join_broken(paragraphs) if JOIN_BROKEN.name in page.active else paragraphs)

    flags = text_flags(text)
    if any(piece.rule in FOREIGN for piece in removed):
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
        fetched_date=raw.fetched_date,
    )
