"""A rule-based pre-annotator: an actor gazetteer and a PLOVER trigger lexicon.

It proposes what a careful annotator would start from, never more than the rules can
show: entity spans for the actors, places and dates of this corpus (the gazetteer), and
event triggers for the verbs and nouns of the 16 PLOVER types (the lexicon), with a PLOVER
mode where the word itself says it ("phone call" -> CONSULT/phone, "air strikes" ->
ASSAULT/aerial). It proposes no stance, genre, factuality or relation: those need reading.

Every label it emits is checked against :mod:`ceasefire_news.schema.labels` when this module is imported,
and goes out under the control names of :mod:`ceasefire_news.labeling.config`. Predictions carry
:data:`MODEL_VERSION` and a score per region (how often such a rule is right, a prior,
not a calibrated probability).

>>> [(r["value"]["text"], r["value"]["labels"][0]) for r in preannotate("Putin and Erdogan agreed.")
...  if r["type"] == "labels"]
[('Putin', 'PER'), ('Erdogan', 'PER'), ('agreed', 'AGREE')]
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from ceasefire_news.labeling.config import ENTITY, TEXT, TRIGGER, mode_control
from ceasefire_news.labeling.gazetteer import COUNTRIES, GAZETTEER, PLACE_WORDS, TIME_PATTERNS
from ceasefire_news.labeling.trigger_lexicon import TRIGGER_RULES

#: Recorded on every prediction; bump it whenever a rule changes.
MODEL_VERSION = "ceasefire-rules-v1"

_WORD_RE = re.compile(r"\w+")


class PhraseMatcher:
    """Finds phrases at word starts: a dictionary keyed by first word, longest phrase first.

    Much faster than one big regular-expression alternation, and matches whole words only
    (a hyphen counts as part of a word: "pro-government forces" is not "government forces").
    """

    def __init__(self, phrases: dict[str, Any], *, casefold: bool) -> None:
        self.casefold = casefold
        self._by_head: dict[str, list[tuple[str, Any]]] = {}
        for phrase, value in phrases.items():
            key = phrase.lower() if casefold else phrase
            head = _WORD_RE.match(key)
            if head is None:
                raise ValueError(f"phrase {phrase!r} does not start with a word character")
            self._by_head.setdefault(head.group(), []).append((key, value))
        for candidates in self._by_head.values():
            candidates.sort(key=lambda pair: -len(pair[0]))

    @property
    def heads(self) -> frozenset[str]:
        """First words of the phrases (lower case when matching case-insensitively)."""
        return frozenset(self._by_head)

    def candidates(self, word: str) -> list[tuple[str, Any]] | None:
        return self._by_head.get(word.lower() if self.casefold else word)

    def match_at(self, text: str, start: int, word: str) -> tuple[int, Any] | None:
        """``(end, value)`` of the longest phrase starting at ``start``, if any."""
        candidates = self.candidates(word)
        if not candidates:
            return None
        if start > 0 and (text[start - 1].isalnum() or text[start - 1] in "-_"):
            return None
        for phrase, value in candidates:
            end = start + len(phrase)
            piece = text[start:end]
            if (piece.lower() if self.casefold else piece) != phrase:
                continue
            if end < len(text) and (text[end].isalnum() or text[end] in "-_"):
                continue
            return end, value
        return None


_ENTITIES = PhraseMatcher({w: t for t, words in GAZETTEER.items() for w in words}, casefold=False)
_COUNTRY_MATCHER = PhraseMatcher(dict.fromkeys(COUNTRIES, "country"), casefold=False)
_TRIGGERS = PhraseMatcher({phrase: rule for rule in TRIGGER_RULES for phrase in rule.phrases}, casefold=True)
_TIME_RE = re.compile("|".join(f"(?:{p})" for p in TIME_PATTERNS))
_TIME_HEADS = frozenset(
    w.lower().rstrip(".")
    for w in (
        *("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        *("early", "late", "last", "next", "on", "in", "since", "mid", "this"),
        *("yesterday", "today", "tonight", "tomorrow"),
        *("January", "February", "March", "April", "May", "June", "July", "August", "September"),
        *("October", "November", "December", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept"),
        *("Oct", "Nov", "Dec"),
    )
)

_CASED_HEADS = _ENTITIES.heads | _COUNTRY_MATCHER.heads
_FOLDED_HEADS = _TRIGGERS.heads | _TIME_HEADS

_ENTITY_SCORES = {"PER": 0.9, "GOV": 0.8, "ARMED_GROUP": 0.7, "IGO": 0.9, "ORG": 0.8, "LOC": 0.8, "TIME": 0.7}


def _country_type(text: str, start: int) -> str:
    return "LOC" if PLACE_WORDS.search(text[max(0, start - 12) : start]) else "GOV"


def _region_id(kind: str, start: int, end: int, label: str) -> str:
    # Deterministic ids: the same text always gets the same prediction.
    return hashlib.sha1(f"{kind}:{start}:{end}:{label}".encode()).hexdigest()[:10]


def _span(control: str, start: int, end: int, *, text: str, label: str, score: float) -> dict[str, Any]:
    return {
        "id": _region_id(control, start, end, label),
        "from_name": control,
        "to_name": TEXT,
        "type": "labels",
        "origin": "prediction",
        "score": score,
        "value": {"start": start, "end": end, "text": text, "labels": [label]},
    }


Span = tuple[int, int, str, float, str | None]


def _scan(text: str) -> tuple[list[Span], list[Span]]:
    """One pass over the words of ``text``: entity spans and trigger spans, without overlaps."""
    entities: list[Span] = []
    triggers: list[Span] = []
    entity_end = trigger_end = -1
    for word_match in _WORD_RE.finditer(text):
        word = word_match.group()
        lower = word.lower()
        # Most words start no phrase: skip them with set lookups only.
        if word not in _CASED_HEADS and lower not in _FOLDED_HEADS and not (word.isdigit() and len(word) <= 2):
            continue
        start = word_match.start()
        if start >= entity_end:
            found = _ENTITIES.match_at(text, start, word)
            if found is not None:
                end, entity_type = found
                entities.append((start, end, entity_type, _ENTITY_SCORES[entity_type], None))
                entity_end = end
            else:
                country = _COUNTRY_MATCHER.match_at(text, start, word)
                if country is not None:
                    entities.append((start, country[0], _country_type(text, start), 0.6, None))
                    entity_end = country[0]
                elif lower in _TIME_HEADS or (word.isdigit() and len(word) <= 2):
                    time_match = _TIME_RE.match(text, start)
                    if time_match is not None and time_match.end() > start:
                        entities.append((start, time_match.end(), "TIME", _ENTITY_SCORES["TIME"], None))
                        entity_end = time_match.end()
        if start >= trigger_end:
            hit = _TRIGGERS.match_at(text, start, word)
            if hit is not None:
                end, rule = hit
                triggers.append((start, end, rule.event_type, rule.score, rule.mode))
                trigger_end = end
    return entities, triggers


def entity_spans(text: str) -> list[tuple[int, int, str, float]]:
    """``(start, end, entity type, score)`` for every gazetteer, country and date match."""
    return [(s, e, t, score) for s, e, t, score, _ in _scan(text)[0]]


def trigger_spans(text: str) -> list[Span]:
    """``(start, end, PLOVER type, score, mode)`` for every lexicon match."""
    return _scan(text)[1]


def preannotate(text: str) -> list[dict[str, Any]]:
    """Label Studio result items for ``text``: entity spans, trigger spans and trigger modes.

    Offsets are Python code-point offsets and ``text[start:end]`` equals each region's
    text. Deterministic: the same text gives the same items, ids included.
    """
    result: list[dict[str, Any]] = []
    entities, triggers = _scan(text)
    for start, end, entity_type, score, _ in entities:
        result.append(_span(ENTITY, start, end, text=text[start:end], label=entity_type, score=score))
    for start, end, event_type, score, mode in triggers:
        region = _span(TRIGGER, start, end, text=text[start:end], label=event_type, score=score)
        result.append(region)
        if mode is not None:
            result.append(
                {
                    "id": region["id"],
                    "from_name": mode_control(event_type),
                    "to_name": TEXT,
                    "type": "choices",
                    "origin": "prediction",
                    "value": {"start": start, "end": end, "text": text[start:end], "choices": [mode]},
                }
            )
    return result


def prediction_score(result: list[dict[str, Any]]) -> float:
    """The prediction's score: the mean of its regions' scores (0.0 for no region)."""
    scores = [item["score"] for item in result if "score" in item]
    return round(sum(scores) / len(scores), 4) if scores else 0.0
