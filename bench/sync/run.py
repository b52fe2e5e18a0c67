"""Export and import, the file round trip with Label Studio, against their floors in CPU time.

Both read the workspace that :mod:`bench.release.generate` writes (a corpus version and an
annotation log). One process each side, as the project's export and import run.

- ``sync-export``, per task: ``export_file`` (tasks with pre-annotations, each prediction
  validated) against writing the same corpus rows as task JSON lines from a pyarrow read
  (no pre-annotation);
- ``sync-import``, per annotation: ``import_export_file`` of a Label Studio JSON export (span
  checks against the corpus text, repairs, quarantine, state) into a workspace holding only
  the corpus, against ``json.loads`` of the same file and one log line written per annotation.

    python -m bench.measure sync-import --size 8000

``bench/sync/studio.py`` measures push and pull against a running Label Studio; it is not
part of the gate.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from bench import _project
from bench.harness import Case
from bench.release.floor import corpus_file
from bench.release.run import PER_ARTICLE, clear_workspace, ensure_workspace
from bench.sync.floor import export_floor, import_floor

REPO = Path(__file__).resolve().parents[2]
DEFAULT_DATA = REPO / "bench" / "out" / "sync"


def ensure_export(root: Path) -> Path:
    """The generated log as a Label Studio JSON export (newest version of each annotation)."""
    path = root / "export.json"
    if path.exists():
        return path
    workspace = root / "workspace"
    table = _read_corpus_texts(workspace)
    newest: dict[str, dict[str, Any]] = {}
    with open(workspace / "annotations" / "log.jsonl", encoding="utf-8") as log:
        for line in log:
            entry = json.loads(line)
            newest[entry["annotation_id"]] = entry
    tasks: dict[int, dict[str, Any]] = {}
    for serial, entry in enumerate(newest.values()):
        text, sha, version = table[entry["article_id"]]
        task = tasks.setdefault(
            entry["task_id"],
            {
                "id": entry["task_id"],
                "data": {
                    "article_id": entry["article_id"],
                    "text": text,
                    "text_sha256": sha,
                    "corpus_version": version,
                },
                "annotations": [],
            },
        )
        task["annotations"].append(
            {
                "id": serial + 1,
                "completed_by": {"id": 1, "email": entry["annotator"]},
                "created_at": entry["created_at"],
                "updated_at": entry["updated_at"],
                "lead_time": entry["lead_time"],
                "was_cancelled": entry["was_cancelled"],
                "ground_truth": entry["ground_truth"],
                "result": entry["result"],
            }
        )
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(list(tasks.values()), ensure_ascii=False), encoding="utf-8")
    partial.replace(path)
    return path


def _read_corpus_texts(workspace: Path) -> dict[str, tuple[str, str, str]]:
    from bench.release.floor import read_corpus

    table = read_corpus(corpus_file(workspace))
    return {
        row["article_id"]: (row["text"], row["text_sha256"], row["corpus_version"])
        for row in table.select(["article_id", "text", "text_sha256", "corpus_version"]).to_pylist()
    }


def export_case(size: int, workers: int = 1, data: Path = DEFAULT_DATA) -> Case:
    root = ensure_workspace(data, size * PER_ARTICLE)
    workspace = root / "workspace"
    scratch = Path(tempfile.mkdtemp(prefix="bench-export-"))

    def reset() -> None:
        clear_workspace(workspace, ("corpus", "annotations/log.jsonl"))
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir()

    def project() -> None:
        _project.export_file(_project.Workspace(workspace), scratch / "tasks.json")

    def floor() -> None:
        export_floor(corpus_file(workspace), scratch / "tasks.json")

    return Case(
        name="sync-export",
        unit="task",
        units=size,
        workers=1,
        project=project,
        floor=floor,
        reset=reset,
        sizes={"tasks": size},
        cleanup=lambda: shutil.rmtree(scratch, ignore_errors=True),
    )


def import_case(size: int, workers: int = 1, data: Path = DEFAULT_DATA) -> Case:
    root = ensure_workspace(data, size)
    export = ensure_export(root)
    workspace = root / "workspace"
    scratch = Path(tempfile.mkdtemp(prefix="bench-import-"))
    target = scratch / "workspace"
    annotations = sum(len(task["annotations"]) for task in json.loads(export.read_text(encoding="utf-8")))

    def reset() -> None:
        # A workspace with the corpus and nothing else: every annotation is new to it.
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(workspace / "corpus", target / "corpus")

    def project() -> None:
        _project.import_export_file(_project.Workspace(target), export)

    def floor() -> None:
        import_floor(export, target / "annotations" / "log.jsonl")

    return Case(
        name="sync-import",
        unit="annotation",
        units=annotations,
        workers=1,
        project=project,
        floor=floor,
        reset=reset,
        sizes={"annotations": annotations, "tasks": size // PER_ARTICLE},
        cleanup=lambda: shutil.rmtree(scratch, ignore_errors=True),
    )
