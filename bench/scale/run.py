"""The corpus build at scale: wall time, CPU per page, peak memory and bytes moved.

    python -m bench.scale.run --crawl bench/out/scale/crawl-10k --crawl bench/out/scale/crawl-100k \\
        --engine ray --nodes 2 --json bench/out/scale/ray-2.json

Each crawl is built into a fresh workspace by ``ceasefire-news build --source CRAWL --engine
ENGINE`` in a subprocess (``--no-cache``: every page is processed), while :mod:`bench.scale.sample`
samples the process tree. ``--nodes 2`` with ``--engine ray`` first starts a head and a second
node (``ray start``, one CPU each, under a temp folder) and passes ``--ray-address``; both are
stopped after. Two nodes on one small machine measure Ray's overhead and contention, not scaling.

Figures per crawl (median over ``--repeat`` runs): wall seconds, pages/s, CPU ms per page
(fetched URLs in the crawl; user + system of the driver and its waited-for descendants, plus
the sampled CPU of a started cluster's processes), peak RSS of the driver and of the largest
worker, and, from the build's Ray report line, bytes fetched by the driver and bytes read when
linking stories (the shuffle) per page; "n/a" where the engine does not report them. With two
crawls or more, the driver's peak RSS at the largest over the smallest crawl (target 1.5x).

Kept vs dropped pages: ``--dropped-crawl DIR`` (a crawl generated with ``--off-topic 1`` and
the same page count as the first ``--crawl``) is built too; its CPU per page is the cost of a
page the topic filter drops, and a kept page's cost is the first crawl's total CPU minus
dropped pages x that cost, over the kept pages the manifest counts.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

from bench.scale.generate import crawl_source
from bench.scale.sample import Sampler

DRIVER_BYTES = re.compile(r"driver fetched ([\d,]+) bytes")
LINK_BYTES = re.compile(r"linking stories read ([\d,]+) bytes")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _number(pattern: re.Pattern[str], text: str) -> int | None:
    found = pattern.search(text)
    return int(found.group(1).replace(",", "")) if found else None


def _pages(crawl: Path) -> int:
    counts = crawl / "crawl.json"
    if counts.exists():
        summary = json.loads(counts.read_text(encoding="utf-8"))
        # An HTML crawl holds the HTML pages only, one file each.
        return int(summary["files"] if summary["format"] == "html" else summary["pages"])
    return sum(1 for p in crawl.rglob("*") if p.is_file())


def build_once(
    crawl: Path, engine: str, address: str | None, marker: str | None, extra: list[str], dropped_only: bool = False
) -> dict[str, Any]:
    """One build of ``crawl`` into a fresh workspace, sampled; its figures.

    ``dropped_only``: the crawl has no page to keep, so the build ends with "no usable article"
    (exit 2) after reading and filtering every page, which is what is measured.
    """
    workspace = Path(tempfile.mkdtemp(prefix="bench-scale-ws-"))
    command = [
        sys.executable,
        "-m",
        "ceasefire_news",
        "build",
        "--workspace",
        str(workspace),
        "--source",
        str(crawl_source(crawl)),
        "--engine",
        engine,
        "--no-cache",
        "--no-progress",
        *extra,
    ]
    if address:
        command += ["--ray-address", address]
    cpu_before = _children_cpu()
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = Sampler(process.pid, cluster_marker=marker)
    sampler.start()
    stdout, stderr = process.communicate()
    wall = time.perf_counter() - started
    sampler.stop()
    cpu = _children_cpu() - cpu_before
    try:
        allowed = (0, 1, 2) if dropped_only and "no usable article" in stderr else (0, 1)
        if process.returncode not in allowed:
            raise SystemExit(f"build failed ({process.returncode}): {stderr.strip().splitlines()[-1:]}")
        manifests = sorted(workspace.glob("corpus/*/manifest.json"))
        manifest = json.loads(manifests[-1].read_text(encoding="utf-8")) if manifests else {}
    finally:
        shutil.rmtree(workspace, ignore_errors=True)
    sampled = sampler.summary()
    pages = _pages(crawl)
    # Processes a Ray driver starts itself (GCS, raylet, workers) are not all waited for, so
    # RUSAGE_CHILDREN misses them; the sampled CPU of the driver's tree catches them.
    tree = max(cpu, float(sampled["sampled_cpu_seconds_driver_tree"]))
    total_cpu = tree + float(sampled["sampled_cpu_seconds_outside_driver_tree"])
    fetched, linked = _number(DRIVER_BYTES, stdout), _number(LINK_BYTES, stdout)
    return {
        "pages": pages,
        "wall_s": wall,
        "pages_per_s": pages / wall,
        "cpu_s": total_cpu,
        "cpu_ms_per_page": 1000 * total_cpu / pages,
        "driver_peak_rss": sampled["driver_peak_rss"],
        "worker_peak_rss_max": sampled["worker_peak_rss_max"],
        "workers_seen": sampled["workers_seen"],
        "driver_fetched_bytes_per_page": None if fetched is None else fetched / pages,
        "shuffle_bytes_per_page": None if linked is None else linked / pages,
        "counts": manifest.get("counts", {}),
        "filtered": manifest.get("filtered", {}),
    }


def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    result = dict(runs[-1])
    for key, value in runs[-1].items():
        if isinstance(value, (int, float)) and not isinstance(value, bool) and all(r[key] is not None for r in runs):
            result[key] = statistics.median(r[key] for r in runs)
    result["repeats"] = len(runs)
    return result


class Cluster:
    """A head and ``nodes - 1`` more Ray nodes on this machine, one CPU each, under a temp folder.

    Stopped by process id: every process whose command line names this cluster's temp folder,
    and its children (``ray stop`` would stop every Ray process of the user on the machine).
    """

    def __init__(self, nodes: int) -> None:
        self.nodes = nodes
        self.temp = Path(tempfile.mkdtemp(prefix="bsray", dir="/tmp"))  # short: Ray's socket paths have a limit
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.address = f"127.0.0.1:{self.port}"
        self.env = {**os.environ, "RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0"}

    def __enter__(self) -> Cluster:
        ray = [sys.executable, "-m", "ray.scripts.scripts", "start"]
        common = ["--num-cpus", "1", "--node-ip-address", "127.0.0.1", "--disable-usage-stats"]
        head = ["--head", "--port", str(self.port), "--include-dashboard=false", "--temp-dir", str(self.temp)]
        try:
            self._start([*ray, *head, *common])
            for _ in range(self.nodes - 1):
                self._start([*ray, "--address", self.address, *common])
        except BaseException:
            self.__exit__()
            raise
        return self

    def _start(self, command: list[str]) -> None:
        done = subprocess.run(command, env=self.env, capture_output=True, text=True, timeout=180, check=False)
        if done.returncode != 0:
            raise SystemExit(f"ray start failed: {(done.stderr or done.stdout).strip().splitlines()[-1:]}")

    def __exit__(self, *exc: object) -> None:
        marker = str(self.temp)
        roots = [p for p in psutil.process_iter(["cmdline"]) if marker in " ".join(p.info.get("cmdline") or [])]
        doomed: dict[int, psutil.Process] = {}
        for root in roots:
            with contextlib.suppress(psutil.Error):
                doomed.update({p.pid: p for p in [root, *root.children(recursive=True)]})
        for proc in doomed.values():
            with contextlib.suppress(psutil.Error):
                proc.terminate()
        _, alive = psutil.wait_procs(list(doomed.values()), timeout=10)
        for proc in alive:
            with contextlib.suppress(psutil.Error):
                proc.kill()
        shutil.rmtree(self.temp, ignore_errors=True)


def _fmt(value: Any, scale: float = 1.0, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value / scale:,.{digits}f}"


def measure(args: argparse.Namespace) -> dict[str, Any]:
    extra = ["--topic", args.topic] if args.topic else []
    results: list[dict[str, Any]] = []
    cluster = Cluster(args.nodes) if args.engine == "ray" and args.nodes > 1 else None
    if cluster is not None:
        cluster.__enter__()
    try:
        address, marker = (cluster.address, str(cluster.temp)) if cluster else (None, None)
        for crawl in args.crawl:
            runs = [build_once(crawl, args.engine, address, marker, extra) for _ in range(args.repeat)]
            results.append({"crawl": str(crawl), **_median(runs)})
            print(f"{crawl}: {_line(results[-1])}", file=sys.stderr)
        dropped = None
        if args.dropped_crawl:
            runs = [
                build_once(args.dropped_crawl, args.engine, address, marker, extra, dropped_only=True)
                for _ in range(args.repeat)
            ]
            dropped = _median(runs)
    finally:
        if cluster is not None:
            cluster.__exit__()
    first = results[0]
    split: dict[str, Any] = {"method": "n/a (no --dropped-crawl)"}
    if dropped is not None:
        kept = int(first["counts"].get("kept", 0))
        dropped_pages = first["pages"] - kept
        kept_cpu = first["cpu_s"] - dropped_pages * dropped["cpu_ms_per_page"] / 1000
        split = {
            "method": "dropped-only crawl of the same size; kept = (total - dropped x its cost) / kept",
            "dropped_cpu_ms_per_page": dropped["cpu_ms_per_page"],
            "kept_cpu_ms_per_page": 1000 * kept_cpu / kept if kept else None,
        }
    ratio = None
    if len(results) > 1:
        small, large = min(results, key=lambda r: r["pages"]), max(results, key=lambda r: r["pages"])
        ratio = large["driver_peak_rss"] / small["driver_peak_rss"] if small["driver_peak_rss"] else None
    return {
        "engine": args.engine,
        "nodes": args.nodes,
        "topic": args.topic or "default",
        "machine": f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load_average": os.getloadavg(),
        "results": results,
        "kept_vs_dropped": split,
        "driver_rss_ratio_largest_smallest": ratio,
    }


def _line(r: dict[str, Any]) -> str:
    return (
        f"{r['pages']:,} pages, {r['wall_s']:.1f} s, {r['pages_per_s']:.0f} pages/s, "
        f"{r['cpu_ms_per_page']:.3f} CPU ms/page, driver {_fmt(r['driver_peak_rss'], 2**20, 0)} MiB, "
        f"largest worker {_fmt(r['worker_peak_rss_max'], 2**20, 0)} MiB, "
        f"driver fetched {_fmt(r['driver_fetched_bytes_per_page'])} B/page, "
        f"shuffle {_fmt(r['shuffle_bytes_per_page'])} B/page"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale.run", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--crawl",
        type=Path,
        action="append",
        required=True,
        help="a generated crawl (bench.scale.generate --out); repeat for the memory ratio",
    )
    parser.add_argument("--engine", choices=["local", "ray"], default="local")
    parser.add_argument(
        "--nodes",
        type=int,
        choices=[1, 2],
        default=1,
        help="ray: 1 lets the build start Ray itself; 2 starts a head and a second node first",
    )
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--topic", default=None, help="passed to build --topic (default: the build's default)")
    parser.add_argument(
        "--dropped-crawl", type=Path, default=None, help="an all-off-topic crawl, for the kept/dropped split"
    )
    parser.add_argument("--json", type=Path, required=True, help="where to write the figures")
    args = parser.parse_args(argv)
    for crawl in [*args.crawl, *([args.dropped_crawl] if args.dropped_crawl else [])]:
        if not crawl.is_dir():
            parser.error(f"--crawl {crawl}: not a folder; generate one with python -m bench.scale.generate")
    figures = measure(args)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    split = figures["kept_vs_dropped"]
    print(f"kept vs dropped: {split}")
    print(f"driver RSS largest/smallest crawl: {_fmt(figures['driver_rss_ratio_largest_smallest'])} (target <= 1.5)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
