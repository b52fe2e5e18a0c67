"""The incremental corpus build: a full build, then one new file, in CPU time.

A synthetic corpus (``bench/build/generate.py``) of ``--articles`` articles is cut into
``--files`` JSON Lines files. The full build reads all of them into a fresh workspace; then one
more file of ``--added`` articles is added and the same workspace builds again, its per-file
cache holding the earlier files. CPU time is user + system of this process and of the worker
processes it waited for (:func:`bench.harness.cpu_seconds`). The target: the second build costs
at most a tenth of the first.

    python -m bench.incremental.run --articles 100000 --files 100 --added 1000
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench import _project
from bench.build.generate import CORPUS_VERSION, generate
from bench.harness import cpu_seconds

REPO = Path(__file__).resolve().parents[2]
DEFAULT_DATA = REPO / "bench" / "out" / "incremental"
TARGET = 0.10


def corpus_files(data: Path, articles: int, files: int, added: int, seed: int = 2016) -> tuple[list[Path], Path]:
    """``files`` JSON Lines files of ``articles`` articles in all, and one more of ``added``."""
    folder = data / f"corpus-{articles}-{files}-{added}-seed{seed}-v{CORPUS_VERSION}"
    done = folder / "done"
    parts = [folder / "corpus" / f"part-{index:04d}.jsonl" for index in range(files)]
    extra = folder / "added" / "part-new.jsonl"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        raw = generate(folder / "all.jsonl", articles + added, seed)
        lines = raw.read_bytes().splitlines(keepends=True)
        raw.unlink()
        per_file = -(-articles // files)
        parts[0].parent.mkdir(parents=True)
        for index, part in enumerate(parts):
            part.write_bytes(b"".join(lines[index * per_file : min(articles, (index + 1) * per_file)]))
        extra.parent.mkdir(parents=True)
        extra.write_bytes(b"".join(lines[articles:]))
        done.write_text("ok\n")
    return parts, extra


def _build(sources: list[Path], workspace: Path, workers: int) -> tuple[float, float, object]:
    cpu, wall = cpu_seconds(), time.perf_counter()
    report = _project.build_corpus(
        sources, _project.Workspace(workspace), progress=False, options=_project.BuildOptions(workers=workers)
    )
    return cpu_seconds() - cpu, time.perf_counter() - wall, report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--added", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="where the corpus files are cached")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args(argv)
    parts, extra = corpus_files(args.data, args.articles, args.files, args.added)
    scratch = Path(tempfile.mkdtemp(prefix="bench-incremental-"))
    try:
        full_cpu, full_wall, full = _build(parts, scratch / "ws", args.workers)
        more_cpu, more_wall, more = _build([*parts, extra], scratch / "ws", args.workers)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    figures = {
        "articles": args.articles,
        "files": args.files,
        "added": args.added,
        "workers": args.workers,
        "full": {"cpu_s": round(full_cpu, 2), "wall_s": round(full_wall, 2), "kept": getattr(full, "kept", None)},
        "incremental": {
            "cpu_s": round(more_cpu, 2),
            "wall_s": round(more_wall, 2),
            "kept": getattr(more, "kept", None),
            "cached_files": getattr(more, "files_cached", None),
            "processed_files": getattr(more, "files_processed", None),
        },
        "ratio": round(more_cpu / full_cpu, 4),
        "target": TARGET,
        "met": more_cpu <= TARGET * full_cpu,
    }
    text = json.dumps(figures, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
