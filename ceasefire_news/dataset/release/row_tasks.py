"""The row checks of a large release, cut into tasks that worker processes run.

A task is a few row groups of one data file; the worker reads the articles its rows need
by the id range of their row groups (:class:`ArticleGroups`), not every article of the
release. Tasks come in file order and their issues name rows of the file, so the issues
and their order do not depend on the number of workers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ceasefire_news.dataset.corpus.parallel import paused_gc
from ceasefire_news.dataset.release.issues import Issue
from ceasefire_news.dataset.release.label_checks import check_labels
from ceasefire_news.dataset.release.row_checks import Article, Checker, check_rows, pylists
from ceasefire_news.schema.records import RELEASE_CONFIGS

BATCH_ROWS = 20_000
#: Rows per task for the workers; raw annotations whose results are parsed again cost ten times a row.
TASK_ROWS = 100_000
RAW_TASK_ROWS = 10_000


@dataclass(frozen=True, slots=True)
class Task:
    """Row checks of some row groups of one data file, with what is needed to know its articles."""

    root: str
    config: str
    split: str
    name: str
    row_groups: tuple[int, ...]
    offset: int  # the file row of the first row group's first row
    rows: int
    raw_results: bool
    articles: tuple[tuple[str, str], ...]  # (split, name) of the articles files whose rows count
    stamp: tuple[int, ...]  # their sizes and modification times: a worker reloads them when these change


def row_tasks(
    root: Path,
    config: str,
    files: list[tuple[str, str]],
    footers: dict[str, pq.FileMetaData],
    *,
    raw_results: bool,
    articles: tuple[tuple[str, str], ...],
    stamp: tuple[int, ...],
) -> list[Task]:
    """The row groups of ``files`` in tasks of about ``TASK_ROWS`` rows (``RAW_TASK_ROWS`` where
    raw results are parsed again), in file order."""
    size = RAW_TASK_ROWS if config == "annotations_raw" and raw_results else TASK_ROWS
    tasks = []
    for split, name in files:
        metadata = footers[name]
        groups: list[int] = []
        offset = rows = 0
        for g in range(metadata.num_row_groups):
            groups.append(g)
            rows += metadata.row_group(g).num_rows
            if rows >= size or g == metadata.num_row_groups - 1:
                tasks.append(
                    Task(str(root), config, split, name, tuple(groups), offset, rows, raw_results, articles, stamp)
                )
                offset, groups, rows = offset + rows, [], 0
    return tasks


class ArticleGroups:
    """The articles of a release, read row group by row group as the rows checked need them.

    A worker holds the articles whose ids can fall in the id range of the batch it checks (by
    the row groups' min and max statistics), not every article text of the release. Within
    those, the first row of an id counts, as in :meth:`Checker.articles_rows`.
    """

    def __init__(self, root: Path, files: tuple[tuple[str, str], ...]) -> None:
        self.root = root
        # (split, file name, row group, smallest id, largest id); None where the file has no statistics
        self.groups: list[tuple[str, str, int, str | None, str | None]] = []
        for split, name in files:
            metadata = pq.read_metadata(root / name)
            column = next(i for i in range(metadata.num_columns) if metadata.schema.column(i).path == "article_id")
            for g in range(metadata.num_row_groups):
                stats = metadata.row_group(g).column(column).statistics
                bounds = (stats.min, stats.max) if stats is not None and stats.has_min_max else (None, None)
                self.groups.append((split, name, g, *bounds))
        self.loaded: dict[int, list[tuple[str, Article]]] = {}
        self.span: tuple[tuple[int, ...], dict[str, Article]] = ((), {})

    def _read(self, index: int) -> list[tuple[str, Article]]:
        split, name, group, _, _ = self.groups[index]
        table = pq.ParquetFile(self.root / name).read_row_group(group, columns=["article_id", "text", "story_id"])
        ids, texts, stories = pylists(table, ["article_id", "text", "story_id"])
        return [(a, Article(t or "", s, split)) for a, t, s in zip(ids, texts, stories, strict=True)]

    def covering(self, ids: pa.ChunkedArray) -> dict[str, Article]:
        """Every article whose id is in the range of ``ids`` (a batch's article_id column)."""
        low, high = pc.min_max(ids).values()
        lo, hi = low.as_py(), high.as_py()
        wanted = tuple(
            i
            for i, (_, _, _, first, last) in enumerate(self.groups)
            if lo is not None and (first is None or last is None or not (last < lo or first > hi))
        )
        if wanted != self.span[0]:
            for i in wanted:
                if i not in self.loaded:
                    self.loaded[i] = self._read(i)
            for i in list(self.loaded)[: max(0, len(self.loaded) - KEEP_GROUPS)]:  # the least recently read
                if i not in wanted:
                    del self.loaded[i]
            articles: dict[str, Article] = {}
            for i in wanted:  # in file and row group order: the first row of an id counts
                for article_id, article in self.loaded[i]:
                    articles.setdefault(article_id, article)
            self.span = (wanted, articles)
        return self.span[1]


#: Row groups of articles a worker keeps read: the batches of a task, and the tasks that follow it
#: in the same worker, come in id order and need the same ones again.
KEEP_GROUPS = 4

#: A worker's articles, by the release they are of (one release at a time).
_WORKER_ARTICLES: dict[tuple[str, tuple[tuple[str, str], ...], tuple[int, ...]], ArticleGroups] = {}


def run_task(task: Task, checker: Checker | None = None) -> list[Issue]:
    """The label and row checks of ``task``; in a worker process unless ``checker`` is given."""
    with paused_gc():
        return _task_issues(task, checker)


def _task_issues(task: Task, checker: Checker | None) -> list[Issue]:
    groups = None
    if checker is None:
        key = (task.root, task.articles, task.stamp)
        groups = _WORKER_ARTICLES.get(key)
        if groups is None:
            _WORKER_ARTICLES.clear()  # the previous release's articles go before the next one's come in
            groups = _WORKER_ARTICLES[key] = ArticleGroups(Path(task.root), task.articles)
        checker = Checker([])
    issues: list[Issue] = []
    checker.issues = issues
    offset = task.offset
    path = Path(task.root) / task.name
    for batch in iter_file(path, columns_to_read(task.config, task.raw_results), task.row_groups):
        if groups is not None:
            checker.articles = groups.covering(batch.column("article_id"))
        check_labels(task.config, task.split, batch, offset, issues)
        check_rows(checker, task.config, task.split, offset=offset, batch=batch, raw_results=task.raw_results)
        offset += batch.num_rows
    return issues


def iter_file(path: Path, columns: list[str] | None, row_groups: tuple[int, ...] | None = None) -> Iterator[pa.Table]:
    """The rows of a Parquet file (of ``row_groups`` only, when given) in tables of ``BATCH_ROWS``."""
    parquet = pq.ParquetFile(path)
    for batch in parquet.iter_batches(batch_size=BATCH_ROWS, columns=columns, row_groups=row_groups):
        yield pa.Table.from_batches([batch])


def columns_to_read(config: str, raw_results: bool) -> list[str] | None:
    """Columns to read: all of them, but the results JSON only when raw results are re-checked."""
    if config != "annotations_raw" or raw_results:
        return None
    return [name for name in RELEASE_CONFIGS[config] if name != "result_json"]
