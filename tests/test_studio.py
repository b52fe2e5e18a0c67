"""``ceasefire-news studio`` for real: a fresh workspace to a running project, Ctrl-C, reuse.

This starts its own Label Studio (the command's data lives in the workspace), so it is
slower than the other server tests: about a minute and a half.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ceasefire_news.cli.app import main as cli_main
from ceasefire_news.dataset.corpus.workspace import Workspace
from ceasefire_news.labeling.server import STUDIO_VERSION, free_port, installed_version, login_session, missing_message
from ceasefire_news.labeling.state import StudioState
from ceasefire_news.labeling.studio import admin_login, server_dir, start_studio

pytestmark = [pytest.mark.studio, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]

#: Seconds a stopped ``studio`` is given to exit before the test calls it hung.
STOP_GUARD_S = 150


def wait_for(process: subprocess.Popen[str], text: str, timeout: float) -> str:
    """Read the command's output until ``text`` appears (or fail with what it printed)."""
    assert process.stdout is not None
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if line:
            seen.append(line)
            if text in line:
                return "".join(seen)
        elif process.poll() is not None:
            break
    pytest.fail(f"studio never printed {text!r}; it printed:\n{''.join(seen)}")


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_studio_from_a_fresh_workspace_then_ctrl_c_then_reuse(tmp_path: Path) -> None:
    if installed_version() != STUDIO_VERSION:
        pytest.fail(missing_message(), pytrace=False)
    workspace = Workspace(tmp_path / "workspace")
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT)}
    env.pop("LABEL_STUDIO_API_KEY", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ceasefire_news.cli.app",
            "studio",
            "--port",
            str(port),
            "--workspace",
            str(workspace.root),
            "--no-progress",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        printed = wait_for(process, "Press Ctrl-C", timeout=400)
    except BaseException:
        process.kill()
        raise
    # A fresh workspace: the embedded corpus was built and pushed.
    assert "building one from the embedded articles" in printed
    assert "5 tasks created" in printed
    assert f"Label Studio is running at http://127.0.0.1:{port}" in printed
    login = admin_login(workspace)
    assert login is not None
    assert f"log in:   {login.email} / {login.password}" in printed
    assert stat.S_IMODE((server_dir(workspace) / "admin.json").stat().st_mode) == 0o600
    login_session(f"http://127.0.0.1:{port}", login.email, login.password).close()  # the printed login works
    state = StudioState.load(workspace)
    assert state.project_id is not None
    assert len(state.tasks) == 5
    for path in workspace.root.rglob("*"):
        if path.is_file() and path.suffix in {".json", ".jsonl", ".xml"} and "server" not in path.parts:
            assert "Token " not in path.read_text(encoding="utf-8", errors="replace")

    process.send_signal(signal.SIGINT)  # Ctrl-C
    # A hang guard, not a speed check: stopping may take Label Studio's 20 s to terminate and
    # 20 s more after a kill, longer on a loaded machine.
    out, _ = process.communicate(timeout=STOP_GUARD_S)
    assert process.returncode == 0, out
    assert "Stopping Label Studio" in out
    assert not port_open(port)

    # A second run reuses the server data, the login and the project, and adds nothing.
    session = start_studio(workspace, port=free_port(), progress=False)
    try:
        assert session.login == login
        assert session.push is not None
        assert session.push.project_id == state.project_id
        assert (session.push.project_created, session.push.tasks_created, session.push.tasks_existing) == (
            False,
            0,
            5,
        )
        assert StudioState.load(workspace).server == session.server.url
        # pull needs no token for the workspace's own server
        assert cli_main(["pull", "--workspace", str(workspace.root)]) == 0
        assert json.loads(workspace.state_path.read_text(encoding="utf-8"))["cursor"]
    finally:
        session.server.stop()


def children(pid: int) -> list[int]:
    """The child processes of ``pid`` (Linux)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def gone(pid: int) -> bool:
    """True when ``pid`` is no longer running (a zombie counts as gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in status


@pytest.mark.parametrize(
    ("stop", "started_ignoring_sigint"),
    [(signal.SIGTERM, False), (signal.SIGHUP, False), (signal.SIGINT, True)],
    ids=["SIGTERM", "SIGHUP", "SIGINT-to-a-background-job"],
)
def test_studio_stopped_by_a_signal_stops_label_studio_too(
    stop: signal.Signals, started_ignoring_sigint: bool, tmp_path: Path
) -> None:
    if installed_version() != STUDIO_VERSION:
        pytest.fail(missing_message(), pytrace=False)
    workspace = Workspace(tmp_path / "workspace")
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT)}
    env.pop("LABEL_STUDIO_API_KEY", None)
    command = [sys.executable, "-m", "ceasefire_news.cli.app", "studio", "--port", str(port)]
    command += ["--workspace", str(workspace.root), "--no-progress"]
    if started_ignoring_sigint:
        # A script's background job (`studio &` in a non-interactive shell) starts with SIGINT
        # ignored, and Python then leaves it ignored; `kill -INT` must still stop it.
        command = ["sh", "-c", 'trap "" INT; exec "$@"', "sh", *command]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for(process, "Press Ctrl-C", timeout=400)
        label_studio = children(process.pid)
        assert label_studio, "studio started no child process"
        process.send_signal(stop)
        out, _ = process.communicate(timeout=STOP_GUARD_S)
    finally:
        if process.poll() is None:
            process.kill()
    assert "Stopping Label Studio" in out
    assert all(gone(pid) for pid in label_studio)
    assert not port_open(port)
