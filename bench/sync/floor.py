"""The floors of export and import: the same files in and out, with plain json and pyarrow.

Imports nothing of the project.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa

from bench.release.floor import read_corpus

_DUMP = {"ensure_ascii": False, "sort_keys": True, "separators": (",", ":")}


def export_floor(corpus: Path, out: Path) -> int:
    """The corpus's rows as Label Studio tasks, one JSON task per line of a JSON list."""
    table = read_corpus(corpus)
    columns = [
        "article_id",
        "corpus_version",
        "published_date",
        "outlet",
        "story_id",
        "text",
        "text_sha256",
        "title",
        "url",
    ]
    tasks = 0
    with open(out, "w", encoding="utf-8") as fh:
        fh.write("[")
        for batch in table.select(columns).to_batches(max_chunksize=1000):
            for row in pa.Table.from_batches([batch]).to_pylist():
                date = row.pop("published_date")
                row["date"] = date.isoformat() if date else ""
                row["meta"] = f"{row['outlet']} · {row['date']} · {row['article_id']}"
                fh.write("\n" if not tasks else ",\n")
                fh.write(json.dumps({"data": row}, **_DUMP))
                tasks += 1
        fh.write("\n]\n")
    return tasks


def import_floor(export: Path, log: Path) -> int:
    """Every annotation of a Label Studio JSON export as a line of the annotation log."""
    payload = json.loads(export.read_text(encoding="utf-8"))
    log.parent.mkdir(parents=True, exist_ok=True)
    annotations = 0
    with open(log, "a", encoding="utf-8") as fh:
        for task in payload:
            data = task["data"]
            for annotation in task["annotations"]:
                record = {
                    "annotation_id": str(annotation["id"]),
                    "annotator": annotation["completed_by"]["email"],
                    "article_id": data["article_id"],
                    "corpus_version": data["corpus_version"],
                    "created_at": annotation["created_at"],
                    "ground_truth": annotation["ground_truth"],
                    "lead_time": annotation["lead_time"],
                    "provenance": "human",
                    "quarantine_reasons": [],
                    "repairs": [],
                    "result": annotation["result"],
                    "source": "import",
                    "status": "accepted",
                    "task_id": task["id"],
                    "text_sha256": data["text_sha256"],
                    "updated_at": annotation["updated_at"],
                    "was_cancelled": annotation["was_cancelled"],
                }
                fh.write(json.dumps(record, **_DUMP) + "\n")
                annotations += 1
    return annotations
