"""`dataset`, `labeling` and `schema` are also names of unrelated PyPI packages: they must
import from this repository, never from an installed distribution of the same name."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", ["dataset", "labeling", "schema"])
def test_package_imports_from_this_repository(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__file__ is not None, f"{name} is a namespace package, not this repository's"
    location = Path(module.__file__).resolve()
    assert location == REPO / name / "__init__.py", (
        f"{name} was imported from {location}, expected {REPO / name / '__init__.py'}; "
        "run the tests in the project's own virtual environment (pip install -e .)"
    )
