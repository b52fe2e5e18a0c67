"""Benchmark of release and validate on synthetic annotations, against a pyarrow floor in the same run.

It generates (once, cached under ``bench/out/release``) a workspace with
``bench/release/generate.py``, then runs, each in its own subprocess so that peak RSS is
measured per phase:

- ``release``: ``ceasefire_news.dataset.release.pipeline.release_corpus`` (the newest annotations from the annotation
  table, re-check every annotation against the corpus text, adjudicate, agreement, write the four configs, card,
  Croissant, manifest, and the release's own validation of the result);
- ``validate``: ``ceasefire_news.dataset.release.validate.validate_release`` on the release, every check including
  re-parsing each raw result (the row checks in a worker process per usable core);
- ``floor``: what any release has to do at least, with plain pyarrow: parse every log line
  with ``json.loads`` and write the same four tables (read into memory beforehand, not
  timed) with the same Parquet options. The parse is timed twice, before the release and
  after the validation, and the floor takes their mean: the machine's speed drifts over
  minutes.

The log is read once, untimed, before each phase that reads it, so that each finds it in the
page cache. The floor's CPU time covers its timed parts only.

It prints wall seconds, CPU seconds (the release's include its worker processes), peak
RSS (of the release process, of its largest worker, and of all of them together, sampled
from /proc) and the ratios release / floor and (release + validate) / floor, in wall time and in
CPU time. The load average is printed before and after: on a shared machine, read the wall
times with it; CPU time depends much less on what else runs.

    python bench/release/run.py                          # 1,000,000 annotations, 4 per article
    python bench/release/run.py --annotations 40000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

DEFAULT_DATA = REPO / "bench" / "out" / "release"


def _peak_rss_mib(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (the release's workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class _MemorySampler:
    """Samples the resident memory of this process and of its children (the release's
    workers) from /proc: the peak of their sum, and each worker's own peak (VmHWM).
    ``ru_maxrss`` would not do for spawned workers: it carries over the parent's peak from
    before their exec."""

    def __init__(self) -> None:
        self.total_mib = 0.0
        self.worker_mib = 0.0
        self._stop = False

    @staticmethod
    def _status(pid: int | str) -> dict[str, float]:
        try:
            with open(f"/proc/{pid}/status", encoding="ascii") as fh:
                return {
                    k: int(v.split()[0]) / 1024 for k, v in (line.split(":", 1) for line in fh) if k.startswith("Vm")
                }
        except OSError:
            return {}

    def _children(self) -> list[str]:
        pid = os.getpid()
        found = []
        for task in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as fh:
                    found += fh.read().split()
            except OSError:
                continue
        return found

    def run(self) -> None:
        while not self._stop:
            total = self._status("self").get("VmRSS", 0.0)
            for child in self._children():
                status = self._status(child)
                total += status.get("VmRSS", 0.0)
                self.worker_mib = max(self.worker_mib, status.get("VmHWM", 0.0))
            self.total_mib = max(self.total_mib, total)
            time.sleep(0.2)

    def stop(self) -> None:
        self._stop = True


def child_release(workspace: Path) -> dict[str, Any]:
    import threading

    from ceasefire_news.dataset.release.pipeline import release_corpus

    sampler = _MemorySampler()
    thread = threading.Thread(target=sampler.run, daemon=True)
    thread.start()
    start = time.perf_counter()
    report = release_corpus(workspace, progress=False)
    seconds = time.perf_counter() - start
    sampler.stop()
    thread.join()
    return {
        "seconds": seconds,
        "rows": report.rows,
        "review": report.review_items,
        "path": str(report.path),
        "total_rss_mib": sampler.total_mib,
        "worker_hwm_mib": sampler.worker_mib,
        "compiled": _compiled(),
    }


def _compiled() -> str:
    """How many of the modules ``setup.py`` compiles were imported compiled, e.g. ``5 of 5``
    (0 where the project was installed without a C compiler, or run from a checkout that an
    editable install has not compiled into)."""
    import importlib.machinery
    import tomllib

    listed = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["ceasefire-news"]["compiled"]
    names = [path.removesuffix(".py").replace("/", ".") for path in listed]
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    done = sum(1 for name in names if str(getattr(sys.modules.get(name), "__file__", "")).endswith(suffixes))
    return f"{done} of {len(names)}"


def child_validate(folder: Path) -> dict[str, Any]:
    import threading

    from ceasefire_news.dataset.release.validate import validate_release

    sampler = _MemorySampler()
    thread = threading.Thread(target=sampler.run, daemon=True)
    thread.start()
    start = time.perf_counter()
    issues = validate_release(folder)
    seconds = time.perf_counter() - start
    sampler.stop()
    thread.join()
    return {"seconds": seconds, "issues": len(issues), "total_rss_mib": sampler.total_mib}


def _parse_log(workspace: Path) -> tuple[int, float, float]:
    """``json.loads`` of every log line: (lines, wall seconds, CPU seconds)."""
    start, cpu = time.perf_counter(), _cpu_seconds()
    lines = 0
    with open(workspace / "annotations" / "log.jsonl", "rb") as log:
        for line in log:
            json.loads(line)
            lines += 1
    return lines, time.perf_counter() - start, _cpu_seconds() - cpu


def child_parse(workspace: Path) -> dict[str, Any]:
    lines, seconds, cpu = _parse_log(workspace)
    return {"seconds": seconds, "timed_cpu_seconds": cpu, "lines": lines}


def child_floor(workspace: Path, folder: Path, target: Path) -> dict[str, Any]:
    import pyarrow.parquet as pq

    from ceasefire_news.dataset.release.writers import PARQUET_OPTIONS
    from ceasefire_news.schema.records import RELEASE_CONFIGS

    tables = {p: pq.read_table(p) for p in sorted((folder / "data").rglob("*.parquet"))}  # not timed
    lines, parse_seconds, parse_cpu = _parse_log(workspace)
    start, cpu = time.perf_counter(), _cpu_seconds()
    for path, table in tables.items():
        config = path.parent.name
        out = target / path.relative_to(folder)
        out.parent.mkdir(parents=True, exist_ok=True)
        with pq.ParquetWriter(out, RELEASE_CONFIGS[config].arrow_schema, **PARQUET_OPTIONS) as writer:
            writer.write_table(table, row_group_size=20_000)
    return {
        "parse_seconds": parse_seconds,
        "parse_cpu_seconds": parse_cpu,
        "write_seconds": time.perf_counter() - start,
        "write_cpu_seconds": _cpu_seconds() - cpu,
        "lines": lines,
    }


def _read_through(path: Path) -> None:
    """Read a file once, untimed, so that the phase that follows finds it in the page cache.
    Idle page cache is reclaimed here: without this, whichever phase reads the log first
    would also pay for reading 3.5 GiB from disk."""
    with open(path, "rb") as fh:
        while fh.read(16 << 20):
            pass


def _steal_seconds() -> float:
    """CPU time the hypervisor gave to others, all cores, since boot (0 where not reported)."""
    try:
        with open("/proc/stat", encoding="ascii") as fh:
            fields = fh.readline().split()
    except OSError:
        return 0.0
    return int(fields[8]) / os.sysconf("SC_CLK_TCK") if len(fields) > 8 else 0.0


def _child(phase: str, *args: str) -> dict[str, Any]:
    steal = _steal_seconds()
    result = _run_child(phase, *args)
    result["steal_seconds"] = _steal_seconds() - steal
    return result


def _run_child(phase: str, *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", phase, *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    if done.returncode != 0:
        raise SystemExit(f"{phase} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annotations", type=int, default=1_000_000)
    parser.add_argument("--per-article", type=int, default=4)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        phase, *rest = args.child
        paths = [Path(p) for p in rest]
        cpu_before = _cpu_seconds()
        children = {"release": child_release, "validate": child_validate, "parse": child_parse, "floor": child_floor}
        result = children[phase](*paths)
        result["cpu_before"] = cpu_before
        result["cpu_seconds"] = _cpu_seconds() - result.pop("cpu_before")
        result["peak_rss_mib"] = _peak_rss_mib()
        print(json.dumps(result))
        return

    from generate import generate

    root = args.data / f"{args.annotations}x{args.per_article}"
    if not (root / "generated.json").exists():
        shutil.rmtree(root, ignore_errors=True)
        start = time.perf_counter()
        counts = generate(root, args.annotations, args.per_article)
        print(f"generated {counts} in {time.perf_counter() - start:.0f} s", flush=True)
    counts = json.loads((root / "generated.json").read_text())
    workspace = root / "workspace"
    shutil.rmtree(workspace / "release", ignore_errors=True)
    shutil.rmtree(root / "floor", ignore_errors=True)

    print(f"load average before: {os.getloadavg()}, cores: {os.cpu_count()}", flush=True)
    log = workspace / "annotations" / "log.jsonl"
    _read_through(log)
    before = _child("parse", str(workspace))  # the floor's parse, once before and once after
    release = _child("release", str(workspace))
    folder = Path(release["path"])
    validate = _child("validate", str(folder))
    _read_through(log)
    floor = _child("floor", str(workspace), str(folder), str(root / "floor"))
    print(f"load average after: {os.getloadavg()}")
    # The machine's speed drifts over minutes: the floor's parse is taken as the mean of the two
    # measured on either side of the release and the validation.
    parse_s = (before["seconds"] + floor["parse_seconds"]) / 2
    floor_s = parse_s + floor["write_seconds"]
    floor_cpu = (before["timed_cpu_seconds"] + floor["parse_cpu_seconds"]) / 2 + floor["write_cpu_seconds"]

    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    summary = {
        "annotations": counts["annotations"],
        "log_lines": counts["log_lines"],
        "log_mib": round(counts["log_bytes"] / 2**20),
        "articles": counts["articles"],
        "release_rows": release["rows"],
        "release_mib": round(size / 2**20),
        "compiled_modules": release["compiled"],
        "release_s": round(release["seconds"], 1),
        "release_peak_rss_mib": round(release["peak_rss_mib"]),
        "release_largest_worker_peak_mib": round(release["worker_hwm_mib"]),
        "release_peak_total_rss_mib": round(release["total_rss_mib"]),
        "validate_s": round(validate["seconds"], 1),
        "validate_issues": validate["issues"],
        "validate_peak_rss_mib": round(validate["peak_rss_mib"]),
        "validate_peak_total_rss_mib": round(validate["total_rss_mib"]),
        "floor_s": round(floor_s, 1),
        "floor_parse_before_s": round(before["seconds"], 1),
        "floor_parse_after_s": round(floor["parse_seconds"], 1),
        "floor_write_s": round(floor["write_seconds"], 1),
        "floor_peak_rss_mib": round(floor["peak_rss_mib"]),
        "release_cpu_s": round(release["cpu_seconds"], 1),
        "validate_cpu_s": round(validate["cpu_seconds"], 1),
        "floor_cpu_s": round(floor_cpu, 1),
        "release_over_floor": round(release["seconds"] / floor_s, 2),
        "release_and_validate_over_floor": round((release["seconds"] + validate["seconds"]) / floor_s, 2),
        "release_cpu_over_floor_cpu": round(release["cpu_seconds"] / floor_cpu, 2),
        # CPU seconds per wall second: near the number of cores when the machine gave them all.
        "release_cores_busy": round(release["cpu_seconds"] / release["seconds"], 2),
        # Taken by the hypervisor from this machine's cores while each phase ran.
        "steal_s": {
            "release": round(release["steal_seconds"], 1),
            "floor_parse_before": round(before["steal_seconds"], 1),
            "floor": round(floor["steal_seconds"], 1),
        },
    }
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
