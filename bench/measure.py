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


def run(
    name: str,
    size: int,
    workers: int,
    repeats: int,
    *,
    rounds: int = 1,
    memory: bool = False,
    warmup: bool = True,
    data: Path | None = None,
) -> dict[str, object]:
    from bench.harness import measure, measure_memory

    module, function = BENCHMARKS[name].split(":")
    factory = getattr(importlib.import_module(module), function)
    # Each benchmark caches its inputs in its own folder under ``data``.
    case = factory(size, workers) if data is None else factory(size, workers, data / name.split("-", maxsplit=1)[0])
    try:
        return measure_memory(case) if memory else measure(case, repeats, rounds=rounds, warmup=warmup)
    finally:
        case.cleanup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("name", choices=sorted(BENCHMARKS))
    parser.add_argument("--size", type=int, required=True, help="units: articles, tasks or annotations")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=1, help="alternations summed into one repeat")
    parser.add_argument("--memory", action="store_true", help="one run of the project alone, its peak RSS sampled")
    parser.add_argument("--no-warmup", action="store_true", help="no untimed first pair (for large sizes)")
    parser.add_argument("--data", type=Path, help="where generated inputs are cached (default: bench/out)")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args(argv)
    result = run(
        args.name,
        args.size,
        args.workers,
        args.repeats,
        rounds=args.rounds,
        memory=args.memory,
        warmup=not args.no_warmup,
        data=args.data,
    )
    text = json.dumps(result, sort_keys=True)
    if args.json:
        args.json.write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
