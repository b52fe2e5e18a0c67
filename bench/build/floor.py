"""The build's floor: what any build of this corpus has to do at least, with plain pyarrow.

Imports nothing of the project: its worker processes pay for pyarrow only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing
from pathlib import Path
from typing import Any

import pyarrow as pa

from bench.harness import iter_lines, split_file


def _part(job: tuple[str, int, int, str, pa.Schema]) -> int:
    source, start, end, target, schema = job
    columns: dict[str, list[Any]] = {name: [] for name in schema.names}
    for line in iter_lines(Path(source), start, end):
        record = json.loads(line)
        text = record["text"]
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        date = record.get("date")
        for name, value in (
            ("article_id", f"a-{digest[:16]}"),
            ("title", record.get("title")),
            ("outlet", record.get("outlet")),
            ("url", record.get("url")),
            ("published_date", dt.date.fromisoformat(date) if date else None),
            ("fetched_date", None),
            ("language", "en"),
            ("text", text),
            ("text_sha256", digest),
            ("story_id", f"s-{digest[:16]}"),
            ("quality_flags", []),
            ("removed", []),
            ("source_file", source),
            ("corpus_version", "1.0.0"),
        ):
            columns[name].append(value)
    table = pa.Table.from_pydict(columns, schema=schema)
    with pa.OSFile(target, "wb") as sink, pa.ipc.new_file(sink, schema) as writer:
        writer.write_table(table)
    return table.num_rows


def floor(source: Path, out: Path, workers: int, schema: pa.Schema) -> int:
    """Raw JSON Lines to the corpus's Arrow stream, on ``workers`` processes; returns the rows."""
    out.mkdir(parents=True, exist_ok=True)
    jobs = [
        (str(source), a, b, str(out / f"part-{i:05d}.arrow"), schema)
        for i, (a, b) in enumerate(split_file(source, workers))
    ]
    # spawn, as the build starts its workers; the parts come back as files, not pickles.
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        rows = sum(pool.map(_part, jobs, chunksize=1))
    with pa.OSFile(str(out / "data-00000-of-00001.arrow"), "wb") as sink, pa.ipc.new_stream(sink, schema) as writer:
        for _, _, _, part, _ in jobs:
            with pa.memory_map(part) as mapped:
                writer.write_table(pa.ipc.open_file(mapped).read_all(), max_chunksize=1000)
            Path(part).unlink()
    return rows
