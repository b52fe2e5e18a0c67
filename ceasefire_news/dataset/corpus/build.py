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

This module is the local engine (worker processes on this machine); ``--engine ray`` runs the
same steps on a Ray cluster (:mod:`ceasefire_news.dataset.corpus.engine_ray`). Both end in
:func:`ceasefire_news.dataset.corpus.finish.write_version` and write byte-identical versions.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from tqdm import tqdm

from ceasefire_news.dataset.corpus import engine_ray, read
from ceasefire_news.dataset.corpus.chunks import STAGE_SCHEMA, Chunk, ChunkResult, Rejection, iter_chunks
from ceasefire_news.dataset.corpus.finish import (
    Gathered,
    Target,
    Unchanged,
    source_digest,
    stage_batches,
    write_version,
)
from ceasefire_news.dataset.corpus.kept import Kept
from ceasefire_news.dataset.corpus.options import BuildOptions, BuildReport
from ceasefire_news.dataset.corpus.stories import StoryIndex
from ceasefire_news.dataset.corpus.units import CachedUnit, UnitCache, UnitWriter, cache_salt, jobs, run_jobs, unit_key
from ceasefire_news.dataset.corpus.versions import plan_version, read_identities, read_manifest
from ceasefire_news.dataset.corpus.workspace import Workspace, atomic_directory
from ceasefire_news.schema.errors import RecordRejected, UsageError

__all__ = ["BuildOptions", "BuildReport", "build_corpus"]


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
    parent_dir = workspace.corpus_dir(plan.parent) if plan.parent else None
    # The Ray engine reads the parent's identities in the task that needs them, not here.
    parent_rows = read_identities(parent_dir) if parent_dir is not None and options.engine == "local" else None
    parent_manifest = read_manifest(workspace, plan.parent) if plan.parent else None
    final = workspace.corpus_dir(plan.version)
    try:
        with atomic_directory(final) as folder:
            target = Target(
                folder=folder,
                final=final,
                version=plan.version,
                parent=plan.parent,
                skip_if_unchanged=plan.automatic,
                parent_rows=parent_rows,
                parent_dir=parent_dir,
                parent_content=(parent_manifest or {}).get("content_sha256"),
            )
            cache = UnitCache(workspace.root / "cache" / "units") if options.cache else None
            if cache is not None:
                cache.folder.mkdir(parents=True, exist_ok=True)
            if options.engine == "ray":
                return engine_ray.build_on_ray(target, paths, progress=progress, options=options, cache=cache)
            return _build_local(target, paths, progress=progress, options=options, cache=cache)
    except Unchanged as unchanged:
        return unchanged.report


def _build_local(
    target: Target, paths: Sequence[Path], *, progress: bool, options: BuildOptions, cache: UnitCache | None
) -> BuildReport:
    stage_path = target.folder / ".stage.arrow"
    kept = Kept(index=StoryIndex(options.stories), collect_keys=target.parent is not None)
    chunk_options = options.chunk_options()
    plan = _UnitPlan(paths, cache, cache_salt(chunk_options), options.chunk_size)
    rejections: list[tuple[int, Rejection]] = []
    warned: list[tuple[int, Rejection]] = []
    filtered: dict[str, int] = {}
    saving: dict[int, UnitWriter] = {}
    unit, unit_start, unit_consumed = -1, 0, 0
    bar = tqdm(
        desc=f"build {target.version}",
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
        job_list = jobs(plan.items(), options.chunk_size)
        workers = plan.workers(options)
        for result in run_jobs(job_list, workers=workers, max_pending=options.max_pending, options=chunk_options):
            if result.unit != unit:  # results come in input order: a new unit starts
                unit, unit_start, unit_consumed = result.unit, unit_start + unit_consumed, 0
            unit_consumed += result.consumed
            bar.update(result.consumed)
            rejections.extend((unit_start + ordinal, rejection) for ordinal, rejection in result.rejections)
            warned.extend((unit_start + ordinal, warning) for ordinal, warning in result.warnings)
            for reason, count in result.filtered.items():
                filtered[reason] = filtered.get(reason, 0) + count
            kept.take(result, writer)
            plan.count(result)
            if cache is not None and result.unit in plan.keys and not result.from_cache:
                if result.unit not in saving:
                    saving[result.unit] = UnitWriter(cache.base(plan.keys[result.unit]))
                saving[result.unit].add(result)
                if result.last:
                    saving.pop(result.unit).close()
    kept.row_of.clear()
    del kept.wheres

    gathered = Gathered(
        read=kept.read,
        numbers=np.array(kept.article_ids.numbers, dtype=np.uint64),
        keys=kept.keys,
        content_sha256=kept.content.hexdigest(),
        rejections=[rejection for _, rejection in sorted(rejections, key=lambda r: r[0])],
        warnings=[warning for _, warning in sorted(warned, key=lambda r: r[0])],
        duplicates=kept.duplicates,
        filtered=dict(sorted(filtered.items())),
    )
    try:
        report = write_version(
            target,
            gathered,
            cluster=kept.index.cluster,
            batches=lambda: stage_batches(stage_path),
            sources=plan.sources,
            options=options,
        )
    finally:
        if cache is not None:
            cache.prune(plan.keys.values())
    stage_path.unlink()
    report.files_processed, report.files_cached = plan.processed, plan.cached
    return report


class _UnitPlan:
    """The units of a local build: what to read, what the cache already holds, what was done."""

    def __init__(self, paths: Sequence[Path], cache: UnitCache | None, salt: str, chunk_size: int) -> None:
        self.units = list(read.iter_units(paths))
        self.cache = cache
        self.salt = salt
        self.chunk_size = chunk_size
        self.keys: dict[int, str] = {}
        #: The manifest's ``sources``: each file is hashed once, for the manifest and the cache.
        self.sources: list[dict[str, Any]] = []
        self.hit: set[int] = set()
        #: Bytes of the files that must be processed (not in the cache).
        self.new_bytes = 0
        for index, unit in enumerate(self.units):
            if isinstance(unit, RecordRejected):
                continue
            digest = source_digest(*unit)
            if digest is None:
                continue
            self.sources.append(digest)
            if cache is not None:
                self.keys[index] = unit_key(salt, digest["sha256"], unit[1], read.source_name(unit[0]))
                if cache.has(self.keys[index]):
                    self.hit.add(index)
                    continue
            self.new_bytes += int(digest["bytes"])
        self.processed = 0
        self.cached = 0

    def workers(self, options: BuildOptions) -> int:
        """Worker processes worth starting: one costs about a second of CPU, so not for little new work."""
        return options.workers if self.new_bytes >= options.pool_min_bytes else 1

    def items(self) -> Iterator[Chunk | CachedUnit]:
        for index, unit in enumerate(self.units):
            if isinstance(unit, RecordRejected):
                rejection = Rejection(unit.where, unit.reason, unit.detail)
                yield Chunk([], 1, rejections=[(0, rejection)], unit=index, last=True)
            elif index in self.hit and self.cache is not None:
                yield CachedUnit(index, self.cache.base(self.keys[index]), unit[0], unit[1], self.chunk_size)
            else:
                yield from iter_chunks(read.read_file(*unit), self.chunk_size, index)

    def count(self, result: ChunkResult) -> None:
        if result.last and not isinstance(self.units[result.unit], RecordRejected):
            if result.from_cache:
                self.cached += 1
            else:
                self.processed += 1
