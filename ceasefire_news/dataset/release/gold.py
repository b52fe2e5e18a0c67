"""What adjudication works on and gives: ballots in, the gold labels of an article out.

A :class:`Ballot` is one parsed annotation with what decides whether and how it votes; an
:class:`ArticleGold` holds the adjudicated stance, genre, quality flags and events of one
article, and the :class:`ReviewItem` units that go back to annotators.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from ceasefire_news.labeling.results import ParsedAnnotation


@dataclass(slots=True)
class Ballot:
    """One annotation of an article, parsed, with what decides whether and how it votes."""

    annotation_id: str
    annotator: str
    parsed: ParsedAnnotation
    ground_truth: bool = False
    machine: bool = False
    cancelled: bool = False
    quarantined: bool = False
    version: tuple[str, str] = ("", "")  # (updated_at, created_at): the newest wins per annotator


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """A unit sent back to annotators: one line of ``annotations/review.jsonl``."""

    article_id: str
    unit: str
    reason: str

    def to_json(self) -> str:
        """``{"article_id", "reason", "unit"}`` as ``json.dumps`` writes it with sorted keys, no
        spaces and ``ensure_ascii=False``; built directly, as a release writes hundreds of thousands."""
        quote = _json_string
        return f'{{"article_id":{quote(self.article_id)},"reason":{quote(self.reason)},"unit":{quote(self.unit)}}}'


#: ``json.dumps(text, ensure_ascii=False)`` for a string, without the encoder object around it.
_json_string = json.encoder.encode_basestring


@dataclass(slots=True)
class Span:
    start: int
    end: int
    text: str


@dataclass(slots=True)
class StanceGold:
    target: str
    label: str | None
    evidence: list[Span]
    votes: list[tuple[str, str]]  # (annotator, label) of every voter, deciding or not
    n_annotators: int
    provenance: str
    needs_review: bool


@dataclass(slots=True)
class ArgumentGold:
    role: str
    entity_type: str | None
    start: int
    end: int
    text: str


@dataclass(slots=True)
class EventGold:
    start: int
    end: int
    text: str
    event_type: str
    mode: str | None
    factuality: str | None
    arguments: list[ArgumentGold]
    annotators: list[str]
    n_annotators: int
    provenance: str
    needs_review: bool


@dataclass(slots=True)
class ArticleGold:
    """The adjudicated labels of one article. Empty when nobody voted."""

    article_id: str
    n_annotators: int = 0
    genre: str | None = None
    genre_provenance: str | None = None
    quality_flags: list[str] = field(default_factory=list)
    stance: list[StanceGold] = field(default_factory=list)
    events: list[EventGold] = field(default_factory=list)
    review: list[ReviewItem] = field(default_factory=list)

    @property
    def needs_review(self) -> bool:
        return bool(self.review)
