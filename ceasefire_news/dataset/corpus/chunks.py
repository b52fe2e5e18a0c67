"""Chunks of raw articles, cleaned, identified and sketched: the build's per-article work.

:func:`iter_chunks` cuts the reader's records into fixed-size chunks (their boundaries do
not depend on the number of workers); :func:`process_chunk` cleans each chunk (in worker
processes for more than one chunk) into an Arrow record batch of the staging schema, the
identity of each article and its story sketches, and yields the results in input order.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from ceasefire_news.dataset.corpus import clean
from ceasefire_news.dataset.corpus.decode import decode_page
from ceasefire_news.dataset.corpus.document import CleanArticle, RawArticle, RawPage, Skipped
from ceasefire_news.dataset.corpus.junk import junk_reason
from ceasefire_news.dataset.corpus.pages import extract_page
from ceasefire_news.dataset.corpus.parallel import paused_gc
from ceasefire_news.dataset.corpus.stories import Sketches, StoryOptions, sketch_texts
from ceasefire_news.dataset.corpus.topic import Topic
from ceasefire_news.dataset.corpus.versions import identity_key
from ceasefire_news.schema.errors import RecordRejected
from ceasefire_news.schema.labels import TEXT_FLAGS
from ceasefire_news.schema.records import CORPUS_FEATURES

FINAL_SCHEMA: pa.Schema = CORPUS_FEATURES.arrow_schema
#: Columns known only after clustering, or per version; added when the staging file is copied.
_LATE_COLUMNS = ("story_id", "corpus_version")
STAGE_SCHEMA: pa.Schema = pa.schema([f for f in FINAL_SCHEMA if f.name not in _LATE_COLUMNS]).remove_metadata()


@dataclass(frozen=True, slots=True)
class Rejection:
    """One input record that was not used: where it is, a short reason code, the problem."""

    where: str
    reason: str
    detail: str

    def __str__(self) -> str:
        return f"{self.where}: {self.detail}"


#: News articles are tens of kilobytes; above a megabyte a record is likely a whole feed
#: or a page dump, and each such article costs its size many times over in memory (cleaning,
#: Arrow, Label Studio tasks).
WARN_ARTICLE_BYTES = 1_000_000
MAX_ARTICLE_BYTES = 10_000_000


@dataclass(frozen=True, slots=True, kw_only=True)
class ChunkOptions:
    """What the per-article work needs to know: how to sketch, and the size limits."""

    stories: StoryOptions
    #: An article with more UTF-8 bytes of text than this is rejected (``too_large``).
    max_article_bytes: int = MAX_ARTICLE_BYTES
    #: An article with more bytes than this (and at most the limit) is built, with a warning.
    warn_article_bytes: int = WARN_ARTICLE_BYTES
    #: Pages read from a crawl that don't match it are dropped before extraction (``off_topic``).
    topic: Topic | None = None
    #: Languages kept (ISO 639-1 codes); None keeps all. Others are dropped (``other_language``).
    languages: frozenset[str] | None = None


@dataclass(slots=True)
class Chunk:
    """Raw articles and pages with their position among the records read."""

    items: list[tuple[int, RawArticle | RawPage]]
    consumed: int  # reader records this chunk stands for, rejected ones included
    #: The reader's rejections among those records, and the records it skipped, by reason.
    rejections: list[tuple[int, Rejection]] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    #: The source file (unit of work) the records come from, and whether this is its last chunk.
    unit: int = 0
    last: bool = True


@dataclass(slots=True)
class ChunkResult:
    """A chunk's kept articles as a staging batch, with their identities and sketches, in order."""

    consumed: int
    batch: pa.RecordBatch
    wheres: list[str]
    shas: list[str]
    keys: list[str]
    digests: list[bytes]
    sketches: Sketches
    rejections: list[tuple[int, Rejection]]
    #: Articles built with a warning (above ``warn_article_bytes``).
    warnings: list[tuple[int, Rejection]]
    #: Records left out on purpose by a filter, counted by reason.
    filtered: dict[str, int]
    unit: int = 0
    last: bool = True
    #: True when read from the workspace's cache (:mod:`ceasefire_news.dataset.corpus.units`).
    from_cache: bool = False


def _row_digest(article_id: str, sha: str, article: CleanArticle) -> bytes:
    """A canonical digest of a row's content (everything but story and version)."""
    canonical = [
        article_id,
        sha,
        article.title,
        article.outlet,
        article.url,
        article.published_date.isoformat() if article.published_date else None,
        *([article.fetched_date.isoformat()] if article.fetched_date else []),
        article.language,
        article.quality_flags,
        [[r.start, r.end, r.rule, r.text] for r in article.removed],
        article.source_file,
    ]
    encoded = json.dumps(canonical, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(encoded).digest()


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def size_problem(raw: RawArticle, options: ChunkOptions) -> Rejection | None:
    """A ``too_large`` rejection or a ``large_article`` warning for an article's size, or None."""
    # A character is at most four bytes: most articles need no encoding to be measured.
    if len(raw.raw_text) * 4 <= options.warn_article_bytes:
        return None
    size = len(raw.raw_text.encode("utf-8", "surrogatepass"))
    if size > options.max_article_bytes:
        return Rejection(
            raw.where,
            "too_large",
            f"article of {_megabytes(size)} of text ({size} bytes), above the limit of "
            f"{options.max_article_bytes} bytes; split it into articles, or raise the limit "
            "with `build --max-article-bytes N`",
        )
    if size > options.warn_article_bytes:
        return Rejection(
            raw.where,
            "large_article",
            f"article of {_megabytes(size)} of text, above {_megabytes(options.warn_article_bytes)}; "
            "built, but check that it is one article and not a whole page or feed",
        )
    return None


def _off_topic(item: RawArticle | RawPage, topic: Topic | None) -> bool:
    """True for a crawled page that is not about ``topic`` (read cheaply, before extraction)."""
    if topic is None or not isinstance(item, RawPage) or not item.crawled:
        return False
    return not topic.on_topic_html(decode_page(item.data, item.http_charset).text)


def process_chunk(chunk: Chunk, options: ChunkOptions) -> ChunkResult:
    """Extract, clean, identify and sketch one chunk (in a worker)."""
    # Cleaning and sketching allocate many small container objects and no reference cycles
    # that outlive an article; the cyclic collector's passes over them cost a fifth of a
    # worker's time. Paused for the chunk, and any cycle is still collected afterwards.
    with paused_gc():
        return _clean_and_sketch(chunk, options)


def _clean_and_sketch(chunk: Chunk, options: ChunkOptions) -> ChunkResult:
    columns: dict[str, list[Any]] = {name: [] for name in STAGE_SCHEMA.names}
    wheres: list[str] = []
    shas: list[str] = []
    keys: list[str] = []
    digests: list[bytes] = []
    rejections: list[tuple[int, Rejection]] = list(chunk.rejections)
    warnings: list[tuple[int, Rejection]] = []
    filtered: dict[str, int] = dict(chunk.skipped)
    for ordinal, item in chunk.items:
        if _off_topic(item, options.topic):
            filtered["off_topic"] = filtered.get("off_topic", 0) + 1
            continue
        try:
            raw = extract_page(item) if isinstance(item, RawPage) else item
        except Exception as err:  # a page the extractor can't handle is reported, not fatal
            detail = f"extraction failed ({type(err).__name__}: {err}); the page was skipped"
            rejections.append((ordinal, Rejection(item.where, "extraction_error", detail)))
            continue
        if isinstance(raw, RecordRejected):
            rejections.append((ordinal, Rejection(raw.where, raw.reason, raw.detail)))
            continue
        size = size_problem(raw, options)
        if size is not None:
            if size.reason == "too_large":
                rejections.append((ordinal, size))
                continue
            warnings.append((ordinal, size))
        try:
            article = clean.clean_article(raw)
            flags = [TEXT_FLAGS.index(flag) for flag in article.quality_flags]
        except RecordRejected as err:
            rejections.append((ordinal, Rejection(err.where, err.reason, err.detail)))
            continue
        except Exception as err:  # a record cleaning can't handle is reported, not fatal
            detail = f"cleaning failed ({type(err).__name__}: {err}); the record was skipped"
            rejections.append((ordinal, Rejection(raw.where, "cleaning_error", detail)))
            continue
        if not article.text.strip():
            detail = "no article text is left after cleaning; check that the file holds an article"
            rejections.append((ordinal, Rejection(raw.where, "empty_text", detail)))
            continue
        junk = junk_reason(article.text)
        if junk is not None:
            rejections.append((ordinal, Rejection(raw.where, *junk)))
            continue
        if options.languages is not None and article.language not in options.languages:
            filtered["other_language"] = filtered.get("other_language", 0) + 1
            continue
        sha = hashlib.sha256(article.text.encode("utf-8")).hexdigest()
        article_id = "a-" + sha[:16]
        columns["article_id"].append(article_id)
        columns["title"].append(article.title)
        columns["outlet"].append(article.outlet)
        columns["url"].append(article.url)
        columns["published_date"].append(article.published_date)
        columns["fetched_date"].append(article.fetched_date)
        columns["language"].append(article.language)
        columns["text"].append(article.text)
        columns["text_sha256"].append(sha)
        columns["quality_flags"].append(flags)
        columns["removed"].append(
            [{"start": r.start, "end": r.end, "rule": r.rule, "text": r.text} for r in article.removed]
        )
        columns["source_file"].append(article.source_file)
        wheres.append(raw.where)
        shas.append(sha)
        keys.append(identity_key(article.url, article.source_file))
        digests.append(_row_digest(article_id, sha, article))
    batch = pa.RecordBatch.from_arrays(
        [pa.array(columns[f.name], type=f.type) for f in STAGE_SCHEMA], schema=STAGE_SCHEMA
    )
    return ChunkResult(
        consumed=chunk.consumed,
        batch=batch,
        wheres=wheres,
        shas=shas,
        keys=keys,
        digests=digests,
        sketches=sketch_texts(columns["text"], options.stories),
        rejections=rejections,
        warnings=warnings,
        filtered=filtered,
        unit=chunk.unit,
        last=chunk.last,
    )


def iter_chunks(
    records: Iterable[RawArticle | RawPage | RecordRejected | Skipped], size: int, unit: int = 0
) -> Iterator[Chunk]:
    """Fixed-size chunks of the raw articles and pages of one unit of work (a source file).

    Ordinals count from the unit's first record. Reader rejections and skipped records travel
    in the chunk that covers them; the last chunk is marked (it may hold no article).
    """
    chunk = Chunk([], 0, unit=unit, last=False)
    for ordinal, record in enumerate(records):
        chunk.consumed += 1
        if isinstance(record, Skipped):
            chunk.skipped[record.reason] = chunk.skipped.get(record.reason, 0) + 1
        elif isinstance(record, RecordRejected):
            chunk.rejections.append((ordinal, Rejection(record.where, record.reason, record.detail)))
        else:
            chunk.items.append((ordinal, record))
        if len(chunk.items) == size:
            yield chunk
            chunk = Chunk([], 0, unit=unit, last=False)
    chunk.last = True
    yield chunk
