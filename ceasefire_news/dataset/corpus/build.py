"""The corpus build: raw articles -> a versioned Hugging Face dataset in the workspace.

The pipeline streams, in fixed-size chunks, so memory stays flat as the corpus grows:

1. read (:func:`ceasefire_news.dataset.corpus.read.iter_records`): one ``RawArticle``, ``RawPage``
   (a saved page, extracted in step 2) or ``RecordRejected`` per record;
2. extract pages, clean, identify and sketch each chunk (worker processes for large inputs): clean text and
   metadata (:func:`ceasefire_news.dataset.corpus.clean.clean_article`), ``text_sha256``, ``article_id``, an Arrow
   record batch, and the MinHash / paragraph sketches of :mod:`ceasefire_news.dataset.corpus.stories`;
3. drop exact duplicates (same clean text: the first one read is kept, the others are
   reported) and append the batch to a staging Arrow file; only sketches stay in memory;
4. cluster stories from the sketches, with ids inherited from the parent version;
5. copy the staging file batch by batch into the version's Arrow file, adding ``story_id``
   and ``corpus_version``; write ``dataset_info.json``, ``state.json`` and ``manifest.json``.

Identity: ``text_sha256`` is the SHA-256 of the clean text (UTF-8) and ``article_id`` is
``"a-"`` plus its first 16 hex digits. The id follows the exact text that span offsets
point into: a cleaning change that alters a text gives a new id (the manifest's diff then
lists the article as changed, matched by its url or source file, and it keeps its story).

Output is deterministic: chunk boundaries don't depend on the number of workers, results
are consumed in input order, and the ``datasets`` fingerprint derives from the content.
The version folder appears atomically (:func:`ceasefire_news.dataset.corpus.workspace.atomic_directory`).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
from tqdm import tqdm

from ceasefire_news.dataset.corpus import read
from ceasefire_news.dataset.corpus.chunks import (
    FINAL_SCHEMA,
    MAX_ARTICLE_BYTES,
    STAGE_SCHEMA,
    WARN_ARTICLE_BYTES,
    ChunkOptions,
    Rejection,
    iter_chunks,
    run_chunks,
)
from ceasefire_news.dataset.corpus.clean_rules import rule_versions
from ceasefire_news.dataset.corpus.kept import Duplicate, Kept
from ceasefire_news.dataset.corpus.parallel import usable_cores
from ceasefire_news.dataset.corpus.stories import StoryIndex, StoryOptions, assign_story_ids
from ceasefire_news.dataset.corpus.topic import Topic, default_topic
from ceasefire_news.dataset.corpus.versions import (
    DATA_FILE,
    IDENTITY_KEY_RULE,
    Identity,
    changed_pairs,
    content_fingerprint,
    diff_identities,
    plan_version,
    read_identities,
    read_manifest,
    write_dataset_files,
)
from ceasefire_news.dataset.corpus.workspace import (
    MANIFEST,
    Workspace,
    atomic_directory,
    atomic_write_json,
    file_sha256,
)
from ceasefire_news.schema.errors import UsageError
from ceasefire_news.schema.records import SCHEMA_VERSION

ARTICLE_ID_RULE = 'article_id = "a-" + first 16 hex digits of sha256(clean text, UTF-8)'

#: Rows per record batch of the version's Arrow file.
OUTPUT_BATCH_ROWS = 1000


# --- options and report --------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildOptions:
    """How a build runs.

    ``workers``, ``chunk_size`` and ``max_pending`` never change the output (the version's
    files are byte-identical); ``stories`` does, and the manifest records it.

    ``workers``: processes that clean and sketch (default: the usable cores); an input of at
    most one chunk is processed in this process. Workers are started with ``spawn``, so a
    script that calls :func:`build_corpus` on a large input needs the usual
    ``if __name__ == "__main__":`` guard. ``chunk_size``: articles per task.
    ``max_pending``: chunks in flight per worker, which bounds memory.
    """

    workers: int = field(default_factory=usable_cores)
    chunk_size: int = 256
    max_pending: int = 3
    stories: StoryOptions = field(default_factory=StoryOptions)
    #: An article with more UTF-8 bytes of text than this is rejected (``too_large``).
    max_article_bytes: int = MAX_ARTICLE_BYTES
    #: An article with more bytes than this (and at most the limit) is built, with a warning.
    warn_article_bytes: int = WARN_ARTICLE_BYTES
    #: Pages of a WARC crawl off this topic are dropped before extraction; None keeps them all.
    topic: Topic | None = field(default_factory=default_topic)
    #: Only articles in these languages are kept (ISO 639-1 codes); None keeps every language.
    languages: frozenset[str] | None = None

    def __post_init__(self) -> None:
        for name in ("workers", "chunk_size", "max_pending", "max_article_bytes", "warn_article_bytes"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} is {value!r}; expected a positive integer")

    def chunk_options(self) -> ChunkOptions:
        """What each chunk's work needs of these options."""
        return ChunkOptions(
            stories=self.stories,
            max_article_bytes=self.max_article_bytes,
            warn_article_bytes=self.warn_article_bytes,
            topic=self.topic,
            languages=self.languages,
        )

    def describe_filters(self) -> dict[str, Any]:
        """The filters, for the manifest."""
        return {
            "topic": self.topic.describe() if self.topic is not None else None,
            "languages": sorted(self.languages) if self.languages is not None else None,
        }


@dataclass(slots=True)
class BuildReport:
    """What a build did. ``unchanged``: nothing was written, the latest version has this content."""

    version: str
    path: Path
    parent: str | None
    read: int
    kept: int
    rejected: int
    duplicates: int
    stories: int
    unchanged: bool = False
    rejections: list[Rejection] = field(default_factory=list)
    duplicate_records: list[Duplicate] = field(default_factory=list)
    #: Records built with a warning (an article above ``warn_article_bytes``).
    warnings: list[Rejection] = field(default_factory=list)
    diff: dict[str, Any] | None = None
    #: Records left out on purpose (crawl records that are not HTML pages, pages off the
    #: topic, other languages), counted by reason.
    filtered: dict[str, int] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """True when every input record was used (duplicates count as used)."""
        return self.rejected == 0


# --- sources -------------------------------------------------------------------------------


def _source_digests(paths: Sequence[Path]) -> list[dict[str, Any]]:
    """Name (as ``source_file`` names it), size and SHA-256 of every input file, for the manifest.

    A file that can't be read is left out here: the reader reports it as a rejection.
    """
    digests = []
    for file, name in read.source_files(paths):
        try:
            digests.append({"path": name, "bytes": file.stat().st_size, "sha256": file_sha256(file)})
        except OSError:
            continue
    return digests


# --- the build -----------------------------------------------------------------------------


class _Unchanged(Exception):
    def __init__(self, report: BuildReport) -> None:
        super().__init__("unchanged")
        self.report = report


def build_corpus(
    sources: Sequence[Path] | None,
    workspace: Workspace,
    version: str | None = None,
    *,
    progress: bool = True,
    options: BuildOptions | None = None,
) -> BuildReport:
    """Build a corpus version from ``sources`` (files or folders; None: the embedded seeds).

    Writes ``<workspace>/corpus/<version>/``. Without ``version`` the first build is 1.0.0
    and later builds bump the minor version of the latest one; when the content equals the
    latest version nothing is written and the report says ``unchanged``. An explicit
    ``version`` must be new and newer than the latest.

    Records that can't be used are reported in ``BuildReport.rejections`` and the rest is
    built. Raises :class:`~ceasefire_news.schema.errors.UsageError` for a bad or existing version and when
    no article at all could be used.

    >>> report = build_corpus(None, Workspace(Path("workspace")), progress=False)  # doctest: +SKIP
    >>> report.version, report.kept  # doctest: +SKIP
    ('1.0.0', 5)
    """
    options = options or BuildOptions()
    plan = plan_version(workspace, version)
    paths = list(sources) if sources else read.embedded_sources()
    clash = read.clashing_sources(paths)
    if clash is not None:
        raise UsageError(clash)
    parent_rows = read_identities(workspace.corpus_dir(plan.parent)) if plan.parent else []
    parent_manifest = read_manifest(workspace, plan.parent) if plan.parent else None
    final = workspace.corpus_dir(plan.version)
    try:
        with atomic_directory(final) as folder:
            return _build_into(
                folder,
                final=final,
                version=plan.version,
                parent=plan.parent,
                skip_if_unchanged=plan.automatic,
                parent_rows=parent_rows,
                parent_content=(parent_manifest or {}).get("content_sha256"),
                paths=paths,
                sources=_source_digests(paths),
                progress=progress,
                options=options,
            )
    except _Unchanged as unchanged:
        return unchanged.report


def _build_into(
    folder: Path,
    *,
    final: Path,
    version: str,
    parent: str | None,
    skip_if_unchanged: bool,
    parent_rows: list[Identity],
    parent_content: str | None,
    paths: Sequence[Path],
    sources: list[dict[str, Any]],
    progress: bool,
    options: BuildOptions,
) -> BuildReport:
    stage_path = folder / ".stage.arrow"
    kept = Kept(index=StoryIndex(options.stories), collect_keys=parent is not None)
    rejections: list[tuple[int, Rejection]] = []
    warned: list[tuple[int, Rejection]] = []
    filtered: dict[str, int] = {}
    records = read.iter_records(paths)
    bar = tqdm(
        desc=f"build {version}",
        unit=" articles",
        file=sys.stderr,
        disable=not progress,
        dynamic_ncols=True,
    )
    with (
        bar,
        pa.OSFile(str(stage_path), "wb") as sink,
        pa.ipc.new_stream(sink, STAGE_SCHEMA) as writer,
    ):
        chunks = iter_chunks(records, options.chunk_size, rejections, filtered)
        chunk_options = options.chunk_options()
        results = run_chunks(chunks, workers=options.workers, max_pending=options.max_pending, options=chunk_options)
        for result in results:
            bar.update(result.consumed)
            rejections.extend(result.rejections)
            warned.extend(result.warnings)
            for reason, count in result.filtered.items():
                filtered[reason] = filtered.get(reason, 0) + count
            kept.take(result, writer)
    kept.row_of.clear()
    del kept.wheres

    ordered_rejections = [rejection for _, rejection in sorted(rejections, key=lambda r: r[0])]
    warnings = [warning for _, warning in sorted(warned, key=lambda r: r[0])]
    read_count, article_ids, duplicates = kept.read, kept.article_ids, kept.duplicates
    filtered = dict(sorted(filtered.items()))
    if not article_ids:
        listed = "".join(f"\n  {rejection}" for rejection in ordered_rejections)
        left_out = ", ".join(f"{count} {reason}" for reason, count in filtered.items())
        left_out = f"; left out: {left_out}" if left_out else ""
        raise UsageError(
            f"no usable article in the input ({read_count} records read, "
            f"{len(ordered_rejections)} rejected{left_out}); pass files with articles via --source "
            f"(seed .txt files, .jsonl with a 'text' field, or saved .html pages).{listed}"
        )

    index, keys = kept.index, kept.keys
    content_sha256 = kept.content.hexdigest()
    new_rows = [Identity(a, k) for a, k in zip(article_ids, keys, strict=True)] if parent else []
    keys.clear()
    diff = diff_identities(parent_rows, new_rows, parent, version) if parent else None
    report = BuildReport(
        version=version,
        path=final,
        parent=parent,
        read=read_count,
        kept=len(article_ids),
        rejected=len(ordered_rejections),
        duplicates=len(duplicates),
        stories=0,
        rejections=ordered_rejections,
        duplicate_records=duplicates,
        diff=diff,
        warnings=warnings,
        filtered=filtered,
    )
    if skip_if_unchanged and parent is not None and parent_content == content_sha256:
        report.version, report.path, report.unchanged = parent, final.parent / parent, True
        report.stories = len({row.story_id for row in parent_rows})
        raise _Unchanged(report)

    # Stories are found in article id order: the same articles give the same stories, in any order.
    order = np.frombuffer(article_ids.numbers, dtype=np.uint64)
    story_ids = _story_ids(index, article_ids, parent_rows, new_rows, order)
    del new_rows
    report.stories = len(set(story_ids))

    _finish_data_file(stage_path, folder / DATA_FILE, story_ids, version)
    stage_path.unlink()
    fingerprint = content_fingerprint(content_sha256, version)
    write_dataset_files(
        folder,
        version,
        fingerprint,
        description=f"ceasefire-news corpus version {version}: news articles on ceasefire "
        "diplomacy in the Syrian war, cleaned, with story clusters.",
    )
    manifest = {
        "version": version,
        "parent": parent,
        "schema_version": SCHEMA_VERSION,
        "cleaning_rules": rule_versions(),
        "article_id": ARTICLE_ID_RULE,
        "identity_key": IDENTITY_KEY_RULE,
        "stories": options.stories.describe(),
        "sources": sources,
        "filters": options.describe_filters(),
        "counts": {
            "read": report.read,
            "kept": report.kept,
            "rejected": report.rejected,
            "duplicates": report.duplicates,
            "filtered": sum(filtered.values()),
            "stories": report.stories,
        },
        "filtered": filtered,
        "rejections": [{"where": r.where, "reason": r.reason, "detail": r.detail} for r in ordered_rejections],
        "duplicates": [{"where": d.where, "article_id": d.article_id, "kept": d.kept} for d in duplicates],
        "content_sha256": content_sha256,
        "fingerprint": fingerprint,
        "data_files": [DATA_FILE],
        "diff": diff,
    }
    atomic_write_json(folder / MANIFEST, manifest)
    return report


def _story_ids(
    index: StoryIndex,
    article_ids: Sequence[str],
    parent_rows: list[Identity],
    new_rows: list[Identity],
    order: npt.NDArray[np.uint64],
) -> list[str]:
    """Cluster, then keep the parent's story ids for articles that existed there."""
    parent_story = {row.article_id: row.story_id for row in parent_rows if row.story_id}
    row_of = {row.article_id: i for i, row in enumerate(new_rows)}
    inherited = {row_of[article_id]: story for article_id, story in parent_story.items() if article_id in row_of}
    # An article whose text changed (same url or source file) stays in its story: a
    # cleaning fix must never move an article to another split.
    for before, after in changed_pairs(parent_rows, new_rows):
        row = row_of[after.article_id]
        if row not in inherited and before.story_id:
            inherited[row] = before.story_id
    taken = {row.story_id for row in parent_rows if row.story_id}
    return assign_story_ids(index.cluster(order), article_ids, inherited, taken)


def _finish_data_file(stage: Path, target: Path, story_ids: list[str], version: str) -> None:
    """Copy the staging batches into the version file, adding story and version columns.

    Output batches hold exactly ``OUTPUT_BATCH_ROWS`` rows (the last one fewer), so the file's
    bytes don't depend on the chunk size or on how many duplicates each chunk dropped.
    """
    names = FINAL_SCHEMA.names
    written = 0
    pending: list[pa.RecordBatch] = []
    pending_rows = 0

    def flush(writer: pa.ipc.RecordBatchStreamWriter, upto: int) -> None:
        nonlocal pending, pending_rows, written
        table = pa.Table.from_batches(pending, schema=STAGE_SCHEMA)
        start = 0
        while table.num_rows - start >= upto and table.num_rows - start > 0:
            part = table.slice(start, min(OUTPUT_BATCH_ROWS, table.num_rows - start))
            n = part.num_rows
            late = {
                "story_id": pa.array(story_ids[written : written + n], type=pa.string()),
                "corpus_version": pa.array([version] * n, type=pa.string()),
            }
            arrays = [late[name] if name in late else part.column(name).combine_chunks() for name in names]
            writer.write_batch(pa.RecordBatch.from_arrays(arrays, schema=FINAL_SCHEMA))
            written += n
            start += n
        pending = table.slice(start).to_batches() if start < table.num_rows else []
        pending_rows = table.num_rows - start

    with (
        pa.OSFile(str(stage), "rb") as source,
        pa.OSFile(str(target), "wb") as sink,
        pa.ipc.new_stream(sink, FINAL_SCHEMA) as writer,
    ):
        for batch in pa.ipc.open_stream(source):
            pending.append(batch)
            pending_rows += batch.num_rows
            if pending_rows >= OUTPUT_BATCH_ROWS:
                flush(writer, OUTPUT_BATCH_ROWS)
        if pending_rows:
            flush(writer, 1)
    if written != len(story_ids):  # pragma: no cover - guards the staging file's integrity
        raise RuntimeError(f"staging file had {written} rows, expected {len(story_ids)}")
