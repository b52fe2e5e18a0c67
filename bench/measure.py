"""Run one benchmark and print its figures as JSON (the gate runs each this way, in its own process).

    python -m bench.measure release --size 20000 --workers 2 --repeats 3

Kept free of imports of the project at module level: spawned worker processes import the
main module again, and the floor's workers must pay for pyarrow only.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path

#: Benchmark name -> ``module:function``; the function takes ``(size, workers)`` and returns a Case.
BENCHMARKS = {
    "build": "bench.build.run:case",
    "sync-export": "bench.sync.run:export_case",
    "sync-import": "bench.sync.run:import_case",
    "release": "bench.release.run:case",
}


def run(name: str, size: int, workers: int, repeats: int, *, memory: bool = False) -> dict[str, object]:
    from bench.harness import measure

    module, function = BENCHMARKS[name].split(":")
    case = getattr(importlib.import_module(module), function)(size, workers)
    try:
        return measure(case, repeats, memory=memory)
    finally:
        case.cleanup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("name", choices=sorted(BENCHMARKS))
    parser.add_argument("--size", type=int, required=True, help="units: articles, tasks or annotations")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--memory", action="store_true", help="also sample peak RSS of every run")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args(argv)
    result = run(args.name, args.size, args.workers, args.repeats, memory=args.memory)
    text = json.dumps(result, sort_keys=True)
    if args.json:
        args.json.write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
