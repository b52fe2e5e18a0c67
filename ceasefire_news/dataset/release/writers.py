"""Parquet writers of a release: one file per config and split, written as ``datasets`` writes.

Row groups of at most 100 MB of Arrow (uncompressed) data, as ``datasets`` aims for and the
Hub's viewer expects; a page index; content-defined chunking where the installed pyarrow
offers it, with ``datasets``' options, so that a new release uploads only the pages that
changed. A row group ends at the first row that would take it past the limit, counting each
row's own bytes (:func:`row_bytes`): the cuts depend on the rows alone, not on how the work was
chunked or on the number of workers, and with fixed writer options that makes a release
byte-identical across runs.
"""

from __future__ import annotations

import inspect
import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from numpy.typing import NDArray

from ceasefire_news.schema.labels import SPLITS
from ceasefire_news.schema.records import CORPUS_FEATURES, RELEASE_CONFIGS

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
#: The most Arrow bytes in one row group: ``datasets``' ``MAX_ROW_GROUP_SIZE`` ("100MB").
ROW_GROUP_BYTES = 100_000_000
#: ``datasets``' content-defined chunking options (``config.DEFAULT_CDC_OPTIONS``).
CDC_OPTIONS = {"min_chunk_size": 256 * 1024, "max_chunk_size": 1024 * 1024, "norm_level": 0}
#: Whether this pyarrow can write content-defined chunks (pyarrow 21 and later).
HAS_CDC = "use_content_defined_chunking" in inspect.signature(pq.ParquetWriter.__init__).parameters


def row_bytes(array: pa.Array | pa.ChunkedArray) -> NDArray[np.int64]:
    """The Arrow bytes of each row of ``array``: string bytes and offsets, fixed-width values,
    summed over struct fields and list items."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    kind = array.type
    if pa.types.is_string(kind) or pa.types.is_binary(kind) or pa.types.is_large_string(kind):
        lengths: NDArray[np.int64] = pc.fill_null(pc.binary_length(array), 0).to_numpy(zero_copy_only=False)
        return lengths.astype(np.int64) + 4
    if pa.types.is_struct(kind):
        total = np.zeros(len(array), dtype=np.int64)
        for i in range(kind.num_fields):
            total += row_bytes(array.field(i))
        return total
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        items = np.concatenate([np.zeros(1, dtype=np.int64), np.cumsum(row_bytes(array.values))])
        offsets: NDArray[np.int64] = array.offsets.to_numpy(zero_copy_only=False).astype(np.int64)
        per_row: NDArray[np.int64] = items[offsets[1:]] - items[offsets[:-1]] + 4
        return per_row
    if pa.types.is_null(kind):
        return np.zeros(len(array), dtype=np.int64)
    return np.full(len(array), max(kind.bit_width // 8, 1), dtype=np.int64)


def table_row_bytes(table: pa.Table) -> NDArray[np.int64]:
    total = np.zeros(table.num_rows, dtype=np.int64)
    for column in table.columns:
        total += row_bytes(column)
    return total


class Writers:
    """One Parquet writer per config and split, opened at the first row (no empty files)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.schemas = {name: features.arrow_schema for name, features in RELEASE_CONFIGS.items()}
        self.writers: dict[tuple[str, str], pq.ParquetWriter] = {}
        self.buffers: dict[tuple[str, str], list[pa.Table]] = {}
        self.sizes: dict[tuple[str, str], list[NDArray[np.int64]]] = {}  # row bytes of the buffered rows
        self.rows: Counter[tuple[str, str]] = Counter()

    def path(self, config: str, split: str) -> Path:
        return self.root / DATA_FILE.format(config=config, split=split)

    def _writer(self, config: str, split: str) -> pq.ParquetWriter:
        key = (config, split)
        writer = self.writers.get(key)
        if writer is None:
            path = self.path(config, split)
            path.parent.mkdir(parents=True, exist_ok=True)
            options = dict(PARQUET_OPTIONS, write_page_index=True)
            if HAS_CDC:
                options["use_content_defined_chunking"] = CDC_OPTIONS
            writer = pq.ParquetWriter(path, self.schemas[config], **options)
            if HAS_CDC:  # as datasets marks its files
                writer.add_key_value_metadata({"content_defined_chunking": json.dumps(CDC_OPTIONS)})
            self.writers[key] = writer
        return writer

    def write_table(self, config: str, split: str, table: pa.Table) -> None:
        if not table.num_rows:
            return
        key = (config, split)
        self.rows[key] += table.num_rows
        self.buffers.setdefault(key, []).append(table)
        sizes = self.sizes.setdefault(key, [])
        sizes.append(table_row_bytes(table))
        if sum(int(s.sum()) for s in sizes) > ROW_GROUP_BYTES:
            self._flush(key, final=False)

    def write_articles(self, batch: pa.Table, extras: dict[str, list[Any]]) -> None:
        """The corpus rows of ``batch`` with their adjudicated article columns (``extras``, by
        name), into the ``articles`` file of each row's split."""
        schema = self.schemas["articles"]
        arrays = [batch.column(name) for name in CORPUS_FEATURES]
        arrays += [
            pa.array(extras[name], type=schema.field(name).type) for name in schema.names[len(CORPUS_FEATURES) :]
        ]
        table = pa.Table.from_arrays(arrays, schema=schema)
        split_column = table.column("split")
        for index, split in enumerate(SPLITS.names):
            self.write_table("articles", split, table.filter(pc.equal(split_column, index)))

    def _flush(self, key: tuple[str, str], *, final: bool) -> None:
        buffer = self.buffers.get(key)
        if not buffer:
            return
        table = pa.concat_tables(buffer)
        sizes = np.concatenate(self.sizes[key])
        start = 0
        while start < table.num_rows:
            # The group takes rows while it stays within the limit, and always at least one.
            ends = np.cumsum(sizes[start:])
            count = max(int(np.searchsorted(ends, ROW_GROUP_BYTES, side="right")), 1)
            if start + count == table.num_rows and not final and ends[-1] <= ROW_GROUP_BYTES:
                break  # not full yet: more rows may join it
            self._writer(*key).write_table(table.slice(start, count), row_group_size=count)
            start += count
        rest = table.slice(start)
        self.buffers[key] = [rest] if rest.num_rows else []
        self.sizes[key] = [sizes[start:]] if rest.num_rows else []

    def close(self) -> None:
        for key in list(self.buffers):
            self._flush(key, final=True)
        self.abort()

    def abort(self) -> None:
        for writer in self.writers.values():
            writer.close()
        self.writers.clear()


def invalid_result_json(table: pa.Table) -> list[str]:
    """One line per row of an ``annotations_raw`` table whose ``result_json`` is not a JSON
    list: what it holds and which annotation it is. Empty when every result parses."""
    problems = []
    ids = table.column("annotation_id").to_pylist()
    for annotation_id, text in zip(ids, table.column("result_json").to_pylist(), strict=True):
        try:
            value = json.loads(text)
        except (TypeError, ValueError) as err:
            problems.append(f"annotation {annotation_id}: result_json is not JSON ({err}): {text!r:.80}")
            continue
        if not isinstance(value, list):
            problems.append(f"annotation {annotation_id}: result_json holds a {type(value).__name__}, not a list")
    return problems
