"""Bad input at the command line: one line on stderr, the documented exit code, nothing created."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ceasefire_news.cli.app import main
from ceasefire_news.dataset.corpus.build import build_corpus
from ceasefire_news.dataset.corpus.workspace import Workspace


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    workspace = Workspace(tmp_path_factory.mktemp("bad-input") / "ws")
    build_corpus(None, workspace, progress=False)
    return workspace


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize("what", ["empty", "corpus"])
def test_validate_of_a_folder_that_is_no_release_is_a_usage_error(
    what: str, built: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path if what == "empty" else built.corpus_dir(built.latest_corpus_version())
    assert main(["validate", str(folder), "--no-progress"]) == 2
    line = one_line(capsys.readouterr().err)
    assert "is not a release folder" in line
    assert "KeyError" not in line


def test_import_of_a_list_of_strings_is_a_usage_error(
    built: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "strings.json"
    file.write_text(json.dumps(["a", "b"]), encoding="utf-8")
    assert main(["import", str(file), "--workspace", str(built.root)]) == 2
    assert "list of str" in one_line(capsys.readouterr().err)
    assert not built.quarantine_path.exists()


def test_a_reimport_appends_no_quarantine_line_twice(built: Workspace, tmp_path: Path) -> None:
    file = tmp_path / "mixed.json"
    file.write_text(json.dumps(["not a task", {"id": 1, "annotations": "no list"}]), encoding="utf-8")
    before = built.quarantine_path.read_text(encoding="utf-8") if built.quarantine_path.exists() else ""
    assert main(["import", str(file), "--workspace", str(built.root)]) == 1
    first = built.quarantine_path.read_text(encoding="utf-8")
    assert len(first.splitlines()) == len(before.splitlines()) + 2
    assert main(["import", str(file), "--workspace", str(built.root)]) == 0  # nothing new was quarantined
    assert built.quarantine_path.read_text(encoding="utf-8") == first


def test_export_into_a_folder_that_does_not_exist_is_refused(
    built: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "nonexistent" / "dir" / "t.json"
    assert main(["export", "--out", str(out), "--workspace", str(built.root), "--no-progress"]) == 2
    assert "does not exist" in one_line(capsys.readouterr().err)
    assert not (tmp_path / "nonexistent").exists()


def test_a_killed_release_leaves_no_partial_folder_past_the_next_writing_command(
    built: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = built.root / "release" / ".9.9.9.partial"
    (stale / "data").mkdir(parents=True)
    (stale / "data" / "part.parquet").write_bytes(b"x" * 1000)
    file = tmp_path / "empty.json"
    file.write_text("[]", encoding="utf-8")
    assert main(["import", str(file), "--workspace", str(built.root)]) == 0
    assert not stale.exists()
    assert ".9.9.9.partial" in capsys.readouterr().err


def test_a_quarantine_record_with_a_next_line_character_is_not_appended_twice(built: Workspace, tmp_path: Path) -> None:
    region = {"from_name": "trigger", "to_name": "text", "type": "labels", "value": {"text": "a\x85b\u2028c"}}
    versions = [{"id": "n1", "created_at": None, "result": [region]}, {"id": "n1", "created_at": None, "result": []}]
    file = tmp_path / "nel.json"
    file.write_text(json.dumps([{"id": 3, "annotations": versions}]), encoding="utf-8")
    assert main(["import", str(file), "--workspace", str(built.root)]) == 1
    first = built.quarantine_path.read_bytes()
    assert main(["import", str(file), "--workspace", str(built.root)]) == 0
    assert built.quarantine_path.read_bytes() == first
