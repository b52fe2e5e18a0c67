"""Saved web pages to raw articles: decoding, main-text extraction and the page's metadata.

trafilatura takes out the main text (tables kept as text, comments left out) and the page's
metadata: title, canonical URL, site name, and the date the markup states, which
:mod:`ceasefire_news.dataset.corpus.page_dates` checks against the dates the page shows.
This is the costly step of reading HTML (tens of milliseconds a page), so it runs in the
worker that cleans the page, not in the reader.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from html import unescape
from typing import Any

from ceasefire_news.dataset.corpus.decode import decode_page
from ceasefire_news.dataset.corpus.document import RawArticle, RawPage
from ceasefire_news.dataset.corpus.metadata import page_title
from ceasefire_news.dataset.corpus.page_dates import page_date, shown_dates
from ceasefire_news.schema.errors import RecordRejected

#: The version of how a page becomes a raw article (extraction options, metadata, the date
#: check): part of every cache key, so that a changed reading reads every page again.
PAGES_VERSION = "pages_v3"


def extract_page(page: RawPage) -> RawArticle | RecordRejected:
    """The article in a saved page, or a ``no_article_text`` rejection.

    The page's own canonical URL wins over the address it was fetched from (``page.url``).
    """
    html = decode_page(page.data, page.http_charset).text
    from trafilatura.utils import load_html  # heavy (lxml, justext): only HTML input needs it

    no_text = RecordRejected(
        page.where,
        "no_article_text",
        "no article text found in the HTML page; save the article page "
        "itself (not an index or a login page), or give the text as JSON Lines",
    )
    tree = load_html(html)
    if tree is None:
        return no_text
    # Everything read from the page's markup first: the extraction prunes the tree.
    headings = [h.text_content() for h in tree.iter("h1")][:5]
    subheadings = [h.text_content() for h in tree.iter("h2")][:1] if not headings else []
    found = _metadata(tree, page.url)
    shown = shown_dates(tree)
    text = _main_text(tree, found.url)
    if not text or not text.strip():
        return no_text
    url = found.url or page.url
    date = page_date(found.date, shown)
    return RawArticle(
        source_file=page.source_file,
        where=page.where,
        raw_text=text,
        given_title=page_title(found.title, headings, found.sitename, url, subheadings),
        given_url=url,
        given_date=date,
        given_outlet=found.sitename,
        kind="html",
        fetched_date=page.fetched_date,
    )


def _main_text(tree: Any, url: str | None) -> str | None:
    """The page's main text as ``trafilatura.bare_extraction`` finds it (tables kept, comments
    left out), extracted from ``tree`` itself, which the extraction prunes.

    ``bare_extraction`` deep-copies a tree it is given, so that the caller's stays whole; the
    copy costs most of a parse (2.5 ms a page of the 20 the extraction takes). Here the tree
    is read for nothing afterwards, so the extraction runs on it through the function that
    ``bare_extraction`` runs, with the same options and the same size check. A test checks
    that the text is the same as ``bare_extraction``'s.
    """
    from trafilatura.core import trafilatura_sequence
    from trafilatura.settings import Extractor
    from trafilatura.xml import xmltotxt

    options = Extractor(output_format="python", comments=False, tables=True, url=url)
    try:
        body, text, _, comments = trafilatura_sequence(tree, options, url)
    except (TypeError, ValueError):  # as bare_extraction: a page it can't take has no text
        return None
    if len(text) < options.min_output_size and len(comments) < options.min_output_comm_size:
        return None
    found: str = xmltotxt(body, options.formatting)
    return found


@dataclass(frozen=True, slots=True)
class PageMetadata:
    """What the page's markup says of itself; ``None`` where it says nothing."""

    title: str | None
    url: str | None
    sitename: str | None
    date: str | None


def _metadata(tree: Any, url: str | None) -> PageMetadata:
    """The page's title, canonical URL, site name and stated date, as trafilatura finds them.

    trafilatura's own ``with_metadata`` also looks for authors, categories, tags and a
    license, which take a third of its time and which the corpus does not keep; these four
    fields are found by the same functions in the same order. The date is the one the
    markup states (htmldate without its extensive search, which guesses from the text).
    """
    from htmldate import find_date
    from trafilatura.metadata import (
        META_URL,
        examine_meta,
        extract_meta_json,
        extract_sitename,
        extract_title,
        extract_url,
    )

    meta = examine_meta(tree)
    if meta.author and " " not in meta.author:
        meta.author = None  # as trafilatura does: JSON-LD may then name the author
    with suppress(Exception):  # malformed JSON-LD in the page: the meta tags stand
        meta = extract_meta_json(tree, meta)
    title = meta.title or extract_title(tree)
    canonical = meta.url or extract_url(tree, url)
    date = find_date(tree, url=canonical, extensive_search=False, original_date=True)
    sitename = meta.sitename or extract_sitename(tree)
    if sitename:
        sitename = sitename.lstrip("@")
        if sitename and "." not in sitename and not sitename[0].isupper():
            sitename = sitename.title()
    elif canonical and (match := META_URL.match(canonical)):
        sitename = match[1]
    return PageMetadata(_trim(title), _trim(canonical), _trim(sitename), _trim(date))


def _trim(value: str | None) -> str | None:
    """A metadata value as trafilatura trims it: entities resolved, spaces folded, at most
    10,000 characters; empty is ``None``."""
    if not isinstance(value, str):
        return None
    from trafilatura.utils import line_processing

    if len(value) > 10000:
        value = value[:9999] + "…"
    value = line_processing(unescape(value))
    return (value.strip() or None) if isinstance(value, str) else None
