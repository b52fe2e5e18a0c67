"""The single source of truth of ceasefire-news: label vocabularies and record schemas."""

from schema.labels import VOCABULARIES, Label, Vocabulary
from schema.records import (
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
