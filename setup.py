"""Build: the modules a release spends its time in are compiled to C extensions with mypyc.

Everything else about the package is declared in ``pyproject.toml``. The compiled modules
are the same source as the ``.py`` files beside them, which stay in the package: where no C
compiler is found the build warns and installs pure Python, which gives the same results
more slowly. ``CEASEFIRE_NEWS_PURE_PYTHON=1`` skips compiling on purpose.
"""

from __future__ import annotations

import os
import sys
import tomllib
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

with open(Path(__file__).parent / "pyproject.toml", "rb") as pyproject:
    #: The modules to compile: ``[tool.ceasefire-news] compiled`` in pyproject.toml.
    COMPILED: list[str] = tomllib.load(pyproject)["tool"]["ceasefire-news"]["compiled"]


class OptionalBuildExt(build_ext):  # type: ignore[misc]
    """Compile if possible; without a working compiler, keep the pure-Python package."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as error:  # any compiler failure: fall back, and say so
            _warn(f"compiling failed ({error})")
            for path in self.get_outputs():
                if os.path.exists(path):
                    os.remove(path)  # never a partly compiled package
            self.extensions: list[object] = []


def _warn(reason: str) -> None:
    print(f"warning: {reason}; installing pure Python, which releases large corpora more slowly", file=sys.stderr)


#: The setup commands that build extensions. Only these compile: pip also runs this file
#: for the package's metadata (``egg_info``, ``dist_info``), where mypyc's type check and C
#: generation would only cost time.
_BUILDING = {"build", "build_ext", "bdist_wheel", "editable_wheel", "install", "develop"}


def _ext_modules() -> list[object]:
    if os.environ.get("CEASEFIRE_NEWS_PURE_PYTHON") or _BUILDING.isdisjoint(sys.argv[1:]):
        return []
    try:
        from mypyc.build import mypycify

        # The type check that mypyc compiles from sees no installed package, so that it is the
        # same wherever the build runs (pip builds in an environment of its own, and mypy would
        # otherwise see whatever the target environment holds): their imports are Any here.
        return list(mypycify(["--no-site-packages", "--ignore-missing-imports", *COMPILED], opt_level="3"))
    except (Exception, SystemExit) as error:  # mypyc missing, or its type check failed
        _warn(f"mypyc could not compile ({error!r})")
        return []


setup(ext_modules=_ext_modules(), cmdclass={"build_ext": OptionalBuildExt})
