"""Measuring one benchmark: the project and its floor, alternated, in CPU time per unit.

A benchmark is a :class:`Case`: ``project()`` and ``floor()`` do the same class of work on the
same inputs with the same number of worker processes, ``reset()`` puts the inputs back
(untimed) before each of them, and ``units`` counts what both handled (articles, tasks,
annotations). :func:`measure` runs one untimed pair first (lazy imports, page cache), then
``repeats`` pairs in alternation, project then floor, so that both meet the same load.

CPU time is user + system time of this process and of the worker processes it waited for
(``getrusage`` of ``RUSAGE_SELF`` and ``RUSAGE_CHILDREN``): on a shared machine it moves far
less with other work than wall time does, and it does not reward a side for using more cores.

``CEASEFIRE_BENCH_PLANT=F`` makes the project side burn ``F - 1`` times its own CPU time
after each run: a planted slowdown that exists only here, so that a test can show the gate
failing on it.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import resource
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PLANT_VARIABLE = "CEASEFIRE_BENCH_PLANT"


@dataclass
class Case:
    """One benchmark at one size, ready to run."""

    name: str
    unit: str
    units: int
    workers: int
    project: Callable[[], None]
    floor: Callable[[], None]
    reset: Callable[[], None] = lambda: None
    sizes: dict[str, Any] = field(default_factory=dict)
    cleanup: Callable[[], None] = lambda: None


def cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _own_cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def _burn(seconds: float) -> None:
    """Busy work in this process until it has used ``seconds`` more CPU time (no sleeping)."""
    until = _own_cpu_seconds() + seconds
    x = 0
    while _own_cpu_seconds() < until:
        for i in range(10_000):
            x ^= i


def planted_factor() -> float:
    value = os.environ.get(PLANT_VARIABLE, "")
    return float(value) if value else 1.0


class MemorySampler:
    """Peak resident memory of this process and of its children while a run lasts.

    ``ru_maxrss`` would not do: it never goes down between runs, and a spawned worker's
    carries over its parent's peak from before the exec. This process's own peak is reset
    through ``/proc/self/clear_refs``; children are sampled every 0.1 s (``VmHWM``, their own
    peak) and so is the sum of everyone's ``VmRSS``.
    """

    def __init__(self) -> None:
        self.max_process_mib = 0.0
        self.total_mib = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> MemorySampler:
        with contextlib.suppress(OSError):
            Path("/proc/self/clear_refs").write_text("5")
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    @staticmethod
    def _status(pid: str) -> dict[str, float]:
        try:
            with open(f"/proc/{pid}/status", encoding="ascii") as fh:
                return {
                    k: int(v.split()[0]) / 1024 for k, v in (line.split(":", 1) for line in fh) if k.startswith("Vm")
                }
        except (OSError, ValueError):
            return {}

    @staticmethod
    def _children() -> list[str]:
        found: list[str] = []
        for task in os.listdir("/proc/self/task"):
            try:
                with open(f"/proc/self/task/{task}/children", encoding="ascii") as fh:
                    found += fh.read().split()
            except OSError:
                continue
        return found

    def _sample(self) -> None:
        own = self._status("self")
        total = own.get("VmRSS", 0.0)
        peak = own.get("VmHWM", 0.0)
        for child in self._children():
            status = self._status(child)
            total += status.get("VmRSS", 0.0)
            peak = max(peak, status.get("VmHWM", 0.0))
        self.total_mib = max(self.total_mib, total)
        self.max_process_mib = max(self.max_process_mib, peak)

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self._sample()


def timed(run: Callable[[], None], *, plant: float = 1.0, memory: bool = False) -> dict[str, float]:
    """CPU seconds (self and waited-for children) and wall seconds of one run."""
    sampler = MemorySampler() if memory else None
    cpu, wall = cpu_seconds(), time.perf_counter()
    if sampler is not None:
        with sampler:
            run()
    else:
        run()
    used = cpu_seconds() - cpu
    if plant > 1.0:
        _burn(used * (plant - 1.0))
    result = {"cpu_s": cpu_seconds() - cpu, "wall_s": time.perf_counter() - wall}
    if sampler is not None:
        result["peak_rss_mib"] = sampler.max_process_mib
        result["peak_total_rss_mib"] = sampler.total_mib
    return result


def spread(values: list[float]) -> float:
    """(max - min) / median: how far repeats of one figure fell apart."""
    middle = statistics.median(values)
    return (max(values) - min(values)) / middle if middle else 0.0


def measure_memory(case: Case) -> dict[str, Any]:
    """One run of the project alone, its peak memory sampled: the largest process and all together."""
    case.reset()
    run = timed(case.project, memory=True)
    case.reset()
    return {
        "name": case.name,
        "unit": case.unit,
        "units": case.units,
        "workers": case.workers,
        "sizes": case.sizes,
        "project_cpu_ms_per_unit": run["cpu_s"] * 1000 / case.units,
        "project_wall_s": run["wall_s"],
        "project_peak_rss_mib": run["peak_rss_mib"],
        "project_peak_total_rss_mib": run["peak_total_rss_mib"],
    }


def measure(case: Case, repeats: int, *, rounds: int = 1, warmup: bool = True) -> dict[str, Any]:
    """Alternated runs of the project and its floor; medians, ratios per repeat and their spread.

    A repeat is ``rounds`` alternations (project, floor, project, floor, ...) whose CPU times are
    summed per side: on a shared machine one run now and then meets a busy neighbour (a
    hyperthread sibling, a cache), and short runs alternated more often average that out.
    """
    plant = planted_factor()
    if warmup:
        for run in (case.project, case.floor):
            case.reset()
            run()
    project: list[dict[str, float]] = []
    floor: list[dict[str, float]] = []
    for _ in range(repeats):
        sides = {"project": {"cpu_s": 0.0, "wall_s": 0.0}, "floor": {"cpu_s": 0.0, "wall_s": 0.0}}
        for _ in range(rounds):
            for side, run, factor in (("project", case.project, plant), ("floor", case.floor, 1.0)):
                case.reset()
                for key, value in timed(run, plant=factor).items():
                    sides[side][key] += value
        project.append(sides["project"])
        floor.append(sides["floor"])
    case.reset()
    # Each repeat's two sides ran interleaved under the same load: their ratio is the figure, not
    # the ratio of two medians taken at different moments.
    ratios = [p["cpu_s"] / f["cpu_s"] for p, f in zip(project, floor, strict=True)]
    per_unit = 1000 / (case.units * rounds)
    result: dict[str, Any] = {
        "name": case.name,
        "unit": case.unit,
        "units": case.units,
        "workers": case.workers,
        "sizes": case.sizes,
        "repeats": repeats,
        "rounds": rounds,
        "ratio": statistics.median(ratios),
        "ratios": ratios,
        "spread": spread(ratios),
        "project_cpu_ms_per_unit": statistics.median(p["cpu_s"] for p in project) * per_unit,
        "floor_cpu_ms_per_unit": statistics.median(f["cpu_s"] for f in floor) * per_unit,
        "project_spread": spread([p["cpu_s"] for p in project]),
        "floor_spread": spread([f["cpu_s"] for f in floor]),
        "project_wall_s": statistics.median(p["wall_s"] for p in project) / rounds,
        "floor_wall_s": statistics.median(f["wall_s"] for f in floor) / rounds,
        "planted": plant,
    }
    return result


def line_ranges(path: Path, parts: int) -> list[tuple[int, int]]:
    """``parts`` byte ranges of a JSON Lines file, each ending at the end of a line."""
    size = path.stat().st_size
    bounds = [0]
    with open(path, "rb") as fh:
        for i in range(1, parts):
            fh.seek(max(bounds[-1], size * i // parts))
            fh.readline()
            bounds.append(min(fh.tell(), size))
    bounds.append(size)
    return [(a, b) for a, b in itertools.pairwise(bounds) if b > a]


def iter_lines(path: Path, start: int, end: int) -> Iterator[bytes]:
    """The lines of one range from :func:`line_ranges`, streamed."""
    with open(path, "rb") as fh:
        fh.seek(start)
        at = start
        for line in fh:
            if at >= end:
                return
            at += len(line)
            yield line


def split_file(path: Path, workers: int, block: int = 64 << 20) -> list[tuple[int, int]]:
    """Ranges for ``workers`` processes: a few per worker, none much over ``block`` bytes."""
    return line_ranges(path, max(4 * workers, path.stat().st_size // block + 1))
