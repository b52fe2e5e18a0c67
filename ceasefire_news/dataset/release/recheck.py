"""The release's own span check: every annotation is checked against the corpus text again."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ceasefire_news.labeling.integrity import check_annotation
from ceasefire_news.labeling.results import RECHECKED_REASONS, ParsedAnnotation, Region, Trigger, parse_result
from ceasefire_news.schema.records import LoggedAnnotation


@dataclass(slots=True)
class Checked:
    """An annotation after the release's own span check."""

    status: str
    reasons: list[str]
    result: list[dict[str, Any]]
    parsed: ParsedAnnotation | None


def spans_ok(parsed: ParsedAnnotation, text: str) -> bool:
    """True when every region of ``parsed`` lies in ``text`` and ``text[start:end]`` is its text."""
    n = len(text)
    groups: list[Sequence[Trigger | Region]] = [parsed.triggers, parsed.entities, *parsed.evidence.values()]
    for regions in groups:
        for region in regions:
            start, end = region.start, region.end
            if not 0 <= start < end <= n or text[start:end] != region.text:
                return False
    return True


def _now_known(entry: LoggedAnnotation, text_sha256: str) -> bool:
    # An empty result is how logs written before results were kept whole hold these: nothing to accept.
    reasons = set(entry.quarantine_reasons)
    return bool(reasons) and reasons <= RECHECKED_REASONS and bool(entry.result) and entry.text_sha256 == text_sha256


def recheck(entry: LoggedAnnotation, text: str, text_sha256: str) -> Checked:
    """Check every region of ``entry`` against the corpus ``text`` again; never trust the log.

    An annotation quarantined only because its article was unknown or had another text is
    checked like any other once the article has the text it was made on. A result whose text
    hash matches and whose spans all hold is used as logged. Otherwise
    ``ceasefire_news.labeling.integrity.check_annotation`` repairs what is provably shifted and drops the
    rest: the annotation becomes ``partial`` (it still votes with what is left) or
    ``quarantined`` (nothing usable is left).
    """
    reasons, status = list(entry.quarantine_reasons), entry.status
    if status == "quarantined" and _now_known(entry, text_sha256):
        # Quarantined for its task alone, and its article now has the text it was made on.
        reasons, status = [], "accepted"
    elif status == "quarantined":
        return Checked("quarantined", reasons, entry.result, None)
    parsed = parse_result(entry.result)
    if entry.text_sha256 == text_sha256 and not parsed.problems and spans_ok(parsed, text):
        return Checked(status, reasons, entry.result, parsed)
    if entry.text_sha256 != text_sha256:
        reasons.append("text_hash_mismatch")
    clean, _repairs, problems = check_annotation(entry.result, text)
    reasons.extend(p.reason for p in problems)
    parsed = parse_result(clean)
    reasons.extend(p.reason for p in parsed.problems)
    reasons = sorted(set(reasons))
    usable = bool(
        parsed.stance or parsed.genre or parsed.quality_flags or parsed.triggers or parsed.entities or parsed.evidence
    )
    if not usable:
        return Checked("quarantined", reasons, entry.result, None)
    clean_parsed = parsed if spans_ok(parsed, text) else None
    if clean_parsed is None:
        return Checked("quarantined", sorted({*reasons, "span_text_mismatch"}), entry.result, None)
    return Checked("partial" if reasons else status, reasons, clean, clean_parsed)
