"""Project a crawl build to larger crawls and clusters from measured per-page figures.

    python -m bench.scale.project --from bench/out/scale/results.jsonl --engine ray-2node

The model, stated so it can be argued with:

- per-page work (read, filter, extract, clean, sketch) divides over all cores:
  ``pages * cpu_ms_per_page / (nodes * cores_per_node * efficiency)``;
- linking stories reads every page's band keys once per partition (one partition per core),
  from shared storage: ``pages * shuffle_bytes_per_page_per_partition * partitions`` bytes,
  spread over the nodes' links (``link_gbit_s`` each);
- the one-task steps (duplicates over 8-byte ids, the components and writing the version) run
  at ``single_task_ms_per_kept_page`` on one core, and only kept pages reach them.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Assumptions:
    cores_per_node: int = 16
    efficiency: float = 0.8  # share of the cores' time spent on tasks at scale
    link_gbit_s: float = 10.0  # each node's network or storage bandwidth
    kept_share: float = 0.1  # on-topic pages of a news crawl
    single_task_ms_per_kept_page: float = 0.5


def project(
    pages: float,
    nodes: int,
    cpu_ms_per_page: float,
    shuffle_bytes_per_page_per_partition: float,
    assume: Assumptions = Assumptions(),  # noqa: B008 - frozen, shared default
) -> dict[str, float]:
    """Hours of a build of ``pages`` pages on ``nodes`` nodes, by part.

    >>> round(project(1e6, 1, 3.6, 0.0, Assumptions(cores_per_node=1, efficiency=1.0, kept_share=0.0))["total_h"], 3)
    1.0
    """
    cores = nodes * assume.cores_per_node
    compute_s = pages * cpu_ms_per_page / 1000 / (cores * assume.efficiency)
    shuffle_bytes = pages * shuffle_bytes_per_page_per_partition * cores
    shuffle_s = shuffle_bytes * 8 / (nodes * assume.link_gbit_s * 1e9)
    single_s = pages * assume.kept_share * assume.single_task_ms_per_kept_page / 1000
    return {
        "compute_h": compute_s / 3600,
        "shuffle_h": shuffle_s / 3600,
        "single_task_h": single_s / 3600,
        "total_h": (compute_s + shuffle_s + single_s) / 3600,
    }


def table(cpu_ms_per_page: float, shuffle_bytes_per_page_per_partition: float, assume: Assumptions) -> str:
    rows = ["| pages | nodes | compute h | shuffle h | one-task h | total h |", "|---|---|---|---|---|---|"]
    for pages in (10e6, 100e6):
        for nodes in (8, 32, 128):
            p = project(pages, nodes, cpu_ms_per_page, shuffle_bytes_per_page_per_partition, assume)
            rows.append(
                f"| {pages / 1e6:.0f}M | {nodes} | {p['compute_h']:.2f} | {p['shuffle_h']:.3f} | "
                f"{p['single_task_h']:.2f} | {p['total_h']:.2f} |"
            )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--from", dest="results", type=Path, required=True, help="bench.scale.run JSON Lines")
    parser.add_argument("--engine", default="ray-2node", help="which measured run to project from")
    args = parser.parse_args(argv)
    runs = [json.loads(line) for line in args.results.read_text().splitlines() if line.strip()]
    chosen = max((r for r in runs if r["engine"] == args.engine), key=lambda r: r["pages"])
    partitions = 2  # the measured cluster: two CPUs, so two link partitions
    per_partition = chosen.get("shuffle_bytes_per_page", 0.0) / partitions
    print(f"from {chosen['engine']} at {chosen['pages']} pages: {chosen['cpu_ms_per_page']} CPU ms/page, ")
    print(f"{per_partition:.1f} bytes per page per partition read to link stories\n")
    print(table(chosen["cpu_ms_per_page"], per_partition, Assumptions()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
