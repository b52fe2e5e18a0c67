"""The annotation table: the log's annotations as typed Arrow columns, in Parquet parts.

``annotations/log.jsonl`` stays the source of truth and the audit trail. Next to it,
``annotations/table/`` holds the same annotations parsed once, one row per readable log
line (schema :data:`~ceasefire_news.schema.records.ANNOTATION_TABLE_SCHEMA`), so that a
release reads named columns instead of JSON text.

Each part covers a byte range of the log, from a line start to a line end, and is named
after it (``part-<start>-<end>.parquet``); its Parquet metadata holds the range, its line
counts and the sha256 of the log bytes just before its end. Pull and import append to the
log, then one part for what they appended (:func:`append_to_log`); parts are merged into one
when there are more than :data:`MERGE_PARTS`.

The table is derived, never trusted on its own: :func:`update_table` compares it with the
log and rebuilds from the log what it lacks: all of it when the table is missing (a
workspace of an earlier version), unreadable or does not match the log (a replaced log), the
rest when the log grew past it (a run killed between the two writes). Each rebuild prints a
one-line note to stderr.

>>> table = update_table(Workspace(Path("workspace")).log_path)  # doctest: +SKIP
>>> sum(t.num_rows for t in table.read(["annotation_id"])) == table.lines - table.unreadable  # doctest: +SKIP
True
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ceasefire_news.dataset.corpus.workspace import Workspace, append_jsonl
from ceasefire_news.labeling.results import parse_result
from ceasefire_news.schema.records import ANNOTATION_TABLE_FORMAT, ANNOTATION_TABLE_SCHEMA, LoggedAnnotation

#: The table's folder, next to the log.
TABLE_DIR = "table"
#: More parts than this are merged into one (each pull adds one).
MERGE_PARTS = 32
#: Log bytes per part when a long log is read in one go: bounds the memory of a rebuild.
PART_BYTES = 64 << 20
#: How many bytes before a part's end its digest covers: enough to tell a replaced log.
TAIL_BYTES = 4096

_META_KEY = b"ceasefire_news.annotation_table"
_FIELDS = tuple(f.name for f in fields(LoggedAnnotation))
#: The JSON types a log record's fields must have (``bool`` is checked apart from ``int``).
_TYPES: dict[str, tuple[type, ...]] = {
    "annotation_id": (str,),
    "task_id": (int, type(None)),
    "article_id": (str,),
    "text_sha256": (str,),
    "corpus_version": (str,),
    "annotator": (str,),
    "created_at": (str,),
    "updated_at": (str,),
    "lead_time": (int, float, type(None)),
    "was_cancelled": (bool,),
    "ground_truth": (bool,),
    "result": (list,),
    "status": (str,),
    "quarantine_reasons": (list,),
    "repairs": (list,),
    "provenance": (str,),
    "source": (str,),
}


def table_dir(log_path: Path) -> Path:
    """The folder of the annotation table of the log at ``log_path``."""
    return log_path.parent / TABLE_DIR


def _dumps(value: Any) -> str:
    # The layout LoggedAnnotation.to_json gives the same value inside a log line.
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def logged_annotation(record: dict[str, Any]) -> LoggedAnnotation:
    """The :class:`LoggedAnnotation` of one parsed log line, its fields taken by name.

    Fields the record has beyond those of ``LoggedAnnotation`` (written by a later version)
    are left out; a missing field or one of the wrong JSON type raises ``TypeError``.
    """
    if not isinstance(record, dict):
        raise TypeError(f"a log line must hold a JSON object, got {type(record).__name__}")
    for name, types in _TYPES.items():
        if name not in record:
            continue  # LoggedAnnotation's constructor names a missing required field
        value = record[name]
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            expected = " or ".join("null" if t is type(None) else t.__name__ for t in types)
            raise TypeError(f"{name} is {type(value).__name__} {value!r:.40}; expected {expected}")
    if not all(isinstance(reason, str) for reason in record.get("quarantine_reasons", [])):
        raise TypeError("quarantine_reasons must be a list of strings")
    return LoggedAnnotation(**{name: record[name] for name in _FIELDS if name in record})


def table_row(entry: LoggedAnnotation, log_offset: int) -> dict[str, Any]:
    """The annotation table row of ``entry`` (a log line at byte ``log_offset``), by column name."""
    parsed = parse_result(entry.result)
    regions = [
        {"id": t.id, "kind": "trigger", "label": t.event_type, "start": t.start, "end": t.end, "text": t.text}
        for t in parsed.triggers
    ]
    for region in [*parsed.entities, *(r for found in parsed.evidence.values() for r in found)]:
        regions.append(
            {
                "id": region.id,
                "kind": region.kind,
                "label": region.label,
                "start": region.start,
                "end": region.end,
                "text": region.text,
            }
        )
    choices = [
        {"control": f"stance_{target}", "region_id": None, "choice": label} for target, label in parsed.stance.items()
    ]
    if parsed.genre is not None:
        choices.append({"control": "genre", "region_id": None, "choice": parsed.genre})
    choices += [{"control": "quality", "region_id": None, "choice": flag} for flag in parsed.quality_flags]
    for trigger in parsed.triggers:
        if trigger.mode is not None:
            choices.append({"control": "mode", "region_id": trigger.id, "choice": trigger.mode})
        if trigger.factuality is not None:
            choices.append({"control": "factuality", "region_id": trigger.id, "choice": trigger.factuality})
    return {
        "log_offset": log_offset,
        "annotation_id": entry.annotation_id,
        "task_id": entry.task_id,
        "article_id": entry.article_id,
        "text_sha256": entry.text_sha256,
        "corpus_version": entry.corpus_version,
        "annotator": entry.annotator,
        "created_at": entry.created_at,
        "updated_at": entry.updated_at,
        "lead_time": entry.lead_time,
        "was_cancelled": entry.was_cancelled,
        "ground_truth": entry.ground_truth,
        "status": entry.status,
        "quarantine_reasons": entry.quarantine_reasons,
        "provenance": entry.provenance,
        "source": entry.source,
        "regions": regions,
        "choices": choices,
        "relations": [{"from_id": a, "to_id": b, "role": role} for a, b, role in parsed.relations],
        "result_json": _dumps(entry.result),
        "repairs_json": _dumps(entry.repairs),
    }


def entry_of_row(row: dict[str, Any]) -> LoggedAnnotation:
    """The :class:`LoggedAnnotation` a table row (a dict by column name) was made from."""
    return LoggedAnnotation(
        annotation_id=row["annotation_id"],
        task_id=row["task_id"],
        article_id=row["article_id"],
        text_sha256=row["text_sha256"],
        corpus_version=row["corpus_version"],
        annotator=row["annotator"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        lead_time=row["lead_time"],
        was_cancelled=row["was_cancelled"],
        ground_truth=row["ground_truth"],
        result=json.loads(row["result_json"]),
        status=row["status"],
        quarantine_reasons=list(row["quarantine_reasons"]),
        repairs=json.loads(row["repairs_json"]),
        provenance=row["provenance"],
        source=row["source"],
    )


@dataclass(frozen=True, slots=True)
class Part:
    """One Parquet file of the table: the rows of the log lines in ``[start, end)``."""

    path: Path
    start: int
    end: int
    lines: int  # non-blank lines in the range
    unreadable: int  # of those, lines that are no log record (torn, not JSON, wrong fields)
    tail_sha256: str  # of the log bytes [max(0, end - TAIL_BYTES), end)


@dataclass(slots=True)
class AnnotationTable:
    """The parts that cover the log, in log order.

    ``torn_tail``: the log ends in a line without its newline that is no record (a pull
    killed mid-line, or one still writing); it counts as an unreadable line but is left out
    of the table, which a later append completes.
    """

    log_path: Path
    parts: list[Part]
    torn_tail: bool = False

    @property
    def end(self) -> int:
        """The log bytes the table covers."""
        return self.parts[-1].end if self.parts else 0

    @property
    def lines(self) -> int:
        return sum(p.lines for p in self.parts) + self.torn_tail

    @property
    def unreadable(self) -> int:
        return sum(p.unreadable for p in self.parts) + self.torn_tail

    def read(self, columns: list[str] | None = None) -> Iterator[pa.Table]:
        """Each part's rows (only ``columns``, by name, when given), in log order."""
        for part in self.parts:
            yield pq.read_table(part.path, columns=columns, schema=ANNOTATION_TABLE_SCHEMA)


def _tail_digest(log_path: Path, end: int) -> str:
    start = max(0, end - TAIL_BYTES)
    with open(log_path, "rb") as fh:
        fh.seek(start)
        return hashlib.sha256(fh.read(end - start)).hexdigest()


def _read_part(path: Path) -> Part | str:
    """The part at ``path``, or why it can't be used."""
    try:
        meta = pq.read_metadata(path)
        schema = meta.schema.to_arrow_schema()
        info = json.loads((meta.metadata or {})[_META_KEY])
        if info.get("format") != ANNOTATION_TABLE_FORMAT:
            return f"{path.name} is of format {info.get('format')!r}, expected {ANNOTATION_TABLE_FORMAT!r}"
        part = Part(path, info["start"], info["end"], info["lines"], info["unreadable"], info["tail_sha256"])
    except (OSError, KeyError, ValueError, AttributeError, pa.ArrowException) as err:
        return f"{path.name} is unreadable ({type(err).__name__}: {err})"
    if not schema.equals(ANNOTATION_TABLE_SCHEMA, check_metadata=False):
        return f"{path.name} has columns {schema.names} of other types or order than ANNOTATION_TABLE_SCHEMA"
    return part


def _load(log_path: Path) -> tuple[list[Part], list[Path], str | None]:
    """The chain of parts from byte 0, the files outside it, and why the table can't be used (or None)."""
    folder = table_dir(log_path)
    files = sorted(folder.glob("part-*.parquet")) if folder.is_dir() else []
    found: list[Part] = []
    for path in files:
        part = _read_part(path)
        if isinstance(part, str):
            return [], files, part
        found.append(part)
    # Merged parts and the parts they replaced can both be there after a killed merge: at each
    # position the widest part wins.
    found.sort(key=lambda p: (p.start, -p.end))
    chain: list[Part] = []
    for part in found:
        if part.start == (chain[-1].end if chain else 0):
            chain.append(part)
    chain_end = chain[-1].end if chain else 0
    if any(p.start >= chain_end for p in found if p not in chain):
        return [], files, "its parts leave a gap in the log"
    leftovers = [p.path for p in found if p not in chain]  # parts a merge replaced
    size = log_path.stat().st_size if log_path.exists() else 0
    if chain:
        if size < chain[-1].end:
            return [], files, f"it covers {chain[-1].end} bytes of a log of {size}"
        if _tail_digest(log_path, chain[-1].end) != chain[-1].tail_sha256:
            return [], files, "it was made from another log (the bytes before its end differ)"
    return chain, leftovers, None


def _write_part(folder: Path, rows: list[dict[str, Any]], info: dict[str, Any]) -> Part:
    folder.mkdir(parents=True, exist_ok=True)
    schema = ANNOTATION_TABLE_SCHEMA.with_metadata({_META_KEY: json.dumps(info, sort_keys=True)})
    path = folder / f"part-{info['start']:015d}-{info['end']:015d}.parquet"
    tmp = path.with_name(f".{path.name}.partial")
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), tmp, compression="zstd")
    os.replace(tmp, path)  # a killed run leaves no half part under a part's name
    return Part(path, info["start"], info["end"], info["lines"], info["unreadable"], info["tail_sha256"])


def _lines(fh: Any, start: int, size: int) -> Iterator[tuple[int, bytes]]:
    """``(offset, line)`` of each line in ``[start, size)``; the last may lack its newline."""
    fh.seek(start)
    offset = start
    while offset < size:
        line = fh.readline(size - offset)
        if not line:
            return
        yield offset, line
        offset += len(line)


def _scan(log_path: Path, start: int) -> tuple[list[Part], bool]:
    """Parts for the log from ``start`` (a line start) to its end, and whether a torn line ends it."""
    size = log_path.stat().st_size
    folder = table_dir(log_path)
    parts: list[Part] = []
    rows: list[dict[str, Any]] = []
    counts = {"lines": 0, "unreadable": 0}
    part_start = end = start
    torn = False

    def close_part() -> None:
        nonlocal rows, part_start
        info = {"format": ANNOTATION_TABLE_FORMAT, "start": part_start, "end": end, **counts}
        info["tail_sha256"] = _tail_digest(log_path, end)
        parts.append(_write_part(folder, rows, info))
        rows, part_start = [], end
        counts.update(lines=0, unreadable=0)

    with open(log_path, "rb") as fh:
        for offset, line in _lines(fh, start, size):
            if line.strip():
                try:
                    rows.append(table_row(logged_annotation(json.loads(line.decode("utf-8"))), offset))
                except (ValueError, TypeError):
                    if not line.endswith(b"\n"):
                        torn = True  # torn, or still being written: left for a later update
                        break
                    counts["unreadable"] += 1
                counts["lines"] += 1
            end = offset + len(line)
            if end - part_start >= PART_BYTES:
                close_part()
    if end > part_start:
        close_part()
    return parts, torn


def _merge(log_path: Path, parts: list[Part]) -> list[Part]:
    """One part for all of ``parts``, written before they are removed."""
    first, last = parts[0], parts[-1]
    lines, unreadable = sum(p.lines for p in parts), sum(p.unreadable for p in parts)
    info = {
        "format": ANNOTATION_TABLE_FORMAT,
        "start": first.start,
        "end": last.end,
        "lines": lines,
        "unreadable": unreadable,
        "tail_sha256": last.tail_sha256,
    }
    folder = table_dir(log_path)
    schema = ANNOTATION_TABLE_SCHEMA.with_metadata({_META_KEY: json.dumps(info, sort_keys=True)})
    path = folder / f"part-{first.start:015d}-{last.end:015d}.parquet"
    tmp = path.with_name(f".{path.name}.partial")
    with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
        for part in parts:
            writer.write_table(pq.read_table(part.path, schema=ANNOTATION_TABLE_SCHEMA).cast(schema))
    os.replace(tmp, path)
    for part in parts:
        if part.path != path:
            part.path.unlink()
    return [Part(path, first.start, last.end, lines, unreadable, last.tail_sha256)]


def _note(message: str) -> None:
    print(f"note: {message}", file=sys.stderr)


def update_table(log_path: Path, *, note: bool = True) -> AnnotationTable:
    """The annotation table of the log at ``log_path``, first brought up to date with the log.

    What the table lacks is rebuilt from the log, with a one-line note on stderr unless
    ``note`` is false (a pull or an import adding what it just appended).
    """
    folder = table_dir(log_path)
    parts, leftovers, problem = _load(log_path)
    for path in leftovers:
        path.unlink(missing_ok=True)
    for stale in folder.glob(".part-*.partial") if folder.is_dir() else ():
        stale.unlink()
    if not log_path.exists():
        for part in parts:
            part.path.unlink()
        return AnnotationTable(log_path, [])
    if problem is not None:
        parts = []
    covered = parts[-1].end if parts else 0
    added, torn = _scan(log_path, covered)
    if added and note:
        relative = f"{folder.parent.name}/{folder.name}"
        if problem is not None:
            _note(f"{relative} can't be used ({problem}); rebuilt it from {log_path.name}")
        elif not parts:
            _note(f"{relative} did not exist; built it from {log_path.name}")
        else:
            _note(f"{relative} covered {covered} of {added[-1].end} bytes of {log_path.name}; read the rest into it")
    parts += added
    if len(parts) > MERGE_PARTS:
        parts = _merge(log_path, parts)
    return AnnotationTable(log_path, parts, torn)


def append_to_log(workspace: Workspace, lines: Iterable[str]) -> int:
    """Append log lines (``LoggedAnnotation.to_json``) to the workspace's log, then their rows
    to its annotation table; the number of lines appended.

    The log is written first: it is the source of truth, and a run killed between the two
    writes leaves a table that the next reader completes from the log.
    """
    log_path = workspace.log_path
    update_table(log_path)
    count = append_jsonl(log_path, lines)
    update_table(log_path, note=False)
    return count
