"""The release manifest: what is in a release, how it was made, and every file's digest."""

from __future__ import annotations

import json
from pathlib import Path, PurePath
from typing import Any

from ceasefire_news.dataset.corpus.workspace import MANIFEST, Workspace, atomic_write_json, file_sha256
from ceasefire_news.dataset.release import splits as splitting
from ceasefire_news.dataset.release.adjudicate import POLICY
from ceasefire_news.dataset.release.log_index import LatestAnnotations
from ceasefire_news.dataset.release.stats import REGION_ORIGINS, Stats, vocab_counts
from ceasefire_news.dataset.release.writers import DATA_FILE, Writers
from ceasefire_news.schema.labels import (
    ANNOTATION_STATUS,
    EVENT_TYPES,
    GENRES,
    PROVENANCE,
    QUALITY_FLAGS,
    ROLES,
    SPLITS,
    STANCE_LABELS,
    TEXT_FLAGS,
)
from ceasefire_news.schema.records import DEFAULT_CONFIG, RELEASE_CONFIGS, SCHEMA_VERSION

DATASET_NAME = "ceasefire-news"


def corpus_manifest(workspace: Workspace, version: str) -> dict[str, Any]:
    """The corpus version's own manifest (sources, cleaning rules), or {} when it has none."""
    path = workspace.corpus_dir(version) / MANIFEST
    if not path.exists():
        return {}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def build_manifest(
    *,
    version: str,
    corpus_version: str,
    corpus_manifest: dict[str, Any],
    writers: Writers,
    stats: Stats,
    agreement: dict[str, Any],
    annotations: LatestAnnotations,
    unreadable: int,
    embedded: int,
    review_count: int,
) -> dict[str, Any]:
    """The content of ``manifest.json`` (its ``files`` are added by :func:`write_manifest`)."""
    configs: dict[str, Any] = {}
    for config in RELEASE_CONFIGS:
        split_rows = {s: writers.rows[(config, s)] for s in SPLITS.names if writers.rows[(config, s)]}
        configs[config] = {
            "default": config == DEFAULT_CONFIG,
            "splits": split_rows,
            "rows": sum(split_rows.values()),
            "data_files": {s: DATA_FILE.format(config=config, split=s) for s in split_rows},
        }
    dates = sorted(stats.dates)
    days = [d for d in stats.annotation_days if d]
    sources = [
        {"file": PurePath(str(s.get("path", ""))).name, "sha256": s.get("sha256"), "bytes": s.get("bytes")}
        for s in corpus_manifest.get("sources", [])
    ]
    return {
        "name": DATASET_NAME,
        "version": version,
        "corpus_version": corpus_version,
        "schema_version": SCHEMA_VERSION,
        "configs": configs,
        "splits": splitting.describe(),
        "corpus": {
            "articles": configs["articles"]["rows"],
            "stories": len(stats.stories),
            "outlets": dict(sorted(stats.outlets.items())),
            "languages": dict(sorted(stats.languages.items())),
            "published": {"first": dates[0] if dates else None, "last": dates[-1] if dates else None},
            "text_flags": vocab_counts(stats.text_flags, TEXT_FLAGS.names),
            "sources": sources,
            "cleaning_rules": corpus_manifest.get("cleaning_rules", {}),
            "stories_method": corpus_manifest.get("stories", {}),
            "article_id": corpus_manifest.get("article_id"),
        },
        "annotations": {
            "log_lines": annotations.lines,
            "log_unreadable_lines": annotations.unreadable + unreadable,
            "superseded_versions": annotations.superseded,
            "not_in_corpus": annotations.not_in_corpus,
            "embedded": embedded,
            "released": sum(stats.status.values()),
            "by_status": vocab_counts(stats.status, ANNOTATION_STATUS.names),
            "by_provenance": vocab_counts(stats.raw_provenance, PROVENANCE.names),
            "human_regions_by_origin": vocab_counts(stats.region_origins, REGION_ORIGINS),
            "by_source": dict(sorted(stats.sources.items())),
            "quarantine_reasons": dict(sorted(stats.reasons.items())),
            "quarantined_at_release": dict(sorted(stats.release_quarantined.items())),
            "articles_annotated": stats.articles_annotated,
            "days": {"first": min(days, default=None), "last": max(days, default=None)},
        },
        "adjudication": {
            "policy": list(POLICY),
            "review_items": review_count,
            "review_by_reason": dict(sorted(stats.review.items())),
            "articles_needing_review": stats.articles_needing_review,
        },
        "agreement": agreement,
        "distributions": {
            "stance": {t: vocab_counts(c, STANCE_LABELS.names) for t, c in stats.stance.items()},
            "genre": vocab_counts(stats.genre, GENRES.names),
            "event_type": vocab_counts(stats.event_type, EVENT_TYPES.names),
            "mode": dict(sorted(stats.mode.items())),
            "factuality": dict(sorted(stats.factuality.items())),
            "role": vocab_counts(stats.role, ROLES.names),
            "entity_type": dict(sorted(stats.entity_type.items())),
            "annotation_flags": vocab_counts(stats.annotation_flags, QUALITY_FLAGS.names),
            "provenance": {k: vocab_counts(c, PROVENANCE.names) for k, c in stats.provenance.items()},
        },
    }


def write_manifest(manifest: dict[str, Any], root: Path) -> None:
    """Add the digest and size of every file under ``root`` to ``manifest``; write it there."""
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.name != MANIFEST)
    manifest["files"] = {
        p.relative_to(root).as_posix(): {"sha256": file_sha256(p), "bytes": p.stat().st_size} for p in files
    }
    atomic_write_json(root / MANIFEST, manifest)
