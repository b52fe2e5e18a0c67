"""The importer's fuzz test at length: ``python -m bench.fuzz_import [--examples N]`` (default 10,000).

Runs ``tests/test_import_fuzz.py`` with ``CEASEFIRE_FUZZ_EXAMPLES=N``: N generated Label Studio
exports, each imported into a fresh workspace and imported again. Checks (in the test): no
exception escapes, every annotation is in the log or the quarantine with its whole result, a
re-import changes no byte. Prints the count, the outcome and the wall time.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=10_000, help="generated exports (default 10,000)")
    args = parser.parse_args(argv)
    env = {**os.environ, "CEASEFIRE_FUZZ_EXAMPLES": str(args.examples)}
    test = "tests/test_import_fuzz.py::test_malformed_exports_never_crash_and_always_give_a_reason"
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test], cwd=ROOT, env=env, check=False
    )
    seconds = time.perf_counter() - began
    outcome = "passed" if done.returncode == 0 else f"FAILED (exit {done.returncode})"
    print(f"fuzz-import: {args.examples} exports {outcome} in {seconds:.0f} s ({args.examples / seconds:.1f} per s)")
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
