"""The Label Studio import file of a corpus version: tasks with validated predictions.

:func:`ensure_tasks_file` builds ``labelstudio/tasks-<version>.json`` (one task per line,
pre-annotated) only when it is missing or stale; :func:`export_file` copies it where the
user wants it and writes the labeling config beside the workspace's state. A push streams
the same file (:func:`iter_task_lines`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ceasefire_news.dataset.corpus.versions import load_corpus
from ceasefire_news.dataset.corpus.workspace import Workspace, atomic_write_text
from ceasefire_news.labeling.config import label_config
from ceasefire_news.labeling.preannotate import MODEL_VERSION
from ceasefire_news.labeling.tasks import PredictionValidator, TaskBuild, iter_rows, iter_tasks

#: Format of the tasks file; bump when the task layout changes (stale files are rebuilt).
TASK_FORMAT = 1


@dataclass(slots=True)
class ExportReport:
    """What :func:`export_file` wrote."""

    path: Path
    config_path: Path
    version: str
    tasks: int
    predictions: int
    dropped_predictions: int

    def summary(self) -> str:
        return (
            f"wrote {self.tasks} tasks ({self.predictions} with predictions, {self.dropped_predictions} predictions "
            f"left out as invalid) of corpus {self.version} to {self.path}\n"
            f"labeling config: {self.config_path}"
        )


def _config_digest() -> str:
    return hashlib.sha256(label_config().encode("utf-8")).hexdigest()


def _tasks_signature(workspace: Workspace, version: str) -> dict[str, Any]:
    manifest: dict[str, Any] = {}
    path = workspace.corpus_dir(version) / "state.json"
    if path.exists():
        manifest = json.loads(path.read_text(encoding="utf-8"))
    return {
        "corpus_fingerprint": manifest.get("_fingerprint"),
        "corpus_version": version,
        "label_config_sha256": _config_digest(),
        "model_version": MODEL_VERSION,
        "task_format": TASK_FORMAT,
    }


def _signature_path(workspace: Workspace, version: str) -> Path:
    return workspace.labelstudio_dir / f"tasks-{version}.signature.json"


def _write_tasks(path: Path, tasks: Iterable[dict[str, Any]]) -> None:
    """A JSON list with one task per line: valid Label Studio import JSON that we can stream."""
    tmp = path.with_name(f".{path.name}.partial")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write("[")
        first = True
        for task in tasks:
            fh.write("\n" if first else ",\n")
            fh.write(json.dumps(task, ensure_ascii=False, sort_keys=True, separators=(",", ":")))
            first = False
        fh.write("\n]\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def iter_tasks_file(path: Path) -> Iterator[dict[str, Any]]:
    """Stream the tasks of a file written by :func:`export_file` (one task per line)."""
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            stripped = line.strip().rstrip(",")
            if stripped in ("", "[", "]"):
                continue
            yield json.loads(stripped)


def ensure_tasks_file(
    workspace: Workspace, version: str | None = None, *, progress: bool = False
) -> tuple[Path, TaskBuild | None]:
    """``labelstudio/tasks-<version>.json``, built (with pre-annotation) only when missing or stale.

    Returns the path and the build report (None when the existing file was still good).
    """
    corpus = load_corpus(workspace, version)
    version = str(corpus.info.version) if corpus.info.version else workspace.latest_corpus_version()
    path = workspace.tasks_path(version)
    signature = _tasks_signature(workspace, version)
    signature_path = _signature_path(workspace, version)
    if path.exists() and signature_path.exists():
        try:
            if json.loads(signature_path.read_text(encoding="utf-8")) == signature:
                return path, None
        except ValueError:
            pass
    report = TaskBuild()
    rows = iter_rows(corpus)
    if progress:
        from tqdm import tqdm

        rows = tqdm(rows, total=len(corpus), desc="pre-annotating", unit="article", file=sys.stderr)
    _write_tasks(path, iter_tasks(rows, report=report, validator=PredictionValidator()))
    atomic_write_text(signature_path, json.dumps(signature, indent=2, sort_keys=True) + "\n")
    atomic_write_text(workspace.config_path, label_config())
    return path, report


def export_file(workspace: Workspace, out: Path, version: str | None = None) -> ExportReport:
    """Write the Label Studio import file (tasks + predictions) of a corpus version to ``out``.

    Also writes the labeling config to ``labelstudio/config.xml``. Import ``out`` in
    Label Studio (project → Import) after creating the project with that config.
    """
    path, build = ensure_tasks_file(workspace, version)
    tasks = predictions = 0
    for task in iter_tasks_file(path):
        tasks += 1
        predictions += bool(task.get("predictions"))
    dropped = len(build.dropped_predictions) if build else 0
    if Path(out).resolve() != path.resolve():
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(f".{out.name}.partial")
        shutil.copyfile(path, partial)
        os.replace(partial, out)
    atomic_write_text(workspace.config_path, label_config())
    version_name = path.name.removeprefix("tasks-").removesuffix(".json")
    return ExportReport(Path(out), workspace.config_path, version_name, tasks, predictions, dropped)


def iter_task_lines(path: Path) -> Iterator[tuple[bytes, dict[str, Any]]]:
    """The raw JSON bytes and the parsed task of each line of a tasks file."""
    with open(path, "rb") as fh:
        for line in fh:
            stripped = line.strip().rstrip(b",")
            if stripped in (b"", b"[", b"]"):
                continue
            yield stripped, json.loads(stripped)
