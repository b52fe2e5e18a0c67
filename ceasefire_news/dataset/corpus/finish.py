"""The last steps of a build, shared by every engine: story ids, the version's files, the manifest.

An engine reads, cleans and sketches the articles, drops exact duplicates and finds the
links between them; what it gathered (:class:`Gathered`) and the stories
(:class:`~ceasefire_news.dataset.corpus.stories.Clusters`) are then written by
:func:`write_version` the same way whatever the engine, so both engines write byte-identical
versions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from ceasefire_news.dataset.corpus.chunks import FINAL_SCHEMA, STAGE_SCHEMA, Rejection
from ceasefire_news.dataset.corpus.clean_rules import rule_versions
from ceasefire_news.dataset.corpus.kept import Duplicate
from ceasefire_news.dataset.corpus.options import BuildOptions, BuildReport
from ceasefire_news.dataset.corpus.stories import Clusters, assign_story_ids
from ceasefire_news.dataset.corpus.versions import (
    DATA_FILE,
    IDENTITY_KEY_RULE,
    Identity,
    changed_pairs,
    content_fingerprint,
    diff_identities,
    read_identities,
    write_dataset_files,
)
from ceasefire_news.dataset.corpus.workspace import MANIFEST, atomic_write_json, file_sha256
from ceasefire_news.schema.errors import UsageError
from ceasefire_news.schema.records import SCHEMA_VERSION

ARTICLE_ID_RULE = 'article_id = "a-" + first 16 hex digits of sha256(clean text, UTF-8)'

#: Rows per record batch of the version's Arrow file.
OUTPUT_BATCH_ROWS = 1000


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    """Where and what a build writes: the version, its parent, and the parent's identities."""

    folder: Path  # the folder being written (renamed to ``final`` when complete)
    final: Path
    version: str
    parent: str | None
    skip_if_unchanged: bool
    #: The parent's identities; None: read from ``parent_dir`` where the version is written
    #: (a Ray task), so that they never pass through the driver.
    parent_rows: list[Identity] | None
    parent_dir: Path | None
    parent_content: str | None

    def parent_identities(self) -> list[Identity]:
        if self.parent_rows is not None:
            return self.parent_rows
        return read_identities(self.parent_dir) if self.parent_dir is not None else []


@dataclass(slots=True)
class Gathered:
    """What an engine keeps of the articles, in input order, before stories are found."""

    read: int
    #: Each kept article's id as its number (the first 64 bits of its text's SHA-256).
    numbers: npt.NDArray[np.uint64]
    #: Identity keys of the kept articles (only when there is a parent version).
    keys: list[str]
    content_sha256: str
    rejections: list[Rejection] = field(default_factory=list)
    warnings: list[Rejection] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    filtered: dict[str, int] = field(default_factory=dict)

    @property
    def article_ids(self) -> list[str]:
        return [f"a-{int(number):016x}" for number in self.numbers]


class Unchanged(Exception):
    """The input gives the content of the parent version: nothing is written."""

    def __init__(self, report: BuildReport) -> None:
        super().__init__("unchanged")
        self.report = report


def source_digest(file: Path, name: str) -> dict[str, Any] | None:
    """One file's entry in the manifest's ``sources``; None when it can't be read."""
    try:
        return {"path": name, "bytes": file.stat().st_size, "sha256": file_sha256(file)}
    except OSError:
        return None


def no_article_error(gathered: Gathered) -> UsageError:
    """The error of a build in which no article at all could be used."""
    listed = "".join(f"\n  {rejection}" for rejection in gathered.rejections)
    left_out = ", ".join(f"{count} {reason}" for reason, count in gathered.filtered.items())
    left_out = f"; left out: {left_out}" if left_out else ""
    return UsageError(
        f"no usable article in the input ({gathered.read} records read, "
        f"{len(gathered.rejections)} rejected{left_out}); pass files with articles via --source "
        f"(seed .txt files, .jsonl with a 'text' field, saved .html pages or .warc crawls).{listed}"
    )


def write_version(
    target: Target,
    gathered: Gathered,
    *,
    cluster: Callable[[npt.NDArray[np.uint64]], Clusters],
    batches: Callable[[], Iterable[pa.RecordBatch]],
    sources: list[dict[str, Any]],
    options: BuildOptions,
) -> BuildReport:
    """Find story ids, write the version's data file, dataset files and manifest.

    ``cluster`` finds the stories given each row's article id number; ``batches`` gives the
    kept articles' staging batches, in input order. Raises :class:`Unchanged` (nothing
    written) when the content equals the parent's and the version was not asked for.
    """
    if not gathered.numbers.shape[0]:
        raise no_article_error(gathered)
    parent = target.parent
    parent_rows = target.parent_identities()
    article_ids = gathered.article_ids
    new_rows = [Identity(a, k) for a, k in zip(article_ids, gathered.keys, strict=True)] if parent else []
    diff = diff_identities(parent_rows, new_rows, parent, target.version) if parent else None
    report = BuildReport(
        version=target.version,
        path=target.final,
        parent=parent,
        read=gathered.read,
        kept=len(article_ids),
        rejected=len(gathered.rejections),
        duplicates=len(gathered.duplicates),
        stories=0,
        rejections=gathered.rejections,
        duplicate_records=gathered.duplicates,
        diff=diff,
        warnings=gathered.warnings,
        filtered=gathered.filtered,
    )
    if target.skip_if_unchanged and parent is not None and target.parent_content == gathered.content_sha256:
        report.version, report.path, report.unchanged = parent, target.final.parent / parent, True
        report.stories = len({row.story_id for row in parent_rows})
        raise Unchanged(report)

    # Stories are found in article id order: the same articles give the same stories, in any order.
    clusters = cluster(gathered.numbers)
    story_ids = _story_ids(clusters, article_ids, parent_rows, new_rows)
    del new_rows
    report.stories = len(set(story_ids))

    write_data_file(batches(), target.folder / DATA_FILE, story_ids, target.version)
    fingerprint = content_fingerprint(gathered.content_sha256, target.version)
    write_dataset_files(
        target.folder,
        target.version,
        fingerprint,
        description=f"ceasefire-news corpus version {target.version}: news articles on ceasefire "
        "diplomacy in the Syrian war, cleaned, with story clusters.",
    )
    manifest = {
        "version": target.version,
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
            "filtered": sum(gathered.filtered.values()),
            "stories": report.stories,
        },
        "filtered": gathered.filtered,
        "rejections": [{"where": r.where, "reason": r.reason, "detail": r.detail} for r in gathered.rejections],
        "duplicates": [{"where": d.where, "article_id": d.article_id, "kept": d.kept} for d in gathered.duplicates],
        "content_sha256": gathered.content_sha256,
        "fingerprint": fingerprint,
        "data_files": [DATA_FILE],
        "diff": diff,
    }
    atomic_write_json(target.folder / MANIFEST, manifest)
    return report


def _story_ids(
    clusters: Clusters,
    article_ids: Sequence[str],
    parent_rows: list[Identity],
    new_rows: list[Identity],
) -> list[str]:
    """Keep the parent's story ids for articles that existed there; new stories get new ids."""
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
    return assign_story_ids(clusters, article_ids, inherited, taken)


def write_data_file(batches: Iterable[pa.RecordBatch], target: Path, story_ids: list[str], version: str) -> None:
    """Write the staging batches as the version file, adding story and version columns.

    Output batches hold exactly ``OUTPUT_BATCH_ROWS`` rows (the last one fewer), so the file's
    bytes don't depend on how the input was cut into batches.
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

    with pa.OSFile(str(target), "wb") as sink, pa.ipc.new_stream(sink, FINAL_SCHEMA) as writer:
        for batch in batches:
            pending.append(batch)
            pending_rows += batch.num_rows
            if pending_rows >= OUTPUT_BATCH_ROWS:
                flush(writer, OUTPUT_BATCH_ROWS)
        if pending_rows:
            flush(writer, 1)
    if written != len(story_ids):  # pragma: no cover - guards the staging data's integrity
        raise RuntimeError(f"staging data had {written} rows, expected {len(story_ids)}")


def stage_batches(path: Path) -> Iterable[pa.RecordBatch]:
    """The batches of a staging Arrow stream file, one at a time."""
    with pa.OSFile(str(path), "rb") as source:
        yield from pa.ipc.open_stream(source)
