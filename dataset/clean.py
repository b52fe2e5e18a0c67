"""Cleaning raw article text with small named, versioned rules, and extracting metadata."""

from __future__ import annotations

import re

from dataset.document import CleanArticle, RawArticle, Removal

_BLANK = re.compile(r"\n[ \t\u00a0]*(?:\n[ \t\u00a0]*)+")


def rule_versions() -> dict[str, str]:
    """Rule name -> versioned name, for the manifest."""
    return {}


def clean_article(raw: RawArticle) -> CleanArticle:
    """Clean one raw article (minimal placeholder: whitespace only)."""
    text = _BLANK.sub("\n\n", raw.raw_text.replace("\u00a0", " ")).strip()
    removed: list[Removal] = []
    return CleanArticle(
        source_file=raw.source_file,
        text=text,
        title=raw.given_title,
        outlet=raw.given_outlet,
        url=raw.given_url,
        published_date=None,
        language=None,
        removed=removed,
    )
