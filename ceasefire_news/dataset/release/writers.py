"""Parquet writers of a release: one file per config and split, in fixed row groups.

Tables are buffered and written in row groups of a fixed number of rows with fixed writer
options, so the files depend neither on how the work was chunked nor on the number of
workers: part of what makes a release byte-identical across runs.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

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
#: Rows per Parquet row group (raw annotations carry their whole result: smaller groups).
ROW_GROUP_ROWS = 20_000
RAW_ROW_GROUP_ROWS = 5_000


def group_rows(config: str) -> int:
    """Rows per Parquet row group of ``config``."""
    return RAW_ROW_GROUP_ROWS if config == "annotations_raw" else ROW_GROUP_ROWS


class Writers:
    """One Parquet writer per config and split, opened at the first row (no empty files)."""

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
        if sum(t.num_rows for t in buffer) >= group_rows(config):
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
        group = group_rows(key[0])
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
