"""The extraction benchmark's gate: which changes of its figures count as regressions.

The benchmark itself needs the evaluation set, which is not part of the repository; these
tests check its verdicts on figures of their own.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from bench.extract.run import QUALITY_TOLERANCE, regressions, write_baseline


def _figures() -> dict[str, Any]:
    return {
        "pages": 990,
        "quality": {"judging_f1": 0.93, "judging_date_exact": 0.81, "tuning_title_exact": 0.76},
        "must_keep_removed": 0,
        "rejected": 1,
        "cpu_ratio": 1.2,
        "cpu_ratio_spread": 0.02,
    }


def test_the_same_figures_pass() -> None:
    assert regressions(_figures(), _figures()) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda f: f["quality"].update(judging_date_exact=0.81 - 2 * QUALITY_TOLERANCE), "judging_date_exact"),
        (lambda f: f.update(must_keep_removed=1), "must_keep_removed"),
        (lambda f: f.update(rejected=2), "rejected"),
        (lambda f: f.update(cpu_ratio=1.2 * 1.05), "CPU ratio"),
        (lambda f: f.update(pages=900), "measured on 990 pages"),
    ],
)
def test_a_worse_figure_regresses(change: Any, expected: str) -> None:
    run = copy.deepcopy(_figures())
    change(run)
    found = regressions(run, _figures())
    assert len(found) == 1, found
    assert expected in found[0], found


def test_noise_within_the_tolerances_passes() -> None:
    run = copy.deepcopy(_figures())
    run["quality"]["judging_f1"] -= QUALITY_TOLERANCE / 2
    run["cpu_ratio"] = 1.2 * 1.03  # within twice the 2% spread
    assert regressions(run, _figures()) == []


def test_without_a_baseline_the_gate_says_how_to_make_one(tmp_path: Path) -> None:
    assert "--update" in regressions(_figures(), None)[0]
    path = tmp_path / "baseline.json"
    path.write_text('{"quick": {"benchmarks": {}}}\n', encoding="utf-8")
    write_baseline(path, _figures())
    text = path.read_text(encoding="utf-8")
    assert '"quick"' in text
    assert '"extract"' in text
