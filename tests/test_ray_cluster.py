"""A real two-node Ray cluster on this machine: the build runs on both nodes and survives faults.

The head and a second node are separate ``ray start`` processes with one CPU each. The build
is the CLI, as a user runs it, joining the cluster with ``--ray-address``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ceasefire_news.dataset.corpus.build import BuildOptions, build_corpus
from ceasefire_news.dataset.corpus.workspace import Workspace
from tests.ray_support import folder_digests, jsonl_parts, require_ray

CLI = [sys.executable, "-m", "ceasefire_news.cli.app"]


@dataclass
class Cluster:
    address: str
    env: dict[str, str]
    temp: Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _processes() -> dict[int, tuple[int, str, float]]:
    """Every process: parent pid, command line, start time (clock ticks)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        found[int(entry.name)] = (int(fields[1]), cmdline, float(fields[19]))
    return found


def second_node_processes(cluster: Cluster) -> tuple[int, list[int]]:
    """The second node's raylet and the task workers it started (this cluster's only)."""
    table = _processes()
    raylets = sorted(
        (start, pid) for pid, (_, cmd, start) in table.items() if "/raylet/raylet " in cmd and str(cluster.temp) in cmd
    )
    assert len(raylets) == 2, f"expected two raylets, found {len(raylets)}"
    raylet = raylets[-1][1]
    agents = ("ray::DashboardAgent", "ray::RuntimeEnvAgent")
    workers = [
        pid
        for pid, (parent, cmd, _) in table.items()
        if parent == raylet and cmd.startswith("ray::") and not cmd.startswith(agents)
    ]
    return raylet, workers


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    require_ray()
    ray_command = shutil.which("ray", path=str(Path(sys.executable).parent))
    assert ray_command is not None, "the ray command is missing next to the interpreter"
    temp = Path(tempfile.mkdtemp(prefix="cfray", dir="/tmp"))  # short: Ray's socket paths have a limit
    port = _free_port()
    env = {**os.environ, "RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0"}
    common = ["--num-cpus", "1", "--node-ip-address", "127.0.0.1", "--disable-usage-stats"]
    head = [ray_command, "start", "--head", "--port", str(port), "--include-dashboard=false", "--temp-dir", str(temp)]
    subprocess.run([*head, *common], env=env, check=True, capture_output=True, timeout=180)
    try:
        second = [ray_command, "start", "--address", f"127.0.0.1:{port}"]
        subprocess.run([*second, *common], env=env, check=True, capture_output=True, timeout=180)
        yield Cluster(f"127.0.0.1:{port}", env, temp)
    finally:
        subprocess.run([ray_command, "stop", "--force"], env=env, capture_output=True, timeout=180, check=False)
        shutil.rmtree(temp, ignore_errors=True)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return jsonl_parts(tmp_path_factory.mktemp("corpus") / "news", 6_000, 24)


def build_command(cluster: Cluster, corpus: Path, workspace: Path, *extra: str) -> list[str]:
    return [
        *CLI,
        "build",
        "--no-progress",
        "--engine",
        "ray",
        "--ray-address",
        cluster.address,
        "--workspace",
        str(workspace),
        "--source",
        str(corpus),
        *extra,
    ]


def local_version(corpus: Path, root: Path) -> dict[str, str]:
    ws = Workspace(root / "local")
    if not ws.corpus_versions():
        build_corpus([corpus], ws, progress=False, options=BuildOptions(workers=2))
    return folder_digests(ws.corpus_dir("1.0.0"))


def wait_for_units(workspace: Path, timeout: float = 120) -> None:
    """Wait until the build has written its first unit: the build is under way."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(workspace.glob("corpus/.*.partial/.ray-stage/unit-*.arrow")):
            return
        time.sleep(0.05)
    raise AssertionError("the build wrote no unit in time")


def test_the_build_runs_on_both_nodes_and_equals_the_local_build(
    cluster: Cluster, corpus: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    root = tmp_path_factory.mktemp("both")
    command = build_command(cluster, corpus, root / "ws")
    done = subprocess.run(command, env=cluster.env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    assert "on 2 node(s)" in done.stdout
    assert folder_digests(Workspace(root / "ws").corpus_dir("1.0.0")) == local_version(corpus, root)


def test_killed_workers_on_the_second_node_are_retried_and_the_build_equals_the_local_one(
    cluster: Cluster, corpus: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    root = tmp_path_factory.mktemp("killed")
    build = subprocess.Popen(
        build_command(cluster, corpus, root / "ws"), env=cluster.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    wait_for_units(root / "ws")
    killed = 0
    for _ in range(6):
        for pid in second_node_processes(cluster)[1]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
                killed += 1
        time.sleep(0.4)
    _, err = build.communicate(timeout=600)
    assert killed > 0
    assert build.returncode == 0, err.decode()
    assert folder_digests(Workspace(root / "ws").corpus_dir("1.0.0")) == local_version(corpus, root)


def test_a_lost_node_leaves_the_previous_version_intact_and_no_partial_version(
    cluster: Cluster, corpus: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    root = tmp_path_factory.mktemp("lost")
    ws = Workspace(root / "ws")
    build_corpus(None, ws, progress=False)  # 1.0.0: the seeds
    before = folder_digests(ws.corpus_dir("1.0.0"))
    command = [*CLI, "build", "--no-progress", "--engine", "ray", "--ray-address", cluster.address]
    build = subprocess.Popen(
        [*command, "--workspace", str(ws.root), "--add", str(corpus)],
        env=cluster.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for_units(ws.root)
    raylet, workers = second_node_processes(cluster)
    for pid in [*workers, raylet]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    _, err = build.communicate(timeout=600)
    assert folder_digests(ws.corpus_dir("1.0.0")) == before
    assert "Traceback" not in err
    if build.returncode == 0:
        assert ws.corpus_versions() == ["1.0.0", "1.1.0"]
        assert (ws.corpus_dir("1.1.0") / "manifest.json").exists()
    else:
        assert build.returncode in (1, 2)
        assert len(err.strip().splitlines()) == 1, err
        assert ws.corpus_versions() == ["1.0.0"]
