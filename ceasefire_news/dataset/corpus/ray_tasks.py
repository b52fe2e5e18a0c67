"""The distributed build's tasks: each reads and writes files in the version's staging folder.

Every task takes paths on storage that every node sees (the workspace) and returns a few
numbers, never per-article data: the driver only schedules. The steps, for ``--engine ray``:

1. :func:`process_unit`, one task per source file: read, extract, clean, identify and sketch
   its articles; write ``unit-N.arrow`` (staging rows), ``unit-N.bin`` (ids, digests,
   sketches) and ``unit-N.json`` (where each row came from, rejections, counts).
2. :func:`dedupe`: one task that walks the units' article ids (8 bytes each) in input order,
   keeps the first of each text, and writes which rows each unit keeps (``keep.npz``).
3. :func:`link_partition`, one task per partition: groups the LSH band keys and paragraph
   hashes that hash to its partition (a shuffle through storage), verifies the candidates of
   each bucket with the signatures of those rows only, and writes the links (``edges-P.npy``).
4. :func:`finish`: one task that takes the connected components of the links and writes the
   version with :func:`ceasefire_news.dataset.corpus.finish.write_version`, exactly as the
   local engine does.

Each task writes its files under a temporary name and renames them when complete, so a task
that Ray runs again after a lost node rewrites them whole.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from ceasefire_news.dataset.corpus import read
from ceasefire_news.dataset.corpus.chunks import Chunk, ChunkOptions, ChunkResult, Rejection, iter_chunks, process_chunk
from ceasefire_news.dataset.corpus.finish import Gathered, Target, Unchanged, source_digest, write_version
from ceasefire_news.dataset.corpus.kept import Duplicate
from ceasefire_news.dataset.corpus.options import BuildOptions, BuildReport
from ceasefire_news.dataset.corpus.stories import (
    BANDS,
    NUM_PERM,
    Clusters,
    StoryOptions,
    bucket_links,
    components,
    groups,
    paragraph_links,
)
from ceasefire_news.dataset.corpus.units import (
    UNIT_SUFFIXES,
    UnitCache,
    UnitWriter,
    read_arrays,
    read_meta,
    unit_key,
)

#: Rejections a Ray build's report carries back to the driver; the manifest lists them all.
REPORTED_REJECTIONS = 50


@dataclass(frozen=True, slots=True)
class Unit:
    """One source file to read, or one problem found while walking the sources (one record)."""

    index: int
    file: str | None
    name: str
    problem: tuple[str, str, str] | None = None  # where, reason, detail


def _publish(temporary: Path, final: Path) -> None:
    os.replace(temporary, final)


def _node() -> str:
    try:
        import ray

        return str(ray.get_runtime_context().get_node_id())
    except Exception:  # outside Ray (a direct call)
        return "local"


def process_unit(
    unit: Unit, stage: str, options: ChunkOptions, chunk_size: int, cache: str | None, salt: str
) -> dict[str, Any]:
    """Read and process one source file into its staging files (from the cache when it has them)."""
    base = Path(stage) / f"unit-{unit.index:06d}"
    if unit.problem is not None:
        writer = UnitWriter(base)
        writer.add(_problem_result(unit))
        return {**writer.close(source=None), "node": _node(), "key": None, "cached": False}
    assert unit.file is not None
    file = Path(unit.file)
    source = source_digest(file, unit.name)
    key = unit_key(salt, source["sha256"], unit.name, read.source_name(file)) if source is not None else None
    store = UnitCache(Path(cache)) if cache is not None and key is not None else None
    if store is not None and key is not None and store.has(key):
        try:
            for suffix in UNIT_SUFFIXES:
                shutil.copyfile(store.base(key).with_suffix(suffix), base.with_suffix(suffix + ".partial"))
            meta = json.loads(base.with_suffix(".json.partial").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta = None
        if meta is not None:
            meta["source"] = source
            base.with_suffix(".json.partial").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
            for suffix in UNIT_SUFFIXES:
                os.replace(base.with_suffix(suffix + ".partial"), base.with_suffix(suffix))
            return {"consumed": meta["consumed"], "rows": meta["rows"], "node": _node(), "key": key, "cached": True}
    writer = UnitWriter(base)
    for chunk in iter_chunks(read.read_file(file, unit.name), chunk_size, unit.index):
        writer.add(process_chunk(chunk, options))
    counts = writer.close(source=source)
    if store is not None and key is not None:
        for suffix in UNIT_SUFFIXES:  # the JSON part last: the entry is whole once it exists
            shutil.copyfile(base.with_suffix(suffix), store.base(key).with_suffix(suffix + ".partial"))
            os.replace(store.base(key).with_suffix(suffix + ".partial"), store.base(key).with_suffix(suffix))
    return {**counts, "node": _node(), "key": key, "cached": False}


def _problem_result(unit: Unit) -> ChunkResult:
    assert unit.problem is not None
    chunk = Chunk([], 1, rejections=[(0, Rejection(*unit.problem))], unit=unit.index, last=True)
    return process_chunk(chunk, ChunkOptions(stories=StoryOptions()))


def _base(stage: Path, index: int) -> Path:
    return stage / f"unit-{index:06d}"


def _meta(stage: Path, index: int) -> dict[str, Any]:
    return read_meta(_base(stage, index))


def _arrays(stage: Path, index: int, *names: str) -> list[npt.NDArray[Any]]:
    return read_arrays(_base(stage, index), *names)


def dedupe(stage: str, units: int) -> dict[str, Any]:
    """Keep the first article of each text in input order; write each unit's kept rows."""
    folder = Path(stage)
    first: dict[int, tuple[int, int]] = {}  # id number -> (unit, row) of the article kept
    masks: dict[str, npt.NDArray[np.bool_]] = {}
    duplicates: list[list[Any]] = []
    for index in range(units):
        (numbers,) = _arrays(folder, index, "numbers")
        keep = np.ones(numbers.shape[0], dtype=np.bool_)
        wheres: list[str] | None = None
        for row, number in enumerate(numbers.tolist()):
            seen = first.get(number)
            if seen is None:
                first[number] = (index, row)
            else:
                keep[row] = False
                wheres = wheres if wheres is not None else _meta(folder, index)["wheres"]
                duplicates.append([wheres[row], f"a-{number:016x}", list(seen)])
        masks[f"u{index}"] = keep
    kept_where: dict[int, list[str]] = {}
    for entry in duplicates:
        unit, row = entry[2]
        if unit not in kept_where:
            kept_where[unit] = _meta(folder, unit)["wheres"]
        entry[2] = kept_where[unit][row]
    with open(folder / "keep.npz.partial", "wb") as handle:
        np.savez(handle, allow_pickle=False, **masks)
    _publish(folder / "keep.npz.partial", folder / "keep.npz")
    (folder / "duplicates.json.partial").write_text(json.dumps(duplicates, ensure_ascii=False), encoding="utf-8")
    _publish(folder / "duplicates.json.partial", folder / "duplicates.json")
    return {"kept": len(first), "duplicates": len(duplicates), "node": _node()}


def _kept_rows(folder: Path, units: int) -> Iterator[tuple[int, npt.NDArray[np.bool_], npt.NDArray[np.int64]]]:
    """Each unit's keep mask and the global row of each of its rows (-1 where dropped)."""
    offset = 0
    with np.load(folder / "keep.npz") as masks:
        for index in range(units):
            keep = masks[f"u{index}"]
            rows = np.full(keep.shape[0], -1, dtype=np.int64)
            rows[keep] = np.arange(offset, offset + int(keep.sum()), dtype=np.int64)
            offset += int(keep.sum())
            yield index, keep, rows


def _partition_of(values: npt.NDArray[np.uint64], salt: int, partitions: int) -> npt.NDArray[np.uint64]:
    with np.errstate(over="ignore"):
        mixed = (values.astype(np.uint64) + np.uint64(salt)) * np.uint64(0x9E3779B97F4A7C15)
    return (mixed >> np.uint64(40)) % np.uint64(partitions)


def link_partition(stage: str, units: int, partition: int, partitions: int, options: StoryOptions) -> dict[str, Any]:
    """Links among the articles whose band keys or paragraph hashes fall in ``partition``."""
    folder = Path(stage)
    bands: list[npt.NDArray[np.uint64]] = []  # (band << 32 | key) per candidate row
    band_rows: list[npt.NDArray[np.int64]] = []
    para: list[npt.NDArray[np.uint64]] = []
    para_rows: list[npt.NDArray[np.int64]] = []
    rank_parts: list[tuple[npt.NDArray[np.int64], npt.NDArray[np.uint64]]] = []
    read_bytes = 0
    for index, keep, rows in _kept_rows(folder, units):
        numbers, band_keys, indexed, hashes, owners = _arrays(
            folder, index, "numbers", "band_keys", "indexed", "paragraph_hashes", "paragraph_rows"
        )
        read_bytes += band_keys.nbytes + hashes.nbytes + owners.nbytes + numbers.nbytes
        live = keep & indexed
        for band in range(BANDS):
            column = band_keys[live, band].astype(np.uint64)
            mine = _partition_of(column, band, partitions) == partition
            bands.append((np.uint64(band) << np.uint64(32)) | column[mine])
            band_rows.append(rows[live][mine])
        owner_rows = rows[owners] if owners.shape[0] else owners
        alive = owner_rows >= 0
        mine_p = _partition_of(hashes[alive], 1 << 20, partitions) == partition
        para.append(hashes[alive][mine_p])
        para_rows.append(owner_rows[alive][mine_p])
        rank_parts.append((rows[keep], numbers[keep]))
    global_rows = np.concatenate([r for r, _ in rank_parts]) if rank_parts else np.zeros(0, np.int64)
    global_rank = np.concatenate([n for _, n in rank_parts]) if rank_parts else np.zeros(0, np.uint64)
    rank = np.zeros(global_rows.shape[0], dtype=np.uint64)
    rank[global_rows] = global_rank
    edges: list[tuple[int, int]] = []
    boilerplate = 0

    para_keys = np.concatenate(para) if para else np.zeros(0, np.uint64)
    para_owner = np.concatenate(para_rows) if para_rows else np.zeros(0, np.int64)
    for group in groups(para_keys):
        found = paragraph_links(para_owner[group], rank, options)
        if found is None:
            boilerplate += 1
        else:
            edges.extend(found)

    band_keys_all = np.concatenate(bands) if bands else np.zeros(0, np.uint64)
    band_owner = np.concatenate(band_rows) if band_rows else np.zeros(0, np.int64)
    buckets = groups(band_keys_all)
    candidates = np.unique(np.concatenate([band_owner[g] for g in buckets])) if buckets else np.zeros(0, np.int64)
    signatures = _signatures_of(folder, units, candidates)
    read_bytes += signatures.nbytes
    local_rank = rank[candidates]
    for group in buckets:
        members = np.searchsorted(candidates, band_owner[group])
        for a, b in bucket_links(members, local_rank, signatures, options):
            edges.append((int(candidates[a]), int(candidates[b])))
    edge_array = np.array(sorted(set(edges)), dtype=np.int64).reshape(-1, 2)
    target = folder / f"edges-{partition:04d}.npy"
    with open(target.with_suffix(".npy.partial"), "wb") as handle:
        np.save(handle, edge_array)
    _publish(target.with_suffix(".npy.partial"), target)
    return {"edges": int(edge_array.shape[0]), "boilerplate": boilerplate, "read_bytes": read_bytes, "node": _node()}


def _signatures_of(folder: Path, units: int, wanted: npt.NDArray[np.int64]) -> npt.NDArray[np.uint8]:
    """The signatures of the global rows ``wanted`` (sorted), read unit by unit."""
    found = np.zeros((wanted.shape[0], NUM_PERM), dtype=np.uint8)
    if not wanted.shape[0]:
        return found
    for index, keep, rows in _kept_rows(folder, units):
        hit = np.isin(rows, wanted) & keep
        if not hit.any():
            continue
        (signatures,) = _arrays(folder, index, "signatures")
        found[np.searchsorted(wanted, rows[hit])] = signatures[hit]
    return found


def finish(
    stage: str, units: int, partitions: int, boilerplate: int, target: Target, options: BuildOptions
) -> dict[str, Any]:
    """Gather what the units left (ids, order, rejections), link stories, and write the version."""
    folder = Path(stage)
    numbers: list[npt.NDArray[np.uint64]] = []
    keys: list[str] = []
    content = hashlib.sha256()
    rejections: list[tuple[int, Rejection]] = []
    warnings: list[tuple[int, Rejection]] = []
    filtered: dict[str, int] = {}
    sources: list[dict[str, Any]] = []
    ordinal = 0
    for index, keep, _ in _kept_rows(folder, units):
        meta = _meta(folder, index)
        unit_numbers, digests = _arrays(folder, index, "numbers", "digests")
        numbers.append(unit_numbers[keep])
        for row in np.flatnonzero(keep).tolist():
            content.update(digests[row].tobytes())
            if target.parent is not None:
                keys.append(meta["keys"][row])
        rejections.extend((ordinal + o, Rejection(w, r, d)) for o, w, r, d in meta["rejections"])
        warnings.extend((ordinal + o, Rejection(w, r, d)) for o, w, r, d in meta["warnings"])
        for reason, count in meta["filtered"].items():
            filtered[reason] = filtered.get(reason, 0) + count
        if meta["source"] is not None:
            sources.append(meta["source"])
        ordinal += meta["consumed"]
    duplicates = [Duplicate(*entry) for entry in json.loads((folder / "duplicates.json").read_text(encoding="utf-8"))]
    gathered = Gathered(
        read=ordinal,
        numbers=np.concatenate(numbers) if numbers else np.zeros(0, np.uint64),
        keys=keys,
        content_sha256=content.hexdigest(),
        rejections=[r for _, r in sorted(rejections, key=lambda item: item[0])],
        warnings=[w for _, w in sorted(warnings, key=lambda item: item[0])],
        duplicates=duplicates,
        filtered=dict(sorted(filtered.items())),
    )

    def cluster(_: npt.NDArray[np.uint64]) -> Clusters:
        parts = [np.load(folder / f"edges-{p:04d}.npy") for p in range(partitions)]
        edges = np.concatenate(parts) if parts else np.zeros((0, 2), np.int64)
        pairs = [(int(a), int(b)) for a, b in edges.tolist()]
        return components(int(gathered.numbers.shape[0]), pairs, boilerplate)

    def batches() -> Iterator[pa.RecordBatch]:
        for index, keep, _ in _kept_rows(folder, units):
            if not keep.any():
                continue
            with pa.OSFile(str(_base(folder, index).with_suffix(".arrow")), "rb") as source:
                table = pa.ipc.open_stream(source).read_all()
            yield from table.filter(pa.array(keep)).to_batches()

    try:
        report = write_version(target, gathered, cluster=cluster, batches=batches, sources=sources, options=options)
    except Unchanged as unchanged:
        return {"report": _slim(unchanged.report), "unchanged": True, "node": _node()}
    return {"report": _slim(report), "unchanged": False, "node": _node()}


def _slim(report: BuildReport) -> BuildReport:
    """The report without its per-article lists beyond the first few (the manifest has them all)."""
    report.rejections = report.rejections[:REPORTED_REJECTIONS]
    report.warnings = report.warnings[:REPORTED_REJECTIONS]
    report.duplicate_records = report.duplicate_records[:REPORTED_REJECTIONS]
    if report.diff is not None:
        report.diff = {"counts": report.diff.get("counts", {})}
    return report
