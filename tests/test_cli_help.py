"""`--help` reads as prose: words for values, no Python types, paragraphs wrapped to the terminal."""

from __future__ import annotations

import pytest

from ceasefire_news.cli.app import main

COMMANDS = ["build", "export", "studio", "pull", "import", "release", "validate", "diff", "publish", "convert"]


@pytest.mark.parametrize("command", COMMANDS)
def test_help_names_values_as_words(
    command: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    usage = out.splitlines()[0]
    assert usage.startswith(f"Usage: ceasefire-news {command} [OPTIONS]")
    assert "{" not in usage
    for python_type in ("<bool>", "<str>", "<list[", "<int>", "<path>"):
        assert python_type not in out, f"{python_type} in the help of {command}:\n{out}"
    assert all(len(line) <= 80 for line in out.splitlines()), out


def test_build_help_rewraps_its_paragraphs_to_a_narrow_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    assert main(["build", "--help"]) == 0
    out = capsys.readouterr().out
    assert all(len(line) <= 60 for line in out.splitlines()), out
    assert "Exit codes: 0 every input record was used; 1 some" in " ".join(line.strip() for line in out.splitlines())
