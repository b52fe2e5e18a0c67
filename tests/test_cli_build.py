"""`ceasefire-news build` through the real entry point: summary, messages, exit codes."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from ceasefire_news.cli.app import main
from ceasefire_news.dataset.corpus.read import embedded_sources
from ceasefire_news.dataset.corpus.versions import load_corpus
from ceasefire_news.dataset.corpus.workspace import Workspace

SEEDS = embedded_sources()


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["build", "--no-progress", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_build_without_source_uses_the_embedded_seeds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = tmp_path / "ws"
    code, out, err = run(capsys, "--workspace", str(ws))
    assert code == 0, err
    assert f"built corpus 1.0.0 at {ws / 'corpus' / '1.0.0'}" in out
    assert "articles kept: 5 of 5 read" in out
    assert "duplicates:    0" in out
    assert "rejected:      0" in out
    assert "stories:       4" in out
    assert err == ""
    assert load_corpus(Workspace(ws)).num_rows == 5


def test_second_identical_build_says_unchanged(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = tmp_path / "ws"
    assert run(capsys, "--workspace", str(ws))[0] == 0
    code, out, _ = run(capsys, "--workspace", str(ws))
    assert code == 0
    assert "unchanged: the input gives the same corpus as version 1.0.0" in out
    assert "nothing was written" in out
    assert Workspace(ws).corpus_versions() == ["1.0.0"]


def test_new_articles_build_the_next_minor_version_with_a_diff(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws, src = tmp_path / "ws", tmp_path / "src"
    src.mkdir()
    shutil.copy(SEEDS[0], src)
    assert run(capsys, "--workspace", str(ws), "--source", str(src))[0] == 0
    shutil.copy(SEEDS[4], src)
    code, out, _ = run(capsys, "--workspace", str(ws), "--source", str(src))
    assert code == 0
    assert "built corpus 1.1.0" in out
    assert "against 1.0.0: 1 added, 0 removed, 0 changed" in out


@pytest.mark.parametrize(
    ("version", "message"),
    [
        ("1.0", "error: version '1.0' is not of the form X.Y.Z (for example 1.0.0)"),
        ("one", "error: version 'one' is not of the form X.Y.Z"),
    ],
)
def test_bad_version_string_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], version: str, message: str
) -> None:
    code, _, err = run(capsys, "--workspace", str(tmp_path / "ws"), "--version", version)
    assert code == 2
    assert message in err
    assert not (tmp_path / "ws" / "corpus").exists()


def test_existing_version_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = tmp_path / "ws"
    assert run(capsys, "--workspace", str(ws), "--version", "1.2.0")[0] == 0
    code, _, err = run(capsys, "--workspace", str(ws), "--version", "1.2.0")
    assert code == 2
    assert "corpus version 1.2.0 already exists" in err
    assert "never overwritten" in err


def test_mix_of_good_and_bad_input_builds_the_good_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws, src = tmp_path / "ws", tmp_path / "src"
    src.mkdir()
    shutil.copy(SEEDS[0], src)
    shutil.copy(SEEDS[2], src)
    missing = tmp_path / "missing.txt"
    code, out, err = run(capsys, "--workspace", str(ws), "--source", str(src), "--source", str(missing))
    assert code == 1
    line = next(line for line in err.splitlines() if line.startswith(f"rejected {missing}: "))
    assert "no such file or folder" in line
    assert "1 input record(s) rejected" in err
    assert "articles kept: 2 of 3 read" in out
    assert "rejected:      1" in out
    corpus = load_corpus(Workspace(ws))
    assert sorted(Path(p).name for p in corpus["source_file"]) == [SEEDS[0].name, SEEDS[2].name]
    manifest = json.loads((ws / "corpus" / "1.0.0" / "manifest.json").read_text())
    assert [r["where"] for r in manifest["rejections"]] == [str(missing)]


def test_no_readable_input_at_all_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "missing.txt"
    code, _, err = run(capsys, "--workspace", str(tmp_path / "ws"), "--source", str(missing))
    assert code == 2
    assert "error: no usable article in the input (1 records read, 1 rejected)" in err
    assert str(missing) in err
    assert Workspace(tmp_path / "ws").corpus_versions() == []


def test_duplicates_are_counted_in_the_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(SEEDS[3], src / "a.txt")
    shutil.copy(SEEDS[3], src / "b.txt")
    code, out, _ = run(capsys, "--workspace", str(tmp_path / "ws"), "--source", str(src))
    assert code == 0
    assert "articles kept: 1 of 2 read" in out
    assert "duplicates:    1" in out


GOOD_LINE = json.dumps({"text": SEEDS[4].read_text(encoding="utf-8"), "url": "https://example.org/idlib"})


def _write(name: str, data: bytes) -> Callable[[Path], tuple[Path, str]]:
    def make(src: Path) -> tuple[Path, str]:
        (src / name).write_bytes(data)
        return src / name, str(src / name)

    return make


def _jsonl(bad_line: str) -> Callable[[Path], tuple[Path, str]]:
    def make(src: Path) -> tuple[Path, str]:
        path = src / "articles.jsonl"
        path.write_text(f"{GOOD_LINE}\n{bad_line}\n", encoding="utf-8")
        return path, f"{path}:2"

    return make


BAD_INPUTS: dict[str, tuple[Callable[[Path], tuple[Path, str]], str]] = {
    "unknown extension": (
        _write("notes.md", b"Some notes"),
        "unknown extension '.md'; expected .txt, .jsonl, .html, .htm, .warc or .warc.gz",
    ),
    "empty file": (_write("empty.txt", b""), "empty file (0 bytes)"),
    "whitespace only": (_write("blank.txt", b" \n\n"), "only whitespace (3 bytes)"),
    "binary file": (_write("photo.txt", b"\x89PNG\r\n\x00\x00"), "binary data, not text"),
    "not UTF-8": (
        _write("latin1.txt", "Caf\u00e9 talks in Astana".encode("latin-1")),
        "not UTF-8 (byte 0xE9 at byte offset 3)",
    ),
    "bad JSON line": (_jsonl('{"text": "unterminated'), "not valid JSON"),
    "JSON line not an object": (_jsonl("[1, 2]"), "a JSON list, not an object"),
    "JSON line without text": (_jsonl('{"title": "No body"}'), "no text field"),
    "JSON field of the wrong type": (
        _jsonl('{"text": "Talks went on.", "url": 5}'),
        "field 'url' is a int",
    ),
    "JSON line with a bad date": (
        _jsonl('{"text": "Talks went on.", "date": "someday"}'),
        "date 'someday' is not a date",
    ),
    "HTML page without article text": (
        _write("page.html", b"<html><head><title>Index</title></head><body></body></html>"),
        "no article text found in the HTML page",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_each_bad_input_is_reported_and_the_rest_is_built(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    make, message = BAD_INPUTS[case]
    ws, src = tmp_path / "ws", tmp_path / "src"
    src.mkdir()
    shutil.copy(SEEDS[2], src)
    _, where = make(src)
    code, out, err = run(capsys, "--workspace", str(ws), "--source", str(src))
    assert code == 1, err
    rejected = [line for line in err.splitlines() if line.startswith("rejected ")]
    assert len(rejected) == 1, err
    assert rejected[0].startswith(f"rejected {where}: "), rejected[0]
    assert message in rejected[0]
    assert "rejected:      1" in out
    corpus = load_corpus(Workspace(ws))
    assert SEEDS[2].name in {Path(p).name for p in corpus["source_file"]}


def test_empty_source_folder_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = run(
        capsys,
        "--workspace",
        str(tmp_path / "ws"),
        "--source",
        str(empty),
        "--source",
        str(SEEDS[0]),
    )
    assert code == 1
    line = next(line for line in err.splitlines() if line.startswith(f"rejected {empty}: "))
    assert "folder holds no .txt, .jsonl, .html, .htm, .warc or .warc.gz files" in line
