"""The house: one installed import name, stages that import one way, modules a person can hold."""

from __future__ import annotations

import ast
import importlib.metadata
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

import ceasefire_news

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "ceasefire_news"
#: The most lines a module may have: a module a person can hold.
MAX_MODULE_LINES = 500


def test_the_package_is_imported_from_this_checkout() -> None:
    assert ceasefire_news.__file__ is not None
    assert Path(ceasefire_news.__file__).resolve() == PACKAGE / "__init__.py"


def test_installing_adds_one_top_level_name() -> None:
    top_level = importlib.metadata.distribution("ceasefire-news").read_text("top_level.txt")
    assert top_level is not None
    assert top_level.split() == ["ceasefire_news"]


@pytest.mark.parametrize("name", ["dataset", "labeling", "schema"])
def test_bare_stage_names_are_not_importable_outside_the_checkout(name: str, tmp_path: Path) -> None:
    # From a folder outside the checkout, only the installed name exists: the stages are
    # ceasefire_news.dataset, ceasefire_news.labeling and ceasefire_news.schema.
    probe = f"import importlib.util, sys; sys.exit(0 if importlib.util.find_spec({name!r}) is None else 1)"
    assert subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, check=False).returncode == 0
    found = subprocess.run(
        [sys.executable, "-c", f"import ceasefire_news.{name}; print(ceasefire_news.{name}.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(found.stdout.strip()).resolve().is_relative_to(PACKAGE)


def _lint_imports(cwd: Path, pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {"PATH": str(Path(sys.executable).parent), "PYTHONPATH": str(pythonpath or "")}
    return subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_layers_contract_holds() -> None:
    result = _lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_layers_contract_fails_on_a_reverse_import(tmp_path: Path) -> None:
    # A copy of the package where the schema imports the release: the contract must break.
    shutil.copytree(PACKAGE, tmp_path / "ceasefire_news", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    labels = tmp_path / "ceasefire_news" / "schema" / "labels.py"
    labels.write_text(labels.read_text() + "\nfrom ceasefire_news.dataset.release import splits  # noqa\n")
    result = _lint_imports(tmp_path, pythonpath=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "BROKEN" in result.stdout
    assert "ceasefire_news.schema.labels -> ceasefire_news.dataset.release.splits" in result.stdout


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_no_function_local_imports_of_the_project() -> None:
    # A project import inside a function hides a circle: move the shared piece down a layer.
    hidden = []
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for inner in ast.walk(node):
                if isinstance(inner, ast.ImportFrom) and (inner.module or "").startswith("ceasefire_news"):
                    hidden.append(f"{path.relative_to(REPO)}:{inner.lineno}")
                if isinstance(inner, ast.Import) and any(a.name.startswith("ceasefire_news") for a in inner.names):
                    hidden.append(f"{path.relative_to(REPO)}:{inner.lineno}")
    assert hidden == []


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_module_imports_its_importer() -> None:
    graph = grimp.build_graph("ceasefire_news", cache_dir=None)
    # A package's __init__ importing its own modules is how packages re-export; not a circle.
    for module in list(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            if module.startswith(imported + "."):
                graph.remove_import(importer=module, imported=imported)
    assert _cycles(graph) == []


def test_modules_are_small_enough_to_hold() -> None:
    sizes = {str(p.relative_to(REPO)): len(p.read_text(encoding="utf-8").splitlines()) for p in _modules()}
    assert {name: n for name, n in sizes.items() if n > MAX_MODULE_LINES} == {}
