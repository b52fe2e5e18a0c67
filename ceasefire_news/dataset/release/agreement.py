"""Inter-annotator agreement over the human annotations, computed in one streaming pass.

Measures (each reported with the number of items or pairs it rests on):

- Krippendorff's alpha, nominal, per stance target and for genre; items are articles,
  values the annotators' labels. It is the formula of the ``krippendorff`` package, summed
  over distinct count rows so that memory does not grow with the items
  (:func:`nominal_alpha`; the tests check it against the package).
- Span F1 for event triggers and for argument entities, exact and overlap, averaged over
  annotator pairs (macro): for a pair, F1 = 2 x matched / (spans of one + spans of the
  other) over the articles both annotated. Spans are matched across annotators by the same
  overlap clustering as adjudication (at most one span per annotator per match, here
  regardless of label); *exact* counts only matches with identical boundaries.
- Event-type alpha on matched triggers: items are the matched triggers, values the types.
- Role F1 on matched events: for each pair of matched triggers, the arguments (role and
  overlapping span) of one annotator against the other's, pooled per pair, then averaged
  over pairs.
- Annotators per item: how many human annotators voted on each article.

Only human annotations that vote (not cancelled, not quarantined, the newest per annotator)
count. Where a measure has nothing to rest on (machine labels only, a single annotator, no
item seen by two annotators, no variation at all) it is reported as *not computable* with
the reason, never as a number.

>>> acc = AgreementAccumulator()
>>> acc.result()["stance_alpha"]["russia"]["note"]
'not computable (0 human annotators)'
"""

from __future__ import annotations

import itertools
import math
import operator
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from ceasefire_news.dataset.release.adjudicate import select_ballots
from ceasefire_news.dataset.release.gold import Ballot
from ceasefire_news.dataset.release.matching import MemberTuple, match_spans
from ceasefire_news.labeling.results import Region, Trigger
from ceasefire_news.schema.labels import EVENT_TYPES, GENRES, STANCE_LABELS, STANCE_TARGETS, Vocabulary


def nominal_alpha(counts: npt.NDArray[np.float64], weights: npt.NDArray[np.float64]) -> float:
    """Krippendorff's alpha, nominal, of items given as distinct value-count rows and their number.

    The formula of ``krippendorff.alpha(value_counts=..., level_of_measurement="nominal")``
    (the tests check that both agree), computed from the coincidence matrix summed over
    distinct rows: the package builds an items x values x values array, 2 GiB for a
    million matched triggers of 16 event types.
    """
    pairable = np.maximum(counts.sum(axis=1), 2)
    per_row = counts[:, :, None] * counts[:, None, :] - counts[:, :, None] * np.eye(counts.shape[1])[None]
    coincidences = (per_row * (weights / (pairable - 1))[:, None, None]).sum(axis=0)
    totals = coincidences.sum(axis=0)
    n = totals.sum()
    expected = (np.outer(totals, totals) - np.diag(totals)) / (n - 1)
    disagreement = 1 - np.eye(len(totals))
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(1 - (coincidences * disagreement).sum() / (expected * disagreement).sum())


def _measure(value: float | None, n: int, unit: str, note: str = "") -> dict[str, Any]:
    return {"value": None if value is None else round(value, 4), "n": n, "unit": unit, "note": note}


def _not_computable(n: int, unit: str, reason: str) -> dict[str, Any]:
    return _measure(None, n, unit, f"not computable ({reason})")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


@dataclass(slots=True)
class _Alpha:
    """Value counts (items x labels) of the items that at least two annotators labelled.

    Items with the same counts are kept once with their number (a few hundred distinct rows
    for millions of items), and expanded for ``krippendorff`` only at the end.
    """

    vocabulary: Vocabulary
    rows: Counter[tuple[int, ...]] = field(default_factory=Counter)

    @property
    def items(self) -> int:
        return sum(self.rows.values())

    def add(self, labels: Sequence[str]) -> None:
        if len(labels) < 2:
            return
        row = [0] * len(self.vocabulary)
        ids = self.vocabulary.ids
        for label in labels:
            row[ids[label]] += 1
        self.rows[tuple(row)] += 1

    def result(self, annotators: int, unit: str) -> dict[str, Any]:
        items = self.items
        if annotators < 2:
            return _not_computable(items, unit, _plural(annotators, "human annotator"))
        if not self.rows:
            return _not_computable(0, unit, f"no {unit} labelled by two or more annotators")
        distinct = sorted(self.rows)  # a fixed order: the float sums do not depend on arrival
        counts = np.asarray(distinct, dtype=np.float64)
        weights = np.asarray([self.rows[r] for r in distinct], dtype=np.float64)
        used = (counts * weights[:, None]).sum(axis=0) > 0
        if int(used.sum()) < 2:
            only = self.vocabulary.names[int(np.argmax(used))]
            return _not_computable(items, unit, f"no variation: every label is {only!r}")
        value = nominal_alpha(counts, weights)
        if math.isnan(value):
            return _not_computable(items, unit, "undefined for these counts")
        return _measure(value, items, unit)


@dataclass(slots=True)
class _PairF1:
    """Per annotator pair: matched count and the two span totals, pooled over articles."""

    pairs: dict[tuple[str, str], list[int]] = field(default_factory=dict)

    def add(self, pair: tuple[str, str], matched: int, n_a: int, n_b: int) -> None:
        counts = self.pairs.get(pair)
        if counts is None:
            self.pairs[pair] = [matched, n_a, n_b]
        else:
            counts[0] += matched
            counts[1] += n_a
            counts[2] += n_b

    def merge(self, other: _PairF1) -> None:
        for pair, (m, na, nb) in other.pairs.items():
            self.add(pair, m, na, nb)

    def result(self, annotators: int) -> dict[str, Any]:
        return _pair_f1(self.pairs.values(), annotators)


def _pair_f1(counts: Iterable[Sequence[int]], annotators: int) -> dict[str, Any]:
    """F1 averaged over annotator pairs, each given as ``(matched, spans of one, spans of the other)``."""
    if annotators < 2:
        return _not_computable(0, "annotator pairs", _plural(annotators, "human annotator"))
    scores = [2 * m / (na + nb) for m, na, nb in counts if na + nb > 0]
    if not scores:
        return _not_computable(0, "annotator pairs", "no spans on articles shared by two annotators")
    return _measure(sum(scores) / len(scores), len(scores), "annotator pairs")


@dataclass(slots=True)
class _SpanPairs:
    """Per annotator pair, pooled over articles: trigger matches exact and overlapping, the
    triggers of each, then the same four for entities (one list per pair, not four measures)."""

    pairs: dict[tuple[str, str], list[int]] = field(default_factory=dict)

    def add(self, pair: tuple[str, str], counts: Sequence[int]) -> None:
        total = self.pairs.get(pair)
        if total is None:
            self.pairs[pair] = list(counts)
        else:
            for i, n in enumerate(counts):
                total[i] += n

    def merge(self, other: _SpanPairs) -> None:
        for pair, counts in other.pairs.items():
            self.add(pair, counts)

    def result(self, annotators: int, spans: str, match: str) -> dict[str, Any]:
        """F1 of ``spans`` ("triggers" or "entities"), ``match`` "exact" or "overlap"."""
        base = 0 if spans == "triggers" else 4
        matched = base + (0 if match == "exact" else 1)
        return _pair_f1(((c[matched], c[base + 2], c[base + 3]) for c in self.pairs.values()), annotators)


#: A span in a match, as :func:`match_spans` takes it: ``(annotator, start, end, "", item)``
#: (agreement matches spans regardless of their label).
_TriggerMember = tuple[str, int, int, str, Trigger]
_EntityMember = tuple[str, int, int, str, Region]
_PairCounts = dict[tuple[str, str], int]


def _trigger_members(ballots: Sequence[Ballot]) -> list[_TriggerMember]:
    return [(b.annotator, t.start, t.end, "", t) for b in ballots for t in b.parsed.triggers]


def _pair_counts(groups: Sequence[Sequence[MemberTuple]]) -> tuple[_PairCounts, _PairCounts]:
    """Matches per annotator pair (names in order): with identical boundaries, and overlapping."""
    exact: _PairCounts = {}
    overlap: _PairCounts = {}
    for group in groups:
        if len(group) < 2:
            continue
        for x, y in itertools.combinations(sorted(group, key=_by_annotator), 2):
            pair = (x[0], y[0])
            overlap[pair] = overlap.get(pair, 0) + 1
            if x[1] == y[1] and x[2] == y[2]:
                exact[pair] = exact.get(pair, 0) + 1
    return exact, overlap


_by_annotator = operator.itemgetter(0)


def _matched_arguments(xs: Sequence[tuple[str, Region]], ys: Sequence[tuple[str, Region]]) -> int:
    """Arguments of one annotator matched one-to-one to the other's: same role, overlapping spans."""
    if not xs or not ys:
        return 0
    used: set[int] = set()
    matched = 0
    for role, x in xs:
        start, end = x.start, x.end
        if start >= end:
            continue  # an empty span overlaps nothing
        for j, (other_role, y) in enumerate(ys):
            if other_role == role and y.start < end and start < y.end and y.start < y.end and j not in used:
                used.add(j)
                matched += 1
                break
    return matched


class AgreementAccumulator:
    """Feed it each article's ballots (:meth:`add`), then read :meth:`result`."""

    def __init__(self) -> None:
        self.annotators: set[str] = set()
        self.per_item: Counter[int] = Counter()
        self.machine_only = 0
        self.stance = {t: _Alpha(STANCE_LABELS) for t in STANCE_TARGETS.names}
        self.genre = _Alpha(GENRES)
        self.event_type = _Alpha(EVENT_TYPES)
        self.spans = _SpanPairs()
        self.roles = _PairF1()

    def add(self, ballots: Sequence[Ballot]) -> None:
        """Count one article (all its ballots; the voting human ones are selected here)."""
        human = select_ballots([b for b in ballots if not b.machine])
        self.per_item[len(human)] += 1
        if not human and select_ballots(ballots):
            self.machine_only += 1
        self.annotators.update(b.annotator for b in human)
        if len(human) < 2:
            return
        for target, alpha in self.stance.items():
            alpha.add([b.parsed.stance[target] for b in human if target in b.parsed.stance])
        self.genre.add([b.parsed.genre for b in human if b.parsed.genre is not None])

        triggers = match_spans(_trigger_members(human), same_kind=False)
        for group in triggers:
            if len(group) > 1:
                self.event_type.add([m[4].event_type for m in group])
        entity_members: list[_EntityMember] = [
            (b.annotator, e.start, e.end, "", e) for b in human for e in b.parsed.entities
        ]
        entities = match_spans(entity_members, same_kind=False)
        trigger_exact, trigger_overlap = _pair_counts(triggers)
        entity_exact, entity_overlap = _pair_counts(entities)
        # human is sorted by annotator, one ballot each: pairs come with their names in order
        for x, y in itertools.combinations(human, 2):
            pair = (x.annotator, y.annotator)
            self.spans.add(
                pair,
                (
                    trigger_exact.get(pair, 0),
                    trigger_overlap.get(pair, 0),
                    len(x.parsed.triggers),
                    len(y.parsed.triggers),
                    entity_exact.get(pair, 0),
                    entity_overlap.get(pair, 0),
                    len(x.parsed.entities),
                    len(y.parsed.entities),
                ),
            )
        self._roles(human, triggers)

    def _roles(self, ballots: Sequence[Ballot], triggers: list[list[_TriggerMember]]) -> None:
        parsed = {b.annotator: b.parsed for b in ballots}
        for group in triggers:
            if len(group) < 2:
                continue
            found = [(m[0], parsed[m[0]].arguments(m[4].id)) for m in sorted(group, key=_by_annotator)]
            for (a, xs), (b, ys) in itertools.combinations(found, 2):
                self.roles.add((a, b), _matched_arguments(xs, ys), len(xs), len(ys))

    def merge(self, other: AgreementAccumulator) -> None:
        """Add what ``other`` counted (another chunk of articles) to this one."""
        self.annotators |= other.annotators
        self.per_item.update(other.per_item)
        self.machine_only += other.machine_only
        for target, alpha in self.stance.items():
            alpha.rows.update(other.stance[target].rows)
        for name in ("genre", "event_type"):
            getattr(self, name).rows.update(getattr(other, name).rows)
        self.spans.merge(other.spans)
        self.roles.merge(other.roles)

    def result(self) -> dict[str, Any]:
        """Every measure as ``{"value", "n", "unit", "note"}``; deterministic."""
        n = len(self.annotators)
        return {
            "human_annotators": n,
            "annotators_per_item": {str(k): self.per_item[k] for k in sorted(self.per_item)},
            "machine_only_items": self.machine_only,
            "stance_alpha": {t: a.result(n, "articles") for t, a in self.stance.items()},
            "genre_alpha": self.genre.result(n, "articles"),
            "event_type_alpha": self.event_type.result(n, "matched triggers"),
            "trigger_span_f1": {m: self.spans.result(n, "triggers", m) for m in ("exact", "overlap")},
            "entity_span_f1": {m: self.spans.result(n, "entities", m) for m in ("exact", "overlap")},
            "role_f1": self.roles.result(n),
        }


def format_measure(measure: dict[str, Any]) -> str:
    """``0.8123 (40 articles)`` or the *not computable* note, for the card."""
    if measure["value"] is None:
        return str(measure["note"])
    return f"{measure['value']:.3f} ({measure['n']} {measure['unit']})"
