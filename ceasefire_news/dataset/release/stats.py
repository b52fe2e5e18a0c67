"""Counts for the manifest and the card, gathered per chunk while rows are made, then merged."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from ceasefire_news.schema.labels import STANCE_TARGETS

#: Label Studio's ``origin`` of a result region, and ``unknown`` where a result has none
#: (imports from other tools, older Label Studio versions).
REGION_ORIGINS = ("manual", "prediction-changed", "prediction", "unknown")


@dataclass(slots=True)
class Stats:
    """Counts for the manifest and the card, gathered while rows are written."""

    stance: dict[str, Counter[str]] = field(default_factory=lambda: {t: Counter() for t in STANCE_TARGETS.names})
    genre: Counter[str] = field(default_factory=Counter)
    event_type: Counter[str] = field(default_factory=Counter)
    mode: Counter[str] = field(default_factory=Counter)
    factuality: Counter[str] = field(default_factory=Counter)
    role: Counter[str] = field(default_factory=Counter)
    entity_type: Counter[str] = field(default_factory=Counter)
    annotation_flags: Counter[str] = field(default_factory=Counter)
    text_flags: Counter[str] = field(default_factory=Counter)
    outlets: Counter[str] = field(default_factory=Counter)
    languages: Counter[str] = field(default_factory=Counter)
    annotation_days: Counter[str] = field(default_factory=Counter)  # released (day-coarse) updated_at
    provenance: dict[str, Counter[str]] = field(
        default_factory=lambda: {"stance": Counter(), "events": Counter(), "genre": Counter()}
    )
    status: Counter[str] = field(default_factory=Counter)
    raw_provenance: Counter[str] = field(default_factory=Counter)
    region_origins: Counter[str] = field(default_factory=Counter)  # span regions of human annotations
    sources: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    release_quarantined: Counter[str] = field(default_factory=Counter)
    review: Counter[str] = field(default_factory=Counter)
    stories: set[str] = field(default_factory=set)
    dates: list[str] = field(default_factory=list)
    articles_annotated: int = 0
    articles_needing_review: int = 0

    def merge(self, other: Stats) -> None:
        """Add the counts of ``other`` (a chunk's) to these."""
        for name in (
            "genre",
            "event_type",
            "mode",
            "factuality",
            "role",
            "entity_type",
            "annotation_flags",
            "text_flags",
            "outlets",
            "languages",
            "annotation_days",
            "status",
            "raw_provenance",
            "region_origins",
            "sources",
            "reasons",
            "release_quarantined",
            "review",
        ):
            getattr(self, name).update(getattr(other, name))
        for target, counts in other.stance.items():
            self.stance[target].update(counts)
        for unit, counts in other.provenance.items():
            self.provenance[unit].update(counts)
        self.stories |= other.stories
        self.dates += other.dates
        self.articles_annotated += other.articles_annotated
        self.articles_needing_review += other.articles_needing_review


def vocab_counts(counter: Counter[str], names: Sequence[str]) -> dict[str, int]:
    """The count of every name of a vocabulary, zeros included, in vocabulary order."""
    return {name: counter[name] for name in names}
