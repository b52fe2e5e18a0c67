"""The release against its floor, in CPU time per annotation.

The input is what pull and import leave: a corpus version and ``annotations/log.jsonl``.
Before every run anything else in the workspace is removed (the previous release, review
lists, any table derived from the log), so that the release is measured from the JSON
Lines log itself: work moved to pull time would not show up as a faster release.

- project: ``release_corpus(workspace, options=ReleaseOptions(workers=W))`` (re-check every
  annotation against the corpus text, adjudicate, agreement, the four Parquet configs, card,
  Croissant, manifest, and its own validation of the result);
- floor: the same log parsed on W spawned worker processes and the same four tables
  (articles, stance, events, annotations_raw) written with pyarrow, without any of the
  project's checks (see :mod:`bench.release.floor`).

    python -m bench.measure release --size 20000
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from bench import _project
from bench.harness import Case
from bench.release.floor import floor

REPO = Path(__file__).resolve().parents[2]
DEFAULT_DATA = REPO / "bench" / "out" / "release"
PER_ARTICLE = 4


def ensure_workspace(data: Path, annotations: int, per_article: int = PER_ARTICLE) -> Path:
    """``data/<annotations>x<per article>/``, generated once (not timed)."""
    from bench.release.generate import generate

    root = data / f"{annotations}x{per_article}"
    if not (root / "generated.json").exists():
        shutil.rmtree(root, ignore_errors=True)
        generate(root, annotations, per_article)
    return root


def clear_workspace(workspace: Path, keep: tuple[str, ...]) -> None:
    """Remove everything under ``workspace`` but the paths in ``keep`` and the folders above them."""
    kept = {workspace / k for k in keep}
    above = {p for k in kept for p in k.parents}
    for path in sorted(workspace.rglob("*"), reverse=True):
        if path in kept or any(parent in kept for parent in path.parents):
            continue
        if path in above:
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def label_ids() -> dict[str, dict[str, int]]:
    """Label name -> id for every class-label column the floor fills."""
    configs = _project.RELEASE_CONFIGS
    names = {
        "split": configs["stance"]["split"].names,
        "target": configs["stance"]["target"].names,
        "label": configs["stance"]["label"].names,
        "provenance": configs["stance"]["provenance"].names,
        "event_type": configs["events"]["event_type"].names,
        "mode": configs["events"]["mode"].names,
        "factuality": configs["events"]["factuality"].names,
        "genre": configs["annotations_raw"]["genre"].names,
        "status": configs["annotations_raw"]["status"].names,
    }
    return {column: {name: i for i, name in enumerate(labels)} for column, labels in names.items()}


def case(size: int, workers: int, data: Path = DEFAULT_DATA) -> Case:
    root = ensure_workspace(data, size)
    workspace = root / "workspace"
    counts = json.loads((root / "generated.json").read_text())
    scratch = Path(tempfile.mkdtemp(prefix="bench-release-"))
    schemas = {name: features.arrow_schema for name, features in _project.RELEASE_CONFIGS.items()}
    ids = label_ids()

    def reset() -> None:
        clear_workspace(workspace, ("corpus", "annotations/log.jsonl"))
        shutil.rmtree(scratch / "floor", ignore_errors=True)

    def project() -> None:
        _project.release_corpus(workspace, options=_project.ReleaseOptions(workers=workers, progress=False))

    def run_floor() -> None:
        floor(workspace, scratch / "floor", workers, schemas=schemas, ids=ids, options=_project.RELEASE_PARQUET_OPTIONS)

    return Case(
        name="release",
        unit="annotation",
        units=counts["annotations"],
        workers=workers,
        project=project,
        floor=run_floor,
        reset=reset,
        sizes={"annotations": counts["annotations"], "log_lines": counts["log_lines"], "articles": counts["articles"]},
        cleanup=lambda: shutil.rmtree(scratch, ignore_errors=True),
    )
