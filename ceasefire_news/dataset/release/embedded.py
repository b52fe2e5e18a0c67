"""The embedded annotations of the seed articles, anchored by quote, and their log entries.

``seed_annotations.json`` annotates the five embedded seed articles (stance per target, genre, quality
flags, PLOVER events with arguments). No human of the labeling loop made them, so their
provenance is ``machine`` and their log source ``embedded``.

Cleaning may still change the clean text, and with it every offset, so spans are stored as
quotes, not offsets: ``quote`` (the span text), ``context`` (a longer string around it,
unique in the article; default: the quote itself) and ``occurrence`` (which occurrence of
the context, 0 for the first). :func:`resolve_anchor` finds them in the current text;
whitespace runs, typographic quotes and dashes match their plain forms, and the span text
is always taken from the corpus text itself. A seed is identified by the file name of its
raw article (``source_file``), which does not change as cleaning improves.

>>> resolve_anchor("They agreed to talk; they agreed again.", {"quote": "agreed", "context": "they agreed again"})
(26, 32)
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import PurePath
from typing import Any

from ceasefire_news.labeling.config import (
    ENTITY,
    EVIDENCE,
    FACTUALITY_CONTROL,
    GENRE,
    QUALITY,
    TEXT,
    TRIGGER,
    mode_control,
    stance_control,
)
from ceasefire_news.schema.errors import DataError
from ceasefire_news.schema.labels import (
    ENTITY_TYPES,
    EVENT_MODES,
    EVENT_TYPES,
    FACTUALITY,
    GENRES,
    QUALITY_FLAGS,
    ROLES,
    STANCE_LABELS,
    STANCE_TARGETS,
)
from ceasefire_news.schema.records import LoggedAnnotation

FORMAT = "ceasefire-news/anchored-annotations/1"
SEED_FILE = "seed_annotations.json"

# Characters that cleaning may normalise, each matched as any of its variants.
_VARIANTS = {
    "'": "'\u2019\u2018\u201b\u02bc",
    '"': '"\u201c\u201d\u201e',
    "-": "-\u2013\u2014\u2012",
}
for _plain, _forms in list(_VARIANTS.items()):
    for _form in _forms:
        _VARIANTS[_form] = _forms


class AnchorError(DataError):
    """A quote no longer resolves in the current corpus text."""


@dataclass(frozen=True, slots=True)
class Article:
    """The corpus row fields needed to resolve a seed's anchors."""

    article_id: str
    source_file: str
    text: str
    text_sha256: str
    corpus_version: str


def _pattern(fragment: str) -> str:
    out: list[str] = []
    in_space = False
    for char in fragment:
        if char.isspace():
            if not in_space:
                out.append(r"\s+")
            in_space = True
            continue
        in_space = False
        forms = _VARIANTS.get(char)
        out.append(f"[{re.escape(forms)}]" if forms else re.escape(char))
    return "".join(out)


def resolve_anchor(text: str, anchor: dict[str, Any]) -> tuple[int, int]:
    """``(start, end)`` of ``anchor["quote"]`` in ``text``; :class:`LookupError` if absent."""
    quote = anchor["quote"]
    context = anchor.get("context", quote)
    occurrence = int(anchor.get("occurrence", 0))
    where = context.find(quote)
    if where < 0:
        raise LookupError(f"the quote {quote!r} is not inside its context {context!r}")
    regex = re.compile(
        _pattern(context[:where]) + "(" + _pattern(quote) + ")" + _pattern(context[where + len(quote) :])
    )
    for index, match in enumerate(regex.finditer(text)):
        if index == occurrence:
            return match.start(1), match.end(1)
    raise LookupError(f"occurrence {occurrence} of {context!r} is not in the text")


@cache
def load_seed_annotations() -> dict[str, Any]:
    """The parsed ``seed_annotations.json``, checked against the scheme (a broken file fails loudly)."""
    path = resources.files("ceasefire_news.dataset.release") / SEED_FILE
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != FORMAT:
        raise DataError(f"{SEED_FILE}: format is {data.get('format')!r}; expected {FORMAT!r}")
    problems: list[str] = []
    for article in data["articles"]:
        seed = article["seed"]
        if article["genre"] not in GENRES:
            problems.append(f"{seed}: genre {article['genre']!r}")
        problems += [f"{seed}: quality flag {f!r}" for f in article["quality"] if f not in QUALITY_FLAGS]
        for target, stance in article["stance"].items():
            if target not in STANCE_TARGETS or stance["label"] not in STANCE_LABELS:
                problems.append(f"{seed}: stance {target!r}: {stance['label']!r}")
        for key, entity in article["entities"].items():
            if entity["type"] not in ENTITY_TYPES:
                problems.append(f"{seed}: entity {key!r} type {entity['type']!r}")
        for event in article["events"]:
            event_type, mode = event["type"], event.get("mode")
            if event_type not in EVENT_TYPES:
                problems.append(f"{seed}: event type {event_type!r}")
            elif mode is not None and (event_type not in EVENT_MODES or mode not in EVENT_MODES[event_type]):
                problems.append(f"{seed}: mode {mode!r} for {event_type}")
            if event["factuality"] not in FACTUALITY:
                problems.append(f"{seed}: factuality {event['factuality']!r}")
            for role, keys in event["arguments"].items():
                if role not in ROLES:
                    problems.append(f"{seed}: role {role!r}")
                problems += [f"{seed}: argument {k!r} is not an entity" for k in keys if k not in article["entities"]]
    if problems:
        raise DataError(
            f"{SEED_FILE} breaks the annotation scheme: "
            + "; ".join(problems)
            + ". Fix the file (ceasefire_news/schema/labels.py)."
        )
    return data  # type: ignore[no-any-return]


def seed_names() -> list[str]:
    """File names of the annotated seeds."""
    return [a["seed"] for a in load_seed_annotations()["articles"]]


def seed_of(source_file: str) -> str | None:
    """The seed file name of a corpus row's ``source_file``, or None for any other article."""
    name = source_file.rsplit("/", 1)[-1]  # PurePath(source_file).name, without building a path
    return name if name in _seed_name_set() else None


@cache
def _seed_name_set() -> frozenset[str]:
    return frozenset(seed_names())


def _region(region_id: str, control: str, text: str, span: tuple[int, int], label: str) -> dict[str, Any]:
    start, end = span
    return {
        "id": region_id,
        "from_name": control,
        "to_name": TEXT,
        "type": "labels",
        "value": {"start": start, "end": end, "text": text[start:end], "labels": [label]},
    }


def _choice(control: str, value: str | list[str], region: dict[str, Any] | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "from_name": control,
        "to_name": TEXT,
        "type": "choices",
        "value": {"choices": value if isinstance(value, list) else [value]},
    }
    if region is not None:
        item["id"] = region["id"]
        item["value"] = {**{k: region["value"][k] for k in ("start", "end", "text")}, **item["value"]}
    return item


def seed_result(seed: str, text: str) -> list[dict[str, Any]]:
    """The Label Studio result of one seed's annotation, resolved against ``text``."""
    article = next((a for a in load_seed_annotations()["articles"] if a["seed"] == seed), None)
    if article is None:
        raise DataError(f"{seed} has no embedded annotation; annotated seeds: {seed_names()}")

    failures: list[str] = []

    def span(anchor: dict[str, Any], what: str) -> tuple[int, int]:
        try:
            return resolve_anchor(text, anchor)
        except LookupError as err:
            failures.append(
                f"seed {seed}: {what} quote {anchor['quote']!r} "
                f"(context {anchor.get('context', anchor['quote'])!r}) no longer resolves in the corpus text: {err}"
            )
            return 0, 0

    result: list[dict[str, Any]] = []
    for target, stance in article["stance"].items():
        result.append(_choice(stance_control(target), stance["label"]))
        for i, anchor in enumerate(stance["evidence"]):
            result.append(_region(f"v-{target}-{i}", EVIDENCE, text, span(anchor, f"{target} evidence"), target))
    result.append(_choice(GENRE, article["genre"]))
    if article["quality"]:
        result.append(_choice(QUALITY, list(article["quality"])))
    used = sorted({k for event in article["events"] for keys in event["arguments"].values() for k in keys})
    for key in used:
        entity = article["entities"][key]
        result.append(_region(f"n-{key}", ENTITY, text, span(entity, f"entity {key!r}"), entity["type"]))
    for i, event in enumerate(article["events"]):
        trigger = _region(f"t{i}", TRIGGER, text, span(event["trigger"], f"{event['type']} trigger"), event["type"])
        result.append(trigger)
        result.append(_choice(FACTUALITY_CONTROL, event["factuality"], trigger))
        if event.get("mode"):
            result.append(_choice(mode_control(event["type"]), event["mode"], trigger))
        for role, keys in sorted(event["arguments"].items()):
            for key in keys:
                result.append(
                    {
                        "type": "relation",
                        "from_id": trigger["id"],
                        "to_id": f"n-{key}",
                        "direction": "right",
                        "labels": [role],
                    }
                )
    if failures:
        raise AnchorError(
            f"{len(failures)} embedded annotation anchors no longer resolve: "
            + "; ".join(failures)
            + f". Update ceasefire_news/dataset/release/{SEED_FILE} to quote the current clean text of {seed}."
        )
    return result


def embedded_annotations(articles: Iterable[Article]) -> list[LoggedAnnotation]:
    """Log entries for the seed articles among ``articles`` (others are ignored).

    Raises :class:`AnchorError` naming the seed and the quote when an anchor no longer
    resolves in the current text.
    """
    data = load_seed_annotations()
    entries: list[LoggedAnnotation] = []
    for article in articles:
        seed = seed_of(article.source_file)
        if seed is None:
            continue
        entries.append(
            LoggedAnnotation(
                annotation_id=f"embedded:{PurePath(seed).stem}",
                task_id=None,
                article_id=article.article_id,
                text_sha256=article.text_sha256,
                corpus_version=article.corpus_version,
                annotator=data["annotator"],
                created_at=data["created_at"],
                updated_at=data["created_at"],
                lead_time=None,
                was_cancelled=False,
                ground_truth=False,
                result=seed_result(seed, article.text),
                provenance="machine",
                source="embedded",
            )
        )
    return entries
