"""Record schemas: the corpus row, the four release configs and the annotation log entry.

Each table is defined once as ``datasets.Features``; the Arrow schema is derived from it
(``features.arrow_schema``), so a writer never infers a type. Closed vocabularies are
``ClassLabel`` built from :mod:`ceasefire_news.schema.labels`.

Spans everywhere are Python code-point offsets into the article's clean ``text``, end
exclusive, and ``text[start:end] == span_text``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import Any

import pyarrow as pa
from datasets import ClassLabel, Features, List, Value

from ceasefire_news.schema.labels import (
    ANNOTATION_STATUS,
    ENTITY_TYPES,
    EVENT_TYPES,
    FACTUALITY,
    GENRES,
    MODES,
    PROVENANCE,
    QUALITY_FLAGS,
    ROLES,
    SPLITS,
    STANCE_LABELS,
    STANCE_TARGETS,
    TEXT_FLAGS,
    Vocabulary,
)

#: Bumped when a record layout or a vocabulary changes; recorded in every manifest.
SCHEMA_VERSION = "1.0.0"


def class_label(vocabulary: Vocabulary) -> ClassLabel:
    """The ``ClassLabel`` of a vocabulary: names in vocabulary order."""
    return ClassLabel(names=list(vocabulary.names))


SPAN = {"start": Value("int64"), "end": Value("int64"), "text": Value("string")}

REMOVED = {
    "start": Value("int64"),  # offsets into the raw text, end exclusive
    "end": Value("int64"),
    "rule": Value("string"),  # versioned rule name, e.g. "strip_php_dump_v1"
    "text": Value("string"),
}

CORPUS_FEATURES = Features(
    {
        "article_id": Value("string"),
        "title": Value("string"),
        "outlet": Value("string"),
        "url": Value("string"),
        "published_date": Value("date32"),
        "fetched_date": Value("date32"),  # when a crawler fetched the page (WARC input); else null
        "language": Value("string"),
        "text": Value("string"),
        "text_sha256": Value("string"),
        "story_id": Value("string"),
        "quality_flags": List(class_label(TEXT_FLAGS)),
        "removed": List(REMOVED),
        "source_file": Value("string"),
        "corpus_version": Value("string"),
    }
)

ARTICLES_FEATURES = Features(
    {
        **CORPUS_FEATURES,
        "split": class_label(SPLITS),
        # Article-level labels, adjudicated (null / empty when nobody annotated the article).
        "genre": class_label(GENRES),
        "genre_provenance": class_label(PROVENANCE),
        "annotation_flags": List(class_label(QUALITY_FLAGS)),  # annotators' quality flags
        "n_annotators": Value("int32"),  # annotators whose labels voted
        "needs_review": Value("bool"),  # some unit of the article is tied or of low agreement
    }
)

STANCE_FEATURES = Features(
    {
        "article_id": Value("string"),
        "story_id": Value("string"),
        "split": class_label(SPLITS),
        "target": class_label(STANCE_TARGETS),
        "label": class_label(STANCE_LABELS),
        "evidence": List(SPAN),
        "votes": List({"annotator": Value("string"), "label": class_label(STANCE_LABELS)}),
        "n_annotators": Value("int32"),
        "provenance": class_label(PROVENANCE),
        "needs_review": Value("bool"),
    }
)

ARGUMENT = {
    "role": class_label(ROLES),
    "entity_type": class_label(ENTITY_TYPES),
    "start": Value("int64"),
    "end": Value("int64"),
    "text": Value("string"),
}

EVENTS_FEATURES = Features(
    {
        "event_id": Value("string"),
        "article_id": Value("string"),
        "story_id": Value("string"),
        "split": class_label(SPLITS),
        "trigger": SPAN,
        "event_type": class_label(EVENT_TYPES),
        "mode": class_label(MODES),  # null when the annotators gave none
        "factuality": class_label(FACTUALITY),
        "arguments": List(ARGUMENT),
        "annotators": List(Value("string")),
        "n_annotators": Value("int32"),
        "provenance": class_label(PROVENANCE),
        "needs_review": Value("bool"),
    }
)

ANNOTATIONS_RAW_FEATURES = Features(
    {
        "annotation_id": Value("string"),
        "task_id": Value("int64"),
        "article_id": Value("string"),
        "story_id": Value("string"),
        "split": class_label(SPLITS),
        "annotator": Value("string"),
        "created_at": Value("string"),  # ISO 8601, as Label Studio gave it
        "updated_at": Value("string"),
        "lead_time": Value("float64"),
        "was_cancelled": Value("bool"),
        "ground_truth": Value("bool"),
        "genre": class_label(GENRES),
        "quality_flags": List(class_label(QUALITY_FLAGS)),
        "result_json": Value("string"),
        "status": class_label(ANNOTATION_STATUS),
        "quarantine_reasons": List(Value("string")),
        "provenance": class_label(PROVENANCE),
        "source": Value("string"),
    }
)

#: Release configs in the order the card lists them; the first is the default.
RELEASE_CONFIGS: dict[str, Features] = {
    "articles": ARTICLES_FEATURES,
    "stance": STANCE_FEATURES,
    "events": EVENTS_FEATURES,
    "annotations_raw": ANNOTATIONS_RAW_FEATURES,
}
#: The outlet count key of articles whose text and URL name no outlet.
UNKNOWN_OUTLET = "(unknown)"

DEFAULT_CONFIG = "articles"


def arrow_schema(features: Features) -> pa.Schema:
    """The Arrow schema of a table, with the ``datasets`` feature metadata attached."""
    return features.arrow_schema


# --- the annotation log (workspace/annotations/log.jsonl) --------------------------------

LOG_SOURCES = ("pull", "import", "embedded")


@dataclass(slots=True)
class LoggedAnnotation:
    """One annotation as made, after the span-integrity check; one line of ``log.jsonl``.

    The log is append-only. An annotation edited in Label Studio is appended again with a
    later ``updated_at``; readers keep the newest line per ``annotation_id``
    (:func:`latest_annotations`).

    ``result`` is the Label Studio result list with offsets checked (and repaired where
    provable) against the corpus text; regions that failed the check are left out of it
    and listed in ``quarantine.jsonl``. ``repairs`` records each repaired region.
    """

    annotation_id: str
    task_id: int | None
    article_id: str
    text_sha256: str
    corpus_version: str
    annotator: str
    created_at: str
    updated_at: str
    lead_time: float | None
    was_cancelled: bool
    ground_truth: bool
    result: list[dict[str, Any]]
    status: str = "accepted"
    quarantine_reasons: list[str] = field(default_factory=list)
    repairs: list[dict[str, Any]] = field(default_factory=list)
    provenance: str = "human"
    source: str = "pull"

    def __post_init__(self) -> None:
        # Checked with a plain lookup (a release builds millions); index() says what is wrong.
        if self.status not in ANNOTATION_STATUS.ids:
            ANNOTATION_STATUS.index(self.status)
        if self.provenance not in PROVENANCE.ids:
            PROVENANCE.index(self.provenance)
        if self.source not in LOG_SOURCES:
            raise ValueError(f"source {self.source!r} is not one of {LOG_SOURCES}")

    def to_json(self) -> str:
        """One deterministic JSON line (sorted keys, no trailing newline)."""
        # Shallow on purpose: every field is JSON-native already, and dataclasses.asdict deep-copies
        # the whole result (milliseconds per annotation on a large pull).
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, line: str | bytes) -> LoggedAnnotation:
        data = json.loads(line)
        return cls(**data)

    @property
    def version_key(self) -> tuple[str, str]:
        """Orders the versions of one annotation: the newest ``updated_at`` wins."""
        return (self.updated_at, self.created_at)


def latest_annotations(entries: list[LoggedAnnotation]) -> list[LoggedAnnotation]:
    """The newest version of each annotation, in first-seen order of ``annotation_id``."""
    newest: dict[str, LoggedAnnotation] = {}
    for entry in entries:
        current = newest.get(entry.annotation_id)
        if current is None or entry.version_key >= current.version_key:
            newest[entry.annotation_id] = entry
    return list(newest.values())


# --- the annotation table (workspace/annotations/table/, derived from the log) -------------

#: Bumped when the table's layout or the way its columns are derived changes: a table written
#: in another format is rebuilt from the log.
ANNOTATION_TABLE_FORMAT = "1"

#: A labelled span of an annotation: ``kind`` is trigger, entity or evidence; ``label`` the
#: event type, entity type or stance target.
TABLE_REGION = pa.struct(
    [
        pa.field("id", pa.string()),
        pa.field("kind", pa.string()),
        pa.field("label", pa.string()),
        pa.field("start", pa.int64()),
        pa.field("end", pa.int64()),
        pa.field("text", pa.string()),
    ]
)
#: A choice: ``control`` is stance_<target>, genre, quality, mode or factuality; ``region_id``
#: the trigger a mode or factuality belongs to (null for article-level choices).
TABLE_CHOICE = pa.struct(
    [pa.field("control", pa.string()), pa.field("region_id", pa.string()), pa.field("choice", pa.string())]
)
#: A relation from a trigger to an entity, with its role.
TABLE_RELATION = pa.struct(
    [pa.field("from_id", pa.string()), pa.field("to_id", pa.string()), pa.field("role", pa.string())]
)

#: One row per readable line of ``log.jsonl``, in log order: the :class:`LoggedAnnotation`
#: fields by name, the result parsed into regions, choices and relations, and the result and
#: repairs as the JSON text the log holds (``result_json`` is what a release ships).
ANNOTATION_TABLE_SCHEMA = pa.schema(
    [
        pa.field("log_offset", pa.int64(), nullable=False),  # byte offset of the line in log.jsonl
        pa.field("annotation_id", pa.string(), nullable=False),
        pa.field("task_id", pa.int64()),
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("text_sha256", pa.string()),
        pa.field("corpus_version", pa.string()),
        pa.field("annotator", pa.string()),
        pa.field("created_at", pa.string(), nullable=False),
        pa.field("updated_at", pa.string(), nullable=False),
        pa.field("lead_time", pa.float64()),
        pa.field("was_cancelled", pa.bool_()),
        pa.field("ground_truth", pa.bool_()),
        pa.field("status", pa.string()),
        pa.field("quarantine_reasons", pa.list_(pa.string())),
        pa.field("provenance", pa.string()),
        pa.field("source", pa.string()),
        pa.field("regions", pa.list_(TABLE_REGION)),
        pa.field("choices", pa.list_(TABLE_CHOICE)),
        pa.field("relations", pa.list_(TABLE_RELATION)),
        pa.field("result_json", pa.string()),
        pa.field("repairs_json", pa.string()),
    ]
)
