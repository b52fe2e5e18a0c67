"""Packaging: the code's own license, and runtime code that needs no test-only package."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "ceasefire_news"
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def _imports(tree: ast.AST) -> list[tuple[str, int]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name.split(".")[0], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module.split(".")[0], node.lineno))
    return found


def _module_level_imports(tree: ast.Module) -> set[str]:
    top: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            top |= {name for name, _ in _imports(node)}
    return top


def test_the_code_license_is_the_apache_text_and_is_shipped() -> None:
    project = PYPROJECT["project"]
    assert project["license"] == "Apache-2.0"
    assert project["license-files"] == ["LICENSE"]
    text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text
    assert "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text


def test_the_package_never_imports_a_test_only_dependency() -> None:
    # krippendorff is in the test extra only: the package computes alpha itself.
    test_only = {"krippendorff", "pytest", "hypothesis", "importlinter"}
    used = [
        f"{path.relative_to(REPO)}:{line} imports {name}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for name, line in _imports(ast.parse(path.read_text(encoding="utf-8")))
        if name in test_only
    ]
    assert used == []
    runtime = " ".join(PYPROJECT["project"]["dependencies"])
    assert "krippendorff" not in runtime
    assert any(d.startswith("krippendorff") for d in PYPROJECT["project"]["optional-dependencies"]["test"])


def test_spacy_is_an_extra_imported_only_where_it_is_used() -> None:
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert extras["spacy"] == ["spacy>=3.7"]
    assert "ceasefire-news[spacy,ray]" in extras["test"]
    # A module-level import would make every command fail without the extra.
    eager = [
        str(path.relative_to(REPO))
        for path in sorted(PACKAGE.rglob("*.py"))
        if "spacy" in _module_level_imports(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert eager == []
