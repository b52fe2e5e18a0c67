"""Session-wide fixtures. Each area keeps its fixtures in ``tests/fixtures/``."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = [
    "tests.fixtures.corpus",
    "tests.fixtures.release",
    "tests.fixtures.studio",
]

REPO = Path(__file__).resolve().parents[1]


def pytest_configure(config: pytest.Config) -> None:
    """Refuse to test compiled modules older than their source (an editable install compiles
    them into the source tree; an edit after that would go untested)."""
    from tests.test_compiled import compiled_modules

    libraries = list(REPO.glob("*__mypyc.*"))
    if not libraries:
        return
    built = min(p.stat().st_mtime for p in libraries)
    sources = [REPO / (m.replace(".", "/") + ".py") for m in compiled_modules()]
    stale = [p.relative_to(REPO).as_posix() for p in sources if p.stat().st_mtime > built]
    if stale:
        raise pytest.UsageError(
            f"{', '.join(stale)} changed after the compiled modules were built: run "
            "`.venv/bin/pip install -e .` (bash tests/run.sh does), or delete the *.so files "
            "in the source tree to test the Python source"
        )
