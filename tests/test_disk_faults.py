"""A full disk and a read-only workspace: one line, nothing lost; a torn last line is skipped with a note."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ceasefire_news.cli.app import main
from ceasefire_news.dataset.corpus.build import build_corpus
from ceasefire_news.dataset.corpus.versions import load_corpus
from ceasefire_news.dataset.corpus.workspace import Workspace, read_jsonl

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    workspace = Workspace(tmp_path_factory.mktemp("disk") / "ws")
    build_corpus(None, workspace, progress=False)
    return workspace


@pytest.fixture
def workspace(built: Workspace, tmp_path: Path) -> Workspace:
    copy = Workspace(tmp_path / "ws")
    shutil.copytree(built.root, copy.root)
    return copy


def export_file(workspace: Workspace, folder: Path, annotation_id: int = 1) -> Path:
    row = dict(next(iter(load_corpus(workspace))))
    task: dict[str, Any] = {
        "id": 1,
        "data": {k: row[k] for k in ("article_id", "text", "text_sha256", "corpus_version")},
        "annotations": [
            {
                "id": annotation_id,
                "completed_by": 1,
                "created_at": "2024-01-01T00:00:00Z",
                "updated_at": "2024-01-01T00:00:00Z",
                "result": [
                    {
                        "from_name": "stance_russia",
                        "to_name": "text",
                        "type": "choices",
                        "value": {"choices": ["favor"]},
                    }
                ],
            }
        ],
    }
    path = folder / f"export-{annotation_id}.json"
    path.write_text(json.dumps([task]), encoding="utf-8")
    return path


def test_a_full_disk_is_one_line_and_leaves_the_log_as_it_was(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(export_file(workspace, tmp_path, 1)), "--workspace", str(workspace.root)]) == 0
    before = workspace.log_path.read_bytes()
    capsys.readouterr()

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    code = main(["import", str(export_file(workspace, tmp_path, 2)), "--workspace", str(workspace.root)])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    assert "No space left" in err
    assert "free" in err
    assert workspace.log_path.read_bytes() == before  # nothing torn, nothing half-written

    monkeypatch.undo()
    assert main(["import", str(export_file(workspace, tmp_path, 2)), "--workspace", str(workspace.root)]) == 0
    assert [r["annotation_id"] for _, r in read_jsonl(workspace.log_path)] == ["1", "2"]


def test_a_torn_last_line_is_skipped_with_a_note(
    workspace: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(export_file(workspace, tmp_path, 1)), "--workspace", str(workspace.root)]) == 0
    with open(workspace.log_path, "ab") as fh:
        fh.write(b'{"annotation_id": "9", "res')  # a run stopped mid-line
    capsys.readouterr()
    assert main(["import", str(export_file(workspace, tmp_path, 2)), "--workspace", str(workspace.root)]) == 0
    err = capsys.readouterr().err
    assert "torn" in err
    assert str(workspace.log_path) in err
    assert [r["annotation_id"] for _, r in read_jsonl(workspace.log_path)] == ["1", "2"]


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A folder that another user can enter (pytest's own are the owner's only)."""
    folder = Path(tempfile.mkdtemp(prefix="ceasefire-ro-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder)


# In CI the test runs as root with setpriv (util-linux) and must not skip: a missing part fails there.
@pytest.mark.skipif(
    not os.environ.get("CI") and (shutil.which("setpriv") is None or os.geteuid() != 0), reason="needs root and setpriv"
)
@pytest.mark.parametrize("command", ["import", "build", "release"])
def test_a_read_only_workspace_is_one_line(command: str, built: Workspace, shared_tmp: Path) -> None:
    workspace = Workspace(shared_tmp / "ws")
    shutil.copytree(built.root, workspace.root)
    export = export_file(workspace, shared_tmp)
    for path in [shared_tmp, *shared_tmp.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    before = {p: p.read_bytes() for p in workspace.root.rglob("*") if p.is_file()}
    args = {"import": ["import", str(export)], "build": ["build"], "release": ["release", "--no-progress"]}[command]
    done = subprocess.run(
        [
            *["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"],
            *[sys.executable, "-m", "ceasefire_news.cli.app", *args, "--workspace", str(workspace.root)],
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(shared_tmp)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "writable" in done.stderr
    assert {p: p.read_bytes() for p in workspace.root.rglob("*") if p.is_file()} == before
