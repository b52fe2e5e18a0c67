"""Release a corpus version: re-check, adjudicate, split, write Parquet, card, Croissant, manifest.

Input: a corpus version (the latest unless ``corpus_version`` names one), the workspace
annotation log (``annotations/log.jsonl``) and, for the seed articles, the embedded
annotations (:mod:`ceasefire_news.dataset.release.embedded`, provenance ``machine``).

Output: ``release/<version>/`` (docs/ARCHITECTURE.md, "The workspace"), written into a temporary folder and
renamed only after it validated (:func:`ceasefire_news.dataset.release.validate.validate_release`), so a killed run
leaves the previous releases and no partial one. The release version defaults to the
corpus version; a release version is never overwritten. Ties and low agreement are written
to ``annotations/review.jsonl`` (``{"article_id", "unit", "reason"}`` per line).

Memory grows only with the corpus and the log index: one pass indexes the log (byte offset
of the newest line per annotation id; no JSON parse for lines written by
``LoggedAnnotation.to_json``; a large log is read in parts by the worker processes), then
articles are processed in ``article_id`` order, in chunks, by the workers, which read only
their articles' log lines; rows go out in Parquet row groups as chunks come back.

Deterministic: the same corpus, log and package give byte-identical files, whatever the
number of workers (rows sorted by article id, then unit; fixed row groups and Parquet
writer options; no clock).

>>> report = release_corpus(Workspace(Path("workspace")))  # doctest: +SKIP
>>> report.path  # doctest: +SKIP
PosixPath('workspace/release/1.0.0')
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import multiprocessing
import os
import re
import shutil
import sys
from array import array
from collections import Counter, deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.pool import AsyncResult, Pool
from pathlib import Path, PurePath
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from tqdm import tqdm

from ceasefire_news.dataset.corpus.parallel import paused_gc, usable_cores
from ceasefire_news.dataset.corpus.versions import load_corpus
from ceasefire_news.dataset.corpus.workspace import Workspace, atomic_directory, atomic_write_json, parse_version
from ceasefire_news.dataset.release import card, croissant
from ceasefire_news.dataset.release import splits as splitting
from ceasefire_news.dataset.release.adjudicate import POLICY, adjudicate_article
from ceasefire_news.dataset.release.agreement import AgreementAccumulator
from ceasefire_news.dataset.release.embedded import AnchorError, Article, embedded_annotations, seed_of
from ceasefire_news.dataset.release.gold import ArticleGold, Ballot
from ceasefire_news.dataset.release.validate import format_issues, validate_release
from ceasefire_news.labeling.integrity import check_annotation
from ceasefire_news.labeling.results import ParsedAnnotation, Region, Trigger, parse_result
from ceasefire_news.schema.errors import DataError, UsageError
from ceasefire_news.schema.labels import (
    ANNOTATION_STATUS,
    ENTITY_TYPES,
    EVENT_TYPES,
    FACTUALITY,
    GENRES,
    MODES,
    PROVENANCE,
    QUALITY_FLAGS,
    ROLES,
    SPLITS,
    STANCE_LABELS,
    STANCE_TARGETS,
    TEXT_FLAGS,
)
from ceasefire_news.schema.records import (
    CORPUS_FEATURES,
    DEFAULT_CONFIG,
    RELEASE_CONFIGS,
    SCHEMA_VERSION,
    UNKNOWN_OUTLET,
    LoggedAnnotation,
)

DATASET_NAME = "ceasefire-news"
#: Every data file name; one shard per config and split.
DATA_FILE = "data/{config}/{split}-00000-of-00001.parquet"
#: Fixed writer options: part of what makes a release byte-identical across runs.
PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 3,
    "use_dictionary": True,
    "write_statistics": True,
    "version": "2.6",
    "data_page_version": "1.0",
}
#: Rows per Parquet row group (raw annotations carry their whole result: smaller groups).
ROW_GROUP_ROWS = 20_000
RAW_ROW_GROUP_ROWS = 5_000
#: Corpus rows taken per processing batch.
ARTICLE_BATCH = 2_000


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


# --- reading the corpus and the log --------------------------------------------------------


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


@dataclass(slots=True)
class _LogIndex:
    """Byte ranges of the newest line per annotation id, grouped by article.

    One entry per annotation, so kept compact: ``by_article`` lists slots into the
    ``offsets`` and ``lengths`` arrays.
    """

    by_article: dict[str, list[int]] = field(default_factory=dict)
    offsets: array[int] = field(default_factory=lambda: array("q"))
    lengths: array[int] = field(default_factory=lambda: array("q"))
    lines: int = 0
    unreadable: int = 0
    superseded: int = 0

    def ranges(self, article_id: str) -> list[tuple[int, int]]:
        """``(offset, length)`` of the article's log lines, in file order."""
        return [(self.offsets[slot], self.lengths[slot]) for slot in self.by_article.get(article_id, ())]


@dataclass(slots=True)
class _IndexPart:
    """The readable lines of one byte range of the log, in file order: ids, version keys
    (updated_at NUL created_at) and byte ranges."""

    ids: list[str] = field(default_factory=list)
    articles: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    offsets: array[int] = field(default_factory=lambda: array("q"))
    lengths: array[int] = field(default_factory=lambda: array("q"))
    lines: int = 0
    unreadable: int = 0
    size: int = 0


#: Logs smaller than this are indexed in one part, in this process.
PARALLEL_INDEX_BYTES = 64 << 20


#: Bytes read at a time when indexing: lines are found in the block, not copied one by one.
_INDEX_BLOCK = 8 << 20
_SPACE = frozenset(b" \t\n\r\x0b\x0c")  # what bytes.isspace() counts as blank


def _index_part(task: tuple[str, int, int]) -> _IndexPart:
    """Index the lines that start in ``[start, end)`` of the log at ``path``."""
    path, start, end = task
    part = _IndexPart(size=end - start)
    ids, articles, keys, offsets, lengths = part.ids, part.articles, part.keys, part.offsets, part.lengths
    with open(path, "rb") as fh, paused_gc():
        fh.seek(start)
        base = start  # the file offset of block[0]
        block = b""
        pos = 0  # where the next line starts in block
        at_eof = False
        while base + pos < end:
            newline = block.find(b"\n", pos)
            if newline < 0:  # the block ends inside a line: read on, or take the last line as it is
                if not at_eof:
                    more = fh.read(_INDEX_BLOCK)
                    at_eof = not more
                    block, base, pos = block[pos:] + more, base + pos, 0
                    continue
                if pos == len(block):
                    break
                newline = len(block) - 1  # a last line without its newline
            line_end = newline + 1
            if not (block[pos] in _SPACE and block[pos:line_end].isspace()):  # blank lines are skipped
                part.lines += 1
                found = _index_fields(block, pos, line_end)
                if found is None:
                    part.unreadable += 1  # a torn last line from a killed pull, or a broken one
                else:
                    annotation_id, article_id, (updated_at, created_at) = found
                    ids.append(annotation_id)
                    articles.append(article_id)
                    keys.append(f"{updated_at}\x00{created_at}")
                    offsets.append(base + pos)
                    lengths.append(line_end - pos)
            pos = line_end
    return part


def _line_starts(path: Path, size: int, parts: int) -> list[int]:
    """About ``parts`` + 1 offsets that split the file at line starts, from 0 to ``size``."""
    starts = [0]
    with open(path, "rb") as fh:
        for k in range(1, parts):
            fh.seek(max(size * k // parts - 1, starts[-1]))
            fh.readline()  # to the end of the line that holds the byte before the cut
            position = fh.tell()
            if starts[-1] < position < size:
                starts.append(position)
    return [*starts, size]


def _index_log(path: Path, progress: bool, pool: Pool | None = None, parts: int = 8) -> _LogIndex:
    """The newest line of every annotation, by article. With a ``pool`` and a large log, its
    workers read the file in about ``parts`` parts while this process merges them in file order."""
    index = _LogIndex()
    if not path.exists():
        return index
    size = path.stat().st_size
    # A large log is read in parts (the progress bar moves part by part), by the workers if any.
    starts = _line_starts(path, size, parts if size >= PARALLEL_INDEX_BYTES else 1)
    tasks = [(str(path), a, b) for a, b in itertools.pairwise(starts)]
    read = pool.imap(_index_part, tasks) if pool is not None and len(tasks) > 1 else map(_index_part, tasks)
    slots: dict[str, int] = {}  # annotation_id -> slot of its newest line
    keys: list[str] = []  # per slot: updated_at NUL created_at of that line
    articles: list[str] = []  # per slot: its article id (strings shared between annotations)
    shared: dict[str, str] = {}
    with _bar(size, "index log", progress, unit="B", unit_scale=True) as bar, paused_gc():
        for part in read:
            index.lines += part.lines
            index.unreadable += part.unreadable
            for annotation_id, article_id, key, offset, length in zip(
                part.ids, part.articles, part.keys, part.offsets, part.lengths, strict=True
            ):
                slot = slots.get(annotation_id)
                if slot is None:
                    slots[annotation_id] = len(keys)
                    keys.append(key)
                    articles.append(shared.setdefault(article_id, article_id))
                    index.offsets.append(offset)
                    index.lengths.append(length)
                elif key >= keys[slot]:
                    keys[slot] = key
                    articles[slot] = shared.setdefault(article_id, article_id)
                    index.offsets[slot] = offset
                    index.lengths[slot] = length
            bar.update(part.size)
    index.superseded = index.lines - index.unreadable - len(keys)
    del slots, keys, shared
    for slot, article_id in enumerate(articles):
        index.by_article.setdefault(article_id, []).append(slot)
    for found_slots in index.by_article.values():
        found_slots.sort(key=index.offsets.__getitem__)
    return index


# Lines written by ``LoggedAnnotation.to_json`` have sorted keys: the ids and created_at come
# first, updated_at last. Reading these four fields with two anchored patterns saves a full
# JSON parse per line in the indexing pass; any other line goes through json.loads.
_STRING = rb'"([^"\\]*(?:\\.[^"\\]*)*)"'  # a JSON string, unrolled: no alternation per character
_SKIP = rb'"[^"\\]*(?:\\.[^"\\]*)*"'
_HEAD = re.compile(
    rb'\{"annotation_id":'
    + _STRING
    + rb',"annotator":'
    + _SKIP
    + rb',"article_id":'
    + _STRING
    + rb',"corpus_version":'
    + _SKIP
    + rb',"created_at":'
    + _STRING
    + rb',"ground_truth":'
)
_TAIL = re.compile(rb'"updated_at":' + _STRING + rb',"was_cancelled":(?:true|false)\}\s*\Z')


def _unescape(raw: bytes) -> str:
    return str(json.loads(b'"' + raw + b'"')) if b"\\" in raw else raw.decode("utf-8")


def _index_fields(line: bytes, start: int = 0, end: int | None = None) -> tuple[str, str, tuple[str, str]] | None:
    """``(annotation_id, article_id, (updated_at, created_at))`` of one log line (of
    ``line[start:end]``), or None."""
    end = len(line) if end is None else end
    head = _HEAD.match(line, start, end)
    tail = _TAIL.search(line, max(start, end - 400), end) if head else None
    if head is not None and tail is not None:
        try:
            if line.find(b"\\", start, head.end()) < 0 and b"\\" not in tail[1]:  # the usual line: nothing escaped
                return head[1].decode(), head[2].decode(), (tail[1].decode(), head[3].decode())
            return (
                _unescape(head[1]),
                _unescape(head[2]),
                (_unescape(tail[1]), _unescape(head[3])),
            )
        except ValueError:
            return None
    try:
        record = json.loads(line[start:end])
        return (
            str(record["annotation_id"]),
            str(record["article_id"]),
            (
                str(record["updated_at"]),
                str(record["created_at"]),
            ),
        )
    except (ValueError, KeyError, TypeError):
        return None


def _bar(total: int, desc: str, progress: bool, **kwargs: Any) -> tqdm:
    return tqdm(total=total, desc=desc, disable=not progress, file=sys.stderr, leave=False, **kwargs)


# --- re-checking annotations against the corpus text ---------------------------------------


@dataclass(slots=True)
class Checked:
    """An annotation after the release's own span check."""

    status: str
    reasons: list[str]
    result: list[dict[str, Any]]
    parsed: ParsedAnnotation | None


def _spans_ok(parsed: ParsedAnnotation, text: str) -> bool:
    n = len(text)
    groups: list[Sequence[Trigger | Region]] = [parsed.triggers, parsed.entities, *parsed.evidence.values()]
    for regions in groups:
        for region in regions:
            start, end = region.start, region.end
            if not 0 <= start < end <= n or text[start:end] != region.text:
                return False
    return True


def recheck(entry: LoggedAnnotation, text: str, text_sha256: str) -> Checked:
    """Check every region of ``entry`` against the corpus ``text`` again; never trust the log.

    A result whose text hash matches and whose spans all hold is used as logged. Otherwise
    ``ceasefire_news.labeling.integrity.check_annotation`` repairs what is provably shifted and drops the
    rest: the annotation becomes ``partial`` (it still votes with what is left) or
    ``quarantined`` (nothing usable is left).
    """
    reasons = list(entry.quarantine_reasons)
    if entry.status == "quarantined":
        return Checked("quarantined", reasons, entry.result, None)
    parsed = parse_result(entry.result)
    if entry.text_sha256 == text_sha256 and not parsed.problems and _spans_ok(parsed, text):
        return Checked(entry.status, reasons, entry.result, parsed)
    if entry.text_sha256 != text_sha256:
        reasons.append("text_hash_mismatch")
    clean, _repairs, problems = check_annotation(entry.result, text)
    reasons.extend(p.reason for p in problems)
    parsed = parse_result(clean)
    reasons.extend(p.reason for p in parsed.problems)
    reasons = sorted(set(reasons))
    usable = bool(
        parsed.stance or parsed.genre or parsed.quality_flags or parsed.triggers or parsed.entities or parsed.evidence
    )
    if not usable:
        return Checked("quarantined", reasons, entry.result, None)
    clean_parsed = parsed if _spans_ok(parsed, text) else None
    if clean_parsed is None:
        return Checked("quarantined", sorted({*reasons, "span_text_mismatch"}), entry.result, None)
    return Checked("partial" if reasons else entry.status, reasons, clean, clean_parsed)


# --- rows ----------------------------------------------------------------------------------


def _dumps(value: Any) -> str:
    # Key order as in the log (itself deterministic): sorting again costs a third more.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def event_id(article_id: str, start: int, end: int, event_type: str) -> str:
    """Content-derived event id: stable while the text and the trigger stay the same."""
    digest = hashlib.sha256(f"{article_id}\x1f{start}\x1f{end}\x1f{event_type}".encode()).hexdigest()
    return f"e-{digest[:16]}"


def _group_rows(config: str) -> int:
    return RAW_ROW_GROUP_ROWS if config == "annotations_raw" else ROW_GROUP_ROWS


class _Writers:
    """One Parquet writer per config and split, opened at the first row (no empty files).

    Tables are buffered and written in row groups of a fixed number of rows, so the files
    do not depend on how the work was chunked or on the number of workers.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.schemas = {name: features.arrow_schema for name, features in RELEASE_CONFIGS.items()}
        self.writers: dict[tuple[str, str], pq.ParquetWriter] = {}
        self.buffers: dict[tuple[str, str], list[pa.Table]] = {}
        self.rows: Counter[tuple[str, str]] = Counter()

    def path(self, config: str, split: str) -> Path:
        return self.root / DATA_FILE.format(config=config, split=split)

    def _writer(self, config: str, split: str) -> pq.ParquetWriter:
        key = (config, split)
        writer = self.writers.get(key)
        if writer is None:
            path = self.path(config, split)
            path.parent.mkdir(parents=True, exist_ok=True)
            writer = pq.ParquetWriter(path, self.schemas[config], **PARQUET_OPTIONS)
            self.writers[key] = writer
        return writer

    def write_table(self, config: str, split: str, table: pa.Table) -> None:
        if not table.num_rows:
            return
        key = (config, split)
        self.rows[key] += table.num_rows
        buffer = self.buffers.setdefault(key, [])
        buffer.append(table)
        if sum(t.num_rows for t in buffer) >= _group_rows(config):
            self._flush(key, final=False)

    def _flush(self, key: tuple[str, str], *, final: bool) -> None:
        buffer = self.buffers.get(key)
        if not buffer:
            return
        group = _group_rows(key[0])
        table = pa.concat_tables(buffer)
        cut = table.num_rows if final else (table.num_rows // group) * group
        if cut:
            self._writer(*key).write_table(table.slice(0, cut), row_group_size=group)
        rest = table.slice(cut)
        self.buffers[key] = [rest] if rest.num_rows else []

    def close(self) -> None:
        for key in list(self.buffers):
            self._flush(key, final=True)
        self.abort()

    def abort(self) -> None:
        for writer in self.writers.values():
            writer.close()
        self.writers.clear()


class _RowBuffer:
    """Rows of one chunk, per config and split, turned into Arrow tables at the end.

    A row is a tuple in the order of its config's fields, and so is a struct value in it (in
    the order of the struct's fields): Arrow converts a tuple four times as fast as a dict.
    """

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], list[tuple[Any, ...]]] = {}

    def add(self, config: str, split: str, row: tuple[Any, ...]) -> None:
        self.rows.setdefault((config, split), []).append(row)

    def tables(self) -> dict[tuple[str, str], pa.Table]:
        out = {}
        for (config, split), rows in self.rows.items():
            schema = RELEASE_CONFIGS[config].arrow_schema
            columns = list(zip(*rows, strict=True))
            out[(config, split)] = pa.Table.from_arrays(
                [pa.array(col, type=f.type) for col, f in zip(columns, schema, strict=True)], schema=schema
            )
        return out


@dataclass(slots=True)
class _Stats:
    """Counts for the manifest and the card, gathered while rows are written."""

    stance: dict[str, Counter[str]] = field(default_factory=lambda: {t: Counter() for t in STANCE_TARGETS.names})
    genre: Counter[str] = field(default_factory=Counter)
    event_type: Counter[str] = field(default_factory=Counter)
    mode: Counter[str] = field(default_factory=Counter)
    factuality: Counter[str] = field(default_factory=Counter)
    role: Counter[str] = field(default_factory=Counter)
    entity_type: Counter[str] = field(default_factory=Counter)
    annotation_flags: Counter[str] = field(default_factory=Counter)
    text_flags: Counter[str] = field(default_factory=Counter)
    outlets: Counter[str] = field(default_factory=Counter)
    provenance: dict[str, Counter[str]] = field(
        default_factory=lambda: {"stance": Counter(), "events": Counter(), "genre": Counter()}
    )
    status: Counter[str] = field(default_factory=Counter)
    raw_provenance: Counter[str] = field(default_factory=Counter)
    region_origins: Counter[str] = field(default_factory=Counter)  # span regions of human annotations
    sources: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    release_quarantined: Counter[str] = field(default_factory=Counter)
    review: Counter[str] = field(default_factory=Counter)
    stories: set[str] = field(default_factory=set)
    dates: list[str] = field(default_factory=list)
    articles_annotated: int = 0
    articles_needing_review: int = 0

    def merge(self, other: _Stats) -> None:
        """Add the counts of ``other`` (a chunk's) to these."""
        for name in (
            "genre",
            "event_type",
            "mode",
            "factuality",
            "role",
            "entity_type",
            "annotation_flags",
            "text_flags",
            "outlets",
            "status",
            "raw_provenance",
            "region_origins",
            "sources",
            "reasons",
            "release_quarantined",
            "review",
        ):
            getattr(self, name).update(getattr(other, name))
        for target, counts in other.stance.items():
            self.stance[target].update(counts)
        for unit, counts in other.provenance.items():
            self.provenance[unit].update(counts)
        self.stories |= other.stories
        self.dates += other.dates
        self.articles_annotated += other.articles_annotated
        self.articles_needing_review += other.articles_needing_review


#: Label Studio's ``origin`` of a result region, and ``unknown`` where a result has none
#: (imports from other tools, older Label Studio versions).
REGION_ORIGINS = ("manual", "prediction-changed", "prediction", "unknown")


def _vocab_counts(counter: Counter[str], names: Sequence[str]) -> dict[str, int]:
    return {name: counter[name] for name in names}


class _ArticleRows:
    """Turns one article's checked annotations and gold labels into rows of the four configs."""

    def __init__(self, writers: _RowBuffer, stats: _Stats) -> None:
        self.writers = writers
        self.stats = stats
        self.split_index = {name: i for i, name in enumerate(SPLITS.names)}

    def raw(
        self, entry: LoggedAnnotation, checked: Checked, story_id: str, split: str, result_text: str | None = None
    ) -> None:
        parsed = checked.parsed
        stats = self.stats
        stats.status[checked.status] += 1
        stats.raw_provenance[entry.provenance] += 1
        if entry.provenance != "machine" and parsed is not None and not entry.was_cancelled:
            # Label Studio marks each region "manual", "prediction" (a pre-annotation left as it
            # was) or "prediction-changed"; the card reports how much of the human work that is.
            origins = stats.region_origins
            for origin, count in parsed.origins.items():
                origins[origin if origin in REGION_ORIGINS else "unknown"] += count
        stats.sources[entry.source] += 1
        if checked.reasons:
            stats.reasons.update(checked.reasons)
        self.writers.add(
            "annotations_raw",
            split,
            (
                entry.annotation_id,
                entry.task_id,
                entry.article_id,
                story_id,
                self.split_index[split],
                entry.annotator,
                entry.created_at,
                entry.updated_at,
                entry.lead_time,
                entry.was_cancelled,
                entry.ground_truth,
                GENRES.ids[parsed.genre] if parsed is not None and parsed.genre else None,
                [QUALITY_FLAGS.ids[f] for f in parsed.quality_flags] if parsed is not None else [],
                _dumps(checked.result) if result_text is None else result_text,
                ANNOTATION_STATUS.ids[checked.status],
                checked.reasons,
                PROVENANCE.ids[entry.provenance],
                entry.source,
            ),
        )

    def gold(self, gold: ArticleGold, story_id: str, split: str) -> None:
        stats = self.stats
        s = self.split_index[split]
        for unit in gold.stance:
            if unit.label is not None:
                stats.stance[unit.target][unit.label] += 1
            stats.provenance["stance"][unit.provenance] += 1
            self.writers.add(
                "stance",
                split,
                (
                    gold.article_id,
                    story_id,
                    s,
                    STANCE_TARGETS.ids[unit.target],
                    None if unit.label is None else STANCE_LABELS.ids[unit.label],
                    [(e.start, e.end, e.text) for e in unit.evidence],
                    [(a, STANCE_LABELS.ids[v]) for a, v in unit.votes],
                    unit.n_annotators,
                    PROVENANCE.ids[unit.provenance],
                    unit.needs_review,
                ),
            )
        used: set[str] = set()
        for event in gold.events:
            identifier = event_id(gold.article_id, event.start, event.end, event.event_type)
            n = 2
            while identifier in used:  # the same span and type twice in one article
                identifier = f"{event_id(gold.article_id, event.start, event.end, event.event_type)}-{n}"
                n += 1
            used.add(identifier)
            stats.event_type[event.event_type] += 1
            stats.mode[event.mode or "(none)"] += 1
            stats.factuality[event.factuality or "(none)"] += 1
            stats.provenance["events"][event.provenance] += 1
            for arg in event.arguments:
                stats.role[arg.role] += 1
                stats.entity_type[arg.entity_type or "(tied)"] += 1
            self.writers.add(
                "events",
                split,
                (
                    identifier,
                    gold.article_id,
                    story_id,
                    s,
                    (event.start, event.end, event.text),
                    EVENT_TYPES.ids[event.event_type],
                    None if event.mode is None else MODES.ids[event.mode],
                    None if event.factuality is None else FACTUALITY.ids[event.factuality],
                    [
                        (
                            ROLES.ids[a.role],
                            None if a.entity_type is None else ENTITY_TYPES.ids[a.entity_type],
                            a.start,
                            a.end,
                            a.text,
                        )
                        for a in event.arguments
                    ],
                    event.annotators,
                    event.n_annotators,
                    PROVENANCE.ids[event.provenance],
                    event.needs_review,
                ),
            )
        if gold.genre is not None:
            stats.genre[gold.genre] += 1
        if gold.genre_provenance is not None:
            stats.provenance["genre"][gold.genre_provenance] += 1
        stats.annotation_flags.update(gold.quality_flags)
        for item in gold.review:
            stats.review[item.reason] += 1


# --- the release ---------------------------------------------------------------------------


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


def _corpus_manifest(workspace: Workspace, version: str) -> dict[str, Any]:
    path = workspace.corpus_dir(version) / "manifest.json"
    if not path.exists():
        return {}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


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


def _read_entries(
    log: int | None, ranges: Sequence[tuple[int, int]], unreadable: list[str]
) -> list[tuple[LoggedAnnotation, str]]:
    """The log lines at ``ranges``, parsed, each with its text."""
    if not ranges:
        return []
    assert log is not None, "log ranges without a log"
    entries = []
    for start, length in ranges:
        try:
            # Decoded once: the JSON parse and the result text slice (below) both use it.
            line = os.pread(log, length, start).decode("utf-8")
            entries.append((LoggedAnnotation.from_json(line), line))
        except (ValueError, TypeError, KeyError) as err:
            unreadable.append(f"byte {start}: {err}")
    return entries


_RESULT_START = ',"repairs":[],"result":'
_RESULT_END = ',"source":"'


def _logged_result_text(line: str) -> str | None:
    """The result's JSON text as the log line holds it, for a line written by ``to_json``.

    In such a line the keys are sorted and compact, so the result comes right after an
    empty ``repairs`` list and right before ``source`` (the last keys hold only plain
    strings, numbers and booleans). Slicing it out gives the same text as serialising the
    parsed result again, at no cost; any other line returns None (and is serialised).
    """
    if not line.startswith('{"annotation_id":'):
        return None
    start = line.find(_RESULT_START)
    end = line.rfind(_RESULT_END)
    if start < 0 or end < start:
        return None
    text = line[start + len(_RESULT_START) : end]
    if not (text.startswith("[") and text.endswith("]")):
        return None
    return text


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


@dataclass(slots=True)
class _Chunk:
    """Articles of one task, in ``article_id`` order, with their log lines and seed annotations.

    With ``spill`` (a path prefix), the worker writes the chunk's tables to Arrow IPC files
    there instead of returning them: pickling 30 MB of tables through the pool's pipe costs
    ten times the CPU of writing and reading them as files.
    """

    log_path: str
    articles: list[tuple[str, str, str, str, str]]  # article_id, text, text_sha256, story_id, split
    ranges: list[list[tuple[int, int]]]
    seeds: list[LoggedAnnotation | None]
    spill: str | None = None


@dataclass(slots=True)
class _ChunkResult:
    tables: dict[tuple[str, str], pa.Table]
    extras: dict[str, list[Any]]
    stats: _Stats
    agreement: AgreementAccumulator
    review: list[str]
    unreadable: list[str]
    spilled: dict[tuple[str, str], str] = field(default_factory=dict)  # (config, split) -> IPC file

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


def _spill(tables: dict[tuple[str, str], pa.Table], prefix: str) -> dict[tuple[str, str], str]:
    spilled = {}
    for (config, split), table in tables.items():
        path = f"{prefix}-{config}-{split}.arrow"
        with pa.OSFile(path, "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)
        spilled[(config, split)] = path
    return spilled


_ARTICLE_EXTRAS = ("split", "genre", "genre_provenance", "annotation_flags", "n_annotators", "needs_review")


def _process_chunk(chunk: _Chunk) -> _ChunkResult:
    """Re-check, adjudicate and turn into rows every annotation of the chunk's articles."""
    stats = _Stats()
    agreement = AgreementAccumulator()
    buffer = _RowBuffer()
    rows = _ArticleRows(buffer, stats)
    extras: dict[str, list[Any]] = {k: [] for k in _ARTICLE_EXTRAS}
    review: list[str] = []
    unreadable: list[str] = []
    with _open_log(Path(chunk.log_path)) as log_fh, paused_gc():
        for (article_id, text, sha, story_id, split), ranges, seed in zip(
            chunk.articles, chunk.ranges, chunk.seeds, strict=True
        ):
            entries = _read_entries(log_fh, ranges, unreadable)
            if seed is not None:
                entries.append((seed, ""))
            ballots = []
            for entry, line in entries:
                checked = recheck(entry, text, sha)
                if checked.status == "quarantined" and entry.status != "quarantined":
                    stats.release_quarantined.update(checked.reasons)
                logged_text = _logged_result_text(line) if checked.result is entry.result else None
                rows.raw(entry, checked, story_id, split, logged_text)
                ballots.append(
                    Ballot(
                        entry.annotation_id,
                        entry.annotator,
                        checked.parsed if checked.parsed is not None else ParsedAnnotation(),
                        ground_truth=entry.ground_truth,
                        machine=entry.provenance == "machine",
                        cancelled=entry.was_cancelled,
                        quarantined=checked.parsed is None,
                        version=entry.version_key,
                    )
                )
            gold = adjudicate_article(article_id, ballots)
            agreement.add(ballots)
            rows.gold(gold, story_id, split)
            if gold.n_annotators:
                stats.articles_annotated += 1
            if gold.review:
                stats.articles_needing_review += 1
                review.extend(item.to_json() for item in gold.review)
            extras["split"].append(SPLITS.ids[split])
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
        spilled = None if chunk.spill is None else _spill(tables, chunk.spill)
    if spilled is not None:
        return _ChunkResult({}, extras, stats, agreement, review, unreadable, spilled)
    return _ChunkResult(tables, extras, stats, agreement, review, unreadable)


@contextlib.contextmanager
def _worker_pool(options: ReleaseOptions, articles: int) -> Iterator[Pool | None]:
    """Worker processes for a corpus of more than one chunk, unless one worker is asked for.

    Started before the log is indexed: they import their modules while the index is read,
    and are ready for the first chunk when it is.
    """
    if options.workers == 1 or articles <= options.chunk_size:
        yield None
        return
    # spawn, not fork: the parent already runs Arrow's threads, and fork copies their locks.
    with multiprocessing.get_context("spawn").Pool(options.workers) as pool:
        pool.map_async(_ready, range(options.workers))
        yield pool


def _ready(_: int) -> None:
    """A first task: loading it imports this module in the worker."""


def _run_chunks(chunks: Iterator[_Chunk], options: ReleaseOptions, pool: Pool | None) -> Iterator[_ChunkResult]:
    """Process chunks in corpus order: in ``pool`` when there is one, else in this process."""
    if pool is None:
        for chunk in chunks:
            yield _process_chunk(chunk)
        return
    window = options.workers * options.max_pending
    pending: deque[AsyncResult[_ChunkResult]] = deque()
    for chunk in chunks:
        pending.append(pool.apply_async(_process_chunk, (chunk,)))
        if len(pending) >= window:
            yield pending.popleft().get()
    while pending:
        yield pending.popleft().get()


def _iter_corpus(table: pa.Table, options: ReleaseOptions) -> Iterator[pa.Table]:
    """The corpus in ``article_id`` order, ``chunk_size`` articles at a time."""
    order = pc.sort_indices(table, sort_keys=[("article_id", "ascending")])
    if not pc.all(pc.equal(order, pa.array(np.arange(table.num_rows, dtype=np.uint64)))).as_py():
        # Sorted once: taking each chunk's rows from the corpus would copy its columns every time.
        table = table.take(order)
    del order
    with _bar(table.num_rows, "release", options.progress, unit="article") as bar:
        for start in range(0, table.num_rows, options.chunk_size):
            batch = table.slice(start, options.chunk_size)
            yield batch
            bar.update(batch.num_rows)


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
    pool = workers.enter_context(_worker_pool(options, table.num_rows))
    with workers:
        log = _index_log(ws.log_path, progress, pool, parts=4 * options.workers)
        corpus_ids = set(ids.to_pylist())
        orphans = sum(len(r) for a, r in log.by_article.items() if a not in corpus_ids)

        stats = _Stats()
        agreement = AgreementAccumulator()
        unreadable: list[str] = []
        # One fixed name: a run killed midway leaves it, the next run replaces it.
        review_tmp = ws.root / "annotations" / ".review.jsonl.partial"
        review_tmp.parent.mkdir(parents=True, exist_ok=True)
        review_tmp.unlink(missing_ok=True)
        review_count = 0
        split_cache: dict[str, str] = {}
        batches: deque[pa.Table] = deque()

        def chunks(spill: Path | None) -> Iterator[_Chunk]:
            for number, batch in enumerate(_iter_corpus(table, options)):
                batches.append(batch)
                articles = []
                for article_id, text, sha, story_id, outlet, date, flags in zip(
                    batch.column("article_id").to_pylist(),
                    batch.column("text").to_pylist(),
                    batch.column("text_sha256").to_pylist(),
                    batch.column("story_id").to_pylist(),
                    batch.column("outlet").to_pylist(),
                    batch.column("published_date").to_pylist(),
                    batch.column("quality_flags").to_pylist(),
                    strict=True,
                ):
                    split = split_cache.get(story_id)
                    if split is None:
                        split = split_cache[story_id] = splitting.split_of_story(story_id)
                    stats.stories.add(story_id)
                    stats.outlets[outlet or UNKNOWN_OUTLET] += 1
                    stats.text_flags.update(TEXT_FLAGS.names[f] for f in flags)
                    if date is not None:
                        stats.dates.append(date.isoformat())
                    articles.append((article_id, text, sha, story_id, split))
                yield _Chunk(
                    str(ws.log_path),
                    articles,
                    [log.ranges(a[0]) for a in articles],
                    [seeds.get(a[0]) for a in articles],
                    None if spill is None else str(spill / f"{number:06d}"),
                )

        memory = pa.default_memory_pool()
        with atomic_directory(ws.release_dir(version)) as stage:
            writers = _Writers(stage)
            # Workers hand their tables over as files here (see _Chunk); removed before the manifest.
            spill = None if pool is None else stage / ".chunks"
            try:
                if spill is not None:
                    spill.mkdir()
                # Without the collector: it would walk the log index (a list per article) again
                # and again, and what is made here is freed by reference counting.
                with open(review_tmp, "w", encoding="utf-8") as review, paused_gc():
                    for done in _run_chunks(chunks(spill), options, pool):
                        batch = batches.popleft()
                        _write_articles(writers, batch, done.extras)
                        for (config, split), part in sorted(done.take_tables().items()):
                            writers.write_table(config, split, part)
                        stats.merge(done.stats)
                        agreement.merge(done.agreement)
                        for line in done.review:
                            review.write(line + "\n")
                        review_count += len(done.review)
                        unreadable += done.unreadable
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

            log.by_article.clear()  # one entry per annotation: not needed from here on
            manifest = _manifest(
                version=version,
                corpus_version=corpus_version,
                corpus_manifest=_corpus_manifest(ws, corpus_version),
                writers=writers,
                stats=stats,
                agreement=agreement.result(),
                log=log,
                unreadable=len(unreadable),
                orphans=orphans,
                embedded=len(seeds),
                review_count=review_count,
            )
            try:
                plots = card.write_plots(manifest, stage)
                manifest["plots"] = plots
                croissant.write_croissant(manifest, stage)
                card.write_card(manifest, stage)
                _write_manifest(manifest, stage)
                # The raw results were re-checked moments ago (recheck); everything else is validated,
                # in this process: without the parsing, worker processes would save less time than
                # they take to start and to read the articles.
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
        os.replace(review_tmp, ws.root / "annotations" / "review.jsonl")
        return ReleaseReport(
            version=version,
            corpus_version=corpus_version,
            path=ws.release_dir(version),
            manifest=manifest,
            review_path=ws.root / "annotations" / "review.jsonl",
            review_items=review_count,
        )


@contextlib.contextmanager
def _open_log(path: Path) -> Iterator[int | None]:
    """The log's file descriptor for positioned reads, or None when there is no log yet."""
    if not path.exists():
        yield None
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        yield fd
    finally:
        os.close(fd)


def _write_articles(writers: _Writers, batch: pa.Table, extras: dict[str, list[Any]]) -> None:
    schema = writers.schemas["articles"]
    arrays = [batch.column(name) for name in CORPUS_FEATURES]
    arrays += [pa.array(extras[name], type=schema.field(name).type) for name in schema.names[len(CORPUS_FEATURES) :]]
    table = pa.Table.from_arrays(arrays, schema=schema)
    split_column = table.column("split")
    for index, split in enumerate(SPLITS.names):
        part = table.filter(pc.equal(split_column, index))
        writers.write_table("articles", split, part)


def file_digest(path: Path) -> str:
    """sha256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _manifest(
    *,
    version: str,
    corpus_version: str,
    corpus_manifest: dict[str, Any],
    writers: _Writers,
    stats: _Stats,
    agreement: dict[str, Any],
    log: _LogIndex,
    unreadable: int,
    orphans: int,
    embedded: int,
    review_count: int,
) -> dict[str, Any]:
    configs: dict[str, Any] = {}
    for config in RELEASE_CONFIGS:
        split_rows = {s: writers.rows[(config, s)] for s in SPLITS.names if writers.rows[(config, s)]}
        configs[config] = {
            "default": config == DEFAULT_CONFIG,
            "splits": split_rows,
            "rows": sum(split_rows.values()),
            "data_files": {s: DATA_FILE.format(config=config, split=s) for s in split_rows},
        }
    dates = sorted(stats.dates)
    sources = [
        {"file": PurePath(str(s.get("path", ""))).name, "sha256": s.get("sha256"), "bytes": s.get("bytes")}
        for s in corpus_manifest.get("sources", [])
    ]
    return {
        "name": DATASET_NAME,
        "version": version,
        "corpus_version": corpus_version,
        "schema_version": SCHEMA_VERSION,
        "configs": configs,
        "splits": splitting.describe(),
        "corpus": {
            "articles": configs["articles"]["rows"],
            "stories": len(stats.stories),
            "outlets": dict(sorted(stats.outlets.items())),
            "published": {"first": dates[0] if dates else None, "last": dates[-1] if dates else None},
            "text_flags": _vocab_counts(stats.text_flags, TEXT_FLAGS.names),
            "sources": sources,
            "cleaning_rules": corpus_manifest.get("cleaning_rules", {}),
            "stories_method": corpus_manifest.get("stories", {}),
            "article_id": corpus_manifest.get("article_id"),
        },
        "annotations": {
            "log_lines": log.lines,
            "log_unreadable_lines": log.unreadable + unreadable,
            "superseded_versions": log.superseded,
            "not_in_corpus": orphans,
            "embedded": embedded,
            "released": sum(stats.status.values()),
            "by_status": _vocab_counts(stats.status, ANNOTATION_STATUS.names),
            "by_provenance": _vocab_counts(stats.raw_provenance, PROVENANCE.names),
            "human_regions_by_origin": _vocab_counts(stats.region_origins, REGION_ORIGINS),
            "by_source": dict(sorted(stats.sources.items())),
            "quarantine_reasons": dict(sorted(stats.reasons.items())),
            "quarantined_at_release": dict(sorted(stats.release_quarantined.items())),
            "articles_annotated": stats.articles_annotated,
        },
        "adjudication": {
            "policy": list(POLICY),
            "review_items": review_count,
            "review_by_reason": dict(sorted(stats.review.items())),
            "articles_needing_review": stats.articles_needing_review,
        },
        "agreement": agreement,
        "distributions": {
            "stance": {t: _vocab_counts(c, STANCE_LABELS.names) for t, c in stats.stance.items()},
            "genre": _vocab_counts(stats.genre, GENRES.names),
            "event_type": _vocab_counts(stats.event_type, EVENT_TYPES.names),
            "mode": dict(sorted(stats.mode.items())),
            "factuality": dict(sorted(stats.factuality.items())),
            "role": _vocab_counts(stats.role, ROLES.names),
            "entity_type": dict(sorted(stats.entity_type.items())),
            "annotation_flags": _vocab_counts(stats.annotation_flags, QUALITY_FLAGS.names),
            "provenance": {k: _vocab_counts(c, PROVENANCE.names) for k, c in stats.provenance.items()},
        },
    }


MANIFEST = "manifest.json"


def _write_manifest(manifest: dict[str, Any], root: Path) -> None:
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.name != MANIFEST)
    manifest["files"] = {
        p.relative_to(root).as_posix(): {"sha256": file_digest(p), "bytes": p.stat().st_size} for p in files
    }
    atomic_write_json(root / MANIFEST, manifest)


# --- comparing two releases ----------------------------------------------------------------


def _release_folder(workspace: Workspace, which: str) -> Path:
    path = Path(which)
    if not parse_version_ok(which) and path.is_dir():
        return path
    parse_version(which)
    folder = workspace.release_dir(which)
    if not folder.is_dir():
        raise UsageError(
            f"release {which} is not in {workspace.release_root}; releases there: "
            f"{workspace.release_versions() or 'none'}. Give a release version or a release folder."
        )
    return folder


def parse_version_ok(text: str) -> bool:
    """True when ``text`` is an X.Y.Z version."""
    try:
        parse_version(text)
    except UsageError:
        return False
    return True


def _read_config(folder: Path, config: str, columns: list[str]) -> list[dict[str, Any]]:
    files = sorted((folder / "data" / config).glob("*.parquet"))
    rows: list[dict[str, Any]] = []
    for file in files:
        rows += pq.read_table(file, columns=columns).to_pylist()
    return rows


def _label(vocabulary: Any, value: int | None) -> str | None:
    return None if value is None else str(vocabulary.names[value])


def diff_releases(workspace: Workspace | Path, v1: str, v2: str) -> dict[str, Any]:
    """What changed from release ``v1`` to ``v2`` (versions in the workspace, or folders).

    Articles are matched by id, and an article whose text changed (so its content-derived
    id changed) by its identity (URL, else source file): it is reported as changed, not as
    removed and added. Labels: stance per (article, target), events per event id, genre.

    >>> diff_releases(Workspace(Path("workspace")), "1.0.0", "1.1.0")["articles"]["added"]  # doctest: +SKIP
    ['a-3bc1520a463866a3']
    """
    ws = workspace if isinstance(workspace, Workspace) else Workspace(Path(workspace))
    old_dir, new_dir = _release_folder(ws, v1), _release_folder(ws, v2)
    columns = ["article_id", "url", "source_file", "title", "outlet", "published_date", "story_id", "split", "genre"]
    old = {r["article_id"]: r for r in _read_config(old_dir, "articles", columns)}
    new = {r["article_id"]: r for r in _read_config(new_dir, "articles", columns)}

    def identity(row: dict[str, Any]) -> str:
        return str(row["url"] or row["source_file"])

    added = sorted(set(new) - set(old))
    removed = sorted(set(old) - set(new))
    old_by_identity = {identity(old[a]): a for a in removed}
    changed: list[dict[str, Any]] = []
    renamed: dict[str, str] = {}
    for article_id in added:
        before = old_by_identity.get(identity(new[article_id]))
        if before is not None:
            renamed[before] = article_id
            changed.append({"article_id": article_id, "previous_id": before, "fields": ["text"]})
    for article_id in sorted(set(old) & set(new)):
        fields = [c for c in columns[1:] if old[article_id][c] != new[article_id][c]]
        if fields:
            changed.append({"article_id": article_id, "fields": fields})
    added = [a for a in added if a not in renamed.values()]
    removed = [a for a in removed if a not in renamed]

    def stance(folder: Path) -> dict[tuple[str, str], str | None]:
        rows = _read_config(folder, "stance", ["article_id", "target", "label"])
        return {(r["article_id"], STANCE_TARGETS.names[r["target"]]): _label(STANCE_LABELS, r["label"]) for r in rows}

    def events(folder: Path) -> dict[str, dict[str, Any]]:
        rows = _read_config(
            folder, "events", ["event_id", "article_id", "event_type", "mode", "factuality", "arguments"]
        )
        return {
            r["event_id"]: {
                "article_id": r["article_id"],
                "event_type": EVENT_TYPES.names[r["event_type"]],
                "mode": _label(MODES, r["mode"]),
                "factuality": _label(FACTUALITY, r["factuality"]),
                "arguments": len(r["arguments"]),
            }
            for r in rows
        }

    old_stance, new_stance = stance(old_dir), stance(new_dir)
    stance_changed = [
        {"article_id": k[0], "target": k[1], "from": old_stance[k], "to": new_stance[k]}
        for k in sorted(set(old_stance) & set(new_stance))
        if old_stance[k] != new_stance[k]
    ]
    old_events, new_events = events(old_dir), events(new_dir)
    events_changed = [
        {"event_id": k, "from": old_events[k], "to": new_events[k]}
        for k in sorted(set(old_events) & set(new_events))
        if old_events[k] != new_events[k]
    ]
    genre_changed = [
        {"article_id": a, "from": _label(GENRES, old[a]["genre"]), "to": _label(GENRES, new[a]["genre"])}
        for a in sorted(set(old) & set(new))
        if old[a]["genre"] != new[a]["genre"]
    ]
    return {
        "from": v1,
        "to": v2,
        "articles": {"added": added, "removed": removed, "changed": changed},
        "labels": {
            "stance": {
                "added": [{"article_id": a, "target": t} for a, t in sorted(set(new_stance) - set(old_stance))],
                "removed": [{"article_id": a, "target": t} for a, t in sorted(set(old_stance) - set(new_stance))],
                "changed": stance_changed,
            },
            "events": {
                "added": sorted(set(new_events) - set(old_events)),
                "removed": sorted(set(old_events) - set(new_events)),
                "changed": events_changed,
            },
            "genre": {"changed": genre_changed},
        },
    }


def summarize_diff(diff: dict[str, Any]) -> str:
    """A few readable lines for the terminal."""
    articles, labels = diff["articles"], diff["labels"]
    lines = [
        f"release {diff['from']} -> {diff['to']}",
        f"articles: {len(articles['added'])} added, {len(articles['removed'])} removed, "
        f"{len(articles['changed'])} changed",
    ]
    for unit in ("stance", "events"):
        entry = labels[unit]
        lines.append(
            f"{unit}: {len(entry['added'])} added, {len(entry['removed'])} removed, {len(entry['changed'])} changed"
        )
    lines.append(f"genre: {len(labels['genre']['changed'])} changed")
    return "\n".join(lines)
