"""In-memory records passed between build steps (never raw dicts)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ceasefire_news.dataset.corpus.clean_rules import InputKind


@dataclass(slots=True)
class RawArticle:
    """One article as read, before cleaning.

    ``where`` names the input for messages: the file, plus ``:LINE`` for JSON Lines.
    Metadata given by the input format (JSON Lines fields, HTML meta tags) is carried in
    the ``given_*`` fields and wins over what cleaning finds in the text. ``kind`` says where
    the text came from (a plain-text scrape, an HTML page's extraction, a JSON Lines field):
    each cleaning rule runs only on the kinds it names.
    """

    source_file: str
    where: str
    raw_text: str
    given_title: str | None = None
    given_url: str | None = None
    given_date: str | None = None
    given_outlet: str | None = None
    kind: InputKind = "text"
    #: When a crawler fetched the page (a WARC record's date); never a publication date.
    fetched_date: dt.date | None = None


@dataclass(slots=True)
class RawPage:
    """A saved web page's bytes, read but not yet extracted.

    Extraction (:func:`ceasefire_news.dataset.corpus.pages.extract_page`) is the costly step of
    reading HTML, so the reader hands the bytes on and the worker that cleans the page
    extracts it. ``http_charset`` is the charset of the HTTP header the page came with (a
    WARC record's), ``url`` the address it was fetched from; both are None for a saved file.
    """

    source_file: str
    where: str
    data: bytes
    http_charset: str | None = None
    url: str | None = None
    #: The WARC record's date, for a page read from a crawl (None for a saved file).
    fetched_date: dt.date | None = None
    #: True for a page read from a crawl (a WARC file), not saved by the maintainer: the topic
    #: filter reads only these. A record's date can be missing or unreadable; this can't.
    crawled: bool = False


@dataclass(frozen=True, slots=True)
class Skipped:
    """An input record left out on purpose, counted by ``reason`` and not listed.

    A crawl holds millions of records that are not articles (requests, images, pages off
    the corpus's topic); the manifest counts them by reason instead of naming each one.
    """

    reason: str


@dataclass(slots=True)
class Removal:
    """A piece of raw text that cleaning removed: raw offsets (end exclusive) and the rule."""

    start: int
    end: int
    rule: str
    text: str


@dataclass(slots=True)
class CleanArticle:
    """One article after cleaning and metadata extraction, before ids and stories."""

    source_file: str
    text: str
    title: str | None
    outlet: str | None
    url: str | None
    published_date: dt.date | None
    language: str | None
    quality_flags: list[str] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)
    fetched_date: dt.date | None = None
