"""The annotation guidelines: label tables generated from :mod:`ceasefire_news.schema.labels`, prose by hand.

``labeling/GUIDELINES.md`` holds hand-written prose and, between the markers
``<!-- tables:start -->`` and ``<!-- tables:end -->``, the label tables generated here. The
project's instructions in Label Studio are the same document as HTML
(:func:`instructions_html`).

Regenerate the tables after a vocabulary change::

    python -m ceasefire_news.labeling.guidelines --write
"""

from __future__ import annotations

import argparse
import sys
from importlib import resources
from pathlib import Path

from ceasefire_news.schema.labels import (
    ANNOTATION_STATUS,
    ENTITY_TYPES,
    EVENT_MODES,
    EVENT_TYPES,
    FACTUALITY,
    GENRES,
    PROVENANCE,
    QUALITY_FLAGS,
    ROLES,
    SPLITS,
    STANCE_LABELS,
    STANCE_TARGETS,
    TEXT_FLAGS,
    Vocabulary,
)

START = "<!-- tables:start -->"
END = "<!-- tables:end -->"

#: The vocabularies an annotator uses, in the order the guidelines present them.
ANNOTATED: tuple[Vocabulary, ...] = (
    STANCE_TARGETS,
    STANCE_LABELS,
    GENRES,
    EVENT_TYPES,
    FACTUALITY,
    ENTITY_TYPES,
    ROLES,
    QUALITY_FLAGS,
)

#: Vocabularies the pipeline sets (shown to annotators so they know what happens to their work).
RECORDED: tuple[Vocabulary, ...] = (TEXT_FLAGS, PROVENANCE, ANNOTATION_STATUS, SPLITS)


def _table(vocabulary: Vocabulary, heading: str) -> list[str]:
    lines = [f"### {heading}", "", vocabulary.description, ""]
    if vocabulary.standard:
        lines += [f"Standard: {vocabulary.standard}.", ""]
    lines += ["| label | definition |", "|---|---|"]
    lines += [f"| `{label.name}` | {label.description} |" for label in vocabulary]
    lines.append("")
    return lines


def label_tables() -> str:
    """Markdown tables of every label of ``schema``: those annotators set, then those the pipeline sets."""
    out: list[str] = []
    for vocabulary in ANNOTATED:
        out += _table(vocabulary, vocabulary.name.replace("_", " ").capitalize())
    out += ["### Event modes", "", "PLOVER 2.0 modes, by event type; other types have no mode.", ""]
    out += ["| event type | mode | definition |", "|---|---|---|"]
    for event_type, modes in EVENT_MODES.items():
        out += [f"| {event_type} | `{mode.name}` | {mode.description} |" for mode in modes]
    out.append("")
    for vocabulary in RECORDED:
        name = vocabulary.name.replace("_", " ").capitalize()
        out += _table(vocabulary, f"{name} (set by the pipeline, not by you)")
    return "\n".join(out)


def missing_definitions(document: str, vocabularies: tuple[Vocabulary, ...] = ANNOTATED + RECORDED) -> list[str]:
    """Labels of ``vocabularies`` (and every event mode) that have no table row in ``document``."""
    missing = [
        f"{vocabulary.name}:{label.name}"
        for vocabulary in vocabularies
        for label in vocabulary
        if f"| `{label.name}` | {label.description} |" not in document
    ]
    missing += [
        f"{event_type}:{mode.name}"
        for event_type, modes in EVENT_MODES.items()
        for mode in modes
        if f"| {event_type} | `{mode.name}` | {mode.description} |" not in document
    ]
    return missing


def guidelines_path() -> Path:
    return Path(str(resources.files("ceasefire_news.labeling") / "GUIDELINES.md"))


def render(document: str) -> str:
    """``document`` with the generated tables put between the markers."""
    try:
        head, rest = document.split(START, 1)
        _, tail = rest.split(END, 1)
    except ValueError:
        raise ValueError(f"GUIDELINES.md must contain the markers {START} and {END}") from None
    return f"{head}{START}\n\n{label_tables()}\n{END}{tail}"


def read_guidelines() -> str:
    return guidelines_path().read_text(encoding="utf-8")


def instructions_html() -> str:
    """The guidelines as HTML, for the Label Studio project's instructions."""
    from markdown_it import MarkdownIt

    html: str = MarkdownIt("commonmark").enable("table").render(read_guidelines())
    return html


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate or check the label tables of GUIDELINES.md.")
    parser.add_argument("--write", action="store_true", help="rewrite the tables in place")
    args = parser.parse_args(argv)
    path = guidelines_path()
    current = path.read_text(encoding="utf-8")
    fresh = render(current)
    if args.write:
        path.write_text(fresh, encoding="utf-8")
        return 0
    if fresh != current:
        print(
            f"{path}: label tables are out of date; run `python -m ceasefire_news.labeling.guidelines --write`",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
