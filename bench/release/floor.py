"""The release's floor: what any release of this log has to do at least, with plain pyarrow.

On ``workers`` spawned processes, each taking a few byte ranges of ``annotations/log.jsonl``:
``json.loads`` of every line, and rows of three of the release's tables made from it with no
check, no adjudication and no agreement (``annotations_raw``: one row per line, the result
sliced out of the line as text; ``stance``: one row per stance choice; ``events``: one row per
trigger, with its factuality and mode), written as Parquet with the release's schemas and
writer options. The parent writes the fourth, ``articles``, from the corpus version.

Imports nothing of the project: its worker processes pay for pyarrow only.
"""

from __future__ import annotations

import json
import multiprocessing
import zlib
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from bench.harness import iter_lines, split_file

#: Per worker process: article id -> (story id, split id), and the label ids by column.
_STORIES: dict[str, tuple[str, int]] = {}
_IDS: dict[str, dict[str, int]] = {}


def corpus_file(workspace: Path) -> Path:
    (path,) = sorted(workspace.glob("corpus/*/data-*.arrow"))[-1:]
    return path


def read_corpus(path: Path) -> pa.Table:
    with pa.memory_map(str(path)) as source:
        return pa.ipc.open_stream(source).read_all()


def _split(story_id: str, splits: int) -> int:
    # Stories, not articles, go to one split; a hash stands in for the project's assignment.
    return zlib.crc32(story_id.encode("utf-8")) % splits


def _start(corpus: str, ids: dict[str, dict[str, int]]) -> None:
    _IDS.update(ids)
    table = read_corpus(Path(corpus)).select(["article_id", "story_id"])
    splits = len(ids["split"])
    for article_id, story_id in zip(
        table.column("article_id").to_pylist(), table.column("story_id").to_pylist(), strict=True
    ):
        _STORIES[article_id] = (story_id, _split(story_id, splits))


def _part(job: tuple[str, int, int, str, dict[str, pa.Schema], dict[str, Any]]) -> int:
    log, start, end, prefix, schemas, options = job
    raw: dict[str, list[Any]] = {name: [] for name in schemas["annotations_raw"].names}
    stance: dict[str, list[Any]] = {name: [] for name in schemas["stance"].names}
    events: dict[str, list[Any]] = {name: [] for name in schemas["events"].names}
    ids = _IDS
    human = ids["provenance"]["human"]
    lines = 0
    for line in iter_lines(Path(log), start, end):
        entry = json.loads(line)
        lines += 1
        article_id = entry["article_id"]
        story_id, split = _STORIES.get(article_id, ("", 0))
        annotator = entry["annotator"]
        text = line.decode("utf-8")
        genre = None
        factuality: dict[str, str] = {}
        modes: dict[str, str] = {}
        triggers = []
        for item in entry["result"]:
            name = item.get("from_name", "")
            if name.startswith("stance_"):
                label = ids["label"].get(item["value"]["choices"][0])
                stance["article_id"].append(article_id)
                stance["story_id"].append(story_id)
                stance["split"].append(split)
                stance["target"].append(ids["target"].get(name[7:]))
                stance["label"].append(label)
                stance["evidence"].append([])
                stance["votes"].append([{"annotator": annotator, "label": label}])
                stance["n_annotators"].append(1)
                stance["provenance"].append(human)
                stance["needs_review"].append(False)
            elif name == "genre":
                genre = ids["genre"].get(item["value"]["choices"][0])
            elif name == "trigger":
                triggers.append(item)
            elif name == "factuality":
                factuality[item["id"]] = item["value"]["choices"][0]
            elif name.startswith("mode_"):
                modes[item["id"]] = item["value"]["choices"][0]
        for item in triggers:
            value = item["value"]
            events["event_id"].append(f"{entry['annotation_id']}:{item['id']}")
            events["article_id"].append(article_id)
            events["story_id"].append(story_id)
            events["split"].append(split)
            events["trigger"].append({"start": value["start"], "end": value["end"], "text": value["text"]})
            events["event_type"].append(ids["event_type"].get(value["labels"][0]))
            events["mode"].append(ids["mode"].get(modes.get(item["id"], "")))
            events["factuality"].append(ids["factuality"].get(factuality.get(item["id"], "")))
            events["arguments"].append([])
            events["annotators"].append([annotator])
            events["n_annotators"].append(1)
            events["provenance"].append(human)
            events["needs_review"].append(False)
        for name, value in (
            ("annotation_id", entry["annotation_id"]),
            ("task_id", entry["task_id"]),
            ("article_id", article_id),
            ("story_id", story_id),
            ("split", split),
            ("annotator", annotator),
            ("created_at", entry["created_at"]),
            ("updated_at", entry["updated_at"]),
            ("lead_time", entry["lead_time"]),
            ("was_cancelled", entry["was_cancelled"]),
            ("ground_truth", entry["ground_truth"]),
            ("genre", genre),
            ("quality_flags", []),
            # The log writes keys sorted: the result's JSON text lies between these two.
            ("result_json", text[text.find('"result":') + 9 : text.rfind(',"source":')]),
            ("status", ids["status"].get(entry["status"])),
            ("quarantine_reasons", entry["quarantine_reasons"]),
            ("provenance", ids["provenance"].get(entry["provenance"])),
            ("source", entry["source"]),
        ):
            raw[name].append(value)
    for config, columns in (("annotations_raw", raw), ("stance", stance), ("events", events)):
        table = pa.Table.from_pydict(columns, schema=schemas[config])
        path = Path(f"{prefix}-{config}.parquet")
        with pq.ParquetWriter(path, schemas[config], **options) as writer:
            writer.write_table(table, row_group_size=20_000)
    return lines


def floor(
    workspace: Path,
    out: Path,
    workers: int,
    *,
    schemas: dict[str, pa.Schema],
    ids: dict[str, dict[str, int]],
    options: dict[str, Any],
) -> int:
    """The four tables of a release of ``workspace`` under ``out``; returns the log lines read."""
    log = workspace / "annotations" / "log.jsonl"
    corpus = corpus_file(workspace)
    parts = out / "parts"
    parts.mkdir(parents=True, exist_ok=True)
    jobs = [
        (str(log), a, b, str(parts / f"{i:05d}"), schemas, options) for i, (a, b) in enumerate(split_file(log, workers))
    ]
    # spawn, as the release starts its workers.
    with multiprocessing.get_context("spawn").Pool(workers, initializer=_start, initargs=(str(corpus), ids)) as pool:
        result = pool.map_async(_part, jobs, chunksize=1)
        table = read_corpus(corpus)
        splits = len(ids["split"])
        nulls = pa.nulls(table.num_rows)
        for name, column in (
            ("split", pa.array([_split(s, splits) for s in table.column("story_id").to_pylist()], pa.int64())),
            ("genre", nulls),
            ("genre_provenance", nulls),
            ("annotation_flags", pa.array([[]] * table.num_rows)),
            ("n_annotators", pa.array([0] * table.num_rows)),
            ("needs_review", pa.array([False] * table.num_rows)),
        ):
            table = table.append_column(name, column)
        table = table.cast(schemas["articles"])
        (out / "articles").mkdir(exist_ok=True)
        with pq.ParquetWriter(out / "articles" / "all.parquet", schemas["articles"], **options) as writer:
            writer.write_table(table, row_group_size=20_000)
        return sum(result.get())
