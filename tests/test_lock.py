"""One writer at a time: two real processes inside commands that write to one workspace."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ceasefire_news.cli.app import main
from ceasefire_news.dataset.corpus.lock import LOCK_FILE, read_holder, workspace_lock
from ceasefire_news.dataset.corpus.workspace import Workspace
from tests.fixtures.release import SeedRelease

#: A real ``release`` that stops inside the command (its card writer waits) until killed.
STUCK_RELEASE = """
import pathlib, sys, time
import ceasefire_news.dataset.release.card as card

def stuck(manifest, root):
    pathlib.Path(sys.argv[2]).write_text("inside")
    time.sleep(600)

card.write_card = stuck
from ceasefire_news.cli.app import main
sys.exit(main(["release", "--workspace", sys.argv[1], "--version", "1.0.1", "--no-progress"]))
"""


def _wait_for(path: Path, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while not path.exists():
        assert process.poll() is None, f"the first command ended early ({process.returncode})"
        assert time.monotonic() < deadline, "the first command never got inside"
        time.sleep(0.05)


@pytest.fixture
def busy(seed_release: SeedRelease, tmp_path: Path) -> Iterator[tuple[Workspace, subprocess.Popen[bytes]]]:
    """A workspace with a ``release`` process held inside the command."""
    workspace = Workspace(tmp_path / "workspace")
    shutil.copytree(seed_release.workspace.root, workspace.root)
    marker = tmp_path / "inside"
    process = subprocess.Popen([sys.executable, "-c", STUCK_RELEASE, str(workspace.root), str(marker)])
    try:
        _wait_for(marker, process)
        yield workspace, process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


@pytest.mark.parametrize(
    "args",
    [
        ["release", "--version", "1.0.2", "--no-progress"],
        ["build", "--no-progress"],
        ["export", "--out", "tasks.json"],
    ],
    ids=["release", "build", "export"],
)
def test_a_second_writer_is_refused_while_a_command_writes(
    busy: tuple[Workspace, subprocess.Popen[bytes]], args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    workspace, first = busy
    before = sorted(p.relative_to(workspace.root).as_posix() for p in workspace.root.rglob("*"))
    assert main([*args, "--workspace", str(workspace.root)]) == 2
    err = capsys.readouterr().err
    assert f"workspace busy: `release` by pid {first.pid} on {socket.gethostname()} since " in err
    assert err.count("\n") == 1, err
    after = sorted(p.relative_to(workspace.root).as_posix() for p in workspace.root.rglob("*"))
    assert after == before


def test_an_import_is_refused_and_logs_nothing_twice(
    busy: tuple[Workspace, subprocess.Popen[bytes]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace, _ = busy
    export = tmp_path / "export.json"
    export.write_text("[]", encoding="utf-8")
    log = workspace.log_path
    size = log.stat().st_size if log.exists() else 0
    assert main(["import", str(export), "--workspace", str(workspace.root)]) == 2
    assert "workspace busy" in capsys.readouterr().err
    assert (log.stat().st_size if log.exists() else 0) == size


def test_readers_do_not_wait(busy: tuple[Workspace, subprocess.Popen[bytes]]) -> None:
    workspace, _ = busy
    assert main(["validate", str(workspace.release_dir("1.0.0"))]) == 0


def test_the_lock_of_a_killed_command_is_taken_over_with_a_note(
    busy: tuple[Workspace, subprocess.Popen[bytes]], capsys: pytest.CaptureFixture[str]
) -> None:
    workspace, first = busy
    first.send_signal(signal.SIGKILL)
    first.wait()
    holder = read_holder(workspace)
    assert holder is not None
    assert holder.pid == first.pid
    assert main(["release", "--version", "1.0.3", "--no-progress", "--workspace", str(workspace.root)]) == 0
    err = capsys.readouterr().err
    assert f"taking over the workspace lock left by `release` by pid {first.pid}" in err
    assert workspace.release_dir("1.0.3").is_dir()
    assert not workspace.release_dir("1.0.1").exists()
    assert read_holder(workspace) is None  # released at the end


def test_the_lock_names_its_holder_and_is_freed(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "workspace")
    with workspace_lock(workspace, "build", create=True) as me:
        data = json.loads((workspace.root / LOCK_FILE).read_text(encoding="utf-8"))
        assert data == {"host": socket.gethostname(), "pid": os.getpid(), "command": "build", "since": me.since}
    assert read_holder(workspace) is None
    with workspace_lock(workspace, "release"):
        pass


def test_a_workspace_that_is_a_file_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    not_a_folder = tmp_path / "workspace"
    not_a_folder.write_text("x", encoding="utf-8")
    assert main(["build", "--no-progress", "--workspace", str(not_a_folder)]) == 2
    err = capsys.readouterr().err
    assert "is a file, not a folder" in err
    assert not_a_folder.read_text(encoding="utf-8") == "x"


def test_import_into_a_workspace_that_does_not_exist_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = tmp_path / "export.json"
    export.write_text("[]", encoding="utf-8")
    missing = tmp_path / "nowhere"
    assert main(["import", str(export), "--workspace", str(missing)]) == 2
    assert f"no workspace at {missing}" in capsys.readouterr().err
    assert not missing.exists()
