"""Benchmark of the corpus build at several sizes, against an I/O floor measured in the same run.

For each size it generates (once, cached) a synthetic raw corpus with
``bench/build/generate.py``, then runs, each in its own subprocess so that peak memory is
measured per size:

- the I/O floor: read the same JSON Lines, and write the raw texts as Parquet with pyarrow;
- the build: ``ceasefire_news.dataset.corpus.build.build_corpus`` into a fresh workspace (cleaning, identity,
  deduplication, MinHash story clustering, the version folder).

It prints articles per second, peak RSS of the build process and of its largest worker,
the ratio of build time to floor time (the figure tracked over time), and the ratio of
peak RSS between the largest and the smallest size. The machine's load average is printed
before and after: on a shared machine, read the numbers with it.

    python bench/build/run.py                      # 10,000 and 100,000 articles, 2 workers
    python bench/build/run.py --sizes 2000 --workers 1
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

DEFAULT_DATA = REPO / "bench" / "out" / "build"


def _peak_rss_mib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


# --- children ------------------------------------------------------------------------------


def child_floor(source: Path, target: Path) -> dict[str, Any]:
    """Read the raw texts and write them as Parquet: the least any build has to do."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([("text", pa.string())])
    start = time.perf_counter()
    rows = 0
    with open(source, encoding="utf-8") as lines, pq.ParquetWriter(target, schema) as writer:
        texts: list[str] = []
        for line in lines:
            texts.append(json.loads(line)["text"])
            if len(texts) == 10_000:
                writer.write_table(pa.table({"text": texts}, schema=schema))
                rows += len(texts)
                texts = []
        if texts:
            writer.write_table(pa.table({"text": texts}, schema=schema))
            rows += len(texts)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "rows": rows, "peak_rss_mib": _peak_rss_mib(resource.RUSAGE_SELF)}


def _children() -> list[int]:
    found: list[int] = []
    for task in Path("/proc/self/task").iterdir():
        try:
            found += [int(pid) for pid in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _high_water_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class WorkerMemory(threading.Thread):
    """Samples the peak RSS of the worker processes.

    ``getrusage(RUSAGE_CHILDREN)`` would report the parent's size: a spawned worker starts
    as a fork of the parent, and Linux carries that peak over the exec. ``VmHWM`` in
    ``/proc/PID/status`` belongs to the process's own address space.
    """

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = 0.0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.2):
            for pid in _children():
                self.peak = max(self.peak, _high_water_mib(pid))


def child_build(source: Path, workspace: Path, workers: int) -> dict[str, Any]:
    """One build into a fresh workspace."""
    from ceasefire_news.dataset.corpus.build import BuildOptions, build_corpus
    from ceasefire_news.dataset.corpus.workspace import Workspace

    sampler = WorkerMemory()
    sampler.start()
    start = time.perf_counter()
    report = build_corpus([source], Workspace(workspace), progress=False, options=BuildOptions(workers=workers))
    seconds = time.perf_counter() - start
    sampler.done.set()
    sampler.join()
    size = sum(p.stat().st_size for p in report.path.iterdir())
    own, workers_usage = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        # CPU time depends far less on other load than wall time does.
        "cpu_s_main": own.ru_utime + own.ru_stime,
        "cpu_s_workers": workers_usage.ru_utime + workers_usage.ru_stime,
        "seconds": seconds,
        "read": report.read,
        "kept": report.kept,
        "duplicates": report.duplicates,
        "rejected": report.rejected,
        "stories": report.stories,
        "output_mib": size / 2**20,
        "peak_rss_mib": _peak_rss_mib(resource.RUSAGE_SELF),
        "worker_peak_rss_mib": sampler.peak,
    }


def _run_child(args: list[str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *args],
        check=False,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"benchmark child {args[0]} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# --- the benchmark -------------------------------------------------------------------------


def ensure_corpus(data: Path, size: int, seed: int) -> Path:
    from generate import CORPUS_VERSION, generate

    path = data / f"raw-{size}-seed{seed}-v{CORPUS_VERSION}.jsonl"
    if not path.exists():
        start = time.perf_counter()
        generate(path, size, seed)
        print(
            f"generated {size} articles in {time.perf_counter() - start:.1f} s: {path}",
            file=sys.stderr,
        )
    return path


def _warm(path: Path) -> None:
    # Both timed steps should find the input in the page cache, not one of them.
    with open(path, "rb") as fh:
        while fh.read(1 << 24):
            pass


def bench(sizes: list[int], workers: int, data: Path, seed: int) -> dict[str, Any]:
    results: dict[str, Any] = {
        "workers": workers,
        "cpus": os.cpu_count(),
        "load_before": os.getloadavg(),
        "sizes": {},
    }
    for size in sizes:
        source = ensure_corpus(data, size, seed)
        _warm(source)
        scratch = Path(tempfile.mkdtemp(prefix=f"bench-build-{size}-"))
        try:
            floor = _run_child(["_floor", str(source), str(scratch / "floor.parquet")])
            built = _run_child(["_build", str(source), str(scratch / "ws"), str(workers)])
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        cpu_ms = (built["cpu_s_main"] + built["cpu_s_workers"]) * 1000 / built["read"]
        results["sizes"][str(size)] = {
            "input_mib": source.stat().st_size / 2**20,
            "floor": floor,
            "build": built,
            "articles_per_s": built["read"] / built["seconds"],
            "ratio_to_floor": built["seconds"] / floor["seconds"],
            "cpu_ms_per_article": cpu_ms,
        }
        print(_line(size, results["sizes"][str(size)]), file=sys.stderr)
    results["load_after"] = os.getloadavg()
    return results


def _line(size: int, r: dict[str, Any]) -> str:
    b, f = r["build"], r["floor"]
    return (
        f"{size:>8} articles ({r['input_mib']:.0f} MiB): build {b['seconds']:.1f} s "
        f"= {r['articles_per_s']:,.0f} articles/s ({r['cpu_ms_per_article']:.2f} CPU ms "
        f"per article); floor {f['seconds']:.2f} s; "
        f"ratio {r['ratio_to_floor']:.1f}; peak RSS {b['peak_rss_mib']:.0f} MiB "
        f"(largest worker {b['worker_peak_rss_mib']:.0f} MiB); kept {b['kept']}, "
        f"duplicates {b['duplicates']}, stories {b['stories']}"
    )


def report(results: dict[str, Any]) -> str:
    lines = [
        f"workers {results['workers']} on {results['cpus']} CPUs; load average before "
        f"{', '.join(f'{x:.2f}' for x in results['load_before'])}, after "
        f"{', '.join(f'{x:.2f}' for x in results['load_after'])}",
        "",
        "| articles | input MiB | build s | articles/s | CPU ms/article | floor s | build/floor | "
        "peak RSS MiB | largest worker MiB | kept | duplicates | stories |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    sizes = sorted(results["sizes"], key=int)
    for size in sizes:
        r = results["sizes"][size]
        b = r["build"]
        lines.append(
            f"| {int(size):,} | {r['input_mib']:.0f} | {b['seconds']:.1f} | "
            f"{r['articles_per_s']:,.0f} | {r['cpu_ms_per_article']:.2f} | "
            f"{r['floor']['seconds']:.2f} | "
            f"{r['ratio_to_floor']:.1f} | {b['peak_rss_mib']:.0f} | "
            f"{b['worker_peak_rss_mib']:.0f} | {b['kept']:,} | {b['duplicates']:,} | "
            f"{b['stories']:,} |"
        )
    if len(sizes) > 1:
        small, large = results["sizes"][sizes[0]], results["sizes"][sizes[-1]]
        main_ratio = large["build"]["peak_rss_mib"] / small["build"]["peak_rss_mib"]
        worker_ratio = large["build"]["worker_peak_rss_mib"] / max(small["build"]["worker_peak_rss_mib"], 1.0)
        lines += [
            "",
            f"peak RSS {sizes[-1]} / {sizes[0]}: build process {main_ratio:.2f}, "
            f"largest worker {worker_ratio:.2f} (target: at most 1.5)",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_floor":
        print(json.dumps(child_floor(Path(argv[1]), Path(argv[2]))))
        return 0
    if argv and argv[0] == "_build":
        print(json.dumps(child_build(Path(argv[1]), Path(argv[2]), int(argv[3]))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="where corpora are cached")
    parser.add_argument("--json", type=Path, help="also write the results here as JSON")
    args = parser.parse_args(argv)
    results = bench(args.sizes, args.workers, args.data, args.seed)
    print(report(results))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
