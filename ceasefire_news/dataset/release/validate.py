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
import hashlib
import json
import multiprocessing
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from datasets import ClassLabel, Features, List, Sequence

from ceasefire_news.dataset.corpus.parallel import paused_gc, usable_cores
from ceasefire_news.labeling.results import Region, Trigger, parse_result
from ceasefire_news.schema.labels import ANNOTATION_STATUS, EVENT_MODES, EVENT_TYPES, MODES, SPLITS
from ceasefire_news.schema.records import DEFAULT_CONFIG, RELEASE_CONFIGS

README = "README.md"
MANIFEST = "manifest.json"
CROISSANT = "croissant.json"
DATA_FILE_RE = re.compile(r"^data/(?P<config>[a-z_]+)/(?P<split>[a-z]+)-(?P<shard>\d{5})-of-(?P<total>\d{5})\.parquet$")

REGENERATE = "re-run `ceasefire-news release --version X.Y.Z` to a new version; never edit release files by hand"
BATCH_ROWS = 20_000

#: ClassLabel columns that may be null, by config: every other one must hold a label.
NULLABLE = {
    "articles": {"genre", "genre_provenance"},
    "stance": {"label"},  # a tied unit (needs_review is then true)
    "events": {"mode", "factuality", "arguments[].entity_type"},
    "annotations_raw": {"genre"},
}
#: Columns that must never be null.
REQUIRED = {
    "articles": ("article_id", "text", "text_sha256", "story_id", "n_annotators", "needs_review"),
    "stance": ("article_id", "story_id", "n_annotators", "needs_review"),
    "events": ("event_id", "article_id", "story_id", "trigger", "n_annotators", "needs_review"),
    "annotations_raw": ("annotation_id", "article_id", "story_id", "annotator", "result_json", "source"),
}


@dataclass(frozen=True, slots=True)
class Issue:
    """One failed check: where (config, split or file, row), what, and the fix."""

    config: str
    split: str
    row: int | None
    problem: str
    fix: str

    def render(self) -> str:
        where = f"{self.config}/{self.split}" if self.split else self.config
        if self.row is not None:
            where += f" row {self.row}"
        return f"{where}: {self.problem}. Fix: {self.fix}"


def format_issues(issues: list[Issue]) -> str:
    """One line per issue."""
    return "\n".join(issue.render() for issue in issues)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- files ---------------------------------------------------------------------------------


def _check_manifest(root: Path, issues: list[Issue]) -> dict[str, Any] | None:
    path = root / MANIFEST
    if not path.is_file():
        issues.append(Issue(MANIFEST, "", None, f"{path} is missing", REGENERATE))
        return None
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        files = manifest["files"]
        assert isinstance(files, dict)
    except (ValueError, KeyError, AssertionError) as err:
        issues.append(Issue(MANIFEST, "", None, f"not a release manifest ({err!r})", REGENERATE))
        return None
    present = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and p.name != MANIFEST}
    for name in sorted(present - set(files)):
        issues.append(
            Issue(
                MANIFEST,
                "",
                None,
                f"{name} is in the folder but not in the manifest",
                f"remove {name}, or {REGENERATE}",
            )
        )
    for name in sorted(files):
        entry = files[name]
        file = root / name
        if name not in present:
            issues.append(
                Issue(MANIFEST, "", None, f"{name} is listed but missing", f"restore {name}, or {REGENERATE}")
            )
            continue
        actual = _sha256(file)
        if actual != entry.get("sha256"):
            issues.append(
                Issue(
                    MANIFEST,
                    "",
                    None,
                    f"{name} has sha256 {actual}, the manifest says {entry.get('sha256')}",
                    f"restore the released {name}, or {REGENERATE}",
                )
            )
    return manifest


def _check_card(root: Path, data_files: dict[str, dict[str, list[str]]], issues: list[Issue]) -> None:
    path = root / README
    if not path.is_file():
        issues.append(Issue(README, "", None, "the dataset card README.md is missing", REGENERATE))
        return
    from huggingface_hub import DatasetCard

    try:
        data = DatasetCard.load(path).data.to_dict()
    except Exception as err:  # a card the Hub would reject, whatever the parser raises
        issues.append(Issue(README, "", None, f"the card's YAML header does not parse ({err})", REGENERATE))
        return
    declared = {c.get("config_name"): c for c in data.get("configs") or []}
    defaults = [name for name, c in declared.items() if c.get("default")]
    if defaults != [DEFAULT_CONFIG] and DEFAULT_CONFIG in data_files:
        issues.append(
            Issue(README, "", None, f"default config is {defaults}, expected [{DEFAULT_CONFIG!r}]", REGENERATE)
        )
    infos = {i.get("config_name"): i for i in data.get("dataset_info") or []}
    for config, splits in data_files.items():
        if config not in declared:
            issues.append(Issue(README, "", None, f"config {config!r} has data files but is not declared", REGENERATE))
            continue
        listed = {d["split"]: d["path"] for d in declared[config].get("data_files", [])}
        for split in splits:
            pattern = f"data/{config}/{split}-*.parquet"
            if listed.get(split) != pattern:
                issues.append(
                    Issue(
                        README,
                        "",
                        None,
                        f"config {config!r} split {split!r} path is {listed.get(split)!r}, expected {pattern!r}",
                        REGENERATE,
                    )
                )
        for split in sorted(set(listed) - set(splits)):
            issues.append(
                Issue(README, "", None, f"config {config!r} declares split {split!r} without data files", REGENERATE)
            )
        info = infos.get(config)
        try:
            features = Features._from_yaml_list(info["features"]) if info else None
        except (KeyError, TypeError, ValueError) as err:
            features = None
            issues.append(
                Issue(README, "", None, f"dataset_info features of {config!r} do not parse ({err})", REGENERATE)
            )
        if features != RELEASE_CONFIGS[config]:
            issues.append(
                Issue(
                    README,
                    "",
                    None,
                    f"dataset_info of config {config!r} does not declare the features of schema/records.py",
                    REGENERATE,
                )
            )
    for config in sorted(set(declared) - set(data_files)):
        issues.append(Issue(README, "", None, f"config {config!r} is declared but has no data files", REGENERATE))


def _check_croissant(root: Path, data_paths: list[str], issues: list[Issue]) -> None:
    path = root / CROISSANT
    if not path.is_file():
        issues.append(Issue(CROISSANT, "", None, "croissant.json is missing", REGENERATE))
        return
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        objects = {d["contentUrl"]: d for d in data["distribution"] if d.get("@type") == "cr:FileObject"}
    except (ValueError, KeyError, TypeError) as err:
        issues.append(Issue(CROISSANT, "", None, f"not Croissant JSON-LD ({err!r})", REGENERATE))
        return
    for name in data_paths:
        obj = objects.get(name)
        if obj is None:
            issues.append(Issue(CROISSANT, "", None, f"{name} is not in the distribution", REGENERATE))
        elif obj.get("sha256") != _sha256(root / name):
            issues.append(Issue(CROISSANT, "", None, f"the sha256 of {name} differs from the file", REGENERATE))


# --- schema --------------------------------------------------------------------------------


def _schema_problems(actual: pa.Schema, expected: pa.Schema) -> list[str]:
    problems = []
    names = set(actual.names)
    for field in expected:
        if field.name not in names:
            problems.append(f"column {field.name!r} is missing (expected {field.type})")
        elif not actual.field(field.name).type.equals(field.type):
            problems.append(f"column {field.name!r} is {actual.field(field.name).type}, expected {field.type}")
    problems += [f"column {n!r} is not in the schema" for n in actual.names if n not in expected.names]
    if not problems and actual.names != expected.names:
        problems.append(f"columns are in the order {actual.names}, expected {expected.names}")
    return problems


# --- labels: ClassLabel ids, vectorised ------------------------------------------------------


def _class_labels(
    array: pa.Array, feature: Any, path: str, rows: pa.Array | None
) -> Iterator[tuple[str, ClassLabel, pa.Array, pa.Array | None]]:
    if isinstance(feature, ClassLabel):
        yield path, feature, array, rows
    elif isinstance(feature, List | Sequence):
        parents = pc.list_parent_indices(array)
        flat = pc.list_flatten(array)
        yield from _class_labels(flat, feature.feature, f"{path}[]", parents if rows is None else rows.take(parents))
    elif isinstance(feature, dict):
        for key, sub in feature.items():
            yield from _class_labels(pc.struct_field(array, key), sub, f"{path}.{key}" if path else key, rows)


def _check_labels(config: str, split: str, batch: pa.Table, offset: int, issues: list[Issue]) -> None:
    features = RELEASE_CONFIGS[config]
    for name, feature in features.items():
        if name not in batch.column_names:
            continue
        column = batch.column(name).combine_chunks()
        for path, label, values, rows in _class_labels(column, feature, name, None):
            n = label.num_classes
            bad = pc.or_kleene(pc.less(values, 0), pc.greater_equal(values, n))
            nulls = pc.is_null(values)
            allow_null = path in NULLABLE[config]
            positions = pc.indices_nonzero(bad if allow_null else pc.or_kleene(bad, nulls))
            for pos in positions.to_pylist():
                row = pos if rows is None else rows[pos].as_py()
                value = values[pos].as_py()
                problem = (
                    f"{path} is null; a label of {label.names} is required"
                    if value is None
                    else f"{path} is {value}, not a label id of {len(label.names)} labels {label.names}"
                )
                issues.append(Issue(config, split, offset + row, problem, REGENERATE))
    for name in REQUIRED[config]:
        if name not in batch.column_names:
            continue
        column = batch.column(name)
        if column.null_count:
            for pos in pc.indices_nonzero(pc.is_null(column)).to_pylist():
                issues.append(Issue(config, split, offset + pos, f"{name} is null", REGENERATE))


# --- meaning, row by row ---------------------------------------------------------------------


@dataclass(slots=True)
class _Article:
    text: str
    story_id: str
    split: str


class _Checker:
    """The row checks. ``texts=False``: articles are known without their texts (the rows that
    refer to them are checked by worker processes)."""

    def __init__(self, issues: list[Issue], *, texts: bool = True) -> None:
        self.issues = issues
        self.texts = texts
        self.articles: dict[str, _Article] = {}
        self.story_split: dict[str, tuple[str, str, str, int]] = {}  # story -> (split, config, file split, row)

    def add(self, config: str, split: str, row: int, problem: str, fix: str = REGENERATE) -> None:
        self.issues.append(Issue(config, split, row, problem, fix))

    def story(self, config: str, split: str, row: int, story_id: str | None) -> None:
        if story_id is None:
            return
        seen = self.story_split.setdefault(story_id, (split, config, split, row))
        if seen[0] != split:
            self.add(
                config,
                split,
                row,
                f"story {story_id} is in split {split!r} here and in {seen[0]!r} ({seen[1]}/{seen[2]} row {seen[3]}); "
                "splits must be disjoint by story",
                "splits are assigned by story_id in release; " + REGENERATE,
            )

    def span(self, where: tuple[str, str, int], what: str, text: str, *, start: Any, end: Any, span_text: Any) -> None:
        config, split, row = where
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
            self.add(config, split, row, f"{what} offsets [{start}, {end}) are outside the text (length {len(text)})")
        elif text[start:end] != span_text:
            self.add(
                config,
                split,
                row,
                f"{what} text {span_text!r} differs from text[{start}:{end}] = {text[start:end]!r}",
            )

    def article_of(self, config: str, split: str, row: int, values: dict[str, Any]) -> _Article | None:
        article = self.articles.get(values["article_id"])
        if article is None:
            self.add(
                config,
                split,
                row,
                f"article {values['article_id']} is not in the articles config",
                "release rows only for articles of the corpus; " + REGENERATE,
            )
            return None
        if values["story_id"] != article.story_id:
            self.add(
                config,
                split,
                row,
                f"story_id {values['story_id']} differs from the article's {article.story_id}",
            )
        if split != article.split:
            self.add(config, split, row, f"row is in split {split!r}, its article in {article.split!r}")
        return article

    def article_texts(self, config: str, split: str, offset: int, batch: pa.Table) -> list[str | None]:
        """Each row's article text; None, with the issue, where the article is not in ``articles``.
        Also reports a story or split that differs from the article's."""
        texts: list[str | None] = []
        articles = self.articles
        ids, stories = _pylists(batch, ["article_id", "story_id"])
        for i, (article_id, story_id) in enumerate(zip(ids, stories, strict=True)):
            article = articles.get(article_id)
            if article is None or article.story_id != story_id or article.split != split:
                article = self.article_of(config, split, offset + i, {"article_id": article_id, "story_id": story_id})
            texts.append(None if article is None else article.text)
        return texts

    def spans(self, where: tuple[str, str, int], what: str, texts: list[str | None], spans: _Spans) -> None:
        """Check spans given column-wise; ``where`` is (config, split, offset of the batch) and
        ``texts`` each row's article text (None: the row has no article, already reported)."""
        config, split, offset = where
        for row, j, start, end, span_text in zip(
            spans.rows, spans.positions, spans.starts, spans.ends, spans.texts, strict=True
        ):
            text = texts[row]
            if text is None:
                continue
            if (
                type(start) is int
                and type(end) is int
                and 0 <= start < end <= len(text)
                and text[start:end] == span_text
            ):
                continue
            self.span(
                (config, split, offset + row),
                what if j is None else f"{what}[{j}]",
                text,
                start=start,
                end=end,
                span_text=span_text,
            )

    def articles_rows(self, split: str, offset: int, batch: pa.Table) -> None:
        columns = _pylists(batch, ["article_id", "text", "text_sha256", "story_id", "split"])
        split_id = SPLITS.index(split)
        for i, (article_id, value, sha256, story_id, split_value) in enumerate(zip(*columns, strict=True)):
            row = offset + i
            if split_value != split_id and split_value is not None:
                self.add("articles", split, row, f"split column says {split_value}, the file is {split!r}")
            if article_id in self.articles:
                self.add("articles", split, row, f"article_id {article_id} is not unique")
                continue
            text = value or ""
            if hashlib.sha256(text.encode("utf-8")).hexdigest() != sha256:
                self.add("articles", split, row, f"text_sha256 of {article_id} does not match its text")
            self.articles[article_id] = _Article(text if self.texts else "", story_id, split)
            self.story("articles", split, row, story_id)

    def stance_rows(self, split: str, offset: int, batch: pa.Table) -> None:
        labels, review = _pylists(batch, ["label", "needs_review"])
        for i, (label, needs_review) in enumerate(zip(labels, review, strict=True)):
            if label is None and not needs_review:
                self.add("stance", split, offset + i, "label is null but needs_review is false")
        texts = self.article_texts("stance", split, offset, batch)
        self.spans(("stance", split, offset), "evidence", texts, _Spans.of_list(batch.column("evidence")))

    def events_rows(self, split: str, offset: int, batch: pa.Table) -> None:
        event_types, modes = _pylists(batch, ["event_type", "mode"])
        for i, (event_type, mode) in enumerate(zip(event_types, modes, strict=True)):
            row = offset + i
            if (
                mode is not None
                and event_type is not None
                and 0 <= event_type < len(EVENT_TYPES)
                and 0 <= mode < len(MODES)
            ):
                type_name, mode_name = EVENT_TYPES.names[event_type], MODES.names[mode]
                if type_name not in EVENT_MODES or mode_name not in EVENT_MODES[type_name]:
                    allowed = list(EVENT_MODES[type_name].names) if type_name in EVENT_MODES else []
                    self.add(
                        "events", split, row, f"mode {mode_name!r} is not a mode of {type_name} (modes: {allowed})"
                    )
        texts = self.article_texts("events", split, offset, batch)
        self.spans(("events", split, offset), "trigger", texts, _Spans.of_struct(batch.column("trigger")))
        self.spans(("events", split, offset), "arguments", texts, _Spans.of_list(batch.column("arguments")))

    def raw_rows(self, split: str, offset: int, batch: pa.Table, *, parse: bool) -> None:
        texts = self.article_texts("annotations_raw", split, offset, batch)
        if not parse:
            return
        checked = {ANNOTATION_STATUS.index("accepted"), ANNOTATION_STATUS.index("partial")}
        statuses, results = _pylists(batch, ["status", "result_json"])
        for i, (text, status, result_json) in enumerate(zip(texts, statuses, results, strict=True)):
            row = offset + i
            try:
                result = json.loads(result_json)
            except (TypeError, ValueError) as err:
                self.add("annotations_raw", split, row, f"result_json is not JSON ({err})")
                continue
            if text is None or status not in checked:
                continue  # a quarantined annotation is released as made
            parsed = parse_result(result)
            for problem in parsed.problems:
                self.add(
                    "annotations_raw",
                    split,
                    row,
                    f"result of an {ANNOTATION_STATUS.names[status]} annotation: {problem.reason}: {problem.detail}",
                )
            regions: list[Trigger | Region] = [*parsed.triggers, *parsed.entities]
            regions += [r for found in parsed.evidence.values() for r in found]
            for region in regions:
                self.span(
                    ("annotations_raw", split, row),
                    f"region {region.id}",
                    text,
                    start=region.start,
                    end=region.end,
                    span_text=region.text,
                )


def _data_files(root: Path, issues: list[Issue]) -> dict[str, dict[str, list[str]]]:
    found: dict[str, dict[str, list[str]]] = {}
    data = root / "data"
    for path in sorted(data.rglob("*")) if data.is_dir() else []:
        if not path.is_file():
            continue
        name = path.relative_to(root).as_posix()
        match = DATA_FILE_RE.match(name)
        if match is None or match["config"] not in RELEASE_CONFIGS or match["split"] not in SPLITS:
            issues.append(
                Issue(
                    name,
                    "",
                    None,
                    f"not a data file of a release config: expected data/<config>/<split>-NNNNN-of-NNNNN.parquet with "
                    f"config in {list(RELEASE_CONFIGS)} and split in {list(SPLITS.names)}",
                    f"remove {name}, or {REGENERATE}",
                )
            )
            continue
        found.setdefault(match["config"], {}).setdefault(match["split"], []).append(name)
    if "articles" not in found:
        issues.append(Issue("articles", "", None, "no data files: a release needs articles", REGENERATE))
    return found


def _iter_file(path: Path, columns: list[str] | None, row_groups: tuple[int, ...] | None = None) -> Iterator[pa.Table]:
    parquet = pq.ParquetFile(path)
    for batch in parquet.iter_batches(batch_size=BATCH_ROWS, columns=columns, row_groups=row_groups):
        yield pa.Table.from_batches([batch])


def _columns(config: str, raw_results: bool) -> list[str] | None:
    """Columns to read: all of them, but the results JSON only when raw results are re-checked."""
    if config != "annotations_raw" or raw_results:
        return None
    return [name for name in RELEASE_CONFIGS[config] if name != "result_json"]


#: Rows of a release from which the row checks run in worker processes (when more than one core
#: is usable): below it, starting the processes costs more than they save.
PARALLEL_ROWS = 200_000
#: Rows per task for the workers; raw annotations whose results are parsed again cost ten times a row.
TASK_ROWS = 100_000
RAW_TASK_ROWS = 10_000


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


@dataclass(frozen=True, slots=True)
class _Task:
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


def _tasks(
    root: Path,
    config: str,
    files: list[tuple[str, str]],
    footers: dict[str, pq.FileMetaData],
    *,
    raw_results: bool,
    articles: tuple[tuple[str, str], ...],
    stamp: tuple[int, ...],
) -> list[_Task]:
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
                    _Task(str(root), config, split, name, tuple(groups), offset, rows, raw_results, articles, stamp)
                )
                offset, groups, rows = offset + rows, [], 0
    return tasks


class _ArticleGroups:
    """The articles of a release, read row group by row group as the rows checked need them.

    A worker holds the articles whose ids can fall in the id range of the batch it checks (by
    the row groups' min and max statistics), not every article text of the release. Within
    those, the first row of an id counts, as in :meth:`_Checker.articles_rows`.
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
        self.loaded: dict[int, list[tuple[str, _Article]]] = {}
        self.span: tuple[tuple[int, ...], dict[str, _Article]] = ((), {})

    def _read(self, index: int) -> list[tuple[str, _Article]]:
        split, name, group, _, _ = self.groups[index]
        table = pq.ParquetFile(self.root / name).read_row_group(group, columns=["article_id", "text", "story_id"])
        ids, texts, stories = _pylists(table, ["article_id", "text", "story_id"])
        return [(a, _Article(t or "", s, split)) for a, t, s in zip(ids, texts, stories, strict=True)]

    def covering(self, ids: pa.ChunkedArray) -> dict[str, _Article]:
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
            articles: dict[str, _Article] = {}
            for i in wanted:  # in file and row group order: the first row of an id counts
                for article_id, article in self.loaded[i]:
                    articles.setdefault(article_id, article)
            self.span = (wanted, articles)
        return self.span[1]


#: Row groups of articles a worker keeps read: the batches of a task, and the tasks that follow it
#: in the same worker, come in id order and need the same ones again.
KEEP_GROUPS = 4

#: A worker's articles, by the release they are of (one release at a time).
_WORKER_ARTICLES: dict[tuple[str, tuple[tuple[str, str], ...], tuple[int, ...]], _ArticleGroups] = {}


def _run_task(task: _Task, checker: _Checker | None = None) -> list[Issue]:
    """The label and row checks of ``task``; in a worker process unless ``checker`` is given."""
    with paused_gc():
        return _task_issues(task, checker)


def _task_issues(task: _Task, checker: _Checker | None) -> list[Issue]:
    groups = None
    if checker is None:
        key = (task.root, task.articles, task.stamp)
        groups = _WORKER_ARTICLES.get(key)
        if groups is None:
            _WORKER_ARTICLES.clear()  # the previous release's articles go before the next one's come in
            groups = _WORKER_ARTICLES[key] = _ArticleGroups(Path(task.root), task.articles)
        checker = _Checker([])
    issues: list[Issue] = []
    checker.issues = issues
    offset = task.offset
    path = Path(task.root) / task.name
    for batch in _iter_file(path, _columns(task.config, task.raw_results), task.row_groups):
        if groups is not None:
            checker.articles = groups.covering(batch.column("article_id"))
        _check_labels(task.config, task.split, batch, offset, issues)
        _check_rows(checker, task.config, task.split, offset=offset, batch=batch, raw_results=task.raw_results)
        offset += batch.num_rows
    return issues


#: The columns that must be unique over a config, all splits together.
UNIQUE = {"stance": ("article_id", "target"), "events": ("event_id",), "annotations_raw": ("annotation_id",)}


def _check_unique(root: Path, config: str, files: list[tuple[str, str]], issues: list[Issue]) -> None:
    """Rows whose key repeats one of an earlier row of the config (in split, then file order)."""
    keys = UNIQUE[config]
    tables = [pq.read_table(root / name, columns=list(keys)) for _, name in files]
    if not tables:
        return
    every = pa.concat_tables(tables)
    distinct = every.group_by(list(keys)).aggregate([]).num_rows
    if distinct == every.num_rows:
        return  # the usual release: nothing repeats
    seen: set[Any] = set()
    for (split, _), table in zip(files, tables, strict=True):
        for row, key in enumerate(zip(*_pylists(table, list(keys)), strict=True)):
            if key in seen:
                if config == "stance":
                    problem = f"article {key[0]} has two rows for target id {key[1]}"
                else:
                    problem = f"{keys[0]} {key[0]} is not unique"
                issues.append(Issue(config, split, row, problem, REGENERATE))
            seen.add(key)


def _validate(root: Path, *, progress: bool, raw_results: bool, workers: int | None) -> list[Issue]:
    issues: list[Issue] = []
    if not root.is_dir():
        return [Issue(str(root), "", None, "is not a folder", "give the path of a release folder (release/X.Y.Z)")]
    manifest = _check_manifest(root, issues)
    data_files = _data_files(root, issues)
    _check_card(root, data_files, issues)
    _check_croissant(root, [f for c in data_files.values() for fs in c.values() for f in fs], issues)

    # Files that can be read and have their config's schema: the rows of these are checked.
    by_config: dict[str, list[Issue]] = {c: [] for c in RELEASE_CONFIGS}
    files: dict[str, list[tuple[str, str]]] = {c: [] for c in RELEASE_CONFIGS}
    footers: dict[str, pq.FileMetaData] = {}
    counts: dict[str, dict[str, int]] = {}
    for config in RELEASE_CONFIGS:  # articles first: the others refer to it
        for split in SPLITS.names:
            for name in data_files.get(config, {}).get(split, []):
                path = root / name
                footer = _footer(path)
                if footer is None:
                    by_config[config].append(
                        Issue(config, split, None, f"{name} is not a readable Parquet file", REGENERATE)
                    )
                    continue
                problems = _schema_problems(pq.read_schema(path), RELEASE_CONFIGS[config].arrow_schema)
                if problems:
                    by_config[config] += [Issue(config, split, None, f"{name}: {p}", REGENERATE) for p in problems]
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
        for t in _tasks(root, c, files[c], footers, raw_results=raw_results, articles=articles, stamp=stamp)
    ]
    total = sum(n for c in counts.values() for n in c.values())
    if workers is None:
        workers = usable_cores() if total >= PARALLEL_ROWS else 1
    from tqdm import tqdm

    with contextlib.ExitStack() as stack:
        done: Iterator[list[Issue]] | None = None
        if workers > 1 and tasks:
            # spawn, not fork: this process may already run Arrow's threads, and fork copies their locks.
            pool = stack.enter_context(multiprocessing.get_context("spawn").Pool(min(workers, len(tasks))))
            # The workers start on the rows that refer to articles while this process checks articles.
            # Runs of neighbouring tasks per worker: their rows need the same articles.
            done = pool.imap(_run_task, tasks, chunksize=max(1, len(tasks) // (4 * workers)))
        bar = stack.enter_context(
            tqdm(total=total, desc="validate", unit="row", disable=not progress, file=sys.stderr, leave=False)
        )
        checker = _Checker(by_config["articles"], texts=done is None)
        for split, name in files["articles"]:
            offset = 0
            for batch in _iter_file(root / name, None):
                _check_labels("articles", split, batch, offset, checker.issues)
                checker.articles_rows(split, offset, batch)
                offset += batch.num_rows
                bar.update(batch.num_rows)
        repeated: dict[str, list[Issue]] = {c: [] for c in RELEASE_CONFIGS}
        for config in UNIQUE:
            _check_unique(root, config, files[config], repeated[config])
        results = (_run_task(t, checker) for t in tasks) if done is None else done
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


def _footer(path: Path) -> pq.FileMetaData | None:
    """The Parquet footer of ``path``; None where it is not a readable Parquet file."""
    try:
        return pq.read_metadata(path)
    except (OSError, pa.ArrowInvalid):
        return None


def _check_rows(checker: _Checker, config: str, split: str, *, offset: int, batch: pa.Table, raw_results: bool) -> None:
    if config == "articles":
        checker.articles_rows(split, offset, batch)
    elif config == "stance":
        checker.stance_rows(split, offset, batch)
    elif config == "events":
        checker.events_rows(split, offset, batch)
    else:
        checker.raw_rows(split, offset, batch, parse=raw_results)


def _pylists(batch: pa.Table, names: list[str]) -> list[list[Any]]:
    """Columns as Python lists: far cheaper than a dict per row."""
    return [batch.column(name).to_pylist() for name in names]


@dataclass(slots=True)
class _Spans:
    """Spans of a span column, flattened: row in the batch, position in its list (None for a
    single span), start, end and text."""

    rows: list[int]
    positions: list[int | None]
    starts: list[Any]
    ends: list[Any]
    texts: list[Any]

    @classmethod
    def of_struct(cls, column: pa.ChunkedArray) -> _Spans:
        spans = column.combine_chunks()
        rows = list(range(len(spans)))
        return cls(rows, [None] * len(rows), *_span_fields(spans))

    @classmethod
    def of_list(cls, column: pa.ChunkedArray) -> _Spans:
        lists = column.combine_chunks()
        parents = pc.list_parent_indices(lists).to_numpy()
        # A span's position in its list: its index in the flattened values less its list's start.
        offsets = lists.offsets.to_numpy()
        positions = np.arange(len(parents)) + offsets[0] - offsets[parents]
        return cls(parents.tolist(), positions.tolist(), *_span_fields(pc.list_flatten(lists)))


def _span_fields(spans: pa.Array) -> tuple[list[Any], list[Any], list[Any]]:
    return (
        pc.struct_field(spans, "start").to_pylist(),
        pc.struct_field(spans, "end").to_pylist(),
        pc.struct_field(spans, "text").to_pylist(),
    )
