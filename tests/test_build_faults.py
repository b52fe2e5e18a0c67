"""Bad input and faults during `ceasefire-news build`: one line per problem, the rest built, no traceback."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ceasefire_news.cli.app import main
from ceasefire_news.dataset.corpus.versions import load_corpus
from ceasefire_news.dataset.corpus.workspace import Workspace

GOOD = {
    "text": "Delegates met in Astana to discuss a ceasefire in Idlib province on Monday.",
    "url": "https://example.org/a",
}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["build", "--no-progress", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


# --- item 3: JSON nested too deep ------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"text": "Talks went on.", "title": ' + "[" * 1100 + "]" * 1100 + "}",
        '{"text": "Talks went on.", "title": ' + '{"a":' * 1100 + "1" + "}" * 1100 + "}",
    ],
    ids=["100k-deep", "1100-deep-list-field", "1100-deep-object-field"],
)
def test_deeply_nested_jsonl_line_is_one_rejection_and_the_rest_is_built(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str
) -> None:
    source = _jsonl(tmp_path / "deep.jsonl", [json.dumps(GOOD), line])
    code, out, err = run(capsys, "--workspace", str(tmp_path / "ws"), "--source", str(source))
    assert code == 1, err
    assert "Traceback" not in err
    rejected = [row for row in err.splitlines() if row.startswith("rejected ")]
    assert len(rejected) == 1, err
    assert f"{source}:2" in rejected[0]
    assert "deep" in rejected[0]
    assert "articles kept: 1 of 2 read" in out


# --- item 4: lone surrogates and file names that are not UTF-8 -----------------------------


@pytest.mark.parametrize("field", ["text", "title", "url", "outlet"])
def test_lone_surrogate_in_a_jsonl_field_is_rejected_and_the_corpus_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], field: str
) -> None:
    bad = dict(GOOD, url="https://example.org/b", text="Talks resumed in Geneva.", title="Geneva", outlet="Wire")
    bad[field] = bad[field] + "\\ud800"
    line = json.dumps(bad).replace("\\\\ud800", "\\ud800")
    source = _jsonl(tmp_path / "s.jsonl", [json.dumps(GOOD), line])
    code, out, err = run(capsys, "--workspace", str(tmp_path / "ws"), "--source", str(source))
    assert code == 1, err
    assert "Traceback" not in err
    rejected = [row for row in err.splitlines() if row.startswith("rejected ")]
    assert len(rejected) == 1, err
    assert f"{source}:2" in rejected[0] and "surrogate" in rejected[0] and field in rejected[0]
    assert load_corpus(Workspace(tmp_path / "ws")).num_rows == 1


def test_file_name_that_is_not_utf8_is_built_under_a_printable_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "good.txt").write_text("Delegates met in Astana on Monday to discuss Idlib.\n", encoding="utf-8")
    odd = Path(os.fsdecode(bytes(folder) + b"/caf\xe9.txt"))
    odd.write_text("Talks on a ceasefire in Daraa resumed on Tuesday in Amman.\n", encoding="utf-8")
    code, out, err = run(capsys, "--workspace", str(tmp_path / "ws"), "--source", str(folder))
    assert "Traceback" not in err
    assert code == 0, err
    names = sorted(load_corpus(Workspace(tmp_path / "ws"))["source_file"])
    assert len(names) == 2
    assert any("caf\\xe9.txt" in name for name in names), names
    manifest = json.loads((tmp_path / "ws" / "corpus" / "1.0.0" / "manifest.json").read_text(encoding="utf-8"))
    assert any("caf\\xe9.txt" in entry["path"] for entry in manifest["sources"])
