"""Agreement measures over human annotations."""

from __future__ import annotations

import math

import krippendorff
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ceasefire_news.dataset.release.agreement import AgreementAccumulator, format_measure, nominal_alpha
from ceasefire_news.dataset.release.gold import Ballot
from ceasefire_news.labeling.results import parse_result
from ceasefire_news.schema.labels import STANCE_LABELS
from tests.fixtures.release import Span, result

TEXT = "Putin and Erdogan have agreed on a ceasefire in Idlib after talks in Moscow on Thursday."


def ballot(annotator: str, *, machine: bool = False, **kwargs: object) -> Ballot:
    return Ballot(f"{annotator}-id", annotator, parse_result(result(TEXT, **kwargs)), machine=machine)  # type: ignore[arg-type]


def test_nothing_to_measure_is_said_so() -> None:
    acc = AgreementAccumulator()
    acc.add([ballot("seed", machine=True, stance={"russia": "favor"})])
    out = acc.result()
    assert out["stance_alpha"]["russia"] == {
        "value": None,
        "n": 0,
        "unit": "articles",
        "note": "not computable (0 human annotators)",
    }
    assert out["machine_only_items"] == 1
    assert out["annotators_per_item"] == {"0": 1}
    acc.add([ballot("x", stance={"russia": "favor"})])
    out = acc.result()
    assert out["genre_alpha"]["note"] == "not computable (1 human annotator)"
    assert out["trigger_span_f1"]["exact"]["note"] == "not computable (1 human annotator)"
    assert format_measure(out["role_f1"]) == "not computable (1 human annotator)"


def test_stance_alpha_matches_krippendorff_on_reliability_data() -> None:
    # 2 annotators x 6 articles, plus one article a third annotator labelled alone
    x = ["favor", "against", "neutral", "neutral", "favor", "against"]
    y = ["favor", "against", "neutral", "favor", "favor", "neutral"]
    acc = AgreementAccumulator()
    for a, b in zip(x, y, strict=True):
        acc.add([ballot("x", stance={"russia": a}), ballot("y", stance={"russia": b})])
    acc.add([ballot("z", stance={"russia": "against"})])
    out = acc.result()["stance_alpha"]["russia"]
    reference = krippendorff.alpha(
        reliability_data=[[STANCE_LABELS.index(v) for v in x], [STANCE_LABELS.index(v) for v in y]],
        level_of_measurement="nominal",
    )
    assert out["n"] == 6
    assert math.isclose(out["value"], round(reference, 4))
    assert 0 < out["value"] < 1


def test_perfect_agreement_is_one_and_no_variation_is_not_computable() -> None:
    acc = AgreementAccumulator()
    for label in ("favor", "against", "favor"):
        acc.add(
            [
                ballot("x", stance={"turkey": label}, genre="reporting"),
                ballot("y", stance={"turkey": label}, genre="reporting"),
            ]
        )
    out = acc.result()
    assert out["stance_alpha"]["turkey"]["value"] == 1.0
    assert out["genre_alpha"]["note"] == "not computable (no variation: every label is 'reporting')"
    assert out["stance_alpha"]["russia"]["note"] == "not computable (no articles labelled by two or more annotators)"


def test_span_f1_exact_and_overlap() -> None:
    acc = AgreementAccumulator()
    acc.add(
        [
            ballot("x", triggers=[Span("t1", 23, 29, "AGREE"), Span("t2", 60, 65, "CONSULT")]),
            ballot("y", triggers=[Span("t1", 18, 29, "AGREE"), Span("t2", 60, 65, "CONSULT")]),
        ]
    )
    out = acc.result()["trigger_span_f1"]
    assert out["exact"]["value"] == 0.5  # 2 x 1 / (2 + 2)
    assert out["overlap"]["value"] == 1.0  # 2 x 2 / (2 + 2)
    assert out["overlap"]["n"] == 1


def test_span_f1_is_averaged_over_pairs() -> None:
    acc = AgreementAccumulator()
    agreed = Span("t", 23, 29, "AGREE")
    acc.add(
        [
            ballot("x", triggers=[agreed]),
            ballot("y", triggers=[agreed]),
            ballot("z", triggers=[Span("t", 60, 65, "CONSULT")]),
        ]
    )
    out = acc.result()["trigger_span_f1"]["exact"]
    # pairs: x-y 1.0, x-z 0.0, y-z 0.0
    assert out["n"] == 3
    assert out["value"] == pytest.approx(1 / 3, abs=1e-4)


def test_event_type_alpha_on_matched_triggers_and_role_f1() -> None:
    acc = AgreementAccumulator()
    putin, moscow = Span("e1", 0, 5, "PER"), Span("e2", 69, 75, "LOC")
    for other in ("CONSULT", "AGREE", "CONSULT"):
        acc.add(
            [
                ballot(
                    "x",
                    triggers=[Span("t", 60, 65, "CONSULT")],
                    entities=[putin, moscow],
                    relations=[("t", "e1", "actor"), ("t", "e2", "location")],
                ),
                ballot("y", triggers=[Span("t", 60, 65, other)], entities=[putin], relations=[("t", "e1", "actor")]),
            ]
        )
    out = acc.result()
    counts = np.array([[0, 2] + [0] * 14, [1, 1] + [0] * 14, [0, 2] + [0] * 14], dtype=float)
    reference = krippendorff.alpha(value_counts=counts, level_of_measurement="nominal")
    assert out["event_type_alpha"]["n"] == 3
    assert math.isclose(out["event_type_alpha"]["value"], round(reference, 4))
    # per event: x has 2 arguments, y 1, 1 matched -> 2 x 3 / (6 + 3)
    assert out["role_f1"]["value"] == pytest.approx(2 / 3, abs=1e-4)
    assert out["entity_span_f1"]["exact"]["value"] == pytest.approx(2 / 3, abs=1e-4)


def test_annotators_per_item() -> None:
    acc = AgreementAccumulator()
    acc.add([])
    acc.add([ballot("x", genre="opinion")])
    acc.add([ballot("x", genre="opinion"), ballot("y", genre="reporting")])
    cancelled = ballot("z", genre="opinion")
    cancelled.cancelled = True
    acc.add([ballot("x", genre="opinion"), ballot("y", genre="opinion"), cancelled])
    out = acc.result()
    assert out["annotators_per_item"] == {"0": 1, "1": 1, "2": 2}
    assert out["human_annotators"] == 2
    assert out["genre_alpha"]["n"] == 2


@given(
    st.lists(
        st.lists(st.integers(0, 3), min_size=4, max_size=4).filter(lambda r: sum(r) >= 2),
        min_size=2,
        max_size=30,
    )
)
def test_nominal_alpha_equals_the_krippendorff_package(rows: list[list[int]]) -> None:
    counts = np.asarray(rows, dtype=np.float64)
    if int((counts.sum(axis=0) > 0).sum()) < 2:
        return  # no variation: the package divides by zero, the accumulator says "not computable"
    reference = krippendorff.alpha(value_counts=counts, level_of_measurement="nominal")
    distinct: dict[tuple[int, ...], int] = {}
    for row in rows:
        distinct[tuple(row)] = distinct.get(tuple(row), 0) + 1
    grouped = np.asarray(list(distinct), dtype=np.float64)
    weights = np.asarray(list(distinct.values()), dtype=np.float64)
    assert nominal_alpha(grouped, weights) == pytest.approx(reference, abs=1e-9)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_stance_alpha_equals_the_krippendorff_package_on_random_reliability_data(seed: int) -> None:
    # annotators x articles, a label or nothing: what the card's alpha is computed from
    rng = np.random.default_rng(seed)
    names = STANCE_LABELS.names
    data = rng.integers(0, len(names), size=(3, 25)).astype(np.float64)
    data[rng.random(data.shape) < 0.3] = np.nan
    acc = AgreementAccumulator()
    for article in data.T:
        stances = [{} if math.isnan(v) else {"russia": names[int(v)]} for v in article]
        acc.add([ballot(a, genre="reporting", stance=s) for a, s in zip("xyz", stances, strict=True)])
    out = acc.result()["stance_alpha"]["russia"]
    reference = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert out["n"] == int(((~np.isnan(data)).sum(axis=0) >= 2).sum())
    assert out["value"] == pytest.approx(reference, abs=5e-5)
