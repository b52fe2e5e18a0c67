"""Projected build time at 10M and 100M pages on 8, 32 and 128 nodes, from measured figures.

    python -m bench.scale.project --from bench/out/scale/ray-2.json

The model, per build of ``pages`` pages on ``nodes`` nodes (:class:`Assumptions` states the
constants; every one is a flag):

- compute: ``pages x cpu_ms_per_page / 1000 / (nodes x cores_per_node x efficiency)``, the
  measured CPU per page spread over every core, at a parallel efficiency below 1 for
  scheduling, stragglers and skew;
- shuffle: ``pages x shuffle_bytes_per_page x (nodes - 1) / nodes`` bytes cross the network
  (a page's linking data lands on another node with probability ``(nodes - 1) / nodes``),
  through ``nodes`` links of ``link_gbps`` each: that total over ``nodes x link_gbps / 8``
  bytes per second;
- driver: ``pages x driver_bytes_per_page`` through the driver's one link.

The three are added (no overlap assumed: an upper bound). Reading the crawl from shared
storage is not modelled. Input figures missing from a measurement count as 0 and are shown
as such in the table.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PAGES = (10_000_000, 100_000_000)
NODES = (8, 32, 128)


@dataclass(frozen=True)
class Assumptions:
    cores_per_node: int = 16
    link_gbps: float = 10.0
    efficiency: float = 0.7


def projected_seconds(
    pages: int,
    nodes: int,
    cpu_ms_per_page: float,
    shuffle_bytes_per_page: float,
    driver_bytes_per_page: float,
    assume: Assumptions | None = None,
) -> dict[str, float]:
    """Compute, shuffle and driver seconds of a build, and their sum, by the model above."""
    assume = assume or Assumptions()
    link_bytes_per_s = assume.link_gbps * 1e9 / 8
    compute = pages * cpu_ms_per_page / 1000 / (nodes * assume.cores_per_node * assume.efficiency)
    shuffle = pages * shuffle_bytes_per_page * (nodes - 1) / nodes / (nodes * link_bytes_per_s)
    driver = pages * driver_bytes_per_page / link_bytes_per_s
    return {"compute_s": compute, "shuffle_s": shuffle, "driver_s": driver, "total_s": compute + shuffle + driver}


def inputs_from(figures: dict[str, Any]) -> dict[str, float]:
    """Per-page figures of the largest crawl of a ``bench.scale.run`` JSON (missing: 0)."""
    largest = max(figures["results"], key=lambda r: r["pages"])
    return {
        "cpu_ms_per_page": float(largest["cpu_ms_per_page"]),
        "shuffle_bytes_per_page": float(largest.get("shuffle_bytes_per_page") or 0.0),
        "driver_bytes_per_page": float(largest.get("driver_fetched_bytes_per_page") or 0.0),
    }


def table(inputs: dict[str, float], assume: Assumptions) -> str:
    lines = [
        f"Inputs: {inputs['cpu_ms_per_page']:.3f} CPU ms/page, {inputs['shuffle_bytes_per_page']:,.0f} shuffle "
        f"B/page, {inputs['driver_bytes_per_page']:,.1f} driver B/page; {assume.cores_per_node} cores/node, "
        f"{assume.link_gbps:g} Gb/s per node, parallel efficiency {assume.efficiency:g}.",
        "",
        "| pages | nodes | compute | shuffle | driver | total |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for pages in PAGES:
        for nodes in NODES:
            t = projected_seconds(pages, nodes, assume=assume, **inputs)
            cells = " | ".join(_duration(t[k]) for k in ("compute_s", "shuffle_s", "driver_s", "total_s"))
            lines.append(f"| {pages:,} | {nodes} | {cells} |")
    return "\n".join(lines)


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    if seconds < 3600:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale.project", description=__doc__.split("\n\n")[0])
    parser.add_argument("--from", dest="source", type=Path, required=True, help="a bench.scale.run --json file")
    parser.add_argument("--cores-per-node", type=int, default=Assumptions.cores_per_node)
    parser.add_argument("--link-gbps", type=float, default=Assumptions.link_gbps)
    parser.add_argument("--efficiency", type=float, default=Assumptions.efficiency)
    args = parser.parse_args(argv)
    if not args.source.is_file():
        parser.error(f"--from {args.source}: no such file; write one with python -m bench.scale.run --json")
    assume = Assumptions(args.cores_per_node, args.link_gbps, args.efficiency)
    print(table(inputs_from(json.loads(args.source.read_text(encoding="utf-8"))), assume))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
