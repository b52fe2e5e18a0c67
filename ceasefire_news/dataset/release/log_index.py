"""The annotations a release uses: the newest version of each, read by column from the
annotation table (:mod:`ceasefire_news.labeling.annotation_table`).

The log is append-only: an annotation edited in Label Studio is there once per version, and
the newest ``(updated_at, created_at)`` wins, the later line on a tie. Only the columns that
decide this are read for every line; the whole rows only for the versions kept.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from ceasefire_news.labeling.annotation_table import update_table
from ceasefire_news.schema.records import ANNOTATION_TABLE_SCHEMA

#: The columns that pick the newest version of each annotation.
INDEX_COLUMNS = ["log_offset", "annotation_id", "article_id", "updated_at", "created_at"]
#: The columns a release reads of the versions it keeps: the logged fields, the result as logged.
RELEASE_COLUMNS = [name for name in ANNOTATION_TABLE_SCHEMA.names if name not in ("regions", "choices", "relations")]


@dataclass(slots=True)
class LatestAnnotations:
    """The newest version of every annotation of the corpus's articles.

    ``table`` has the annotation table's :data:`RELEASE_COLUMNS`, its rows sorted by article id, then by
    their place in the log. The counts are those of the manifest.
    """

    table: pa.Table
    lines: int
    unreadable: int
    superseded: int
    not_in_corpus: int

    def rows_per_article(self) -> dict[str, int]:
        """How many of ``table``'s rows each article has."""
        if not self.table.num_rows:
            return {}
        counts = self.table.group_by("article_id", use_threads=False).aggregate([("article_id", "count")])
        return dict(zip(counts["article_id"].to_pylist(), counts["article_id_count"].to_pylist(), strict=True))


def _newest(index: pa.Table) -> pa.Array:
    """Row numbers in ``index`` of the newest version of each annotation id."""
    n = index.num_rows
    order = pc.sort_indices(
        index,
        sort_keys=[
            ("annotation_id", "ascending"),
            ("updated_at", "ascending"),
            ("created_at", "ascending"),
            ("log_offset", "ascending"),
        ],
    )
    ids = index.column("annotation_id").take(order)
    differs = pc.not_equal(ids.slice(0, n - 1), ids.slice(1)).combine_chunks()
    last_of_id = pa.concat_arrays([differs, pa.array([True])])  # the last row of each id's run
    return order.filter(last_of_id)


def latest_annotations(
    log_path: Path, corpus_ids: pa.Array | pa.ChunkedArray, carried: Collection[str] = ()
) -> LatestAnnotations:
    """The newest annotations of the articles ``corpus_ids`` in the log at ``log_path``.

    Those of the old article ids ``carried`` are kept too (the caller moves them to their new article).

    The annotation table is brought up to date with the log first (a note on stderr when it
    had to be rebuilt).
    """
    annotations = update_table(log_path)
    empty = ANNOTATION_TABLE_SCHEMA.empty_table()
    index = pa.concat_tables([*annotations.read(INDEX_COLUMNS), empty.select(INDEX_COLUMNS)])
    if not index.num_rows:
        return LatestAnnotations(empty.select(RELEASE_COLUMNS), annotations.lines, annotations.unreadable, 0, 0)
    newest = index.take(_newest(index))
    ids = corpus_ids.combine_chunks() if isinstance(corpus_ids, pa.ChunkedArray) else corpus_ids
    if carried:
        ids = pa.concat_arrays([ids.cast(pa.string()), pa.array(sorted(carried), type=pa.string())])
    in_corpus = pc.is_in(newest.column("article_id"), value_set=ids)
    kept = newest.column("log_offset").filter(in_corpus).combine_chunks()
    parts = [
        part.filter(pc.is_in(part.column("log_offset"), value_set=kept)) for part in annotations.read(RELEASE_COLUMNS)
    ]
    table = pa.concat_tables([*parts, empty.select(RELEASE_COLUMNS)])
    table = table.sort_by([("article_id", "ascending"), ("log_offset", "ascending")])
    return LatestAnnotations(
        table=table,
        lines=annotations.lines,
        unreadable=annotations.unreadable,
        superseded=index.num_rows - newest.num_rows,
        not_in_corpus=newest.num_rows - len(kept),
    )
