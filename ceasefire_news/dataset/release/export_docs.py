"""A release read back as one document per article, and a tokenisation that keeps every span.

The converters (:mod:`ceasefire_news.dataset.release.convert`) write these documents in
other tools' formats. Every span of the release is here at its release offsets (Python
code points into ``text``, end exclusive):

- ``trigger``: an event trigger, labelled with its event type;
- ``entity``: an entity span that fills an event role, labelled with its entity type (one
  span however many events it takes part in);
- ``evidence``: a stance evidence span, labelled with its stance target (as in Label Studio).

Argument roles are relations from a trigger to an entity.

Token-based formats lose a span whose edges fall inside a token (spaCy's ``char_span``
returns None, Prodigy's ``token_start`` has nothing to point at), so :func:`tokenize`
cuts the text at every span boundary as well as between words.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from ceasefire_news.schema.errors import DataError, UsageError
from ceasefire_news.schema.labels import (
    ENTITY_TYPES,
    EVENT_TYPES,
    FACTUALITY,
    GENRES,
    MODES,
    ROLES,
    SPLITS,
    STANCE_LABELS,
    STANCE_TARGETS,
    Vocabulary,
)

#: Span kinds, in the order each export lists them.
SPAN_KINDS = ("trigger", "entity", "evidence")
#: A word, or any other single non-space character (punctuation, one code point of an emoji).
_WORD = re.compile(r"\w+|[^\w\s]|\s+")


@dataclass(frozen=True, slots=True)
class ExportSpan:
    """One span: ``text[start:end]``, of ``kind`` (see :data:`SPAN_KINDS`), with its label."""

    kind: str
    start: int
    end: int
    label: str


@dataclass(frozen=True, slots=True)
class ExportRelation:
    """An argument role: from a trigger span (``head``) to an entity span (``child``)."""

    head: ExportSpan
    child: ExportSpan
    label: str


@dataclass(slots=True)
class ExportDoc:
    """One article with its adjudicated labels; ``stance`` holds only the targets with a label."""

    article_id: str
    story_id: str
    split: str
    text: str
    genre: str | None = None
    stance: dict[str, str] = field(default_factory=dict)
    spans: list[ExportSpan] = field(default_factory=list)
    relations: list[ExportRelation] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)

    def categories(self) -> dict[str, float]:
        """Document categories as spaCy's ``doc.cats``: one-hot per stance target and for genre."""
        cats: dict[str, float] = {}
        for target, label in self.stance.items():
            for name in STANCE_LABELS.names:
                cats[f"stance:{target}:{name}"] = 1.0 if name == label else 0.0
        if self.genre is not None:
            for name in GENRES.names:
                cats[f"genre:{name}"] = 1.0 if name == self.genre else 0.0
        return cats


@dataclass(frozen=True, slots=True)
class Token:
    """A token of :func:`tokenize`; ``ws``: one space follows it, not part of any token."""

    text: str
    start: int
    end: int
    ws: bool


def tokenize(text: str, spans: list[ExportSpan]) -> list[Token]:
    """Tokens that tile ``text`` (with their trailing spaces) and start and end at every span edge.

    Whitespace other than one plain space after a token (line breaks, runs of spaces) is
    a token of its own, as in spaCy, so that the tokens and their spaces rebuild ``text``
    exactly. A space is kept as a token too when a span starts or ends at its edge.
    """
    starts = {s.start for s in spans}
    ends = {s.end for s in spans}
    cuts = starts | ends
    pieces: list[tuple[int, int]] = []
    for match in _WORD.finditer(text):
        begin, finish = match.span()
        inner = sorted(c for c in cuts if begin < c < finish)
        for a, b in zip([begin, *inner], [*inner, finish], strict=True):
            pieces.append((a, b))
    tokens: list[Token] = []
    for begin, finish in pieces:
        piece = text[begin:finish]
        trailing = (
            piece == " "
            and tokens
            and not tokens[-1].ws
            and not tokens[-1].text.isspace()
            and begin not in starts
            and finish not in ends
        )
        if trailing:
            last = tokens[-1]
            tokens[-1] = Token(last.text, last.start, last.end, ws=True)
        else:
            tokens.append(Token(piece, begin, finish, ws=False))
    return tokens


class TokenIndex:
    """Token positions by character offset, to find the tokens of a span."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.by_start = {t.start: i for i, t in enumerate(tokens)}
        self.by_end = {t.end: i for i, t in enumerate(tokens)}

    def bounds(self, span: ExportSpan, where: str) -> tuple[int, int]:
        """``(first, last)`` token indices of ``span``, last inclusive."""
        first, last = self.by_start.get(span.start), self.by_end.get(span.end)
        if first is None or last is None or last < first:
            raise DataError(
                f"{where}: the {span.kind} span [{span.start}, {span.end}) does not fall on token edges; "
                "this is a bug of the converter, please report it with the release"
            )
        return first, last


def _name(vocabulary: Vocabulary, value: int | None) -> str | None:
    return None if value is None else vocabulary.names[value]


def _read(folder: Path, config: str, split: str, columns: list[str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for file in sorted((folder / "data" / config).glob(f"{split}-*.parquet")):
        try:
            rows += pq.read_table(file, columns=columns).to_pylist()
        except (OSError, ValueError, KeyError) as err:
            raise UsageError(
                f"{file} can't be read as a release table ({err}); check it with `ceasefire-news validate`"
            ) from err
    return rows


def _span(kind: str, start: int, end: int, label: str, text: str, stored: str, where: str) -> ExportSpan:
    # A converted span must be the release's span: refuse a release whose offsets drifted.
    if not 0 <= start < end <= len(text) or text[start:end] != stored:
        raise DataError(
            f"{where}: the {kind} span [{start}, {end}) does not match its text {stored!r} in the article; "
            "check the release with `ceasefire-news validate`"
        )
    return ExportSpan(kind, start, end, label)


def read_split(folder: Path, split: str) -> list[ExportDoc]:
    """The articles of ``split`` with their labels, spans and roles, in release order."""
    articles = _read(folder, "articles", split, ["article_id", "story_id", "text", "genre"])
    docs = {
        row["article_id"]: ExportDoc(
            row["article_id"], row["story_id"], split, row["text"], genre=_name(GENRES, row["genre"])
        )
        for row in articles
    }
    evidence: dict[str, set[ExportSpan]] = defaultdict(set)
    stance_file = folder / "data" / "stance" / f"{split}-*.parquet"
    for row in _read(folder, "stance", split, ["article_id", "target", "label", "evidence"]):
        doc = _doc(docs, row["article_id"], stance_file)
        target = STANCE_TARGETS.names[row["target"]]
        label = _name(STANCE_LABELS, row["label"])
        if label is not None:
            doc.stance[target] = label
        where = f"{stance_file} (article {doc.article_id}, target {target})"
        for ev in row["evidence"]:
            evidence[doc.article_id].add(_span("evidence", ev["start"], ev["end"], target, doc.text, ev["text"], where))
    events_file = folder / "data" / "events" / f"{split}-*.parquet"
    columns = ["event_id", "article_id", "trigger", "event_type", "mode", "factuality", "arguments"]
    for row in _read(folder, "events", split, columns):
        doc = _doc(docs, row["article_id"], events_file)
        where = f"{events_file} (event {row['event_id']})"
        trigger = row["trigger"]
        event_type = EVENT_TYPES.names[row["event_type"]]
        head = _span("trigger", trigger["start"], trigger["end"], event_type, doc.text, trigger["text"], where)
        doc.spans.append(head)
        arguments = []
        for arg in row["arguments"]:
            role, entity_type = ROLES.names[arg["role"]], ENTITY_TYPES.names[arg["entity_type"]]
            child = _span("entity", arg["start"], arg["end"], entity_type, doc.text, arg["text"], where)
            doc.relations.append(ExportRelation(head, child, role))
            arguments.append({"role": role, "entity_type": entity_type, "start": child.start, "end": child.end})
        doc.events.append(
            {
                "event_id": row["event_id"],
                "event_type": event_type,
                "mode": _name(MODES, row["mode"]),
                "factuality": _name(FACTUALITY, row["factuality"]),
                "trigger": {"start": head.start, "end": head.end},
                "arguments": arguments,
            }
        )
    for doc in docs.values():
        entities = {r.child for r in doc.relations}
        doc.spans = _ordered([*dict.fromkeys(doc.spans), *entities, *evidence[doc.article_id]])
    return list(docs.values())


def _doc(docs: dict[str, ExportDoc], article_id: str, where: Path) -> ExportDoc:
    try:
        return docs[article_id]
    except KeyError:
        raise DataError(
            f"{where}: article {article_id} is not in the articles of the same split; "
            "check the release with `ceasefire-news validate`"
        ) from None


def _ordered(spans: list[ExportSpan]) -> list[ExportSpan]:
    return sorted(spans, key=lambda s: (SPAN_KINDS.index(s.kind), s.start, s.end, s.label))


def read_release(folder: Path) -> Iterator[tuple[str, list[ExportDoc]]]:
    """``(split, documents)`` for every split of the release folder, in split order."""
    if not (folder / "data" / "articles").is_dir():
        raise UsageError(
            f"{folder} is not a release folder (no data/articles); give a folder made by `ceasefire-news release`, "
            "such as workspace/release/1.0.0"
        )
    for split in SPLITS.names:
        yield split, read_split(folder, split)
