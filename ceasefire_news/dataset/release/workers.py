"""Chunks of articles and the worker processes that turn them into release rows.

Articles go out in ``article_id`` order, ``chunk_size`` at a time, each with the newest
versions of its annotations (rows of the annotation table) and its embedded seed annotation.
A worker re-checks every annotation against the article text, adjudicates, and hands back
the chunk's tables, counts and review items; results come back in corpus order.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from tqdm import tqdm

from ceasefire_news.dataset.corpus.parallel import paused_gc, usable_cores
from ceasefire_news.dataset.release.adjudicate import adjudicate_article
from ceasefire_news.dataset.release.agreement import AgreementAccumulator
from ceasefire_news.dataset.release.gold import Ballot
from ceasefire_news.dataset.release.pseudonyms import Pseudonyms
from ceasefire_news.dataset.release.recheck import recheck
from ceasefire_news.dataset.release.rows import ArticleRows, RowBuffer
from ceasefire_news.dataset.release.stats import Stats
from ceasefire_news.dataset.release.writers import invalid_result_json
from ceasefire_news.labeling.annotation_table import entry_of_row
from ceasefire_news.labeling.results import ParsedAnnotation
from ceasefire_news.schema.errors import DataError
from ceasefire_news.schema.labels import GENRES, PROVENANCE, QUALITY_FLAGS, SPLITS
from ceasefire_news.schema.records import LoggedAnnotation

#: Corpus rows taken per processing batch.
ARTICLE_BATCH = 2_000
#: The columns of the ``articles`` config that adjudication adds to the corpus columns.
ARTICLE_EXTRAS = ("split", "genre", "genre_provenance", "annotation_flags", "n_annotators", "needs_review")


@dataclass(frozen=True, slots=True, kw_only=True)
class ReleaseOptions:
    """How a release runs; none of these change its files.

    ``workers``: processes that re-check and adjudicate (default: the usable cores); a
    corpus of one chunk is processed in this process. ``chunk_size``: articles per task.
    ``max_pending``: chunks in flight per worker, which bounds memory.
    """

    workers: int = field(default_factory=usable_cores)
    chunk_size: int = ARTICLE_BATCH
    max_pending: int = 2
    progress: bool = True

    def __post_init__(self) -> None:
        for name in ("workers", "chunk_size", "max_pending"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} is {value!r}; expected a positive integer")


@dataclass(frozen=True, slots=True)
class ChunkArticle:
    """What a worker needs of one article."""

    article_id: str
    text: str
    text_sha256: str
    story_id: str
    split: str


@dataclass(slots=True)
class Chunk:
    """Articles of one task, in ``article_id`` order, with their annotations and seed annotations.

    The annotations are rows of the annotation table, sorted by article: ``annotations``
    itself in this process, or, for a worker, ``annotations_rows`` (start, count) of the Arrow
    IPC file ``annotations_file``, mapped rather than sent through the pool's pipe. With
    ``spill`` (a path prefix), the worker writes the chunk's tables to Arrow IPC files there
    instead of returning them: pickling 30 MB of tables through the pipe costs ten times the
    CPU of writing and reading them as files.
    """

    articles: list[ChunkArticle]
    seeds: list[LoggedAnnotation | None]
    annotations: pa.Table | None = None
    annotations_file: str | None = None
    annotations_rows: tuple[int, int] = (0, 0)
    spill: str | None = None
    pseudonym_key: bytes = b""

    def annotation_rows(self) -> list[dict[str, Any]]:
        """The chunk's annotation table rows, as dicts by column name."""
        if self.annotations is not None:
            return self.annotations.to_pylist()  # type: ignore[no-any-return]
        if self.annotations_file is None:
            return []
        start, count = self.annotations_rows
        with pa.memory_map(self.annotations_file) as source:
            return pa.ipc.open_file(source).read_all().slice(start, count).to_pylist()  # type: ignore[no-any-return]


@dataclass(slots=True)
class ChunkResult:
    """What a worker hands back for one chunk."""

    tables: dict[tuple[str, str], pa.Table]
    extras: dict[str, list[Any]]
    stats: Stats
    agreement: AgreementAccumulator
    review: list[str]
    unreadable: list[str]
    spilled: dict[tuple[str, str], str] = field(default_factory=dict)  # (config, split) -> IPC file
    pseudonyms: dict[str, str] = field(default_factory=dict)  # pseudonym -> annotator, for the workspace

    def take_tables(self) -> dict[tuple[str, str], pa.Table]:
        """The tables, mapped back (and their files removed) where the worker spilled them."""
        tables = dict(self.tables)
        for key, path in self.spilled.items():
            # Mapped, not read: the table's buffers are the file's pages, which stay valid after
            # the unlink until the table is written and dropped.
            with pa.memory_map(path) as source:
                tables[key] = pa.ipc.open_file(source).read_all()
            os.unlink(path)
        self.tables, self.spilled = {}, {}
        return tables


def spill(tables: dict[tuple[str, str], pa.Table], prefix: str) -> dict[tuple[str, str], str]:
    """Write each table to ``<prefix>-<config>-<split>.arrow``; the files by (config, split)."""
    spilled = {}
    for (config, split), table in tables.items():
        path = f"{prefix}-{config}-{split}.arrow"
        with pa.OSFile(path, "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)
        spilled[(config, split)] = path
    return spilled


def _entries(rows: list[dict[str, Any]], unreadable: list[str]) -> dict[str, list[tuple[LoggedAnnotation, str]]]:
    """Each article's annotations with their result's JSON as logged, in log order."""
    by_article: dict[str, list[tuple[LoggedAnnotation, str]]] = {}
    for row in rows:
        try:
            entry = entry_of_row(row)
        except (ValueError, TypeError) as err:
            unreadable.append(f"annotation {row['annotation_id']} (log byte {row['log_offset']}): {err}")
            continue
        by_article.setdefault(row["article_id"], []).append((entry, row["result_json"]))
    return by_article


def process_chunk(chunk: Chunk) -> ChunkResult:
    """Re-check, adjudicate and turn into rows every annotation of the chunk's articles."""
    stats = Stats()
    agreement = AgreementAccumulator()
    buffer = RowBuffer()
    rows = ArticleRows(buffer, stats)
    extras: dict[str, list[Any]] = {k: [] for k in ARTICLE_EXTRAS}
    review: list[str] = []
    unreadable: list[str] = []
    names = Pseudonyms(chunk.pseudonym_key)
    with paused_gc():
        by_article = _entries(chunk.annotation_rows(), unreadable)
        for article, seed in zip(chunk.articles, chunk.seeds, strict=True):
            entries: list[tuple[LoggedAnnotation, str | None]] = [*by_article.get(article.article_id, [])]
            if seed is not None:
                entries.append((seed, None))
            ballots = []
            for entry, result_json in entries:
                checked = recheck(entry, article.text, article.text_sha256)
                if checked.status == "quarantined" and entry.status != "quarantined":
                    stats.release_quarantined.update(checked.reasons)
                logged_text = result_json if checked.result is entry.result else None
                # Rows and votes name the annotator by pseudonym; the newest version is still
                # chosen by the logged, not the coarsened, timestamps.
                public = names.entry(entry)
                rows.raw(public, checked, article.story_id, article.split, logged_text)
                ballots.append(
                    Ballot(
                        entry.annotation_id,
                        public.annotator,
                        checked.parsed if checked.parsed is not None else ParsedAnnotation(),
                        ground_truth=entry.ground_truth,
                        machine=entry.provenance == "machine",
                        cancelled=entry.was_cancelled,
                        quarantined=checked.parsed is None,
                        version=entry.version_key,
                    )
                )
            gold = adjudicate_article(article.article_id, ballots)
            agreement.add(ballots)
            rows.gold(gold, article.story_id, article.split)
            if gold.n_annotators:
                stats.articles_annotated += 1
            if gold.review:
                stats.articles_needing_review += 1
                review.extend(item.to_json() for item in gold.review)
            extras["split"].append(SPLITS.ids[article.split])
            extras["genre"].append(None if gold.genre is None else GENRES.ids[gold.genre])
            extras["genre_provenance"].append(
                None if gold.genre_provenance is None else PROVENANCE.ids[gold.genre_provenance]
            )
            extras["annotation_flags"].append([QUALITY_FLAGS.ids[f] for f in gold.quality_flags])
            extras["n_annotators"].append(gold.n_annotators)
            extras["needs_review"].append(gold.needs_review)
        # Still without the collector, and the rows freed before it is back: they are millions
        # of objects, and a collection over them costs more than turning them into tables.
        tables = buffer.tables()
        buffer.rows.clear()
    broken = [
        p for (config, _), table in tables.items() if config == "annotations_raw" for p in invalid_result_json(table)
    ]
    if broken:
        raise DataError(
            f"{len(broken)} raw annotations would ship a result_json that is not a JSON list, e.g. {broken[0]}; "
            "nothing was written. Rebuild the annotation table (delete annotations/table/) and release again."
        )
    if chunk.spill is not None:
        return ChunkResult(
            {}, extras, stats, agreement, review, unreadable, spill(tables, chunk.spill), pseudonyms=names.mapping
        )
    return ChunkResult(tables, extras, stats, agreement, review, unreadable, pseudonyms=names.mapping)


def pool_size(options: ReleaseOptions, articles: int) -> int:
    """Worker processes for a corpus of more than one chunk, unless one worker is asked for (1:
    this process does the work)."""
    return 1 if options.workers == 1 or articles <= options.chunk_size else options.workers


def ready() -> None:
    """The workers' initializer: loading it imports this module in the worker, before the first
    chunk arrives."""


def progress_bar(total: int, desc: str, progress: bool, **kwargs: Any) -> tqdm:
    """A tqdm bar on stderr, or a silent one."""
    return tqdm(total=total, desc=desc, disable=not progress, file=sys.stderr, leave=False, **kwargs)


def iter_corpus(table: pa.Table, options: ReleaseOptions) -> Iterator[pa.Table]:
    """The corpus in ``article_id`` order, ``chunk_size`` articles at a time."""
    order = pc.sort_indices(table, sort_keys=[("article_id", "ascending")])
    if not pc.all(pc.equal(order, pa.array(np.arange(table.num_rows, dtype=np.uint64)))).as_py():
        # Sorted once: taking each chunk's rows from the corpus would copy its columns every time.
        table = table.take(order)
    del order
    with progress_bar(table.num_rows, "release", options.progress, unit="article") as bar:
        for start in range(0, table.num_rows, options.chunk_size):
            batch = table.slice(start, options.chunk_size)
            yield batch
            bar.update(batch.num_rows)
