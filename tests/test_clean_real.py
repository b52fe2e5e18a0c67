"""Cleaning on real-page shapes: switching rules off, input kinds, and the rule fixes that keep
article text (numbered lists, lyrics, unspaced scripts, brackets that are not position marks).

Every page here is a small one of the project's own, written to show one shape.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ceasefire_news.dataset.corpus.clean import clean_article
from ceasefire_news.dataset.corpus.clean_rules import ALWAYS_ON, RULE_NAMES, RULES
from ceasefire_news.dataset.corpus.document import CleanArticle, RawArticle
from ceasefire_news.dataset.corpus.read import iter_sources

BODY = "Turkish and Russian officials met in Moscow on Thursday to discuss the ceasefire in Idlib."
BODY2 = "The talks lasted six hours, and both sides said the truce would hold from midnight."


def _clean(text: str, *, kind: str = "text", skip: frozenset[str] = frozenset()) -> CleanArticle:
    raw = RawArticle(source_file="t.txt", where="t.txt", raw_text=text, kind=kind)  # type: ignore[arg-type]
    return clean_article(raw, skip=skip)


def _rules(article: CleanArticle) -> set[str]:
    return {piece.rule.rsplit("_v", 1)[0] for piece in article.removed}


# --- switching rules off ---------------------------------------------------------------------


def test_skip_switches_one_rule_off_and_leaves_the_others() -> None:
    text = f"Talks in Moscow end with a truce\n\n{BODY}\n\n123\n\n{BODY2}\nComment"
    full = _clean(text)
    assert {"strip_title", "strip_counters", "strip_comment_debris"} <= _rules(full)
    off = _clean(text, skip=frozenset({"strip_counters"}))
    assert "123" in off.text.split("\n\n")
    assert "strip_counters" not in _rules(off)
    assert {"strip_title", "strip_comment_debris"} <= _rules(off)
    # The title is still found as metadata when its line stays in the text.
    kept_title = _clean(text, skip=frozenset({"strip_title"}))
    assert kept_title.text.startswith("Talks in Moscow end with a truce")
    assert kept_title.title == "Talks in Moscow end with a truce"


@pytest.mark.parametrize("name", sorted(RULE_NAMES - ALWAYS_ON))
def test_every_rule_can_be_switched_off(name: str) -> None:
    article = _clean(f"Title of the page here\n\n{BODY}", skip=frozenset({name}))
    assert BODY in article.text


def test_skip_refuses_unknown_and_always_on_rules() -> None:
    with pytest.raises(ValueError, match="strip_nothing"):
        _clean(BODY, skip=frozenset({"strip_nothing"}))
    with pytest.raises(ValueError, match="normalize_whitespace"):
        _clean(BODY, skip=frozenset({"normalize_whitespace"}))


def test_every_rule_names_the_kinds_it_runs_on() -> None:
    for rule in RULES:
        assert rule.kinds, rule.name
        assert rule.kinds <= {"text", "html", "jsonl"}, rule.name


def test_the_reader_sets_the_input_kind(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(f"{BODY}\n", encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(json.dumps({"text": BODY}) + "\n", encoding="utf-8")
    body = "".join(f"<p>{BODY} {BODY2} Paragraph {n}.</p>" for n in range(6))
    (tmp_path / "c.html").write_text(
        f"<html><head><title>T</title></head><body><article>{body}</article></body></html>", encoding="utf-8"
    )
    kinds = {Path(r.source_file).suffix: r.kind for r in iter_sources([tmp_path]) if isinstance(r, RawArticle)}
    assert kinds == {".txt": "text", ".jsonl": "jsonl", ".html": "html"}
