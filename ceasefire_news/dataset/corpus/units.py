"""Units of work: one source file's processed articles, on disk, and the cache that reuses them.

A unit's result is three files next to each other: ``BASE.arrow`` (the staging rows of its
kept articles), ``BASE.bin`` (article id numbers, row digests and story sketches) and
``BASE.json`` (where each row came from, rejections, warnings, counts). The Ray engine writes
them to its staging folder; both engines keep them in the workspace's cache
(``cache/units/``), keyed by the file's content and everything its result depends on: the
readers' (WARC, web pages) and the rules' versions, the filters, the sketch parameters and
the size limits.
Adding a file to a corpus then processes that file only; a rule change processes everything.

Files are written under temporary names and renamed when complete, so a killed build never
leaves an entry that looks whole; an entry that can't be read is ignored and rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from ceasefire_news.dataset.corpus.chunks import (
    STAGE_SCHEMA,
    Chunk,
    ChunkOptions,
    ChunkResult,
    Rejection,
    iter_chunks,
    process_chunk,
)
from ceasefire_news.dataset.corpus.clean_rules import rule_versions
from ceasefire_news.dataset.corpus.pages import PAGES_VERSION
from ceasefire_news.dataset.corpus.parallel import WorkerPool
from ceasefire_news.dataset.corpus.read import read_file
from ceasefire_news.dataset.corpus.stories import BANDS, NUM_PERM, Sketches
from ceasefire_news.dataset.corpus.warc import READER_VERSION as WARC_READER_VERSION
from ceasefire_news.schema.records import SCHEMA_VERSION

#: The version of the unit format and of how files are read: part of every cache key.
UNIT_VERSION = "unit_v2"
#: A unit's files: staging rows, arrays (ids, digests, sketches), and the JSON part, written
#: last, so that an entry whose JSON part exists is whole.
UNIT_SUFFIXES = (".arrow", ".bin", ".json")
_ARRAYS = ("numbers", "digests", "band_keys", "signatures", "indexed", "paragraph_hashes", "paragraph_rows")


class UnitWriter:
    """Writes a unit's chunk results, as they come, into ``BASE.arrow``/``.bin``/``.json``."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self._arrow = base.with_suffix(".arrow.partial")
        self._sink = pa.OSFile(str(self._arrow), "wb")
        self._writer = pa.ipc.new_stream(self._sink, STAGE_SCHEMA)
        self._parts: dict[str, list[npt.NDArray[Any]]] = {name: [] for name in _ARRAYS}
        self._meta: dict[str, Any] = {
            "consumed": 0,
            "rows": 0,
            "wheres": [],
            "keys": [],
            "rejections": [],
            "warnings": [],
            "filtered": {},
        }

    def add(self, result: ChunkResult) -> None:
        meta, parts = self._meta, self._parts
        if result.batch.num_rows:
            self._writer.write_batch(result.batch)
        sketches = result.sketches
        parts["numbers"].append(np.array([int(sha[:16], 16) for sha in result.shas], dtype=np.uint64))
        parts["digests"].append(np.frombuffer(b"".join(result.digests), dtype=np.uint8).reshape(-1, 32))
        parts["band_keys"].append(sketches.band_keys)
        parts["signatures"].append(sketches.signatures)
        parts["indexed"].append(sketches.indexed)
        parts["paragraph_hashes"].append(sketches.paragraph_hashes)
        parts["paragraph_rows"].append(sketches.paragraph_rows.astype(np.int64) + meta["rows"])
        meta["consumed"] += result.consumed
        meta["rows"] += result.batch.num_rows
        meta["wheres"].extend(result.wheres)
        meta["keys"].extend(result.keys)
        meta["rejections"].extend([o, r.where, r.reason, r.detail] for o, r in result.rejections)
        meta["warnings"].extend([o, r.where, r.reason, r.detail] for o, r in result.warnings)
        for reason, count in result.filtered.items():
            meta["filtered"][reason] = meta["filtered"].get(reason, 0) + count

    def close(self, **extra: Any) -> dict[str, Any]:
        """Finish the files (``extra`` goes into the JSON part); returns the unit's counts."""
        self._writer.close()
        self._sink.close()
        arrays = {name: np.concatenate(parts) if parts else _empty(name) for name, parts in self._parts.items()}
        blob = self.base.with_suffix(".bin.partial")
        write_arrays(blob, arrays)
        meta = {**self._meta, **extra}
        text = self.base.with_suffix(".json.partial")
        text.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        # The JSON part last: an entry whose JSON exists is whole.
        os.replace(self._arrow, self.base.with_suffix(".arrow"))
        os.replace(blob, self.base.with_suffix(".bin"))
        os.replace(text, self.base.with_suffix(".json"))
        return {"consumed": meta["consumed"], "rows": meta["rows"]}


def _empty(name: str) -> npt.NDArray[Any]:
    shapes: dict[str, npt.NDArray[Any]] = {
        "numbers": np.zeros(0, np.uint64),
        "digests": np.zeros((0, 32), np.uint8),
        "band_keys": np.zeros((0, BANDS), np.uint32),
        "signatures": np.zeros((0, NUM_PERM), np.uint8),
        "indexed": np.zeros(0, np.bool_),
        "paragraph_hashes": np.zeros(0, np.uint64),
        "paragraph_rows": np.zeros(0, np.int64),
    }
    return shapes[name]


def read_meta(base: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(base.with_suffix(".json").read_text(encoding="utf-8"))
    return data


def write_arrays(path: Path, arrays: dict[str, npt.NDArray[Any]]) -> None:
    """The arrays' bytes one after another in ``path``, after a header that says where each is.

    A unit's arrays are small and many units are written per build: raw bytes cost a tenth of
    a zipped ``.npz`` to write and to read. The header (its length in 8 bytes, then JSON:
    name -> dtype, shape, offset) keeps the file readable without the unit's JSON part, which
    holds a line per row.
    """
    layout: dict[str, list[Any]] = {}
    offset = 0
    parts = []
    for name, array in arrays.items():
        data = np.ascontiguousarray(array)
        layout[name] = [data.dtype.str, list(data.shape), offset]
        parts.append(data.tobytes())
        offset += data.nbytes
    header = json.dumps(layout).encode("utf-8")
    with open(path, "wb") as handle:
        handle.write(len(header).to_bytes(8, "little"))
        handle.write(header)
        for part in parts:
            handle.write(part)


def read_arrays(base: Path, *names: str) -> list[npt.NDArray[Any]]:
    """The named arrays of a unit (see :func:`write_arrays`)."""
    data = base.with_suffix(".bin").read_bytes()
    size = int.from_bytes(data[:8], "little")
    layout = json.loads(data[8 : 8 + size])
    found = []
    for name in names:
        dtype, shape, offset = layout[name]
        count = int(np.prod(shape, dtype=np.int64))
        found.append(np.frombuffer(data, dtype=np.dtype(dtype), count=count, offset=8 + size + offset).reshape(shape))
    return found


def load_unit(base: Path, unit: int) -> ChunkResult:
    """A unit's files as one chunk result (the unit's last)."""
    meta = read_meta(base)
    arrays = dict(zip(_ARRAYS, read_arrays(base, *_ARRAYS), strict=True))
    with pa.OSFile(str(base.with_suffix(".arrow")), "rb") as source:
        table = pa.ipc.open_stream(source).read_all()
    batches = table.combine_chunks().to_batches()
    batch = batches[0] if batches else pa.RecordBatch.from_pylist([], schema=STAGE_SCHEMA)
    digests = arrays["digests"]
    return ChunkResult(
        consumed=meta["consumed"],
        batch=batch,
        wheres=meta["wheres"],
        shas=[f"{int(n):016x}" for n in arrays["numbers"]],
        keys=meta["keys"],
        digests=[digests[row].tobytes() for row in range(digests.shape[0])],
        sketches=Sketches(
            band_keys=arrays["band_keys"],
            signatures=arrays["signatures"],
            indexed=arrays["indexed"],
            paragraph_hashes=arrays["paragraph_hashes"],
            paragraph_rows=arrays["paragraph_rows"].astype(np.uint32),
        ),
        rejections=[(o, Rejection(w, r, d)) for o, w, r, d in meta["rejections"]],
        warnings=[(o, Rejection(w, r, d)) for o, w, r, d in meta["warnings"]],
        filtered=meta["filtered"],
        unit=unit,
        last=True,
        from_cache=True,
    )


# --- the cache -----------------------------------------------------------------------------


def cache_salt(options: ChunkOptions) -> str:
    """What every unit's result depends on besides its file: versions, filters, parameters."""
    parts = {
        "unit": UNIT_VERSION,
        "warc_reader": WARC_READER_VERSION,
        "pages": PAGES_VERSION,
        "schema": SCHEMA_VERSION,
        "rules": rule_versions(),
        "topic": options.topic.describe() if options.topic is not None else None,
        "languages": sorted(options.languages) if options.languages is not None else None,
        "stories": options.stories.describe(),
        "max_article_bytes": options.max_article_bytes,
        "warn_article_bytes": options.warn_article_bytes,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode("utf-8")).hexdigest()


def unit_key(salt: str, file_sha256: str, name: str, where: str) -> str:
    """The cache key of one file: its content, its names in the corpus and in messages, the salt."""
    material = json.dumps([salt, file_sha256, name, where], ensure_ascii=False)
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class UnitCache:
    """The workspace's cache of unit results (``cache/units/``)."""

    folder: Path

    def base(self, key: str) -> Path:
        return self.folder / key

    def has(self, key: str) -> bool:
        base = self.base(key)
        return all(base.with_suffix(suffix).exists() for suffix in UNIT_SUFFIXES)

    def prune(self, keep: Iterable[str]) -> int:
        """Remove the entries not in ``keep`` (and unfinished ones); returns how many files went."""
        wanted = set(keep)
        removed = 0
        if not self.folder.is_dir():
            return 0
        for path in self.folder.iterdir():
            if path.name.split(".", 1)[0] not in wanted or path.name.endswith(".partial"):
                path.unlink(missing_ok=True)
                removed += 1
        return removed


# --- running units -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CachedUnit:
    """A unit whose result is read from the cache instead of being computed.

    ``file`` and ``name`` are the source file, processed afresh when the entry can't be read.
    """

    unit: int
    base: Path
    file: Path
    name: str
    chunk_size: int


Job = list[Chunk | CachedUnit]


def _run_job(job: Job, options: ChunkOptions) -> list[ChunkResult]:
    results = []
    for item in job:
        if isinstance(item, CachedUnit):
            try:
                results.append(load_unit(item.base, item.unit))
            except (OSError, ValueError, KeyError, TypeError, pa.ArrowException):
                # A damaged entry is computed again (and the build saves it anew).
                chunks = iter_chunks(read_file(item.file, item.name), item.chunk_size, item.unit)
                results.extend(process_chunk(chunk, options) for chunk in chunks)
        else:
            results.append(process_chunk(item, options))
    return results


def jobs(items: Iterable[Chunk | CachedUnit], size: int) -> Iterator[Job]:
    """Consecutive items grouped into jobs of about ``size`` articles (many small files, one job)."""
    job: Job = []
    weight = 0
    for item in items:
        job.append(item)
        weight += len(item.items) if isinstance(item, Chunk) else size // 4 + 1
        if weight >= size:
            yield job
            job, weight = [], 0
    if job:
        yield job


def run_jobs(
    job_list: Iterator[Job], *, workers: int, max_pending: int, options: ChunkOptions
) -> Iterator[ChunkResult]:
    """Run jobs in input order (in ``workers`` processes when there is more than one job)."""
    first = next(job_list, None)
    if first is None:
        return
    second = next(job_list, None)
    if second is None:
        yield from _run_job(first, options)
        return
    with WorkerPool(workers) as pool:
        everything = _chain([first, second], job_list)
        for results in pool.imap(partial(_run_job, options=options), everything, window=workers * max_pending):
            yield from results


def _chain(head: Sequence[Job], rest: Iterator[Job]) -> Iterator[Job]:
    yield from head
    yield from rest
