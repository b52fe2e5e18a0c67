"""``build --engine ray``: the build's steps as Ray tasks, on one machine or a cluster.

The driver (the ``ceasefire-news build`` process) lists the source files and schedules
:mod:`ceasefire_news.dataset.corpus.ray_tasks`; every task reads and writes the version's
staging folder inside the workspace, so the sources and the workspace must be on storage
every node sees at the same path (a shared file system). Per-article data never reaches the
driver: it fetches each task's counts, and ``BuildReport.engine_stats`` says how many bytes
that was, which nodes ran tasks, and how many bytes linking stories read.

Without ``--ray-address`` Ray starts on this machine for the build and stops after it. Tasks
are retried when a worker or a node is lost (``MAX_RETRIES``); a build that still fails
stops with a one-line reason, and the version folder is never left looking complete.
"""

from __future__ import annotations

import pickle
import shutil
import socket
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from tqdm import tqdm

from ceasefire_news.dataset.corpus import ray_tasks, read
from ceasefire_news.dataset.corpus.finish import Target, Unchanged
from ceasefire_news.dataset.corpus.options import BuildOptions, BuildReport
from ceasefire_news.dataset.corpus.units import UnitCache, cache_salt
from ceasefire_news.schema.errors import RecordRejected, UsageError

#: Times Ray runs a task again after its worker or node was lost.
MAX_RETRIES = 4
STAGE_FOLDER = ".ray-stage"
#: Seconds to wait for the cluster's address to answer before giving up.
PROBE_TIMEOUT_S = 10.0


class _Driver:
    """Fetches task results and counts what the driver received."""

    def __init__(self, ray: Any) -> None:
        self.ray = ray
        self.fetched_bytes = 0
        self.nodes: set[str] = set()
        self.tasks = 0

    def get(self, ref: Any) -> dict[str, Any]:
        value: dict[str, Any] = self.ray.get(ref)
        self.fetched_bytes += len(pickle.dumps(value))
        self.nodes.add(str(value.get("node")))
        self.tasks += 1
        return value


def _import_ray() -> Any:
    try:
        import ray
    except ImportError as err:
        raise UsageError(
            "--engine ray needs Ray: install it with `pip install 'ceasefire-news[ray]'`, or build with --engine local"
        ) from err
    return ray


def _connect(ray: Any, options: BuildOptions) -> bool:
    """Join the cluster at ``options.ray_address`` or start Ray here; True when we started it."""
    if ray.is_initialized():
        return False
    common = {"log_to_driver": False, "configure_logging": False}
    if options.ray_address:
        _probe(options.ray_address)
    try:
        if options.ray_address:
            ray.init(address=options.ray_address, **common)
        else:
            ray.init(num_cpus=options.workers, include_dashboard=False, **common)
    except Exception as err:
        where = f"the Ray cluster at {options.ray_address}" if options.ray_address else "a local Ray"
        raise UsageError(
            f"cannot start or join {where} ({_first_line(err)}); check the address and that `ray start` runs there"
        ) from err
    return True


def _probe(address: str) -> None:
    """Fail at once, in one line, when nothing listens at ``address`` (Ray would retry for minutes)."""
    host, _, port = address.rpartition(":")
    if address.startswith(("ray://", "auto")):
        return
    if not host or not port.isdigit():
        raise UsageError(f"--ray-address {address!r}: expected HOST:PORT, the address `ray start --head` printed")
    try:
        with socket.create_connection((host, int(port)), timeout=PROBE_TIMEOUT_S):
            pass
    except OSError as err:
        raise UsageError(
            f"cannot join the Ray cluster at {address} ({err.strerror or err}); "
            "check the address and that `ray start --head` runs there"
        ) from None


def _first_line(err: BaseException) -> str:
    text = " ".join(str(err).split())
    return text[:240] or type(err).__name__


def build_on_ray(
    target: Target, paths: Sequence[Path], *, progress: bool, options: BuildOptions, cache: UnitCache | None
) -> BuildReport:
    """Build into ``target`` with Ray; the same version the local engine writes."""
    ray = _import_ray()
    # Tasks run in other working directories, on other nodes: every path they get is absolute.
    target = replace(
        target,
        folder=target.folder.absolute(),
        final=target.final.absolute(),
        parent_dir=target.parent_dir.absolute() if target.parent_dir is not None else None,
    )
    started = _connect(ray, options)
    stage = target.folder / STAGE_FOLDER
    stage.mkdir(parents=True, exist_ok=True)
    try:
        return _run(ray, target, paths, stage, progress=progress, options=options, cache=cache)
    except Exception as err:
        cause = getattr(err, "cause", None)
        if isinstance(cause, UsageError):  # a task's own one-line reason (a damaged parent version)
            raise UsageError(str(cause)) from None
        if isinstance(err, (UsageError, Unchanged)):
            raise
        raise UsageError(
            f"the Ray build failed ({type(err).__name__}: {_first_line(err)}); nothing was written, "
            "the previous versions are intact: check the cluster (`ray status`) and build again"
        ) from err
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        if started:
            ray.shutdown()


def _units(paths: Sequence[Path]) -> list[ray_tasks.Unit]:
    units = []
    for index, unit in enumerate(read.iter_units(paths)):
        if isinstance(unit, RecordRejected):
            units.append(ray_tasks.Unit(index, None, unit.where, (unit.where, unit.reason, unit.detail)))
        else:
            file, name = unit
            units.append(ray_tasks.Unit(index, str(Path(file).absolute()), name))
    return units


def _run(
    ray: Any,
    target: Target,
    paths: Sequence[Path],
    stage: Path,
    *,
    progress: bool,
    options: BuildOptions,
    cache: UnitCache | None,
) -> BuildReport:
    driver = _Driver(ray)
    remote = ray.remote(max_retries=MAX_RETRIES, num_cpus=1)
    # The many small tasks go to every node at once rather than filling the first one while the
    # others start their workers; the output does not depend on where a task ran.
    spread = ray.remote(max_retries=MAX_RETRIES, num_cpus=1, scheduling_strategy="SPREAD")
    process, dedupe, link, finish = (
        spread(ray_tasks.process_unit),
        remote(ray_tasks.dedupe),
        spread(ray_tasks.link_partition),
        remote(ray_tasks.finish),
    )
    units = _units(paths)
    salt = cache_salt(options.chunk_options())
    # By value, not ray.put: a put object dies with its owner when a driver joins a second cluster.
    chunk_options = options.chunk_options()
    cache_folder = str(cache.folder.absolute()) if cache is not None else None
    pending = [
        process.remote(unit, str(stage), chunk_options, options.chunk_size, cache_folder, salt) for unit in units
    ]
    keys: list[str] = []
    processed = cached = 0
    bar = tqdm(
        desc=f"build {target.version} (ray)",
        unit=" records",
        file=sys.stderr,
        disable=not progress,
        dynamic_ncols=True,
    )
    with bar:
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            counts = driver.get(done[0])
            bar.update(counts["consumed"])
            if counts["key"] is not None:
                keys.append(counts["key"])
                cached += bool(counts["cached"])
                processed += not counts["cached"]
        driver.get(dedupe.remote(str(stage), len(units)))
        partitions = max(1, min(64, int(ray.cluster_resources().get("CPU", 1))))
        links = [link.remote(str(stage), len(units), p, partitions, options.stories) for p in range(partitions)]
        linked = [driver.get(ref) for ref in links]
        boilerplate = sum(int(part["boilerplate"]) for part in linked)
        done_ = driver.get(finish.remote(str(stage), len(units), partitions, boilerplate, target, options))
    report: BuildReport = done_["report"]
    report.engine_stats = {
        "engine": "ray",
        "nodes": sorted(driver.nodes),
        "tasks": driver.tasks,
        "partitions": partitions,
        "driver_fetched_bytes": driver.fetched_bytes,
        "link_read_bytes": sum(int(part["read_bytes"]) for part in linked),
    }
    report.files_processed, report.files_cached = processed, cached
    if cache is not None:
        cache.prune(keys)
    if done_["unchanged"]:
        raise Unchanged(report)
    return report
