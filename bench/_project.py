"""Every name the benchmarks take from ceasefire_news, in one place.

The package's modules move as it is reorganised; its entry points stay. When one moves, this
file is the only one to change.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from ceasefire_news.dataset.corpus.build import BuildOptions, build_corpus
from ceasefire_news.dataset.corpus.read import embedded_sources
from ceasefire_news.dataset.corpus.warc import http_response, warc_record
from ceasefire_news.dataset.corpus.workspace import Workspace
from ceasefire_news.dataset.release.pipeline import release_corpus
from ceasefire_news.dataset.release.validate import validate_release
from ceasefire_news.dataset.release.workers import ReleaseOptions
from ceasefire_news.dataset.release.writers import PARQUET_OPTIONS
from ceasefire_news.labeling.export import export_file
from ceasefire_news.labeling.ingest import import_export_file
from ceasefire_news.schema import CORPUS_FEATURES, RELEASE_CONFIGS, LoggedAnnotation
from ceasefire_news.schema.labels import FACTUALITY, GENRES, STANCE_LABELS, STANCE_TARGETS

#: The release's Parquet writer options, which the floor writes with too.
RELEASE_PARQUET_OPTIONS = PARQUET_OPTIONS


def studio() -> Any:
    """What ``bench/sync/studio.py`` drives a live Label Studio with; imported only there."""
    from ceasefire_news.dataset.corpus.read import embedded_sources
    from ceasefire_news.labeling.config import label_config
    from ceasefire_news.labeling.export import ensure_tasks_file, iter_tasks_file
    from ceasefire_news.labeling.pull import pull
    from ceasefire_news.labeling.push import push
    from ceasefire_news.labeling.server import StudioServer, free_port

    return SimpleNamespace(
        embedded_sources=embedded_sources,
        label_config=label_config,
        StudioServer=StudioServer,
        free_port=free_port,
        ensure_tasks_file=ensure_tasks_file,
        iter_tasks_file=iter_tasks_file,
        pull=pull,
        push=push,
    )


__all__ = [
    "CORPUS_FEATURES",
    "FACTUALITY",
    "GENRES",
    "RELEASE_CONFIGS",
    "RELEASE_PARQUET_OPTIONS",
    "STANCE_LABELS",
    "STANCE_TARGETS",
    "BuildOptions",
    "LoggedAnnotation",
    "ReleaseOptions",
    "Workspace",
    "build_corpus",
    "embedded_sources",
    "export_file",
    "http_response",
    "import_export_file",
    "release_corpus",
    "studio",
    "validate_release",
    "warc_record",
]
