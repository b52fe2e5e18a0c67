"""The guidelines define every label of the scheme and match the labeling interface."""

from __future__ import annotations

import dataclasses
import re

import pytest

from ceasefire_news.labeling import guidelines
from ceasefire_news.schema.labels import EVENT_TYPES, VOCABULARIES, Label


def test_every_annotated_label_has_a_definition() -> None:
    assert guidelines.missing_definitions(guidelines.read_guidelines()) == []


def test_a_label_added_to_the_schema_without_a_definition_is_caught() -> None:
    grown = dataclasses.replace(EVENT_TYPES, labels=(*EVENT_TYPES.labels, Label("INVESTIGATE", "Investigate.")))
    missing = guidelines.missing_definitions(guidelines.read_guidelines(), (grown,))
    assert missing == ["event_type:INVESTIGATE"]


def test_generated_tables_are_current() -> None:
    document = guidelines.read_guidelines()
    assert guidelines.render(document) == document, "run `python -m ceasefire_news.labeling.guidelines --write`"
    assert guidelines.main([]) == 0


def test_every_vocabulary_of_the_schema_is_in_the_guidelines() -> None:
    defined = {v.name for v in (*guidelines.ANNOTATED, *guidelines.RECORDED)}
    # "mode" is the union of the per-type mode tables, defined row by row in "Event modes".
    assert defined | {"mode"} == set(VOCABULARIES)


def test_every_label_of_every_vocabulary_has_a_table_row() -> None:
    document = guidelines.read_guidelines()
    for vocabulary in VOCABULARIES.values():
        for label in vocabulary:
            assert f"`{label.name}` | {label.description} |" in document, f"{vocabulary.name}:{label.name}"


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


def _squash(text: str) -> str:
    return " ".join(text.replace("\u2019", "'").split())


def test_worked_examples_quote_the_seed_articles() -> None:
    from ceasefire_news.dataset.corpus.read import embedded_sources

    document = guidelines.read_guidelines()
    section = document[document.index("## Worked examples") :]
    section = section[: section.index("\n## ", 1)]
    seeds = _squash(" ".join(path.read_text(encoding="utf-8") for path in embedded_sources()))
    quotes = re.findall(r'"([^"]+)"', section)
    assert len(quotes) >= 20, f"expected the worked examples to quote the seeds, found {quotes}"
    for quote in quotes:
        for part in re.split(r"\s*\.\.\.\s*", _squash(quote.replace("**", ""))):
            assert not part or part in seeds, f"{part!r} is not in any seed article; quote the text as it is"
