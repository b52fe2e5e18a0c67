"""Validate a release folder: its files, its Arrow schemas and the meaning of every row.

Checks, all of them run and every failure listed (never only the first):

- files: ``README.md``, ``manifest.json``, ``croissant.json`` and the data files are there;
  every file's sha256 matches ``manifest.json`` and no file is unlisted; the card's YAML
  declares the configs with their data files and ``dataset_info`` features; the Croissant
  file lists the data files with their sha256;
- schema: each Parquet file's Arrow schema equals its config's (``schema/records.py``);
- meaning: labels in their vocabularies (``ClassLabel`` ids in range, nulls only where the
  scheme allows them, a mode valid for its event type); spans in range and equal to their
  text slice; relation endpoints present in raw results; ids unique; every row's article
  present in ``articles`` with the same story and split; splits disjoint by story; row
  counts as in the manifest.

Each :class:`Issue` names the config, the split file, the row (0-based, as ``ds[row]``),
the problem and the fix. :func:`validate_release` returns them; the CLI prints them and
exits 1.

A large release has its rows checked by worker processes, in tasks of a few row groups, while
this process checks ``articles``; each worker reads the articles its rows need, by the id
range of their row groups. Repeated ids are found over each whole config with Arrow. The
issues and their order do not depend on the number of workers.

>>> Issue("stance", "train", 3, "label 9 is not a stance label", "re-run release").render()
'stance/train row 3: label 9 is not a stance label. Fix: re-run release'
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq

from ceasefire_news.dataset.corpus.parallel import WorkerPool, paused_gc, usable_cores
from ceasefire_news.dataset.corpus.workspace import MANIFEST
from ceasefire_news.dataset.release.file_checks import (
    check_card,
    check_croissant,
    check_manifest,
    data_files_of,
    decode_problem,
    read_footer,
    schema_problems,
)
from ceasefire_news.dataset.release.issues import REGENERATE, Issue
from ceasefire_news.dataset.release.label_checks import check_labels
from ceasefire_news.dataset.release.row_checks import UNIQUE, Checker, check_unique
from ceasefire_news.dataset.release.row_tasks import iter_file, row_tasks, run_task
from ceasefire_news.schema.labels import SPLITS
from ceasefire_news.schema.records import RELEASE_CONFIGS

#: Rows of a release from which the row checks run in worker processes (when more than one core
#: is usable): below it, starting the processes costs more than they save.
PARALLEL_ROWS = 200_000

#: What to do about a data file that was damaged after it was written.
RESTORE_FILE = f"restore the file from a copy of the release, or {REGENERATE}"


def format_issues(issues: list[Issue]) -> str:
    """One line per issue."""
    return "\n".join(issue.render() for issue in issues)


def validate_release(
    root: Path,
    *,
    progress: bool = False,
    raw_results: bool = True,
    workers: int | None = None,
) -> list[Issue]:
    """Every problem of the release folder ``root``; an empty list means valid.

    ``raw_results=False`` skips re-parsing each raw annotation's result (its spans and
    relation endpoints): ``release`` does, having checked every one just before writing it.
    The row checks of the configs that refer to ``articles`` run in ``workers`` processes
    (default: the usable cores, for a release of ``PARALLEL_ROWS`` rows or more; 1: all in this
    process). The issues are the same either way.
    """
    # The cyclic collector would walk every article text and id kept for the cross-checks,
    # again and again; nothing here makes cycles.
    with paused_gc():
        return _validate(Path(root), progress=progress, raw_results=raw_results, workers=workers)


def _validate(root: Path, *, progress: bool, raw_results: bool, workers: int | None) -> list[Issue]:
    issues: list[Issue] = []
    if not root.is_dir():
        return [Issue(str(root), "", None, "is not a folder", "give the path of a release folder (release/X.Y.Z)")]
    changed: set[str] = set()
    manifest = check_manifest(root, issues, changed)
    data_files = data_files_of(root, issues)
    check_card(root, data_files, issues)
    check_croissant(root, [f for c in data_files.values() for fs in c.values() for f in fs], issues)

    # Files that can be read and have their config's schema: the rows of these are checked.
    by_config: dict[str, list[Issue]] = {c: [] for c in RELEASE_CONFIGS}
    files: dict[str, list[tuple[str, str]]] = {c: [] for c in RELEASE_CONFIGS}
    footers: dict[str, pq.FileMetaData] = {}
    counts: dict[str, dict[str, int]] = {}
    for config in RELEASE_CONFIGS:  # articles first: the others refer to it
        for split in SPLITS.names:
            for name in data_files.get(config, {}).get(split, []):
                path = root / name
                footer = read_footer(path)
                if footer is None:
                    by_config[config].append(
                        Issue(config, split, None, f"{name} is not a readable Parquet file", REGENERATE)
                    )
                    continue
                problems = schema_problems(pq.read_schema(path), RELEASE_CONFIGS[config].arrow_schema)
                if problems:
                    by_config[config] += [Issue(config, split, None, f"{name}: {p}", REGENERATE) for p in problems]
                    continue
                # A file that differs from what was released is decoded once before its rows are read.
                damaged = decode_problem(path) if manifest is None or name in changed else None
                if damaged is not None:
                    by_config[config].append(
                        Issue(config, split, None, f"{name} has a page that can't be decoded ({damaged})", RESTORE_FILE)
                    )
                    continue
                files[config].append((split, name))
                footers[name] = footer
                counts.setdefault(config, {})[split] = counts.get(config, {}).get(split, 0) + footer.num_rows
    articles = tuple(files["articles"])
    stats = [(root / name).stat() for _, name in articles]
    stamp = tuple(n for st in stats for n in (st.st_size, st.st_mtime_ns))
    tasks = [
        t
        for c in RELEASE_CONFIGS
        if c != "articles"
        for t in row_tasks(root, c, files[c], footers, raw_results=raw_results, articles=articles, stamp=stamp)
    ]
    total = sum(n for c in counts.values() for n in c.values())
    if workers is None:
        workers = usable_cores() if total >= PARALLEL_ROWS else 1
    from tqdm import tqdm

    with contextlib.ExitStack() as stack:
        done: Iterator[list[Issue]] | None = None
        if workers > 1 and tasks:
            pool = stack.enter_context(WorkerPool(min(workers, len(tasks))))
            # The workers start on the rows that refer to articles while this process checks articles.
            # Runs of neighbouring tasks per worker: their rows need the same articles.
            done = pool.imap(run_task, tasks, chunksize=max(1, len(tasks) // (4 * workers)))
        bar = stack.enter_context(
            tqdm(total=total, desc="validate", unit="row", disable=not progress, file=sys.stderr, leave=False)
        )
        checker = Checker(by_config["articles"], texts=done is None)
        for split, name in files["articles"]:
            offset = 0
            for batch in iter_file(root / name, None):
                check_labels("articles", split, batch, offset, checker.issues)
                checker.articles_rows(split, offset, batch)
                offset += batch.num_rows
                bar.update(batch.num_rows)
        repeated: dict[str, list[Issue]] = {c: [] for c in RELEASE_CONFIGS}
        for config in UNIQUE:
            check_unique(root, config, files[config], repeated[config])
        results = (run_task(t, checker) for t in tasks) if done is None else done
        for task, found in zip(tasks, results, strict=True):
            by_config[task.config] += found
            bar.update(task.rows)
    for config in RELEASE_CONFIGS:
        issues += by_config[config] + repeated[config]
    if manifest is not None:
        for config, entry in manifest.get("configs", {}).items():
            declared = {s: n for s, n in entry.get("splits", {}).items() if n}
            actual = counts.get(config, {})
            if declared != actual:
                issues.append(
                    Issue(
                        MANIFEST,
                        "",
                        None,
                        f"config {config!r} rows per split are {actual}, the manifest says {declared}",
                        REGENERATE,
                    )
                )
    return issues
