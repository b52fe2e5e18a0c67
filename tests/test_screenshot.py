"""The README screenshot command: argument handling that needs no browser."""

from __future__ import annotations

import pytest

from labeling import screenshot
from schema.errors import UsageError


def test_a_missing_chromium_is_a_usage_error_that_says_how_to_install_it() -> None:
    expected = r"no Chromium found \(got '/nonexistent/chromium'\).*apt-get install chromium"
    with pytest.raises(UsageError, match=expected):
        screenshot.find_chromium("/nonexistent/chromium")


def test_the_command_exits_2_with_the_message(capsys: pytest.CaptureFixture[str]) -> None:
    code = screenshot.main(["--out", "unused.png", "--chromium", "/nonexistent/chromium"])
    assert code == 2
    assert "error: no Chromium found" in capsys.readouterr().err
