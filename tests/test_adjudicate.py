"""Adjudication policy, unit by unit."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ceasefire_news.dataset.release.adjudicate import POLICY, adjudicate_article, decide, select_ballots
from ceasefire_news.dataset.release.gold import Ballot, ReviewItem
from ceasefire_news.dataset.release.matching import Member, match_spans
from ceasefire_news.labeling.results import parse_result
from tests.fixtures.release import Span, result

TEXT = "Putin and Erdogan have agreed on a ceasefire in Idlib after talks in Moscow on Thursday."
#       0         1         2         3         4         5         6         7         8
#       0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567


def ballot(annotator: str, *, gt: bool = False, machine: bool = False, version: str = "1", **kwargs: object) -> Ballot:
    return Ballot(
        f"{annotator}-{version}",
        annotator,
        parse_result(result(TEXT, **kwargs)),  # type: ignore[arg-type]
        ground_truth=gt,
        machine=machine,
        version=(version, version),
    )


def test_decide() -> None:
    assert decide(["favor", "favor", "against"]) == ("favor", None)
    assert decide(["favor", "against"]) == (None, "tie")
    assert decide(["favor", "favor", "against", "neutral"]) == ("favor", "low_agreement")
    assert decide([]) == (None, None)


def test_unanimous_stance_is_human() -> None:
    gold = adjudicate_article(
        "a", [ballot("x", stance={"russia": "neutral"}), ballot("y", stance={"russia": "neutral"})]
    )
    (unit,) = gold.stance
    assert (unit.target, unit.label, unit.provenance, unit.needs_review) == ("russia", "neutral", "human", False)
    assert unit.votes == [("x", "neutral"), ("y", "neutral")]
    assert gold.review == []


def test_majority_stance_is_adjudicated() -> None:
    gold = adjudicate_article(
        "a",
        [
            ballot("x", stance={"turkey": "against"}),
            ballot("y", stance={"turkey": "against"}),
            ballot("z", stance={"turkey": "favor"}),
        ],
    )
    (unit,) = gold.stance
    assert (unit.label, unit.provenance, unit.n_annotators, unit.needs_review) == ("against", "adjudicated", 3, False)


def test_tie_leaves_the_label_empty_and_goes_to_review() -> None:
    gold = adjudicate_article("a", [ballot("x", stance={"russia": "favor"}), ballot("y", stance={"russia": "against"})])
    (unit,) = gold.stance
    assert unit.label is None
    assert unit.needs_review
    assert [(r.article_id, r.unit, r.reason) for r in gold.review] == [("a", "stance:russia", "tie")]


def test_plurality_without_majority_is_low_agreement() -> None:
    labels = ["favor", "favor", "against", "neutral"]
    gold = adjudicate_article("a", [ballot(f"u{i}", stance={"ceasefire": v}) for i, v in enumerate(labels)])
    (unit,) = gold.stance
    assert (unit.label, unit.needs_review) == ("favor", True)
    assert [r.reason for r in gold.review] == ["low_agreement"]


def test_ground_truth_wins_over_the_majority() -> None:
    gold = adjudicate_article(
        "a",
        [
            ballot("x", stance={"russia": "against"}),
            ballot("y", stance={"russia": "against"}),
            ballot("boss", gt=True, stance={"russia": "favor"}),
        ],
    )
    (unit,) = gold.stance
    assert (unit.label, unit.provenance, unit.needs_review) == ("favor", "adjudicated", False)
    assert len(unit.votes) == 3  # the others' votes are still listed


def test_cancelled_and_quarantined_annotations_do_not_vote() -> None:
    cancelled = ballot("c", stance={"russia": "against"})
    cancelled.cancelled = True
    quarantined = ballot("q", stance={"russia": "against"})
    quarantined.quarantined = True
    gold = adjudicate_article("a", [ballot("x", stance={"russia": "favor"}), cancelled, quarantined])
    (unit,) = gold.stance
    assert (unit.label, unit.n_annotators, unit.provenance) == ("favor", 1, "human")


def test_machine_votes_only_without_humans() -> None:
    machine = ballot("seed", machine=True, stance={"russia": "favor"}, genre="opinion")
    alone = adjudicate_article("a", [machine])
    assert (alone.stance[0].label, alone.stance[0].provenance, alone.genre_provenance) == (
        "favor",
        "machine",
        "machine",
    )
    mixed = adjudicate_article("a", [machine, ballot("x", stance={"russia": "against"}, genre="reporting")])
    assert (mixed.stance[0].label, mixed.stance[0].provenance, mixed.genre) == ("against", "human", "reporting")
    assert mixed.n_annotators == 1


def test_each_annotator_votes_once_with_the_newest_annotation() -> None:
    old = ballot("x", version="1", stance={"russia": "against"})
    new = ballot("x", version="2", stance={"russia": "favor"})
    assert [b.annotation_id for b in select_ballots([new, old])] == ["x-2"]
    gold = adjudicate_article("a", [old, new, ballot("y", stance={"russia": "favor"})])
    assert (gold.stance[0].label, gold.stance[0].provenance, gold.n_annotators) == ("favor", "human", 2)


def test_evidence_comes_from_the_winning_voters() -> None:
    gold = adjudicate_article(
        "a",
        [
            ballot("x", stance={"russia": "favor"}, evidence=[Span("v1", 0, 5, "russia")]),
            ballot(
                "y", stance={"russia": "favor"}, evidence=[Span("v2", 0, 5, "russia"), Span("v3", 10, 17, "russia")]
            ),
            ballot("z", stance={"russia": "against"}, evidence=[Span("v4", 22, 28, "russia")]),
        ],
    )
    assert [(e.start, e.end, e.text) for e in gold.stance[0].evidence] == [(0, 5, "Putin"), (10, 17, "Erdogan")]


def test_genre_and_quality_flags() -> None:
    gold = adjudicate_article(
        "a",
        [
            ballot("x", genre="reporting", quality=["damaged_text"]),
            ballot("y", genre="reporting", quality=["damaged_text", "duplicate"]),
            ballot("z", genre="opinion"),
        ],
    )
    assert (gold.genre, gold.genre_provenance) == ("reporting", "adjudicated")
    assert gold.quality_flags == ["damaged_text"]  # duplicate: 1 of 3
    tie = adjudicate_article("a", [ballot("x", quality=["off_topic"]), ballot("y")])
    assert tie.quality_flags == ["off_topic"]
    assert [(r.unit, r.reason) for r in tie.review] == [("quality:off_topic", "tie")]


AGREED = Span("t", 23, 29, "AGREE")  # "agreed"
HAVE_AGREED = Span("t", 18, 29, "AGREE")  # "have agreed"
TALKS = Span("t2", 60, 65, "CONSULT")  # "talks"


def test_events_match_by_overlap_and_type() -> None:
    gold = adjudicate_article(
        "a",
        [
            ballot("x", triggers=[AGREED], factuality={"t": "asserted"}),
            ballot("y", triggers=[AGREED], factuality={"t": "asserted"}),
            ballot("z", triggers=[HAVE_AGREED], factuality={"t": "claimed"}),
        ],
    )
    (event,) = gold.events
    assert (event.start, event.end, event.text, event.event_type) == (23, 29, "agreed", "AGREE")
    assert (event.factuality, event.annotators, event.provenance, event.needs_review) == (
        "asserted",
        ["x", "y", "z"],
        "adjudicated",
        False,
    )


def test_same_span_different_type_is_not_the_same_event() -> None:
    consult = Span("t", 23, 29, "CONSULT")
    gold = adjudicate_article("a", [ballot("x", triggers=[AGREED]), ballot("y", triggers=[consult])])
    assert sorted(e.event_type for e in gold.events) == ["AGREE", "CONSULT"]
    assert all(e.needs_review for e in gold.events)
    assert sorted(r.unit for r in gold.review) == ["event:AGREE@23-29", "event:CONSULT@23-29"]


def test_event_marked_by_a_minority_is_dropped() -> None:
    gold = adjudicate_article("a", [ballot("x", triggers=[TALKS]), ballot("y"), ballot("z")])
    assert gold.events == []
    assert gold.review == []


def test_tied_boundaries_and_factuality_go_to_review() -> None:
    gold = adjudicate_article(
        "a",
        [
            ballot("x", triggers=[AGREED], factuality={"t": "asserted"}),
            ballot("y", triggers=[HAVE_AGREED], factuality={"t": "claimed"}),
        ],
    )
    (event,) = gold.events
    assert (event.start, event.end) == (23, 29)  # tied: the shorter span, provisionally
    assert event.factuality is None
    assert event.needs_review
    assert sorted(r.unit for r in gold.review) == ["event:AGREE@23-29:factuality", "event:AGREE@23-29:span"]


def test_arguments_match_by_role_and_span() -> None:
    putin, erdogan, moscow = Span("e1", 0, 5, "PER"), Span("e2", 10, 17, "PER"), Span("e3", 69, 75, "LOC")
    talks_kwargs = {"triggers": [TALKS], "modes": {"t2": "visit"}, "factuality": {"t2": "asserted"}}
    gold = adjudicate_article(
        "a",
        [
            ballot(
                "x",
                entities=[putin, moscow],
                relations=[("t2", "e1", "actor"), ("t2", "e3", "location")],
                **talks_kwargs,
            ),
            ballot(
                "y",
                entities=[putin, erdogan],
                relations=[("t2", "e1", "actor"), ("t2", "e2", "recipient")],
                **talks_kwargs,
            ),
            ballot("z", entities=[Span("e9", 69, 75, "ORG")], relations=[("t2", "e9", "location")], **talks_kwargs),
        ],
    )
    (event,) = gold.events
    assert event.mode == "visit"
    args = [(a.role, a.entity_type, a.text) for a in event.arguments]
    # actor: 2 of 3; location: 2 of 3 with entity types LOC, ORG -> tie; recipient: 1 of 3, dropped
    assert args == [("actor", "PER", "Putin"), ("location", None, "Moscow")]
    assert [r.unit for r in gold.review] == ["event:CONSULT@60-65:location@69-75:entity_type"]
    assert event.provenance == "adjudicated"


def test_no_ballots_gives_an_empty_article() -> None:
    gold = adjudicate_article("a", [])
    assert (gold.n_annotators, gold.stance, gold.events, gold.genre) == (0, [], [], None)


def test_policy_is_written_down() -> None:
    text = " ".join(POLICY)
    for phrase in ("Ground-truth", "Cancelled", "majority", "review", "machine", "annotations_raw"):
        assert phrase in text


members = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c"]),
        st.integers(0, 50),
        st.integers(1, 10),
        st.sampled_from(["X", "Y"]),
    ),
    max_size=25,
)


@given(members, st.booleans())
def test_match_spans_properties(raw: list[tuple[str, int, int, str]], same_kind: bool) -> None:
    items = [Member(a, s, s + n, k, i) for i, (a, s, n, k) in enumerate(raw)]
    groups = match_spans(items, same_kind=same_kind)
    assert sorted(m.item for g in groups for m in g) == list(range(len(items)))
    for group in groups:
        annotators = [m.annotator for m in group]
        assert len(annotators) == len(set(annotators))
        anchor = group[0]
        for m in group[1:]:
            assert min(anchor.end, m.end) > max(anchor.start, m.start)
            if same_kind:
                assert m.kind == anchor.kind

    # the order of the input does not matter (up to members that are identical but for the item)
    def shape(gs: list[list[Member[int]]]) -> list[list[tuple[str, int, int, str]]]:
        return [[(m.annotator, m.start, m.end, m.kind) for m in g] for g in gs]

    assert shape(match_spans(list(reversed(items)), same_kind=same_kind)) == shape(groups)


@pytest.mark.parametrize(
    ("article_id", "unit", "reason"),
    [
        ("a-1", "event:AGREE@1-5:span", "tie"),
        ('é"\\x', "stance:russia", "low_agreement"),
        ("\u2028\x00\t", "u\U0001f600", "r"),
    ],
)
def test_a_review_line_is_the_json_of_its_fields(article_id: str, unit: str, reason: str) -> None:
    line = ReviewItem(article_id, unit, reason).to_json()
    expected = {"article_id": article_id, "unit": unit, "reason": reason}
    assert line == json.dumps(expected, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert json.loads(line) == expected
