"""Adjudication: from the annotations of one article to its gold labels, unit by unit.

Policy (also printed in the dataset card, from :data:`POLICY`):

1. **Who votes.** The newest version of each annotation is used (``latest_annotations``),
   after its regions were checked again against the corpus text. Cancelled (skipped)
   annotations and quarantined annotations do not vote; partial ones vote with the regions
   that passed the check. Each annotator votes once per article: their newest annotation.
   Machine annotations (pre-annotations, the embedded seed annotations) vote only where no
   human annotated the article; then every label is marked ``machine``.
2. **Units.** Stance: article x target. Genre: article. Quality flags: article x flag
   (set or not set). Events: a trigger span with its PLOVER type; triggers of different
   annotators are the same event when their spans overlap and their types are equal.
   Within an event: the trigger boundaries, the mode and the factuality; arguments are
   matched by role and overlapping span, and then the entity type and the boundaries are
   voted.
3. **Ground truth wins.** When annotations marked ground truth voted on a unit, only they
   decide it; the others' votes are still listed.
4. **Otherwise the majority.** A value voted by more than half of the voters wins. For an
   event (or an argument) the vote is on presence: kept when more than half of the voters
   of the article (of the event) marked it, dropped when fewer than half did.
5. **Ties and low agreement go to review.** A tie for the top (for example one vote each
   from two annotators) leaves a label empty (null) and an event or argument marked by
   exactly half of the voters is kept provisionally; a plurality without a majority (low
   agreement, e.g. 2 of 5 votes) is kept provisionally. All of these rows carry
   ``needs_review = true`` and are listed in ``annotations/review.jsonl`` with the unit
   and the reason (``tie`` or ``low_agreement``), which ``export --review`` sends back to
   Label Studio. Tied span boundaries take the most voted span, then the shortest, then the
   earliest, and are flagged the same way.
6. **Provenance.** ``machine`` when no human label voted; ``human`` when every voter gave
   the winning value (one annotator, or unanimity); ``adjudicated`` when the value was
   decided among disagreeing humans (by majority or by ground truth).
7. **Nothing is lost.** Every annotation, voting or not, is released as made in
   ``annotations_raw``.

>>> from ceasefire_news.labeling.results import parse_result
>>> ballot = Ballot("a1", "ann", parse_result([{"from_name": "stance_russia", "to_name": "text",
...     "type": "choices", "value": {"choices": ["neutral"]}}]))
>>> gold = adjudicate_article("art-1", [ballot])
>>> gold.stance[0].target, gold.stance[0].label, gold.stance[0].provenance
('russia', 'neutral', 'human')
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from typing import TypeVar

from ceasefire_news.dataset.release.gold import (
    ArgumentGold,
    ArticleGold,
    Ballot,
    EventGold,
    ReviewItem,
    Span,
    StanceGold,
)
from ceasefire_news.dataset.release.matching import MemberTuple, match_spans
from ceasefire_news.labeling.results import Region, Trigger
from ceasefire_news.schema.labels import QUALITY_FLAGS, STANCE_TARGETS

#: The policy in the words of the card (one bullet per line).
POLICY: tuple[str, ...] = (
    "The newest version of each annotation is used, after its spans were checked again against the corpus text.",
    "Cancelled (skipped) and quarantined annotations do not vote; each annotator votes once per article "
    "(their newest annotation).",
    "Machine annotations (pre-annotations, the embedded seed annotations) vote only where no human annotated "
    "the article; their labels are marked `machine`.",
    "Units: stance per article and target; genre and each quality flag per article; events matched across "
    "annotators by overlapping trigger spans of the same PLOVER type; arguments matched by role and "
    "overlapping span.",
    "Ground-truth annotations win: when they voted on a unit, only they decide it.",
    "Otherwise the majority: a value with more than half of the votes wins; an event or argument is kept "
    "when more than half of the voters marked it.",
    "Ties and low agreement (a plurality without a majority) are flagged `needs_review` and listed in the "
    "review file that `export --review` sends back to Label Studio; a tied label is left empty (null), a "
    "tied event or argument is kept provisionally.",
    "Provenance: `machine` when no human label voted, `human` when every voter agreed, `adjudicated` when "
    "the value was decided among disagreeing humans.",
    "Every annotation, voting or not, is released as made in the `annotations_raw` config.",
)

TIE = "tie"
LOW_AGREEMENT = "low_agreement"

HUMAN = "human"
ADJUDICATED = "adjudicated"
MACHINE = "machine"
V = TypeVar("V", bound=Hashable)


# --- who votes -----------------------------------------------------------------------------


def select_ballots(ballots: Iterable[Ballot]) -> list[Ballot]:
    """The ballots that vote, per the policy: no cancelled or quarantined ones, machine
    ones only without any human one, one per annotator (the newest), sorted by annotator."""
    usable = [b for b in ballots if not b.cancelled and not b.quarantined]
    if any(not b.machine for b in usable):
        usable = [b for b in usable if not b.machine]
    newest: dict[str, Ballot] = {}
    for ballot in usable:
        current = newest.get(ballot.annotator)
        if current is None or (ballot.version, ballot.annotation_id) > (current.version, current.annotation_id):
            newest[ballot.annotator] = ballot
    return [newest[name] for name in sorted(newest)]


# --- voting --------------------------------------------------------------------------------


def decide(values: Sequence[V]) -> tuple[V | None, str | None]:
    """Majority vote: ``(winner, None)``, ``(None, "tie")`` or ``(plurality, "low_agreement")``.

    >>> decide(["a", "a", "b"])
    ('a', None)
    >>> decide(["a", "b"])
    (None, 'tie')
    >>> decide(["a", "a", "b", "c"])
    ('a', 'low_agreement')
    """
    if not values:
        return None, None
    first = values[0]
    if values.count(first) == len(values):  # the common case, without a count per value
        return first, None
    counts: dict[V, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    ranked = sorted(counts.values(), reverse=True)
    top = ranked[0]
    if ranked[1] == top:
        return None, TIE
    winner = next(v for v, c in counts.items() if c == top)
    if top * 2 > len(values):
        return winner, None
    return winner, LOW_AGREEMENT


def _presence(support: int, voters: int) -> str | None:
    """Reason to review an event/argument kept by ``support`` of ``voters``; "drop" below half."""
    if support * 2 > voters:
        return None
    if support * 2 == voters:
        return TIE
    return "drop"


def _provenance(machine: bool, unanimous: bool) -> str:
    if machine:
        return MACHINE
    return HUMAN if unanimous else ADJUDICATED


def _span_vote(spans: Sequence[tuple[int, int, str]]) -> tuple[tuple[int, int, str], bool]:
    """The most voted span, then the shortest, then the earliest; True when that was a tie."""
    first = spans[0]
    if all(s == first[0] and e == first[1] for s, e, _ in spans):
        return first, False
    counts = Counter((s, e) for s, e, _ in spans)
    texts = {(s, e): t for s, e, t in spans}
    best = min(counts, key=lambda se: (-counts[se], se[1] - se[0], se[0], se[1]))
    tied = sum(1 for c in counts.values() if c == counts[best]) > 1
    return (best[0], best[1], texts[best]), tied


def _members_span(members: Sequence[MemberTuple]) -> tuple[tuple[int, int, str], bool]:
    """:func:`_span_vote` of the members' spans (their items have a ``text``); without building
    them when all agree."""
    _, start, end, _, item = members[0]
    for _, member_start, member_end, _, _ in members:
        if member_start != start or member_end != end:
            return _span_vote([(m[1], m[2], m[4].text) for m in members])
    return (start, end, item.text), False


# --- the units -----------------------------------------------------------------------------


def _stance(article_id: str, ballots: Sequence[Ballot], machine: bool, gold: ArticleGold) -> None:
    truth = any(b.ground_truth for b in ballots)
    for target in STANCE_TARGETS.names:
        voters = [b for b in ballots if target in b.parsed.stance]
        if not voters:
            continue
        all_labels = [b.parsed.stance[target] for b in voters]
        deciding = [b.parsed.stance[target] for b in voters if b.ground_truth] if truth else all_labels
        label, reason = decide(deciding or all_labels)
        unanimous = label is not None and all_labels.count(label) == len(all_labels)
        evidence: dict[tuple[int, int], Span] = {}
        if label is not None:
            for ballot, value in zip(voters, all_labels, strict=True):
                if value == label:
                    for region in ballot.parsed.evidence.get(target, ()):
                        evidence.setdefault((region.start, region.end), Span(region.start, region.end, region.text))
        gold.stance.append(
            StanceGold(
                target=target,
                label=label,
                evidence=[evidence[k] for k in sorted(evidence)],
                votes=[(b.annotator, value) for b, value in zip(voters, all_labels, strict=True)],
                n_annotators=len(voters),
                provenance=_provenance(machine, unanimous),
                needs_review=reason is not None,
            )
        )
        if reason is not None:
            gold.review.append(ReviewItem(article_id, f"stance:{target}", reason))


def _genre_and_flags(article_id: str, ballots: Sequence[Ballot], machine: bool, gold: ArticleGold) -> None:
    voters = [b for b in ballots if b.parsed.genre is not None]
    if voters:
        deciding = [b for b in voters if b.ground_truth] or voters
        genre, reason = decide([b.parsed.genre for b in deciding if b.parsed.genre is not None])
        gold.genre = genre
        gold.genre_provenance = _provenance(machine, genre is not None and all(b.parsed.genre == genre for b in voters))
        if reason is not None:
            gold.review.append(ReviewItem(article_id, "genre", reason))
    # A flag is a yes/no unit over every ballot of the article (an unset flag is a "no").
    deciding = [b for b in ballots if b.ground_truth] or list(ballots)
    for flag in QUALITY_FLAGS.names:
        marked = sum(1 for b in deciding if flag in b.parsed.quality_flags)
        if marked == 0:
            continue
        reason = _presence(marked, len(deciding))
        if reason == "drop":
            continue
        gold.quality_flags.append(flag)
        if reason is not None:
            gold.review.append(ReviewItem(article_id, f"quality:{flag}", reason))


#: A trigger in a match: ``(annotator, start, end, event type, trigger)``.
_TriggerMember = tuple[str, int, int, str, Trigger]
#: An argument in a match: ``(annotator, start, end, role, entity)``.
_ArgumentMember = tuple[str, int, int, str, Region]


def _events(article_id: str, ballots: Sequence[Ballot], machine: bool, gold: ArticleGold) -> None:
    by_id = {b.annotator: b for b in ballots}
    members: list[_TriggerMember] = [
        (b.annotator, t.start, t.end, t.event_type, t) for b in ballots for t in b.parsed.triggers
    ]
    if not members:
        return
    truth = {b.annotator for b in ballots if b.ground_truth}
    n_deciding = len(truth) or len(ballots)
    events: list[EventGold] = []
    for group in match_spans(members, same_kind=True):
        deciding = [m for m in group if m[0] in truth] if truth else group
        presence = _presence(len(deciding), n_deciding)
        if presence == "drop":
            continue
        reasons: list[tuple[str, str]] = []
        (start, end, text), tied = _members_span(deciding)
        event_type = group[0][3]
        unit = f"event:{event_type}@{start}-{end}"
        if presence is not None:
            reasons.append((unit, presence))
        if tied:
            reasons.append((f"{unit}:span", TIE))
        modes: list[str | None] = [m[4].mode or "" for m in group]
        factualities: list[str | None] = [m[4].factuality or "" for m in group]
        if deciding is group:
            mode, mode_reason = decide(modes)
            factuality, fact_reason = decide(factualities)
        else:
            mode, mode_reason = decide([m[4].mode or "" for m in deciding])
            factuality, fact_reason = decide([m[4].factuality or "" for m in deciding])
        if mode_reason is not None:
            reasons.append((f"{unit}:mode", mode_reason))
        if fact_reason is not None:
            reasons.append((f"{unit}:factuality", fact_reason))
        arguments, unanimous_args = _event_arguments(group, deciding, by_id, unit, reasons)
        n = len(group)
        unanimous = (
            n == len(ballots)
            and not tied
            and unanimous_args
            and modes.count(mode) == n
            and factualities.count(factuality) == n
            and all(m[1] == start and m[2] == end for m in group)
        )
        events.append(
            EventGold(
                start=start,
                end=end,
                text=text,
                event_type=event_type,
                mode=mode or None,
                factuality=factuality or None,
                arguments=arguments,
                annotators=sorted([m[0] for m in group]),
                n_annotators=len(ballots),
                provenance=_provenance(machine, unanimous),
                needs_review=bool(reasons),
            )
        )
        if reasons:
            gold.review.extend([ReviewItem(article_id, u, r) for u, r in reasons])
    events.sort(key=lambda e: (e.start, e.end, e.event_type))
    gold.events = events


def _event_arguments(
    group: Sequence[_TriggerMember],
    deciding: Sequence[_TriggerMember],
    ballots: dict[str, Ballot],
    unit: str,
    reasons: list[tuple[str, str]],
) -> tuple[list[ArgumentGold], bool]:
    members: list[_ArgumentMember] = [
        (annotator, entity.start, entity.end, role, entity)
        for annotator, _, _, _, trigger in group
        for role, entity in ballots[annotator].parsed.arguments(trigger.id)
    ]
    if not members:
        return [], True
    everyone = deciding is group
    deciding_names = {m[0] for m in deciding}
    n_deciding, n_group = len(deciding), len(group)
    kept: list[ArgumentGold] = []
    unanimous = True
    for arg_group in match_spans(members, same_kind=True):
        votes = arg_group if everyone else [a for a in arg_group if a[0] in deciding_names]
        presence = _presence(len(votes), n_deciding)
        if len(arg_group) != n_group:
            unanimous = False
        if presence == "drop":
            continue
        (start, end, text), tied = _members_span(votes)
        labels: list[str | None] = [a[4].label for a in arg_group]
        entity_type, type_reason = decide(labels if votes is arg_group else [a[4].label for a in votes])
        role = arg_group[0][3]
        if presence is not None or tied or type_reason is not None:
            arg_unit = f"{unit}:{role}@{start}-{end}"
            if presence is not None:
                reasons.append((arg_unit, presence))
            if tied:
                reasons.append((f"{arg_unit}:span", TIE))
            if type_reason is not None:
                reasons.append((f"{arg_unit}:entity_type", type_reason))
        if unanimous and (
            tied or labels.count(entity_type) != len(labels) or any(a[1] != start or a[2] != end for a in arg_group)
        ):
            unanimous = False
        kept.append(ArgumentGold(role, entity_type, start, end, text))
    kept.sort(key=lambda a: (a.start, a.end, a.role))
    return kept, unanimous


def adjudicate_article(article_id: str, ballots: Iterable[Ballot]) -> ArticleGold:
    """Adjudicate every unit of one article from all its ballots (voting ones are selected here)."""
    voting = select_ballots(ballots)
    gold = ArticleGold(article_id, n_annotators=len(voting))
    if not voting:
        return gold
    machine = all(b.machine for b in voting)
    _stance(article_id, voting, machine, gold)
    _genre_and_flags(article_id, voting, machine, gold)
    _events(article_id, voting, machine, gold)
    return gold
