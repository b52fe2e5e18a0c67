"""Parse a Label Studio ``result`` list into typed units, with a reason code for every problem.

This is the one reader of Label Studio results: the span-integrity check, the release's
adjudication and agreement all go through :func:`parse_result`. It never raises on bad
input; each unusable item becomes a :class:`Problem` with a reason code from
:data:`REASON_CODES`.

>>> parsed = parse_result([
...     {"id": "t1", "from_name": "trigger", "to_name": "text", "type": "labels",
...      "value": {"start": 0, "end": 6, "text": "agreed", "labels": ["AGREE"]}},
...     {"from_name": "stance_russia", "to_name": "text", "type": "choices",
...      "value": {"choices": ["neutral"]}},
... ])
>>> parsed.triggers[0].event_type, parsed.stance["russia"]
('AGREE', 'neutral')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ceasefire_news.labeling.config import (
    ENTITY,
    EVIDENCE,
    FACTUALITY_CONTROL,
    GENRE,
    MODE_CONTROLS,
    NOTES,
    QUALITY,
    SPAN_CONTROLS,
    STANCE_CONTROLS,
    TRIGGER,
)
from ceasefire_news.schema.labels import (
    EVENT_MODES,
    FACTUALITY,
    GENRES,
    QUALITY_FLAGS,
    ROLES,
    STANCE_LABELS,
)

#: Every reason an annotation or a region is quarantined, with what it means.
REASON_CODES: dict[str, str] = {
    "malformed_record": "the annotation or task is not a JSON object of the expected shape",
    "malformed_result": "a result item lacks a field or has a field of the wrong type",
    "unknown_control": "a result item names a control that the labeling config does not have",
    "unknown_label": "a label or choice is not in the scheme's vocabulary",
    "multiple_labels": "a single-choice control or a span carries more than one label",
    "mode_type_mismatch": "a mode was given for an event type that has no such mode",
    "orphan_region_choice": "a per-region choice refers to no trigger region",
    "relation_missing_region": "a relation points at a region id that is not in the result",
    "relation_bad_endpoints": "a relation does not link one trigger and one entity",
    "span_out_of_range": "a region's offsets fall outside the article text",
    "span_text_mismatch": "text[start:end] differs from the region's text and no provable repair exists",
    "text_hash_mismatch": "the task's text is not the corpus text of its article (text_sha256 differs)",
    "unknown_article": "the task's article is not in the corpus",
    "dependent_on_rejected_region": "a per-region choice or relation hangs on a region that was rejected",
    "span_text_changed": "a new text of the article changed the words a region marks (the result is kept whole)",
}

#: Reasons that quarantine a whole annotation for its task, not its result: it is logged whole and
#: checked again at the next pull, import and release, and accepted once its article's text is in the corpus.
RECHECKED_REASONS = frozenset({"unknown_article", "text_hash_mismatch"})


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a result item (or the whole annotation) can't be used."""

    reason: str
    detail: str
    region_id: str | None = None

    def __post_init__(self) -> None:
        if self.reason not in REASON_CODES:
            raise ValueError(f"unknown reason code {self.reason!r}; add it to REASON_CODES")


@dataclass(slots=True)
class Region:
    """A labelled span. ``kind`` is the Labels control: trigger, entity or evidence."""

    id: str
    kind: str
    start: int
    end: int
    text: str
    label: str


@dataclass(slots=True)
class Trigger:
    id: str
    start: int
    end: int
    text: str
    event_type: str
    mode: str | None = None
    factuality: str | None = None


@dataclass(slots=True)
class ParsedAnnotation:
    """The units of one annotation. Unusable items are in ``problems``, not in the units."""

    stance: dict[str, str] = field(default_factory=dict)
    evidence: dict[str, list[Region]] = field(default_factory=dict)
    genre: str | None = None
    quality_flags: list[str] = field(default_factory=list)
    triggers: list[Trigger] = field(default_factory=list)
    entities: list[Region] = field(default_factory=list)
    #: ``(trigger id, entity id, role)`` of each usable relation, in result order.
    relations: list[tuple[str, str, str]] = field(default_factory=list)
    notes: str = ""
    problems: list[Problem] = field(default_factory=list)
    #: Label Studio's ``origin`` of each span item ("manual", "prediction", "prediction-changed";
    #: None where an item has none), counted.
    origins: dict[str | None, int] = field(default_factory=dict)
    _arguments: dict[str, list[tuple[str, Region]]] | None = field(default=None, init=False, repr=False, compare=False)

    def arguments(self, trigger_id: str) -> Sequence[tuple[str, Region]]:
        """``(role, entity)`` of each relation from the trigger to an entity, in relation order.

        Indexed at the first call: adjudication and agreement ask for every trigger of
        every annotation, after parsing is done.
        """
        found = self._arguments
        if found is None:
            entities: dict[str, Region] = {}
            for region in self.entities:
                entities.setdefault(region.id, region)  # the first entity of that id
            found = {}
            for source, entity_id, role in self.relations:
                entity = entities.get(entity_id)
                if entity is not None:
                    found.setdefault(source, []).append((role, entity))
            self._arguments = found
        return found.get(trigger_id, ())


def _single(values: Any, control: str, problems: list[Problem], region_id: str | None = None) -> str | None:
    if type(values) is list and len(values) == 1 and type(values[0]) is str:
        return values[0]  # the usual case, checked first: a release parses millions of these
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        problems.append(
            Problem("malformed_result", f"{control}: expected a list of strings, got {values!r}", region_id)
        )
        return None
    if len(values) != 1:
        problems.append(Problem("multiple_labels", f"{control}: expected one value, got {values!r}", region_id))
        return None
    return str(values[0])


def _span(item: dict[str, Any], control: str, problems: list[Problem]) -> tuple[str, int, int, str, Any] | None:
    region_id = item.get("id")
    value = item.get("value")
    if not isinstance(region_id, str) or not region_id or not isinstance(value, dict):
        problems.append(Problem("malformed_result", f"{control}: a region needs a string id and a value object"))
        return None
    start, end, text = value.get("start"), value.get("end"), value.get("text")
    if type(start) is int and type(end) is int and type(text) is str:
        return region_id, start, end, text, value  # the usual case (bool is not int here)
    if (
        not isinstance(start, int)
        or not isinstance(end, int)
        or isinstance(start, bool)
        or isinstance(end, bool)
        or not isinstance(text, str)
    ):
        problems.append(
            Problem("malformed_result", f"{control}: region {region_id} needs integer start/end and a text", region_id)
        )
        return None
    return region_id, start, end, text, value


# What each control of the labeling config is, looked up once per result item.
_SPAN, _REGION_CHOICE, _STANCE, _GENRE, _QUALITY, _NOTES = range(6)
_CONTROL_KIND: dict[str, int] = {
    **dict.fromkeys(SPAN_CONTROLS, _SPAN),
    FACTUALITY_CONTROL: _REGION_CHOICE,
    **dict.fromkeys(MODE_CONTROLS, _REGION_CHOICE),
    **dict.fromkeys(STANCE_CONTROLS, _STANCE),
    GENRE: _GENRE,
    QUALITY: _QUALITY,
    NOTES: _NOTES,
}


#: Closed vocabularies as sets, for the parser's usual path.
_SPAN_LABELS: dict[str, frozenset[str]] = {control: frozenset(v.names) for control, v in SPAN_CONTROLS.items()}
_STANCE_NAMES = frozenset(STANCE_LABELS.names)
_GENRE_NAMES = frozenset(GENRES.names)
_FACTUALITY_NAMES = frozenset(FACTUALITY.names)
_MODE_NAMES: dict[str, frozenset[str]] = {event_type: frozenset(v.names) for event_type, v in EVENT_MODES.items()}
_ROLE_NAMES = frozenset(ROLES.names)


def _parse_item(
    item: Any,
    parsed: ParsedAnnotation,
    regions: dict[str, tuple[str, Trigger | Region]],
    region_choices: list[tuple[str, str, str]],
    relations: list[dict[str, Any]],
) -> None:
    """One result item, with every check: what :func:`parse_result`'s usual path does not take."""
    problems = parsed.problems
    kinds = _CONTROL_KIND
    origins = parsed.origins
    if not isinstance(item, dict):
        problems.append(Problem("malformed_result", f"result item must be an object, got {item!r:.80}"))
        return
    control = item.get("from_name")
    item_type = item.get("type")
    if item_type == "relation":
        relations.append(item)
        return
    if item_type == "labels":
        origin = item.get("origin")
        if type(origin) is not str:
            origin = None
        origins[origin] = origins.get(origin, 0) + 1
    if not isinstance(control, str):
        problems.append(Problem("malformed_result", f"result item without from_name: {item!r:.80}"))
        return
    value = item.get("value")
    if not isinstance(value, dict):
        problems.append(Problem("malformed_result", f"{control}: value must be an object"))
        return
    kind = kinds.get(control)

    if kind == _SPAN:
        span = _span(item, control, problems)
        if span is None:
            return
        region_id, start, end, text, value = span
        label = _single(value.get("labels"), control, problems, region_id)
        if label is None:
            return
        if label not in SPAN_CONTROLS[control]:
            problems.append(
                Problem(
                    "unknown_label",
                    f"{control}: {label!r} is not a label of {SPAN_CONTROLS[control].name}",
                    region_id,
                )
            )
            return
        if control == TRIGGER:
            regions[region_id] = (control, Trigger(region_id, start, end, text, label))
        else:
            regions[region_id] = (control, Region(region_id, control, start, end, text, label))
        return
    if kind is None:
        problems.append(Problem("unknown_control", f"{control!r} is not a control of the labeling config"))
        return
    if kind == _QUALITY:
        flags = value.get("choices")
        if not isinstance(flags, list) or not all(isinstance(f, str) for f in flags):
            problems.append(Problem("malformed_result", f"quality: expected a list of strings, got {flags!r}"))
            return
        for flag in flags:
            if flag in QUALITY_FLAGS:
                if flag not in parsed.quality_flags:
                    parsed.quality_flags.append(flag)
            else:
                problems.append(Problem("unknown_label", f"quality: {flag!r} is not a quality flag"))
        return
    if kind == _NOTES:
        texts = value.get("text")
        if isinstance(texts, list) and all(isinstance(t, str) for t in texts):
            parsed.notes = "\n".join(texts)
        elif isinstance(texts, str):
            parsed.notes = texts
        else:
            problems.append(Problem("malformed_result", f"notes: expected text, got {texts!r:.80}"))
        return

    # A single choice: per region (factuality, modes), stance or genre.
    choice_region = item.get("id") if kind == _REGION_CHOICE else None
    choice = _single(value.get("choices"), control, problems, choice_region if isinstance(choice_region, str) else None)
    if choice is None:
        return
    if kind == _REGION_CHOICE:
        choice_region = item.get("id")
        if not isinstance(choice_region, str):
            problems.append(Problem("orphan_region_choice", f"{control}: per-region choice without a region id"))
            return
        region_choices.append((choice_region, control, choice))
    elif kind == _STANCE:
        if choice not in STANCE_LABELS:
            problems.append(Problem("unknown_label", f"{control}: {choice!r} is not a stance label"))
            return
        parsed.stance[STANCE_CONTROLS[control]] = choice
    else:
        if choice not in GENRES:
            problems.append(Problem("unknown_label", f"genre: {choice!r} is not a genre"))
            return
        parsed.genre = choice


def parse_result(result: Any) -> ParsedAnnotation:
    """Parse one annotation's ``result`` list. Never raises; problems carry reason codes."""
    parsed = ParsedAnnotation()
    problems = parsed.problems
    if not isinstance(result, list):
        problems.append(Problem("malformed_record", f"result must be a list, got {type(result).__name__}"))
        return parsed

    # Span regions by id, as (control, Trigger or Region): a later region with the same id replaces
    # an earlier one.
    regions: dict[str, tuple[str, Trigger | Region]] = {}
    region_choices: list[tuple[str, str, str]] = []  # (region id, control, value)
    relations: list[dict[str, Any]] = []
    kinds = _CONTROL_KIND
    origins = parsed.origins
    stance = parsed.stance

    # A release parses millions of results. The usual item (a span with integer offsets and one
    # known label, a single known choice, a relation) is read here with plain subscripts; any
    # other item, or one that lacks a key, goes through every check in _parse_item.
    for item in result:
        try:
            if type(item) is dict:
                item_type = item["type"]
                if item_type == "relation":
                    relations.append(item)
                    continue
                control, value = item["from_name"], item["value"]
                if type(value) is dict:
                    if item_type == "labels":
                        if kinds[control] == _SPAN:
                            region_id, start, end = item["id"], value["start"], value["end"]
                            text, labels = value["text"], value["labels"]
                            if (
                                type(region_id) is str
                                and region_id
                                and type(start) is int
                                and type(end) is int
                                and type(text) is str
                                and type(labels) is list
                                and len(labels) == 1
                                and labels[0] in _SPAN_LABELS[control]
                            ):
                                origin = item.get("origin")
                                if type(origin) is not str:
                                    origin = None
                                origins[origin] = origins.get(origin, 0) + 1
                                label = labels[0]
                                if control == TRIGGER:
                                    regions[region_id] = (control, Trigger(region_id, start, end, text, label))
                                else:
                                    regions[region_id] = (control, Region(region_id, control, start, end, text, label))
                                continue
                    elif item_type == "choices":
                        choices = value["choices"]
                        if type(choices) is list and len(choices) == 1 and type(choices[0]) is str:
                            kind, choice = kinds[control], choices[0]
                            if kind == _STANCE and choice in _STANCE_NAMES:
                                stance[STANCE_CONTROLS[control]] = choice
                                continue
                            if kind == _REGION_CHOICE:
                                region_id = item["id"]
                                if type(region_id) is str:
                                    region_choices.append((region_id, control, choice))
                                    continue
                            if kind == _GENRE and choice in _GENRE_NAMES:
                                parsed.genre = choice
                                continue
        except (KeyError, TypeError, IndexError):
            pass  # not the usual item: the checks below say what is wrong with it
        _parse_item(item, parsed, regions, region_choices, relations)

    triggers: dict[str, Trigger] = {}
    for control, region in regions.values():
        if isinstance(region, Trigger):
            triggers[region.id] = region
        elif control == ENTITY:
            parsed.entities.append(region)
        elif control == EVIDENCE:
            parsed.evidence.setdefault(region.label, []).append(region)

    for region_id, control, choice in region_choices:
        trigger = triggers.get(region_id)
        if trigger is None:
            problems.append(
                Problem("orphan_region_choice", f"{control}: region {region_id} is not a trigger", region_id)
            )
            continue
        if control == FACTUALITY_CONTROL:
            if choice not in _FACTUALITY_NAMES:
                problems.append(
                    Problem("unknown_label", f"factuality: {choice!r} is not a factuality value", region_id)
                )
                continue
            trigger.factuality = choice
        else:
            mode_type = MODE_CONTROLS[control]
            if trigger.event_type != mode_type or choice not in _MODE_NAMES[mode_type]:
                problems.append(
                    Problem(
                        "mode_type_mismatch", f"{control}: mode {choice!r} on a {trigger.event_type} trigger", region_id
                    )
                )
                continue
            trigger.mode = choice

    arguments: dict[str, list[tuple[str, Region]]] = {}  # trigger id -> (role, entity), see arguments()
    for item in relations:
        source, target, labels = item.get("from_id"), item.get("to_id"), item.get("labels", [])
        source_end = target_end = role = None
        if type(source) is str and type(target) is str and type(labels) is list and len(labels) == 1:
            source_end, target_end, role = regions.get(source), regions.get(target), labels[0]
        if source_end is not None and target_end is not None and isinstance(role, str) and role in _ROLE_NAMES:
            # the usual relation: one known role, from a trigger to an entity or back
            (source_kind, source_region), (target_kind, target_region) = source_end, target_end
            if source_kind == TRIGGER and isinstance(target_region, Region) and target_region.kind == ENTITY:
                parsed.relations.append((source, target, role))  # type: ignore[arg-type]
                arguments.setdefault(source, []).append((role, target_region))  # type: ignore[arg-type]
                continue
            if target_kind == TRIGGER and isinstance(source_region, Region) and source_region.kind == ENTITY:
                parsed.relations.append((target, source, role))  # type: ignore[arg-type]
                arguments.setdefault(target, []).append((role, source_region))  # type: ignore[arg-type]
                continue
        if not isinstance(source, str) or not isinstance(target, str):
            problems.append(Problem("malformed_result", f"relation needs from_id and to_id, got {item!r:.80}"))
            continue
        missing = [r for r in (source, target) if r not in regions]
        if missing:
            problems.append(
                Problem("relation_missing_region", f"relation {source}->{target}: no region {missing}", missing[0])
            )
            continue
        role = _single(labels, "relation", problems, source)
        if role is None:
            continue
        if role not in ROLES:
            problems.append(Problem("unknown_label", f"relation: {role!r} is not a role", source))
            continue
        ends = {regions[source][0]: source, regions[target][0]: target}
        if set(ends) != {TRIGGER, ENTITY}:
            problems.append(
                Problem(
                    "relation_bad_endpoints", f"relation {source}->{target} must link a trigger and an entity", source
                )
            )
            continue
        parsed.relations.append((ends[TRIGGER], ends[ENTITY], role))
        entity = regions[ends[ENTITY]][1]
        if isinstance(entity, Region):
            arguments.setdefault(ends[TRIGGER], []).append((role, entity))

    parsed.triggers = list(triggers.values())
    parsed._arguments = arguments
    return parsed
