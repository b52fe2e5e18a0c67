"""The guidelines define every label of the scheme and match the labeling interface."""

from __future__ import annotations

import dataclasses

import pytest

from labeling import guidelines
from schema.labels import EVENT_TYPES, VOCABULARIES, Label


def test_every_annotated_label_has_a_definition() -> None:
    assert guidelines.missing_definitions(guidelines.read_guidelines()) == []


def test_a_label_added_to_the_schema_without_a_definition_is_caught() -> None:
    grown = dataclasses.replace(
        EVENT_TYPES, labels=(*EVENT_TYPES.labels, Label("INVESTIGATE", "Investigate."))
    )
    missing = guidelines.missing_definitions(guidelines.read_guidelines(), (grown,))
    assert missing == ["event_type:INVESTIGATE"]


def test_generated_tables_are_current() -> None:
    document = guidelines.read_guidelines()
    assert guidelines.render(document) == document, "run `python -m labeling.guidelines --write`"
    assert guidelines.main([]) == 0


def test_every_vocabulary_an_annotator_uses_is_in_the_guidelines() -> None:
    annotated = {v.name for v in guidelines.ANNOTATED}
    # Vocabularies set by the pipeline, not by annotators.
    pipeline_only = {"mode", "text_flag", "provenance", "split", "annotation_status"}
    assert annotated | pipeline_only == set(VOCABULARIES)


@pytest.mark.parametrize(
    "rule",
    [
        "Declared versus implemented ceasefire",
        "A call for talks versus a meeting",
        "A phone call versus a visit",
        "whose voice counts",
        "Evidence",
        "Damaged text",
        "Worked examples",
    ],
)
def test_decision_rules_are_written(rule: str) -> None:
    assert rule in guidelines.read_guidelines()


def test_render_refuses_a_document_without_markers() -> None:
    with pytest.raises(ValueError, match="must contain the markers"):
        guidelines.render("# no tables here\n")


def test_instructions_html_renders_the_tables() -> None:
    html = guidelines.instructions_html()
    assert "<table>" in html
    assert "<code>CONSULT</code>" in html
    assert "<h2>Damaged text</h2>" in html
