"""Rows of the four release configs, made per article from its checked annotations and gold.

A row is a dict by column name and so is a struct value in it: a column is found by its
name in the config's schema, never by position, so reordering a schema moves no value into
another column.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pyarrow as pa

from ceasefire_news.dataset.release.gold import ArticleGold
from ceasefire_news.dataset.release.recheck import Checked
from ceasefire_news.dataset.release.stats import REGION_ORIGINS, Stats
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
)
from ceasefire_news.schema.records import RELEASE_CONFIGS, LoggedAnnotation


def dumps(value: Any) -> str:
    """Compact JSON, keys in the order ``value`` holds them (deterministic where it is)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def event_id(article_id: str, start: int, end: int, event_type: str) -> str:
    """Content-derived event id: stable while the text and the trigger stay the same."""
    digest = hashlib.sha256(f"{article_id}\x1f{start}\x1f{end}\x1f{event_type}".encode()).hexdigest()
    return f"e-{digest[:16]}"


class RowBuffer:
    """Rows of one chunk, per config and split, turned into Arrow tables at the end."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], list[dict[str, Any]]] = {}

    def add(self, config: str, split: str, row: dict[str, Any]) -> None:
        self.rows.setdefault((config, split), []).append(row)

    def tables(self) -> dict[tuple[str, str], pa.Table]:
        """One table per config and split; a row with other columns than its config's is an error."""
        out = {}
        for (config, split), rows in self.rows.items():
            schema = RELEASE_CONFIGS[config].arrow_schema
            names = set(schema.names)
            wrong = next((row for row in rows if row.keys() != names), None)
            if wrong is not None:
                raise ValueError(
                    f"a {config} row has columns {sorted(wrong)}; expected {sorted(names)} (schema/records.py)"
                )
            out[(config, split)] = pa.Table.from_arrays(
                [pa.array([row[f.name] for row in rows], type=f.type) for f in schema], schema=schema
            )
        return out


class ArticleRows:
    """Turns one article's checked annotations and gold labels into rows of the four configs."""

    def __init__(self, buffer: RowBuffer, stats: Stats) -> None:
        self.buffer = buffer
        self.stats = stats
        self.split_index = {name: i for i, name in enumerate(SPLITS.names)}

    def raw(
        self, entry: LoggedAnnotation, checked: Checked, story_id: str, split: str, result_text: str | None = None
    ) -> None:
        """The ``annotations_raw`` row of ``entry``; ``result_text`` is its result's JSON as logged,
        used when the re-check kept the result as it was."""
        parsed = checked.parsed
        stats = self.stats
        stats.status[checked.status] += 1
        stats.raw_provenance[entry.provenance] += 1
        if entry.provenance != "machine" and parsed is not None and not entry.was_cancelled:
            # Label Studio marks each region "manual", "prediction" (a pre-annotation left as it
            # was) or "prediction-changed"; the card reports how much of the human work that is.
            origins = stats.region_origins
            for origin, count in parsed.origins.items():
                origins[origin if origin in REGION_ORIGINS else "unknown"] += count
        stats.sources[entry.source] += 1
        stats.annotation_days[entry.updated_at[:10]] += 1
        if checked.reasons:
            stats.reasons.update(checked.reasons)
        self.buffer.add(
            "annotations_raw",
            split,
            {
                "annotation_id": entry.annotation_id,
                "task_id": entry.task_id,
                "article_id": entry.article_id,
                "story_id": story_id,
                "split": self.split_index[split],
                "annotator": entry.annotator,
                "created_at": entry.created_at,
                "updated_at": entry.updated_at,
                "lead_time": entry.lead_time,
                "was_cancelled": entry.was_cancelled,
                "ground_truth": entry.ground_truth,
                "genre": GENRES.ids[parsed.genre] if parsed is not None and parsed.genre else None,
                "quality_flags": [QUALITY_FLAGS.ids[f] for f in parsed.quality_flags] if parsed is not None else [],
                "result_json": dumps(checked.result) if result_text is None else result_text,
                "status": ANNOTATION_STATUS.ids[checked.status],
                "quarantine_reasons": checked.reasons,
                "provenance": PROVENANCE.ids[entry.provenance],
                "source": entry.source,
            },
        )

    def gold(self, gold: ArticleGold, story_id: str, split: str) -> None:
        """The ``stance`` and ``events`` rows of an article's adjudicated labels."""
        stats = self.stats
        s = self.split_index[split]
        for unit in gold.stance:
            if unit.label is not None:
                stats.stance[unit.target][unit.label] += 1
            stats.provenance["stance"][unit.provenance] += 1
            self.buffer.add(
                "stance",
                split,
                {
                    "article_id": gold.article_id,
                    "story_id": story_id,
                    "split": s,
                    "target": STANCE_TARGETS.ids[unit.target],
                    "label": None if unit.label is None else STANCE_LABELS.ids[unit.label],
                    "evidence": [{"start": e.start, "end": e.end, "text": e.text} for e in unit.evidence],
                    "votes": [{"annotator": a, "label": STANCE_LABELS.ids[v]} for a, v in unit.votes],
                    "n_annotators": unit.n_annotators,
                    "provenance": PROVENANCE.ids[unit.provenance],
                    "needs_review": unit.needs_review,
                },
            )
        used: set[str] = set()
        for event in gold.events:
            identifier = event_id(gold.article_id, event.start, event.end, event.event_type)
            n = 2
            while identifier in used:  # the same span and type twice in one article
                identifier = f"{event_id(gold.article_id, event.start, event.end, event.event_type)}-{n}"
                n += 1
            used.add(identifier)
            stats.event_type[event.event_type] += 1
            stats.mode[event.mode or "(none)"] += 1
            stats.factuality[event.factuality or "(none)"] += 1
            stats.provenance["events"][event.provenance] += 1
            for arg in event.arguments:
                stats.role[arg.role] += 1
                stats.entity_type[arg.entity_type or "(tied)"] += 1
            self.buffer.add(
                "events",
                split,
                {
                    "event_id": identifier,
                    "article_id": gold.article_id,
                    "story_id": story_id,
                    "split": s,
                    "trigger": {"start": event.start, "end": event.end, "text": event.text},
                    "event_type": EVENT_TYPES.ids[event.event_type],
                    "mode": None if event.mode is None else MODES.ids[event.mode],
                    "factuality": None if event.factuality is None else FACTUALITY.ids[event.factuality],
                    "arguments": [
                        {
                            "role": ROLES.ids[a.role],
                            "entity_type": None if a.entity_type is None else ENTITY_TYPES.ids[a.entity_type],
                            "start": a.start,
                            "end": a.end,
                            "text": a.text,
                        }
                        for a in event.arguments
                    ],
                    "annotators": event.annotators,
                    "n_annotators": event.n_annotators,
                    "provenance": PROVENANCE.ids[event.provenance],
                    "needs_review": event.needs_review,
                },
            )
        if gold.genre is not None:
            stats.genre[gold.genre] += 1
        if gold.genre_provenance is not None:
            stats.provenance["genre"][gold.genre_provenance] += 1
        stats.annotation_flags.update(gold.quality_flags)
        for item in gold.review:
            stats.review[item.reason] += 1
