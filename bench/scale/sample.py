"""Sampling a build's processes with psutil: CPU time and peak resident memory per process.

The tree is the driver (the ``ceasefire-news build`` process) and its descendants, plus, for a
Ray cluster started by the runner, every process whose command line names the cluster's temp
folder and their descendants (GCS, raylets and their workers are not the driver's children).
Samples are taken every ``interval`` seconds; a process's peak is the highest RSS seen (for
processes that live less than one interval it is missed). CPU time of processes that end
between samples is counted through ``RUSAGE_CHILDREN`` of the runner for the driver's tree.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field

import psutil


@dataclass
class ProcessStats:
    name: str
    role: str  # driver | worker (the driver's) | cluster (daemon) | cluster_worker
    peak_rss: int = 0
    cpu_seconds: float = 0.0
    cpu_at_start: float = 0.0


@dataclass
class Sampler:
    driver_pid: int
    cluster_marker: str | None = None
    interval: float = 0.1
    processes: dict[int, ProcessStats] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def _roots(self) -> list[psutil.Process]:
        roots: list[psutil.Process] = []
        with contextlib.suppress(psutil.NoSuchProcess):
            roots.append(psutil.Process(self.driver_pid))
        if self.cluster_marker:
            for proc in psutil.process_iter(["cmdline"]):
                cmd = " ".join(proc.info.get("cmdline") or [])
                if self.cluster_marker in cmd and proc.pid != self.driver_pid:
                    roots.append(proc)
        return roots

    def sample(self) -> None:
        seen: dict[int, tuple[psutil.Process, str]] = {}
        for root in self._roots():
            role = "driver" if root.pid == self.driver_pid else "cluster"
            seen.setdefault(root.pid, (root, role))
            try:
                for child in root.children(recursive=True):
                    seen.setdefault(child.pid, (child, "worker" if role == "driver" else "cluster_worker"))
            except psutil.NoSuchProcess:
                continue
        for pid, (proc, role) in seen.items():
            try:
                with proc.oneshot():
                    rss = proc.memory_info().rss
                    times = proc.cpu_times()
                    name = proc.name()
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            cpu = times.user + times.system
            stats = self.processes.get(pid)
            if stats is None:
                stats = self.processes[pid] = ProcessStats(
                    name, role, cpu_at_start=cpu if role.startswith("cluster") else 0.0
                )
            stats.peak_rss = max(stats.peak_rss, rss)
            stats.cpu_seconds = cpu

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def summary(self) -> dict[str, float | int]:
        driver = self.processes.get(self.driver_pid)
        workers = [p for pid, p in self.processes.items() if pid != self.driver_pid]
        ray_workers = [p for p in workers if p.role != "cluster"]
        cluster_cpu = sum(p.cpu_seconds - p.cpu_at_start for p in workers if p.role.startswith("cluster"))
        tree_cpu = sum(p.cpu_seconds for p in self.processes.values() if p.role in ("driver", "worker"))
        return {
            "sampled_cpu_seconds_driver_tree": tree_cpu,
            "driver_peak_rss": driver.peak_rss if driver else 0,
            "worker_peak_rss_max": max((p.peak_rss for p in ray_workers), default=0),
            "workers_seen": len(ray_workers),
            "sampled_cpu_seconds_outside_driver_tree": cluster_cpu,
        }
