"""tests/run.sh installs only what the browser test needs."""

from __future__ import annotations

import re
from pathlib import Path

RUN_SH = Path(__file__).with_name("run.sh")


def test_chromium_is_installed_without_recommended_packages() -> None:
    installs = [line for line in RUN_SH.read_text(encoding="utf-8").splitlines() if "apt-get install" in line]
    assert installs, "run.sh installs Chromium with apt-get"
    for line in installs:
        assert "--no-install-recommends" in line, line
        packages = re.findall(r"(?<=\s)(?!-)[a-z0-9][a-z0-9.+-]+", line.split("install", 1)[1])
        assert set(packages) == {"chromium", "fonts-liberation", "fonts-noto-color-emoji"}, packages
