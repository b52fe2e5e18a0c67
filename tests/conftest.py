"""Session-wide fixtures. Each area keeps its fixtures in ``tests/fixtures/``."""

from __future__ import annotations

from pathlib import Path

pytest_plugins = [
    "tests.fixtures.corpus",
    "tests.fixtures.hub",
    "tests.fixtures.release",
    "tests.fixtures.studio",
]

REPO = Path(__file__).resolve().parents[1]
