"""Annotations made on an older text of an article follow it to the corpus version released.

A new corpus version that changes an article's text (a cleaning fix, a re-scrape) gives it a
new article id; its source identity (:func:`~ceasefire_news.dataset.corpus.versions.identity_key`)
stays. The annotations of the old article id are carried to the new one: each region's offsets
are mapped through the difference between the two texts (code points, :mod:`difflib`). When every
region still marks the same words, the annotation is used with its mapped offsets; otherwise it is
quarantined whole with ``span_text_changed``, its result as it was made. None is dropped.

>>> map_result([{"value": {"start": 6, "end": 12, "text": "agreed"}}], "Talks agreed.", "Talks have agreed.")
[{'value': {'start': 11, 'end': 17, 'text': 'agreed'}}]
>>> map_result([{"value": {"start": 0, "end": 5, "text": "Talks"}}], "Talks agreed.", "Deals agreed.") is None
True
"""

from __future__ import annotations

import copy
import difflib
import json
from bisect import bisect_right
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ceasefire_news.dataset.corpus.versions import changed_pairs, iter_batches, read_identities
from ceasefire_news.dataset.corpus.workspace import Workspace


def carried_articles(workspace: Workspace, corpus_version: str) -> dict[str, str]:
    """Old article id -> article id in ``corpus_version``, for the articles of earlier versions it changed."""
    versions = workspace.corpus_versions()
    if corpus_version not in versions:
        return {}
    current = read_identities(workspace.corpus_dir(corpus_version))
    carried: dict[str, str] = {}
    for version in versions[: versions.index(corpus_version)]:
        for old, new in changed_pairs(read_identities(workspace.corpus_dir(version)), current):
            carried.setdefault(old.article_id, new.article_id)
    return carried


def _old_texts(workspace: Workspace, corpus_version: str, wanted: set[str]) -> dict[str, str]:
    versions = workspace.corpus_versions()
    texts: dict[str, str] = {}
    for version in versions[: versions.index(corpus_version)]:
        for batch in iter_batches(workspace.corpus_dir(version), ["article_id", "text"]):
            for article_id, text in zip(batch.column(0).to_pylist(), batch.column(1).to_pylist(), strict=True):
                if article_id in wanted:
                    texts.setdefault(article_id, text)
    return texts


class _OffsetMap:
    """Maps code-point offsets of ``old`` into ``new`` where both texts agree."""

    def __init__(self, old: str, new: str) -> None:
        matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
        self.blocks = [b for b in matcher.get_matching_blocks() if b.size]
        self.starts = [b.a for b in self.blocks]

    def position(self, offset: int, *, end: bool) -> int | None:
        # An end offset is the character before it, mapped, plus one.
        probe = offset - 1 if end else offset
        index = bisect_right(self.starts, probe) - 1
        if index < 0:
            return None
        block = self.blocks[index]
        if not block.a <= probe < block.a + block.size:
            return None
        return block.b + probe - block.a + (1 if end else 0)


def map_result(result: list[Any], old: str, new: str) -> list[Any] | None:
    """``result`` with every region's offsets moved from ``old`` to ``new``; None when a region's words changed."""
    offsets = _OffsetMap(old, new)
    mapped = copy.deepcopy(result)
    for item in mapped:
        value = item.get("value") if isinstance(item, dict) else None
        if not isinstance(value, dict) or "start" not in value:
            continue
        start, end = value.get("start"), value.get("end")
        if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start < end <= len(old):
            return None
        new_start, new_end = offsets.position(start, end=False), offsets.position(end, end=True)
        if new_start is None or new_end is None or new[new_start:new_end] != old[start:end]:
            return None
        value["start"], value["end"] = new_start, new_end
    return mapped


def carry_over(
    workspace: Workspace, corpus_version: str, corpus: pa.Table, latest: pa.Table, carried: dict[str, str]
) -> pa.Table:
    """``latest`` (annotation table rows) with the rows of the old article ids ``carried`` moved to their new one.

    ``corpus`` is the corpus table being released; rows of articles it has are kept as they are.
    """
    if not carried or not latest.num_rows:
        return latest
    moving = pc.is_in(latest.column("article_id"), value_set=pa.array(sorted(carried), type=pa.string()))
    moved = latest.filter(moving).to_pylist()
    if not moved:
        return latest
    old_texts = _old_texts(workspace, corpus_version, {row["article_id"] for row in moved})
    new_ids = {carried[row["article_id"]] for row in moved}
    keep = pc.is_in(corpus.column("article_id"), value_set=pa.array(sorted(new_ids), type=pa.string()))
    articles = corpus.filter(keep).select(["article_id", "text", "text_sha256"]).to_pylist()
    new_texts = {row["article_id"]: (row["text"], row["text_sha256"]) for row in articles}
    for row in moved:
        old_id = row["article_id"]
        new_text, new_sha = new_texts[carried[old_id]]
        row["article_id"] = carried[old_id]
        if row["status"] == "quarantined":
            continue  # carried as it is: the release's check decides on it
        try:
            result = json.loads(row["result_json"])
        except (TypeError, ValueError):
            continue
        mapped = map_result(result, old_texts[old_id], new_text) if isinstance(result, list) else None
        if mapped is None:
            row["status"] = "quarantined"
            row["quarantine_reasons"] = sorted({*(row["quarantine_reasons"] or []), "span_text_changed"})
            continue
        row["result_json"] = json.dumps(mapped, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        row["text_sha256"] = new_sha
    table = pa.concat_tables([latest.filter(pc.invert(moving)), pa.Table.from_pylist(moved, schema=latest.schema)])
    return table.sort_by([("article_id", "ascending"), ("log_offset", "ascending")])
