"""Span integrity: every region of an annotation is checked against the article text.

A region is good when ``text[start:end] == value["text"]`` with Python code-point offsets
into the corpus text. Label Studio's browser UI has produced shifted offsets around
emoji (UTF-16 code units instead of code points), CRLF line ends and similar (Label Studio
issues 1347, 4929, 3078). A shifted region is **repaired only when the repair is provable**:
one of a fixed set of encoding transforms (UTF-16 code units, CRLF counted as two
characters or as one, and UTF-16 combined with either) maps the offsets onto a span whose
text equals the region's text, and no other transform maps them elsewhere. The browser
also hands over a span's text with runs of whitespace collapsed to one space, as it displays
them (measured on Label Studio 1.23.2: "had  pledged" comes back as "had pledged" at the right
offsets); when the offsets are in range and the span's text equals the region's text up to
that collapse, the region keeps its offsets and takes the span's text. Anything else
is a :class:`~ceasefire_news.labeling.results.Problem` with a reason code, and the region leaves the
clean result together with the per-region choices and relations that hang on it.

>>> text = "Talks 🕊 agreed today"
>>> region = {"id": "r1", "from_name": "trigger", "to_name": "text", "type": "labels",
...           "value": {"start": 9, "end": 15, "text": "agreed", "labels": ["AGREE"]}}
>>> clean, repairs, problems = check_annotation([region], text)
>>> clean[0]["value"]["start"], repairs[0]["repair"], problems
(8, 'utf16_offsets', [])
"""

from __future__ import annotations

import copy
import hashlib
import re
from dataclasses import dataclass
from typing import Any

from ceasefire_news.labeling.config import FACTUALITY_CONTROL, MODE_CONTROLS, SPAN_CONTROLS
from ceasefire_news.labeling.results import Problem, parse_result

#: Repairs this module can prove, with what each one means.
REPAIR_KINDS: dict[str, str] = {
    "utf16_offsets": "offsets counted in UTF-16 code units (emoji and other astral characters count twice)",
    "crlf_expanded_offsets": "offsets counted on the text with every line end written as CRLF",
    "crlf_collapsed_offsets": "offsets counted on the text with its CRLF line ends written as LF",
    "utf16_crlf_expanded_offsets": "UTF-16 code units on the text with CRLF line ends",
    "utf16_crlf_collapsed_offsets": "UTF-16 code units on the text with LF line ends",
    "whitespace_collapsed_text": "offsets right; the region's text had runs of whitespace collapsed to one space",
}

_PER_REGION_CONTROLS = frozenset({FACTUALITY_CONTROL, *MODE_CONTROLS})


def text_sha256(text: str) -> str:
    """The hex SHA-256 of ``text`` encoded as UTF-8, as the corpus stores it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- offset transforms ---------------------------------------------------------------------


def _utf16_positions(text: str) -> dict[int, int]:
    """UTF-16 offset -> code-point offset, at every code-point boundary of ``text``."""
    positions: dict[int, int] = {}
    unit = 0
    for index, char in enumerate(text):
        positions[unit] = index
        unit += 2 if ord(char) > 0xFFFF else 1
    positions[unit] = len(text)
    return positions


def _crlf_expanded(text: str) -> tuple[str, dict[int, int]] | None:
    """``text`` with every lone LF written as CRLF, and its offsets -> ``text`` offsets."""
    if "\n" not in text:
        return None
    out: list[str] = []
    positions: dict[int, int] = {}
    cursor = 0
    for index, char in enumerate(text):
        positions[cursor] = index
        if char == "\n" and (index == 0 or text[index - 1] != "\r"):
            out.append("\r\n")
            cursor += 2
        else:
            out.append(char)
            cursor += 1
    positions[cursor] = len(text)
    expanded = "".join(out)
    return (expanded, positions) if expanded != text else None


def _crlf_collapsed(text: str) -> tuple[str, dict[int, int]] | None:
    """``text`` with CRLF written as LF, and its offsets -> ``text`` offsets."""
    if "\r\n" not in text:
        return None
    out: list[str] = []
    positions: dict[int, int] = {}
    index = 0
    while index < len(text):
        positions[len(out)] = index
        if text.startswith("\r\n", index):
            out.append("\n")
            index += 2
        else:
            out.append(text[index])
            index += 1
    positions[len(out)] = len(text)
    return "".join(out), positions


@dataclass(slots=True)
class _Transform:
    """A view of the text under one encoding mistake: its text and the way back."""

    kind: str
    text: str  # the text as the mistaken offsets see it (code points)
    back: dict[int, int]  # offsets in the mistaken unit -> offsets into the corpus text
    to_view: dict[int, int] | None = None  # mistaken unit -> offsets into ``text`` (UTF-16 views)


class TextIndex:
    """The article text with the offset transforms built lazily (only when a span is off)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._transforms: list[_Transform] | None = None

    def transforms(self) -> list[_Transform]:
        if self._transforms is None:
            self._transforms = self._build()
        return self._transforms

    def _build(self) -> list[_Transform]:
        text = self.text
        found: list[_Transform] = []
        if any(ord(c) > 0xFFFF for c in text):
            units = _utf16_positions(text)
            found.append(_Transform("utf16_offsets", text, units, units))
        for kind, make in (("crlf_expanded", _crlf_expanded), ("crlf_collapsed", _crlf_collapsed)):
            made = make(text)
            if made is None:
                continue
            view, back = made
            found.append(_Transform(f"{kind}_offsets", view, back))
            if any(ord(c) > 0xFFFF for c in view):
                units = _utf16_positions(view)
                composed = {unit: back[point] for unit, point in units.items() if point in back}
                found.append(_Transform(f"utf16_{kind}_offsets", view, composed, units))
        return found

    def locate(self, start: int, end: int, region_text: str) -> list[tuple[str, int, int]]:
        """Every transform under which ``[start, end)`` provably means ``region_text``.

        Returns ``(kind, start, end)`` with offsets into the corpus text; the span's text
        equals ``region_text`` up to CRLF line ends.
        """
        matches: list[tuple[str, int, int]] = []
        wanted = region_text.replace("\r\n", "\n")
        for transform in self.transforms():
            if start not in transform.back or end not in transform.back:
                continue
            if transform.to_view is not None:
                view_start, view_end = transform.to_view[start], transform.to_view[end]
            else:
                view_start, view_end = start, end
            if transform.text[view_start:view_end] != region_text:
                continue
            new_start, new_end = transform.back[start], transform.back[end]
            if self.text[new_start:new_end].replace("\r\n", "\n") != wanted:
                continue
            matches.append((transform.kind, new_start, new_end))
        return matches


# --- the check -----------------------------------------------------------------------------

_WHITESPACE_RUN = re.compile(r"\s+")


def _collapse_whitespace(text: str) -> str:
    return _WHITESPACE_RUN.sub(" ", text)


def _occurrences(text: str, needle: str, limit: int = 3) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    if not needle:
        return found
    index = text.find(needle)
    while index != -1 and len(found) < limit:
        found.append((index, index + len(needle)))
        index = text.find(needle, index + 1)
    return found


def _check_span(
    item: dict[str, Any], index: TextIndex
) -> tuple[dict[str, Any] | None, dict[str, Any] | None, Problem | None]:
    """One span region: ``(checked item, repair record, problem)``; the item is None on a problem."""
    region_id = item["id"]
    value = item["value"]
    start, end, region_text = value["start"], value["end"], value["text"]
    text = index.text
    in_range = 0 <= start <= end <= len(text)
    if in_range and text[start:end] == region_text:
        return item, None, None
    matches = index.locate(start, end, region_text) if start <= end else []
    if (
        not matches
        and in_range
        and len(region_text) < end - start
        and _collapse_whitespace(text[start:end]) == _collapse_whitespace(region_text)
    ):
        matches = [("whitespace_collapsed_text", start, end)]
    targets = {(new_start, new_end) for _, new_start, new_end in matches}
    if len(targets) == 1:
        kind = sorted(matches)[0][0]
        new_start, new_end = next(iter(targets))
        repaired = copy.deepcopy(item)
        repaired["value"]["start"] = new_start
        repaired["value"]["end"] = new_end
        repaired["value"]["text"] = text[new_start:new_end]
        repair = {"region_id": region_id, "repair": kind, "from": [start, end], "to": [new_start, new_end]}
        return repaired, repair, None
    hint = _occurrences(text, region_text)
    where = f"; the region's text occurs at {hint}" if hint else "; the region's text does not occur in the article"
    if len(targets) > 1:
        return (
            None,
            None,
            Problem(
                "span_text_mismatch",
                f"offsets [{start}, {end}) of region {region_id} could mean several spans {sorted(targets)}; "
                "no single repair is provable",
                region_id,
            ),
        )
    if not in_range:
        return (
            None,
            None,
            Problem(
                "span_out_of_range",
                f"region {region_id} has offsets [{start}, {end}) but the text has {len(text)} characters{where}",
                region_id,
            ),
        )
    return (
        None,
        None,
        Problem(
            "span_text_mismatch",
            f"region {region_id}: text[{start}:{end}] is {text[start:end]!r:.60} but the region says "
            f"{region_text!r:.60}{where}",
            region_id,
        ),
    )


def _item_kind(item: Any) -> str:
    if not isinstance(item, dict):
        return "other"
    if item.get("type") == "relation":
        return "relation"
    control = item.get("from_name")
    if control in SPAN_CONTROLS:
        return "span"
    if control in _PER_REGION_CONTROLS:
        return "region_choice"
    return "other"


def check_annotation(
    result: Any, text: str, *, index: TextIndex | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[Problem]]:
    """Check every region of one annotation's ``result`` against the article ``text``.

    Returns ``(clean_result, repairs, problems)``: the result items that passed (with
    provably shifted offsets repaired), one record per repair (``region_id``, ``repair``
    kind from :data:`REPAIR_KINDS`, ``from`` and ``to`` offsets), and one
    :class:`~ceasefire_news.labeling.results.Problem` per rejected item. Never raises. Pass a shared
    :class:`TextIndex` to check many annotations of one text faster.
    """
    index = index or TextIndex(text)
    if not isinstance(result, list):
        detail = f"result must be a list of result items, got {type(result).__name__}"
        return [], [], [Problem("malformed_record", detail)]

    kept: dict[int, dict[str, Any]] = {}  # position in ``result`` -> checked item
    repairs: list[dict[str, Any]] = []
    problems: list[Problem] = []
    good_regions: dict[str, dict[str, Any]] = {}  # region id -> checked span item
    rejected_regions: set[str] = set()

    # Spans first: choices and relations depend on them.
    for position, item in enumerate(result):
        if _item_kind(item) != "span":
            continue
        parsed = parse_result([item])
        if parsed.problems:
            problems.extend(parsed.problems)
            region_id = item.get("id")
            if isinstance(region_id, str):
                rejected_regions.add(region_id)
            continue
        checked, repair, problem = _check_span(item, index)
        if checked is None:
            assert problem is not None
            problems.append(problem)
            rejected_regions.add(item["id"])
            continue
        if item["id"] in good_regions:
            problems.append(Problem("malformed_result", f"two regions share the id {item['id']!r}", item["id"]))
            continue
        if repair is not None:
            repairs.append(repair)
        good_regions[checked["id"]] = checked
        kept[position] = checked

    repaired_ids = {r["region_id"]: good_regions[r["region_id"]] for r in repairs}

    for position, item in enumerate(result):
        kind = _item_kind(item)
        if kind == "span":
            continue
        if kind == "other":
            problems_here = parse_result([item]).problems
            if problems_here:
                problems.extend(problems_here)
            else:
                kept[position] = item
            continue
        if kind == "region_choice":
            region_id = item.get("id")
            if isinstance(region_id, str) and region_id in rejected_regions:
                problems.append(
                    Problem(
                        "dependent_on_rejected_region",
                        f"{item.get('from_name')}: its region {region_id} was rejected",
                        region_id,
                    )
                )
                continue
            context = [good_regions[region_id]] if isinstance(region_id, str) and region_id in good_regions else []
            problems_here = parse_result([*context, item]).problems
            if problems_here:
                problems.extend(problems_here)
                continue
            moved = _follow_repair(item, repaired_ids[region_id]) if region_id in repaired_ids else item
            kept[position] = moved
            continue
        # relation
        ends = [item.get("from_id"), item.get("to_id")]
        lost = [end for end in ends if isinstance(end, str) and end in rejected_regions]
        if lost:
            problems.append(
                Problem(
                    "dependent_on_rejected_region",
                    f"relation {ends[0]}->{ends[1]}: region {lost[0]} was rejected",
                    lost[0],
                )
            )
            continue
        context = [good_regions[end] for end in ends if isinstance(end, str) and end in good_regions]
        problems_here = parse_result([*context, item]).problems
        if problems_here:
            problems.extend(problems_here)
            continue
        kept[position] = item

    clean = [kept[position] for position in sorted(kept)]
    return clean, repairs, problems


def _follow_repair(item: dict[str, Any], region: dict[str, Any]) -> dict[str, Any]:
    """A per-region choice repeats its region's offsets in Label Studio: keep them in step."""
    value = item.get("value")
    if not isinstance(value, dict) or not {"start", "end"} <= value.keys():
        return item
    moved = copy.deepcopy(item)
    for key in ("start", "end", "text"):
        if key in value:
            moved["value"][key] = region["value"][key]
    return moved
