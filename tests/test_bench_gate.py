"""The benchmark gate fails on a planted 2x slowdown of the project side and passes without it.

The gate's verdict rests on same-run ratios (project CPU / floor CPU), so this checks
verdicts, never absolute times. The slowdown is planted in the benchmark harness only
(``CEASEFIRE_BENCH_PLANT``): the project side burns as much CPU again as it used.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# One single-process benchmark at a tiny size: about a second of CPU per alternation, three
# alternations per repeat.
GATE = ["--quick", "--only", "sync-import", "--size", "sync-import=1000", "--rounds", "3"]


def _gate(*args: str, data: Path, baseline: Path, plant: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CEASEFIRE_BENCH_PLANT"}
    if plant is not None:
        env["CEASEFIRE_BENCH_PLANT"] = plant
    return subprocess.run(
        [sys.executable, "-m", "bench.gate", *GATE, "--data", str(data), "--baseline", str(baseline), *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def _row(output: str) -> str:
    return next(line for line in output.splitlines() if line.startswith("sync-import "))


@pytest.mark.slow
def test_gate_fails_on_a_planted_slowdown_and_passes_without(tmp_path: Path) -> None:
    data, baseline = tmp_path / "data", tmp_path / "baseline.json"
    first = _gate("--update", data=data, baseline=baseline)
    assert first.returncode == 0, first.stdout + first.stderr
    stored = json.loads(baseline.read_text())["quick"]["benchmarks"]["sync-import"]
    assert stored["repeats"] >= 3
    assert stored["units"] == 1000

    slowed = _gate(data=data, baseline=baseline, plant="2")
    assert slowed.returncode == 1, slowed.stdout + slowed.stderr
    assert _row(slowed.stdout).endswith("REGRESSED"), slowed.stdout

    clean = _gate(data=data, baseline=baseline)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert _row(clean.stdout).split()[-1] in {"ok", "improved"}, clean.stdout


def test_verdicts_on_ratios() -> None:
    from bench.gate import verdict

    base = {"ratio": 2.0, "spread": 0.1, "sizes": {"annotations": 2000}, "workers": 1, "rounds": 1}
    run = dict(base, spread=0.05)
    assert verdict(dict(run, ratio=2.39), base) == ("ok", True)  # within 2 x 10%
    assert verdict(dict(run, ratio=2.41), base) == ("REGRESSED", False)
    assert verdict(dict(run, ratio=1.5), base) == ("improved", True)
    # This run's own spread widens the tolerance: 2 x 30% over 2.0 is 3.2.
    assert verdict(dict(run, ratio=3.1, spread=0.3), base) == ("ok", True)
    assert verdict(dict(run, ratio=4.0, spread=0.3), base) == ("REGRESSED", False)
    assert verdict(run, None) == ("NO BASELINE", False)
    assert verdict(dict(run, sizes={"annotations": 4000}), base) == ("OTHER SIZES", False)
