"""Labels of release rows: ``ClassLabel`` ids in range and nulls only where the scheme allows them.

Checked column-wise with Arrow over a whole batch; only the rows that fail become Python.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from datasets import ClassLabel, List, Sequence

from ceasefire_news.dataset.release.issues import REGENERATE, Issue
from ceasefire_news.schema.records import RELEASE_CONFIGS

#: ClassLabel columns that may be null, by config: every other one must hold a label.
NULLABLE = {
    "articles": {"genre", "genre_provenance"},
    "stance": {"label"},  # a tied unit (needs_review is then true)
    "events": {"mode", "factuality", "arguments[].entity_type"},
    "annotations_raw": {"genre"},
}
#: Columns that must never be null.
REQUIRED = {
    "articles": ("article_id", "text", "text_sha256", "story_id", "n_annotators", "needs_review"),
    "stance": ("article_id", "story_id", "n_annotators", "needs_review"),
    "events": ("event_id", "article_id", "story_id", "trigger", "n_annotators", "needs_review"),
    "annotations_raw": ("annotation_id", "article_id", "story_id", "annotator", "result_json", "source"),
}


def _class_labels(
    array: pa.Array, feature: Any, path: str, rows: pa.Array | None
) -> Iterator[tuple[str, ClassLabel, pa.Array, pa.Array | None]]:
    if isinstance(feature, ClassLabel):
        yield path, feature, array, rows
    elif isinstance(feature, List | Sequence):
        parents = pc.list_parent_indices(array)
        flat = pc.list_flatten(array)
        yield from _class_labels(flat, feature.feature, f"{path}[]", parents if rows is None else rows.take(parents))
    elif isinstance(feature, dict):
        for key, sub in feature.items():
            yield from _class_labels(pc.struct_field(array, key), sub, f"{path}.{key}" if path else key, rows)


def check_labels(config: str, split: str, batch: pa.Table, offset: int, issues: list[Issue]) -> None:
    """Label ids in range and required columns present, for the rows of ``batch`` (file rows from ``offset``)."""
    features = RELEASE_CONFIGS[config]
    for name, feature in features.items():
        if name not in batch.column_names:
            continue
        column = batch.column(name).combine_chunks()
        for path, label, values, rows in _class_labels(column, feature, name, None):
            n = label.num_classes
            bad = pc.or_kleene(pc.less(values, 0), pc.greater_equal(values, n))
            nulls = pc.is_null(values)
            allow_null = path in NULLABLE[config]
            positions = pc.indices_nonzero(bad if allow_null else pc.or_kleene(bad, nulls))
            for pos in positions.to_pylist():
                row = pos if rows is None else rows[pos].as_py()
                value = values[pos].as_py()
                problem = (
                    f"{path} is null; a label of {label.names} is required"
                    if value is None
                    else f"{path} is {value}, not a label id of {len(label.names)} labels {label.names}"
                )
                issues.append(Issue(config, split, offset + row, problem, REGENERATE))
    for name in REQUIRED[config]:
        if name not in batch.column_names:
            continue
        column = batch.column(name)
        if column.null_count:
            for pos in pc.indices_nonzero(pc.is_null(column)).to_pylist():
                issues.append(Issue(config, split, offset + pos, f"{name} is null", REGENERATE))
