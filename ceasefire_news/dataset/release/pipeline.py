"""Release a corpus version: re-check, adjudicate, split, write Parquet, card, Croissant, manifest.

Input: a corpus version (the latest unless ``corpus_version`` names one), the workspace's
annotations (the annotation table derived from ``annotations/log.jsonl``, see
:mod:`ceasefire_news.labeling.annotation_table`) and, for the seed articles, the embedded
annotations (:mod:`ceasefire_news.dataset.release.embedded`, provenance ``machine``).

Output: ``release/<version>/`` (docs/ARCHITECTURE.md, "The workspace"), written into a temporary folder and
renamed only after it validated (:func:`ceasefire_news.dataset.release.validate.validate_release`), so a killed run
leaves the previous releases and no partial one. The release version defaults to the
corpus version; a release version is never overwritten. Ties and low agreement are written
to ``annotations/review.jsonl`` (``{"article_id", "unit", "reason"}`` per line).

The stages, one module each: the newest annotations by article (:mod:`.log_index`), chunks
of articles processed in worker processes (:mod:`.workers`: :mod:`.recheck`, adjudication,
:mod:`.rows`), Parquet files (:mod:`.writers`), counts (:mod:`.stats`) and the manifest
(:mod:`.manifest`).

Deterministic: the same corpus, log and package give byte-identical files, whatever the
number of workers (rows sorted by article id, then unit; fixed row groups and Parquet
writer options; no clock).

>>> report = release_corpus(Workspace(Path("workspace")))  # doctest: +SKIP
>>> report.path  # doctest: +SKIP
PosixPath('workspace/release/1.0.0')
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ceasefire_news.dataset.corpus.parallel import WorkerPool, paused_gc
from ceasefire_news.dataset.corpus.versions import load_corpus
from ceasefire_news.dataset.corpus.workspace import Workspace, atomic_directory, parse_version
from ceasefire_news.dataset.release import card, croissant
from ceasefire_news.dataset.release import splits as splitting
from ceasefire_news.dataset.release.agreement import AgreementAccumulator
from ceasefire_news.dataset.release.carry import carried_articles, carry_over
from ceasefire_news.dataset.release.embedded import AnchorError, Article, embedded_annotations, seed_of
from ceasefire_news.dataset.release.log_index import LatestAnnotations, latest_annotations
from ceasefire_news.dataset.release.manifest import build_manifest, corpus_manifest, write_manifest
from ceasefire_news.dataset.release.pseudonyms import save_mapping
from ceasefire_news.dataset.release.stats import Stats
from ceasefire_news.dataset.release.validate import format_issues, validate_release
from ceasefire_news.dataset.release.workers import (
    Chunk,
    ChunkArticle,
    ReleaseOptions,
    iter_corpus,
    pool_size,
    process_chunk,
    ready,
)
from ceasefire_news.dataset.release.writers import Writers
from ceasefire_news.labeling.pseudonym import workspace_key
from ceasefire_news.schema.errors import DataError, UsageError
from ceasefire_news.schema.labels import TEXT_FLAGS
from ceasefire_news.schema.records import CORPUS_FEATURES, UNKNOWN_OUTLET, LoggedAnnotation


@dataclass(slots=True)
class ReleaseReport:
    """What a release did; ``manifest`` is the content of ``manifest.json``."""

    version: str
    corpus_version: str
    path: Path
    manifest: dict[str, Any]
    review_path: Path
    review_items: int

    @property
    def rows(self) -> dict[str, dict[str, int]]:
        return {c: dict(v["splits"]) for c, v in self.manifest["configs"].items()}

    @property
    def quarantined(self) -> int:
        return int(self.manifest["annotations"]["by_status"].get("quarantined", 0))


def _corpus_table(workspace: Workspace, version: str) -> pa.Table:
    ds = load_corpus(workspace, version)
    if getattr(ds, "_indices", None) is not None:
        ds = ds.flatten_indices()
    table: pa.Table = ds.data.table
    expected = CORPUS_FEATURES.arrow_schema
    if table.schema.names != expected.names:
        raise UsageError(
            f"corpus {version} has columns {table.schema.names}; expected {expected.names} "
            "(schema/records.py CORPUS_FEATURES). Rebuild it with `ceasefire-news build`."
        )
    if not table.schema.equals(expected, check_metadata=False):
        try:
            table = table.cast(expected)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as err:
            raise UsageError(f"corpus {version} does not match CORPUS_FEATURES ({err}); rebuild it") from err
    return table


def _resolve_versions(workspace: Workspace, version: str | None, corpus_version: str | None) -> tuple[str, str]:
    if corpus_version is None:
        corpus_version = workspace.latest_corpus_version()
    else:
        parse_version(corpus_version)
        if corpus_version not in workspace.corpus_versions():
            raise UsageError(
                f"corpus version {corpus_version} is not in {workspace.corpus_root}; "
                f"versions there: {workspace.corpus_versions() or 'none'}. Run `ceasefire-news build` first."
            )
    release_version = corpus_version if version is None else version
    parse_version(release_version)
    if workspace.release_dir(release_version).exists():
        taken = workspace.release_versions()
        major, minor, patch = parse_version(taken[-1] if taken else release_version)
        raise UsageError(
            f"release {release_version} already exists in {workspace.release_root}; a release version is never "
            f"overwritten. Pass a new one, e.g. `ceasefire-news release --version {major}.{minor}.{patch + 1}`."
        )
    return release_version, corpus_version


def _seed_entries(table: pa.Table, corpus_version: str) -> dict[str, LoggedAnnotation]:
    sources = table.column("source_file").to_pylist()
    rows = [i for i, source in enumerate(sources) if seed_of(source) is not None]
    if not rows:
        return {}
    seeds = table.take(pa.array(rows, type=pa.int64())).to_pylist()
    articles, errors = [], []
    for row in seeds:
        article = Article(row["article_id"], row["source_file"], row["text"], row["text_sha256"], corpus_version)
        try:
            embedded_annotations([article])
        except AnchorError as err:
            errors.append(str(err))
        else:
            articles.append(article)
    if errors:
        raise AnchorError("; ".join(errors))
    return {e.article_id: e for e in embedded_annotations(articles)}


class _Annotations:
    """Hands each chunk the rows of its articles from the newest annotations (sorted by article).

    With worker processes, the rows are written once to an Arrow IPC file that the workers
    map; in this process, chunks take slices of the table.
    """

    def __init__(self, latest: LatestAnnotations, folder: Path | None, key: bytes) -> None:
        self.key = key
        self.counts = latest.rows_per_article()
        self.start = 0
        self.table: pa.Table | None = latest.table
        self.file: str | None = None
        if folder is not None:
            self.file = str(folder / "annotations.arrow")
            with pa.OSFile(self.file, "wb") as sink, pa.ipc.new_file(sink, latest.table.schema) as writer:
                writer.write_table(latest.table)
            self.table = None

    def chunk(self, articles: list[ChunkArticle], seeds: list[LoggedAnnotation | None], spill: str | None) -> Chunk:
        count = sum(self.counts.get(a.article_id, 0) for a in articles)
        start, self.start = self.start, self.start + count
        if self.table is not None:
            return Chunk(
                articles, seeds, annotations=self.table.slice(start, count), spill=spill, pseudonym_key=self.key
            )
        return Chunk(
            articles,
            seeds,
            annotations_file=self.file,
            annotations_rows=(start, count),
            spill=spill,
            pseudonym_key=self.key,
        )


def release_corpus(
    workspace: Workspace | Path,
    version: str | None = None,
    *,
    corpus_version: str | None = None,
    progress: bool = True,
    options: ReleaseOptions | None = None,
) -> ReleaseReport:
    """Release a corpus version with its annotations into ``release/<version>/``.

    ``version`` names the release (default: the corpus version); ``corpus_version`` the
    corpus to release (default: the latest). Raises :class:`UsageError` for an existing
    release version or a missing corpus, :class:`DataError` when an embedded anchor no
    longer resolves or the release fails validation (nothing is written then).
    ``options`` (:class:`ReleaseOptions`) sets workers and chunking; ``progress`` is a
    shortcut for its progress bars. Neither changes the files.
    """

    options = options or ReleaseOptions(progress=progress)
    progress = options.progress
    ws = workspace if isinstance(workspace, Workspace) else Workspace(Path(workspace))
    version, corpus_version = _resolve_versions(ws, version, corpus_version)
    table = _corpus_table(ws, corpus_version)
    ids = table.column("article_id")
    if pc.count_distinct(ids).as_py() != table.num_rows:
        raise DataError(f"corpus {corpus_version} repeats article ids; rebuild it with `ceasefire-news build`")
    seeds = _seed_entries(table, corpus_version)
    # Closed right after the last chunk, and in any case when this function ends.
    workers = contextlib.ExitStack()
    processes = pool_size(options, table.num_rows)
    # Started before the annotations are read: the workers import their modules meanwhile.
    pool = workers.enter_context(WorkerPool(processes, initializer=ready))
    with workers:
        carried = carried_articles(ws, corpus_version)
        latest = latest_annotations(ws.log_path, ids, carried)
        latest.table = carry_over(ws, corpus_version, table, latest.table, carried)
        key = workspace_key(ws)
        pseudonyms: dict[str, str] = {}
        stats = Stats()
        agreement = AgreementAccumulator()
        unreadable: list[str] = []
        # One fixed name: a run killed midway leaves it, the next run replaces it.
        review_tmp = ws.review_path.with_name(".review.jsonl.partial")
        review_tmp.parent.mkdir(parents=True, exist_ok=True)
        review_tmp.unlink(missing_ok=True)
        review_count = 0
        split_cache: dict[str, str] = {}
        batches: deque[pa.Table] = deque()

        def chunks(spill: Path | None) -> Iterator[Chunk]:
            annotations = _Annotations(latest, spill, key)
            for number, batch in enumerate(iter_corpus(table, options)):
                batches.append(batch)
                articles = []
                for article_id, text, sha, story_id, outlet, date, flags, language in zip(
                    batch.column("article_id").to_pylist(),
                    batch.column("text").to_pylist(),
                    batch.column("text_sha256").to_pylist(),
                    batch.column("story_id").to_pylist(),
                    batch.column("outlet").to_pylist(),
                    batch.column("published_date").to_pylist(),
                    batch.column("quality_flags").to_pylist(),
                    batch.column("language").to_pylist(),
                    strict=True,
                ):
                    split = split_cache.get(story_id)
                    if split is None:
                        split = split_cache[story_id] = splitting.split_of_story(story_id)
                    stats.stories.add(story_id)
                    stats.outlets[outlet or UNKNOWN_OUTLET] += 1
                    stats.languages[language or "und"] += 1
                    stats.text_flags.update(TEXT_FLAGS.names[f] for f in flags)
                    if date is not None:
                        stats.dates.append(date.isoformat())
                    articles.append(ChunkArticle(article_id, text, sha, story_id, split))
                yield annotations.chunk(
                    articles,
                    [seeds.get(a.article_id) for a in articles],
                    None if spill is None else str(spill / f"{number:06d}"),
                )

        memory = pa.default_memory_pool()
        with atomic_directory(ws.release_dir(version)) as stage:
            writers = Writers(stage)
            # Workers read their annotations and hand their tables over as files here (see
            # Chunk); removed before the manifest.
            spill = None if processes == 1 else stage / ".chunks"
            try:
                if spill is not None:
                    spill.mkdir()
                with open(review_tmp, "w", encoding="utf-8") as review, paused_gc():
                    for done in pool.imap(process_chunk, chunks(spill), window=processes * options.max_pending):
                        batch = batches.popleft()
                        writers.write_articles(batch, done.extras)
                        for (config, split), part in sorted(done.take_tables().items()):
                            writers.write_table(config, split, part)
                        stats.merge(done.stats)
                        agreement.merge(done.agreement)
                        for line in done.review:
                            review.write(line + "\n")
                        review_count += len(done.review)
                        unreadable += done.unreadable
                        pseudonyms.update(done.pseudonyms)
                        del done
                        memory.release_unused()  # give the chunk's Arrow buffers back, or RSS creeps up
                writers.close()
                if spill is not None:
                    shutil.rmtree(spill)
            except BaseException:
                writers.abort()
                review_tmp.unlink(missing_ok=True)
                raise
            workers.close()  # the worker processes end here, before the manifest and the validation

            manifest = build_manifest(
                version=version,
                corpus_version=corpus_version,
                corpus_manifest=corpus_manifest(ws, corpus_version),
                writers=writers,
                stats=stats,
                agreement=agreement.result(),
                annotations=latest,
                unreadable=len(unreadable),
                embedded=len(seeds),
                review_count=review_count,
            )
            try:
                plots = card.write_plots(manifest, stage)
                manifest["plots"] = plots
                croissant.write_croissant(manifest, stage)
                card.write_card(manifest, stage)
                write_manifest(manifest, stage)
                # The raw results were re-checked and parsed as JSON moments ago (workers); everything
                # else is validated, in this process: without the parsing, worker processes would
                # save less time than they take to start and to read the articles.
                issues = validate_release(stage, progress=progress, raw_results=False, workers=1)
            except BaseException:
                review_tmp.unlink(missing_ok=True)
                raise
            if issues:
                review_tmp.unlink(missing_ok=True)
                raise DataError(
                    f"release {version} failed validation ({len(issues)} problems); nothing was written:\n"
                    + format_issues(issues)
                )
            # Before the release is renamed into place: a released pseudonym is always in the mapping.
            save_mapping(ws, pseudonyms)
        os.replace(review_tmp, ws.review_path)
        return ReleaseReport(
            version=version,
            corpus_version=corpus_version,
            path=ws.release_dir(version),
            manifest=manifest,
            review_path=ws.review_path,
            review_items=review_count,
        )
