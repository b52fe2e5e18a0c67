"""Matching spans across annotators: which triggers (or arguments) are the same one.

Adjudication and agreement both group the spans of different annotators with
:func:`match_spans`; a member is any ``(annotator, start, end, kind, item)`` tuple.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any, Generic, NamedTuple, TypeVar

T = TypeVar("T")


class Member(NamedTuple, Generic[T]):
    """One annotator's span in a match: who, where, its kind (a type or a role), the item.

    Matching takes any tuple of these five (the release builds plain tuples: hundreds of
    thousands per second, where a class instance costs ten times a tuple).
    """

    annotator: str
    start: int
    end: int
    kind: str
    item: T


#: ``(annotator, start, end, kind, item)``: a :class:`Member` or a plain tuple of its fields.
MemberTuple = tuple[str, int, int, str, Any]
# Bound to a sequence, not to ``MemberTuple``: compiled, a value typed as a fixed tuple is
# unpacked into its fields and packed again as a plain tuple, and a Member would come back
# from the match as a tuple.
M = TypeVar("M", bound=Sequence[Any])

#: Members in the order of their spans, then kind, then annotator.
_member_key = operator.itemgetter(1, 2, 3, 0)


def match_spans(members: Sequence[M], *, same_kind: bool) -> list[list[M]]:
    """Group spans of different annotators that overlap (and, with ``same_kind``, share a kind).

    Each group holds at most one span per annotator. A span joins the group whose first
    span it overlaps most (ties: the earlier group); the sweep over start offsets keeps
    this linear in practice. Deterministic: the result depends only on the spans.

    >>> m = [Member("a", 0, 5, "X", 1), Member("b", 2, 6, "X", 2), Member("b", 10, 12, "X", 3)]
    >>> [[x.item for x in g] for g in match_spans(m, same_kind=True)]
    [[1, 2], [3]]
    """
    ordered = sorted(members, key=_member_key)
    groups: list[list[M]] = []
    if len({m[0] for m in ordered}) < 2:
        return [[m] for m in ordered]  # one annotator: nothing to match
    firsts: list[M] = []  # each group's first span
    names: list[set[str]] = []  # each group's annotators
    # Groups whose first span may still overlap what follows. A group whose first span ends
    # before the current start can overlap nothing more: it is dropped from here when the
    # earliest such end is passed (an expired group left in would only fail the overlap test).
    active: list[int] = []
    expires = 0  # the earliest end of an active group's first span
    for member in ordered:
        annotator, start, end, kind, _ = member
        if active and expires <= start:
            active = [g for g in active if firsts[g][2] > start]
            expires = min([firsts[g][2] for g in active], default=0)
        best, best_overlap = -1, 0
        for g in active:
            _, first_start, first_end, first_kind, _ = firsts[g]
            if same_kind and first_kind != kind:
                continue
            overlap = (first_end if first_end < end else end) - (first_start if first_start > start else start)
            if overlap > best_overlap and annotator not in names[g]:
                best, best_overlap = g, overlap
        if best < 0:
            if not active or end < expires:
                expires = end
            active.append(len(groups))
            groups.append([member])
            firsts.append(member)
            names.append({annotator})
        else:
            groups[best].append(member)
            names[best].add(annotator)
    return groups
