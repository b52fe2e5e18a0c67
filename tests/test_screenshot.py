"""The README screenshot command: argument handling, and the command run for real."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from ceasefire_news.labeling import screenshot
from ceasefire_news.schema.errors import UsageError


def test_a_missing_chromium_is_a_usage_error_that_says_how_to_install_it() -> None:
    expected = r"no Chromium found \(got '/nonexistent/chromium'\).*apt-get install chromium"
    with pytest.raises(UsageError, match=expected):
        screenshot.find_chromium("/nonexistent/chromium")


def test_the_command_exits_2_with_the_message(capsys: pytest.CaptureFixture[str]) -> None:
    code = screenshot.main(["--out", "unused.png", "--chromium", "/nonexistent/chromium"])
    assert code == 2
    assert "error: no Chromium found" in capsys.readouterr().err


@pytest.mark.browser
@pytest.mark.studio
@pytest.mark.slow
def test_the_command_draws_a_seed_article_with_its_pre_annotations(tmp_path: Path) -> None:
    # The README's command, end to end: its own Label Studio, the seed corpus pushed, Chromium.
    out = tmp_path / "docs" / "labeling-ui.png"
    assert screenshot.main(["--out", str(out)]) == 0
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    assert (width, height) == (screenshot.VIEWPORT_WIDTH, screenshot.VIEWPORT_HEIGHT)
