"""Bad input and faults during `ceasefire-news build`: one line per problem, the rest built, no traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ceasefire_news.cli.app import main
from ceasefire_news.dataset.corpus.versions import load_corpus
from ceasefire_news.dataset.corpus.workspace import Workspace

GOOD = {"text": "Delegates met in Astana to discuss a ceasefire in Idlib province on Monday.", "url": "https://example.org/a"}


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
