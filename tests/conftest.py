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
    built = max(p.stat().st_mtime for p in libraries)  # the newest build; older ones are unused
    modules = compiled_modules()
    sources = [REPO / (m.replace(".", "/") + ".py") for m in modules]
    stale = [p.relative_to(REPO).as_posix() for p in sources if p.stat().st_mtime > built]
    for package in ("dataset", "labeling", "schema"):
        for path in (REPO / package).glob("*.so"):
            if f"{package}.{path.name.split('.')[0]}" not in modules:
                stale.append(path.relative_to(REPO).as_posix())  # compiled once, no longer listed
    if stale:
        raise pytest.UsageError(
            f"stale compiled modules in the source tree (edited after the build, or no longer "
            f"compiled: {', '.join(stale)}): run "
            "`.venv/bin/pip install -e .` (bash tests/run.sh does), or delete the *.so files "
            "in the source tree to test the Python source"
        )
