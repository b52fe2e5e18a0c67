"""The corpus build against its floor, in CPU time per article.

- project: ``build_corpus([raw.jsonl], fresh workspace, BuildOptions(workers=W))``: read,
  clean, identity, deduplication, MinHash story clustering, the version's Arrow file;
- floor: the same JSON Lines read by W spawned worker processes (a few byte ranges each),
  ``json.loads`` per line, the identity hash (SHA-256 of the text), the corpus's columns as
  Arrow tables, handed back as Arrow files and written by the parent as one Arrow stream with
  the corpus schema: the same input, the same output table, none of the cleaning.

    python -m bench.measure build --size 2000
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from bench import _project
from bench.build.floor import floor
from bench.build.generate import CORPUS_VERSION, generate
from bench.harness import Case

REPO = Path(__file__).resolve().parents[2]
DEFAULT_DATA = REPO / "bench" / "out" / "build"


def ensure_corpus(data: Path, size: int, seed: int = 2016) -> Path:
    path = data / f"raw-{size}-seed{seed}-v{CORPUS_VERSION}.jsonl"
    if not path.exists():
        generate(path, size, seed)
    return path


def case(size: int, workers: int, data: Path = DEFAULT_DATA) -> Case:
    source = ensure_corpus(data, size)
    scratch = Path(tempfile.mkdtemp(prefix="bench-build-"))

    def reset() -> None:
        shutil.rmtree(scratch / "ws", ignore_errors=True)
        shutil.rmtree(scratch / "floor", ignore_errors=True)

    def project() -> None:
        _project.build_corpus(
            [source],
            _project.Workspace(scratch / "ws"),
            progress=False,
            options=_project.BuildOptions(workers=workers),
        )

    def run_floor() -> None:
        floor(source, scratch / "floor", workers, _project.CORPUS_FEATURES.arrow_schema)

    return Case(
        name="build",
        unit="article",
        units=size,
        workers=workers,
        project=project,
        floor=run_floor,
        reset=reset,
        sizes={"articles": size},
        cleanup=lambda: shutil.rmtree(scratch, ignore_errors=True),
    )
