"""The command line as a user meets it: help, usage errors, exit codes."""

from __future__ import annotations

import pytest

from ceasefire_news.cli.app import main

COMMANDS = ["build", "export", "studio", "pull", "import", "release", "validate", "diff", "publish", "status"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_explains_itself(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert "--workspace" in out
    assert len(out.split()) > 30  # a real explanation, not a bare usage line


def test_unknown_option_is_a_usage_error_without_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--bogus"]) == 2
    err = capsys.readouterr().err
    assert "No such option" in err
    assert "Traceback" not in err


def test_no_arguments_shows_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    captured = capsys.readouterr()
    assert "build" in captured.out + captured.err


def test_bad_version_names_the_value_and_the_form(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    assert main(["build", "--version", "1.x", "--workspace", str(tmp_path)]) == 2
    assert "'1.x' is not of the form X.Y.Z" in capsys.readouterr().err
