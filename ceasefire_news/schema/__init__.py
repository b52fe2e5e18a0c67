"""The single source of truth of ceasefire-news: label vocabularies and record schemas."""

from ceasefire_news.schema.labels import VOCABULARIES, Label, Vocabulary
from ceasefire_news.schema.records import (
    CORPUS_FEATURES,
    RELEASE_CONFIGS,
    SCHEMA_VERSION,
    LoggedAnnotation,
    latest_annotations,
)

__all__ = [
    "CORPUS_FEATURES",
    "RELEASE_CONFIGS",
    "SCHEMA_VERSION",
    "VOCABULARIES",
    "Label",
    "LoggedAnnotation",
    "Vocabulary",
    "latest_annotations",
]
