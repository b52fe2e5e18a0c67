"""The modules ``setup.py`` compiles with mypyc: in use where built, and equal to their source.

A release made by the compiled modules must be byte-identical to one made by the same
modules run as Python source (a compiled module packs typed values into C types and back,
which can change what a function returns; see ``labeling.adjudicate.M``).
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def compiled_modules() -> list[str]:
    """The modules ``setup.py`` compiles (``[tool.ceasefire-news] compiled`` in pyproject.toml)."""
    paths: list[str] = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["ceasefire-news"][
        "compiled"
    ]
    return [p.removesuffix(".py").replace("/", ".") for p in paths]


def is_compiled(module: str) -> bool:
    spec = importlib.util.find_spec(module)
    assert spec is not None, module
    assert spec.origin is not None, module
    return spec.origin.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))


def test_the_compiled_modules_exist_as_source() -> None:
    modules = compiled_modules()
    assert "labeling.adjudicate" in modules
    for module in modules:
        assert (REPO / (module.replace(".", "/") + ".py")).is_file(), module


@pytest.mark.skipif(
    bool(os.environ.get("CEASEFIRE_NEWS_PURE_PYTHON")) and not os.environ.get("CI"),
    reason="installed as pure Python on purpose (never skipped in CI)",
)
def test_the_installed_hot_modules_are_compiled() -> None:
    """``pip install`` compiles them (a C compiler is part of this project's machines); an
    install that fell back to Python would make releases of large corpora slower."""
    missing = [m for m in compiled_modules() if not is_compiled(m)]
    assert not missing, f"not compiled: {missing}; reinstall with `pip install -e .`"


# Run as a script in a fresh interpreter (the release's worker processes run it too, before
# their first task): with ``pure``, the compiled modules are imported from their .py source.
_PURE_RELEASE = """
import importlib.abc, importlib.util, sys
from pathlib import Path

SOURCE = {source!r}

class PureFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name in SOURCE:
            return importlib.util.spec_from_file_location(name, SOURCE[name])
        return None

if {pure!r}:
    sys.meta_path.insert(0, PureFinder())
from dataset.release import ReleaseOptions, release_corpus
import labeling.adjudicate

assert labeling.adjudicate.__file__.endswith(".py") or not {pure!r}
if __name__ == "__main__":
    options = ReleaseOptions(workers=2, chunk_size=150, progress=False)
    release_corpus(Path({workspace!r}), progress=False, options=options)
"""


def _release_digests(workspace: Path, *, pure: bool) -> dict[str, str]:
    source = {m: str(REPO / (m.replace(".", "/") + ".py")) for m in compiled_modules()}
    script = workspace.parent / "release_script.py"
    script.write_text(_PURE_RELEASE.format(source=source, pure=pure, workspace=str(workspace)), encoding="utf-8")
    subprocess.run([sys.executable, str(script)], check=True, cwd=REPO, timeout=600)
    files = [p for p in (workspace / "release").rglob("*") if p.is_file()]
    files.append(workspace / "annotations" / "review.jsonl")
    return {p.relative_to(workspace).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


@pytest.mark.slow
def test_compiled_and_source_modules_release_the_same_bytes(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("bench_generate", REPO / "bench" / "release" / "generate.py")
    assert spec is not None
    assert spec.loader is not None
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    generate.generate(tmp_path / "generated", annotations=3000, per_article=4)
    digests = []
    for pure in (False, True):
        shutil.copytree(tmp_path / "generated" / "workspace", tmp_path / str(pure) / "workspace")
        digests.append(_release_digests(tmp_path / str(pure) / "workspace", pure=pure))
    compiled, source = digests
    assert len(compiled) > 10
    assert compiled == source
