"""Every name the benchmarks take from ceasefire_news, in one place.

The package's modules move as it is reorganised; its entry points stay. When one moves, this
file is the only one to change.
"""

from __future__ import annotations

from ceasefire_news.dataset.corpus.build import BuildOptions, build_corpus
from ceasefire_news.dataset.corpus.workspace import Workspace
from ceasefire_news.dataset.release.pipeline import ReleaseOptions, release_corpus
from ceasefire_news.dataset.release.validate import validate_release
from ceasefire_news.labeling.sync import export_file, import_export_file
from ceasefire_news.schema import CORPUS_FEATURES, RELEASE_CONFIGS, LoggedAnnotation
from ceasefire_news.schema.labels import FACTUALITY, GENRES, STANCE_LABELS, STANCE_TARGETS

#: The release's Parquet writer options, which the floor writes with too. Copied rather than
#: imported: they are not part of the package's public interface.
RELEASE_PARQUET_OPTIONS = {
    "compression": "zstd",
    "compression_level": 3,
    "use_dictionary": True,
    "write_statistics": True,
    "version": "2.6",
    "data_page_version": "1.0",
}

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
    "export_file",
    "import_export_file",
    "release_corpus",
    "validate_release",
]
