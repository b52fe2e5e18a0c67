"""Span integrity: checks, provable repairs, and a reason code for everything else."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ceasefire_news.labeling.integrity import REPAIR_KINDS, check_annotation, text_sha256
from ceasefire_news.labeling.results import REASON_CODES, ParsedAnnotation, parse_result


def span(region_id: str, start: int, end: int, text: str, label: str = "AGREE", control: str = "trigger") -> dict:
    return {
        "id": region_id,
        "from_name": control,
        "to_name": "text",
        "type": "labels",
        "value": {"start": start, "end": end, "text": text, "labels": [label]},
    }


def factuality(region_id: str, start: int, end: int, text: str, value: str = "asserted") -> dict:
    return {
        "id": region_id,
        "from_name": "factuality",
        "to_name": "text",
        "type": "choices",
        "value": {"start": start, "end": end, "text": text, "choices": [value]},
    }


def relation(source: str, target: str, role: str = "actor") -> dict:
    return {"type": "relation", "from_id": source, "to_id": target, "direction": "right", "labels": [role]}


def reasons(problems: list[Any]) -> list[str]:
    return [p.reason for p in problems]


def test_good_regions_pass_unchanged() -> None:
    text = "Putin and Erdogan agreed on a ceasefire."
    result = [
        span("t1", 18, 24, "agreed"),
        factuality("t1", 18, 24, "agreed"),
        span("e1", 0, 5, "Putin", "PER", "entity"),
        relation("t1", "e1"),
        {"from_name": "stance_russia", "to_name": "text", "type": "choices", "value": {"choices": ["neutral"]}},
        {"from_name": "notes", "to_name": "text", "type": "textarea", "value": {"text": ["fine"]}},
    ]
    clean, repairs, problems = check_annotation(result, text)
    assert clean == result
    assert repairs == []
    assert problems == []


def test_utf16_shift_after_an_emoji_is_repaired() -> None:
    text = "Peace 🕊️ talks: Russia and Turkey agreed."
    start = text.index("agreed")
    units = len(text[:start].encode("utf-16-le")) // 2  # what a browser counts
    assert units == start + 1
    result = [span("t1", units, units + 6, "agreed"), factuality("t1", units, units + 6, "agreed")]
    clean, repairs, problems = check_annotation(result, text)
    assert problems == []
    assert repairs == [
        {"region_id": "t1", "repair": "utf16_offsets", "from": [units, units + 6], "to": [start, start + 6]}
    ]
    assert clean[0]["value"]["start"] == start
    assert text[clean[0]["value"]["start"] : clean[0]["value"]["end"]] == "agreed"
    # the per-region choice repeats the region's offsets and follows the repair
    assert (clean[1]["value"]["start"], clean[1]["value"]["end"]) == (start, start + 6)
    # the input is not modified in place
    assert result[0]["value"]["start"] == units


def test_offsets_counted_with_crlf_are_repaired() -> None:
    text = "Line one.\nLine two.\nThey agreed."
    start = text.index("agreed")
    shifted = start + 2  # two line ends, each counted as two characters
    clean, repairs, problems = check_annotation([span("t1", shifted, shifted + 6, "agreed")], text)
    assert problems == []
    assert repairs[0]["repair"] == "crlf_expanded_offsets"
    assert clean[0]["value"]["start"] == start


def test_offsets_counted_on_lf_text_are_repaired_in_a_crlf_text() -> None:
    text = "Line one.\r\nThey agreed."
    start = text.index("agreed")
    clean, repairs, problems = check_annotation([span("t1", start - 1, start + 5, "agreed")], text)
    assert problems == []
    assert repairs[0]["repair"] == "crlf_collapsed_offsets"
    assert clean[0]["value"]["start"] == start


def test_utf16_and_crlf_together_are_repaired() -> None:
    text = "😀 one\nThey agreed."
    start = text.index("agreed")
    shifted = start + 1 + 1  # the emoji counts twice, the line end counts twice
    clean, repairs, problems = check_annotation([span("t1", shifted, shifted + 6, "agreed")], text)
    assert problems == []
    assert repairs[0]["repair"] == "utf16_crlf_expanded_offsets"
    assert clean[0]["value"]["start"] == start


def test_text_with_collapsed_whitespace_keeps_its_offsets_and_takes_the_span_text() -> None:
    # What the browser sends for a span holding a double space: right offsets, text collapsed.
    text = "Putin  had  pledged a truce."
    start, end = text.index("had"), text.index(" a truce")
    result = [span("t1", start, end, "had pledged"), factuality("t1", start, end, "had pledged")]
    clean, repairs, problems = check_annotation(result, text)
    assert problems == []
    assert repairs == [
        {"region_id": "t1", "repair": "whitespace_collapsed_text", "from": [start, end], "to": [start, end]}
    ]
    assert clean[0]["value"]["text"] == text[start:end] == "had  pledged"
    assert clean[1]["value"]["text"] == "had  pledged"


@pytest.mark.parametrize(
    "region_text",
    [
        "had pledgeda",  # more than whitespace differs
        "hadpledged",  # whitespace removed, not collapsed
        "had  pledged ",  # longer than the span
    ],
)
def test_whitespace_repair_needs_the_same_words(region_text: str) -> None:
    text = "Putin  had  pledged a truce."
    start, end = text.index("had"), text.index(" a truce")
    clean, repairs, problems = check_annotation([span("t1", start, end, region_text)], text)
    assert (clean, repairs) == ([], [])
    assert reasons(problems) == ["span_text_mismatch"]


def test_whitespace_repair_never_moves_offsets() -> None:
    # The text occurs elsewhere with single spaces; the offsets point at other words.
    text = "They had pledged. Then  they  left."
    start = text.index("Then")
    clean, _, problems = check_annotation([span("t1", start, start + 14, "had pledged")], text)
    assert clean == []
    assert reasons(problems) == ["span_text_mismatch"]


def test_a_repair_that_is_not_unique_is_not_made() -> None:
    # Three transforms explain offsets [4, 5) for "a", pointing at two different places.
    clean, repairs, problems = check_annotation([span("t1", 4, 5, "a")], "\n😀aa")
    assert clean == []
    assert repairs == []
    assert reasons(problems) == ["span_text_mismatch"]
    assert "several spans" in problems[0].detail


def test_a_shift_no_encoding_explains_is_quarantined_with_a_hint() -> None:
    text = "Russia and Turkey agreed on a ceasefire."
    start = text.index("agreed")
    clean, repairs, problems = check_annotation([span("t1", start + 3, start + 9, "agreed")], text)
    assert clean == []
    assert repairs == []
    assert reasons(problems) == ["span_text_mismatch"]
    assert problems[0].region_id == "t1"
    assert f"occurs at [({start}, {start + 6})]" in problems[0].detail


def test_offsets_outside_the_text_are_quarantined() -> None:
    clean, _, problems = check_annotation([span("t1", 30, 36, "agreed")], "They agreed.")
    assert clean == []
    assert reasons(problems) == ["span_out_of_range"]
    assert "12 characters" in problems[0].detail


def test_choices_and_relations_hanging_on_a_rejected_region_go_with_it() -> None:
    text = "Putin and Erdogan agreed."
    result = [
        span("t1", 3, 9, "agreed"),  # wrong
        factuality("t1", 3, 9, "agreed"),
        span("e1", 0, 5, "Putin", "PER", "entity"),
        relation("t1", "e1"),
    ]
    clean, _, problems = check_annotation(result, text)
    assert clean == [result[2]]
    assert sorted(reasons(problems)) == [
        "dependent_on_rejected_region",
        "dependent_on_rejected_region",
        "span_text_mismatch",
    ]


def test_relation_to_a_missing_region_and_unknown_labels() -> None:
    text = "Putin and Erdogan agreed."
    result = [
        span("t1", 18, 24, "agreed"),
        relation("t1", "ghost"),
        span("t2", 18, 24, "agreed", label="NEGOTIATE"),
        {"from_name": "stance_russia", "to_name": "text", "type": "choices", "value": {"choices": ["hostile"]}},
        {"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["x"]}},
    ]
    clean, _, problems = check_annotation(result, text)
    assert clean == [result[0]]
    assert sorted(reasons(problems)) == [
        "relation_missing_region",
        "unknown_control",
        "unknown_label",
        "unknown_label",
    ]


def test_a_mode_that_does_not_fit_the_event_type_is_rejected() -> None:
    text = "They agreed."
    mode = {
        "id": "t1",
        "from_name": "mode_assault",
        "to_name": "text",
        "type": "choices",
        "value": {"start": 5, "end": 11, "text": "agreed", "choices": ["aerial"]},
    }
    clean, _, problems = check_annotation([span("t1", 5, 11, "agreed"), mode], text)
    assert len(clean) == 1
    assert reasons(problems) == ["mode_type_mismatch"]


@pytest.mark.parametrize(
    ("result", "reason"),
    [
        ({"not": "a list"}, "malformed_record"),
        ("text", "malformed_record"),
        ([42], "malformed_result"),
        (
            [{"from_name": "trigger", "id": "t1", "value": {"start": "0", "end": 6, "text": "agreed"}}],
            "malformed_result",
        ),
        ([{"type": "relation", "labels": ["actor"]}], "malformed_result"),
    ],
)
def test_malformed_input_gets_a_reason_code(result: Any, reason: str) -> None:
    clean, repairs, problems = check_annotation(result, "They agreed.")
    assert clean == []
    assert repairs == []
    assert reason in reasons(problems)


def test_text_sha256_is_the_corpus_digest() -> None:
    assert text_sha256("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


ITEM = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 60) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=10,
)


@st.composite
def shaky_items(draw: st.DrawFn) -> dict[str, Any]:
    """Result items that look like Label Studio's, with any field possibly wrong."""
    control = draw(st.sampled_from(["trigger", "entity", "evidence", "factuality", "mode_consult", "genre", "x"]))
    start = draw(st.integers(-3, 50))
    end = draw(st.integers(-3, 50))
    value: dict[str, Any] = {
        "start": start,
        "end": end,
        "text": draw(st.sampled_from(["agreed", "Putin", "", "🕊"])),
        "labels": [draw(st.sampled_from(["AGREE", "PER", "russia", "NOPE"]))],
        "choices": [draw(st.sampled_from(["asserted", "phone", "reporting", "?"]))],
    }
    item: dict[str, Any] = {
        "id": draw(st.sampled_from(["a", "b", "c"])),
        "from_name": control,
        "to_name": "text",
        "type": draw(st.sampled_from(["labels", "choices", "relation"])),
        "value": draw(st.one_of(st.just(value), ITEM)),
    }
    if item["type"] == "relation":
        item.update(from_id=draw(st.sampled_from(["a", "b", "z"])), to_id=draw(st.sampled_from(["a", "b", "z"])))
        item["labels"] = [draw(st.sampled_from(["actor", "time", "boss"]))]
    return item


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(shaky_items(), ITEM), max_size=6), st.sampled_from(["Putin agreed. 🕊\n", "x", ""]))
def test_check_never_raises_and_keeps_only_sound_items(result: list[Any], text: str) -> None:
    clean, repairs, problems = check_annotation(result, text)
    assert all(p.reason in REASON_CODES for p in problems)
    assert all(r["repair"] in REPAIR_KINDS for r in repairs)
    # what is kept parses cleanly and every kept span is exact
    assert parse_result(clean).problems == []
    for item in clean:
        value = item.get("value", {})
        if item.get("from_name") in {"trigger", "entity", "evidence"}:
            assert text[value["start"] : value["end"]] == value["text"]
    # nothing disappears without a reason: every dropped item has at least one problem
    assert len(result) - len(clean) <= len(problems)


def test_relations_read_either_way_and_index_the_arguments() -> None:
    result = [
        span("t1", 18, 24, "agreed"),
        span("e1", 0, 5, "Putin", "PER", "entity"),
        span("e2", 10, 17, "Erdogan", "PER", "entity"),
        relation("t1", "e1"),
        relation("e2", "t1", "recipient"),  # drawn from the entity to the trigger
        relation("e1", "e2"),  # two entities: not an argument
    ]
    parsed = parse_result(result)
    assert parsed.relations == [("t1", "e1", "actor"), ("t1", "e2", "recipient")]
    assert reasons(parsed.problems) == ["relation_bad_endpoints"]
    putin, erdogan = parsed.entities
    assert list(parsed.arguments("t1")) == [("actor", putin), ("recipient", erdogan)]
    assert list(parsed.arguments("e1")) == []
    # the same index, built on first use, for an annotation assembled by hand
    by_hand = ParsedAnnotation(entities=[putin, erdogan], relations=list(parsed.relations))
    assert list(by_hand.arguments("t1")) == list(parsed.arguments("t1"))
    assert list(by_hand.arguments("t2")) == []
