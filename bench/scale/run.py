"""Build a generated crawl with each engine and measure it: speed, CPU, memory, driver bytes.

    python -m bench.scale.run --crawl bench/out/scale/crawl-100000 --engine local --json out.json
    python -m bench.scale.run --crawl ... --engine ray --nodes 2 --json out.json

The build is the CLI (``ceasefire-news build``) in a subprocess, into a fresh workspace. For
``--engine ray`` a cluster of ``--nodes`` nodes is started on this machine with ``ray start``
(one node: 2 CPUs; two nodes: 1 CPU each) and stopped afterwards. Every 0.2 s the processes
are sampled from /proc: the driver (the CLI) and its workers (the local engine's pool, or
Ray's ``ray::`` worker processes). CPU is user + system time of the CLI and its children
(local) or of every process of the Ray session (ray), read at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

TICKS = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") / 1024


def _proc(pid: int) -> tuple[int, str, float, float] | None:
    """Parent, command line, CPU seconds and resident memory (MB) of a process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        statm = Path(f"/proc/{pid}/statm").read_text().split()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    cpu = (int(fields[11]) + int(fields[12])) / TICKS
    return int(fields[1]), cmd, cpu, int(statm[1]) * PAGE_KB / 1024


def _table() -> dict[int, tuple[int, str, float, float]]:
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (info := _proc(int(entry.name))) is not None:
            found[int(entry.name)] = info
    return found


def _descendants(table: dict[int, tuple[int, str, float, float]], root: int) -> set[int]:
    found, frontier = set(), {root}
    while frontier:
        found |= frontier
        frontier = {pid for pid, info in table.items() if info[0] in frontier} - found
    return found


class Sampler(threading.Thread):
    """Peak resident memory of the driver and of its workers, and the Ray session's CPU."""

    def __init__(self, driver: int, ray_temp: str | None) -> None:
        super().__init__(daemon=True)
        self.driver, self.ray_temp = driver, ray_temp
        self.peak_driver = self.peak_worker = 0.0
        self.ray_cpu: dict[int, float] = {}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            table = _table()
            if self.driver in table:
                self.peak_driver = max(self.peak_driver, table[self.driver][3])
            workers = _descendants(table, self.driver) - {self.driver}
            workers |= {pid for pid, info in table.items() if info[1].startswith("ray::") and "Agent" not in info[1]}
            for pid in workers:
                self.peak_worker = max(self.peak_worker, table[pid][3])
            if self.ray_temp:
                for pid, info in table.items():
                    if self.ray_temp in info[1] or info[1].startswith("ray::"):
                        self.ray_cpu[pid] = info[2]
            time.sleep(0.2)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _ray(*args: str, env: dict[str, str]) -> None:
    ray = str(Path(sys.executable).with_name("ray"))
    subprocess.run([ray, *args], env=env, check=True, capture_output=True, timeout=300)


def measure(crawl: Path, engine: str, nodes: int = 1, workers: int = 2) -> dict[str, Any]:
    """One build of ``crawl``; its figures."""
    scratch = Path(tempfile.mkdtemp(prefix="scale", dir="/tmp"))
    env = {**os.environ, "RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0"}
    cli = str(Path(sys.executable).with_name("ceasefire-news"))
    command = [cli, "build", "--no-progress", "--no-cache", "--workspace", str(scratch / "ws"), "--source", str(crawl)]
    temp = None
    if engine == "ray":
        temp, port = str(scratch / "ray"), _free_port()
        common = ["--node-ip-address", "127.0.0.1", "--disable-usage-stats"]
        cpus = "2" if nodes == 1 else "1"
        _ray(
            "start",
            "--head",
            "--port",
            str(port),
            "--num-cpus",
            cpus,
            "--include-dashboard=false",
            "--temp-dir",
            temp,
            *common,
            env=env,
        )
        for _ in range(nodes - 1):
            _ray("start", "--address", f"127.0.0.1:{port}", "--num-cpus", "1", *common, env=env)
        command += ["--engine", "ray", "--ray-address", f"127.0.0.1:{port}"]
    else:
        command += ["--engine", "local"]
    try:
        start = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        sampler = Sampler(process.pid, temp)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        out = process.stdout.read() if process.stdout else ""
        err = process.stderr.read() if process.stderr else ""
        sampler.done.set()
        sampler.join()
        if os.waitstatus_to_exitcode(status) not in (0, 1):
            raise RuntimeError(f"build failed: {err.strip()[-400:]}")
        cpu = usage.ru_utime + usage.ru_stime + sum(sampler.ray_cpu.values())
    finally:
        if engine == "ray":
            _ray("stop", "--force", env=env)
        shutil.rmtree(scratch, ignore_errors=True)
    pages = sum(1 for _ in _pages(crawl))
    figures = _parse(out)
    figures.update(
        engine=engine if engine == "local" else f"ray-{nodes}node",
        pages=pages,
        wall_s=round(wall, 2),
        pages_per_s=round(pages / wall, 1),
        cpu_s=round(cpu, 2),
        cpu_ms_per_page=round(1000 * cpu / pages, 3),
        peak_rss_driver_mb=round(sampler.peak_driver, 1),
        peak_rss_worker_mb=round(sampler.peak_worker, 1),
    )
    if "link_read_bytes" in figures:
        figures["shuffle_bytes_per_page"] = round(figures["link_read_bytes"] / pages, 1)
    return figures


def _pages(crawl: Path) -> list[int]:
    """One entry per HTML response planned in the crawl (from the generator's request records)."""
    import gzip

    found = []
    for file in sorted(crawl.glob("*.warc.gz")):
        found.extend(1 for _ in re.finditer(rb"WARC-Type: request", gzip.decompress(file.read_bytes())))
    return found


def _parse(out: str) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    if match := re.search(r"articles kept: (\d+) of (\d+) read", out):
        figures["kept"], figures["records"] = int(match[1]), int(match[2])
    if match := re.search(r"left out:\s+(\d+) \(([^)]*)\)", out):
        figures["left_out"] = int(match[1])
        figures["off_topic"] = int(m[1]) if (m := re.search(r"(\d+) off_topic", match[2])) else 0
    if match := re.search(r"the driver fetched ([\d,]+) bytes", out):
        figures["driver_fetched_bytes"] = int(match[1].replace(",", ""))
    if match := re.search(r"story links read ([\d,]+) bytes", out):
        figures["link_read_bytes"] = int(match[1].replace(",", ""))
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--crawl", type=Path, required=True)
    parser.add_argument("--engine", choices=["local", "ray"], default="local")
    parser.add_argument("--nodes", type=int, choices=[1, 2], default=1)
    parser.add_argument("--json", type=Path, help="append the figures to this JSON Lines file")
    args = parser.parse_args(argv)
    figures = measure(args.crawl, args.engine, args.nodes)
    text = json.dumps(figures)
    print(text)
    if args.json:
        with args.json.open("a", encoding="utf-8") as handle:
            handle.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
