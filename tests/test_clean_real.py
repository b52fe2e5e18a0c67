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


# --- strip_captions_v2: a position mark is a whole bracket --------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "Senator James Lankford (R-Okla.) said the ceasefire vote would come next week.",
        "Midfielder Omar Khribin (C) scored twice as the national team beat Iran 2-1 in Tehran.",
        "The firmware is written in C (C compilers exist for every chip) and runs on the drones.",
        "The score after the first round was tied (L-L) between the two delegations at the table.",
        "Su novela más reciente (Ríe) cuenta la historia de una familia desplazada por la guerra.",
        "Le film (L'Âge d'or) fut projeté à Damas pendant la trêve, devant une salle comble.",
    ],
)
def test_brackets_that_are_no_position_marks_stay(line: str) -> None:
    article = _clean(f"{BODY}\n\n{line}\n\n{BODY2}")
    assert article.text == f"{BODY}\n\n{line}\n\n{BODY2}"


@pytest.mark.parametrize(
    "caption",
    [
        "Russian President Vladimir Putin (L) and Turkish President Recep Tayyip Erdogan in Moscow.",
        "Syrian Foreign Minister Walid Muallem (2nd R) at the talks in Astana.",
        "Delegates at the opening session (from left) in Geneva.",
    ],
)
def test_position_marks_still_mark_captions(caption: str) -> None:
    article = _clean(f"{BODY}\n\n{caption}\n\n{BODY2}")
    assert article.text == f"{BODY}\n\n{BODY2}"
    assert "strip_captions" in _rules(article)


# --- strip_counters_v2: a number that a sentence carries on from stays ---------------------------


@pytest.mark.parametrize(
    ("number", "rest"),
    [
        ("9", "meses tiene la aeronave retenida en el aeropuerto de Damasco, según la compañía."),
        ("40", "% of the aid convoys reached Idlib during the first week of the truce, the UN said."),
    ],
)
def test_a_number_the_sentence_carries_on_from_stays(number: str, rest: str) -> None:
    article = _clean(f"{BODY}\n\n{number}\n{rest}\n\n{BODY2}")
    assert f"{number} {rest}" in " ".join(article.text.split())
    assert "strip_counters" not in _rules(article)


def test_a_counter_before_a_new_paragraph_still_goes() -> None:
    article = _clean(f"{BODY}\n\n342\n\n{BODY2}")
    assert article.text == f"{BODY}\n\n{BODY2}"
    assert "strip_counters" in _rules(article)


# --- strip_trailing_headlines_v2: lists, verses and unspaced scripts stay ------------------------

_VERSES = [
    "We walked the road to Aleppo",
    "The night the guns went quiet",
    "And nobody said a word",
    "Until the morning came",
]


def test_verses_after_a_separator_stay() -> None:
    verses = "\n".join(_VERSES)
    article = _clean(f"{BODY}\n\n* * *\n\n{verses}")
    for verse in _VERSES:
        assert verse in article.text.split("\n\n")


def test_a_numbered_list_after_a_lone_number_stays() -> None:
    items = ["1. Open the Bab al-Hawa crossing", "2. Free the detainees", "3. Return the displaced"]
    article = _clean(f"{BODY}\n\n3\n\n" + "\n".join(items))
    for item in items:
        assert item in article.text


def test_chinese_paragraphs_below_a_url_stay() -> None:
    first = "联合国特使周四在日内瓦表示，叙利亚停火协议基本得到遵守。"
    later = ["各方同意下周继续在阿斯塔纳举行会谈。", "俄罗斯和土耳其将共同监督停火的执行情况。"]
    article = _clean(f"{first}\n\nhttps://example.org/news/1\n\n" + "\n\n".join(later))
    for paragraph in later:
        assert paragraph in article.text


def test_other_articles_headlines_below_the_comments_still_go() -> None:
    article = _clean(f"{BODY}\n\n{BODY2}\n\nLeave a Reply\n\nAssad visits Moscow for talks\n\nUN warns of Idlib crisis")
    assert article.text == f"{BODY}\n\n{BODY2}"


# --- strip_page_urls_v2: URLs of the article's own stay -----------------------------------------


def test_a_url_between_body_paragraphs_stays() -> None:
    url = "https://petitions.example.org/syria-aid-now"
    article = _clean(f"{BODY}\n\n{url}\n\n{BODY2}")
    assert article.text == f"{BODY}\n\n{url}\n\n{BODY2}"


def test_a_list_of_references_stays() -> None:
    refs = ["https://doi.org/10.1000/ceasefire.2017.1", "https://doi.org/10.1000/ceasefire.2018.4"]
    article = _clean(f"{BODY}\n\n{BODY2}\n\nReferences\n\n" + "\n".join(refs))
    for ref in refs:
        assert ref in article.text


def test_the_page_url_below_the_article_still_goes() -> None:
    article = _clean(f"{BODY}\n\n{BODY2}\n\nhttps://news.example.org/2017/01/truce.html")
    assert article.text == f"{BODY}\n\n{BODY2}"
    assert article.url == "https://news.example.org/2017/01/truce.html"


# --- strip_promo_lines: a call to action with a link or a headline -------------------------------


@pytest.mark.parametrize(
    "promo",
    [
        "Read more: Russia and Turkey agree on Idlib patrols",
        "Related: UN envoy warns of a new displacement wave",
        "• See also – https://news.example.org/2020/03/idlib",
        "CLICK HERE TO GET THE DAILY NEWS APP",
        "Sign up for our weekly Syria newsletter here",
        "Follow us on Telegram for the latest updates",
    ],
)
def test_promo_lines_go(promo: str) -> None:
    article = _clean(f"{BODY}\n\n{promo}\n\n{BODY2}")
    assert article.text == f"{BODY}\n\n{BODY2}"
    assert "strip_promo_lines" in _rules(article)


@pytest.mark.parametrize(
    "sentence",
    [
        "Read more carefully, the agreement leaves the Kurdish question open, diplomats said.",
        "Related: the talks in Astana were the third round this year. Both sides attended.",
        "Follow-up talks are planned in Geneva in March, the UN envoy said on Thursday.",
        "Get the children out first, the doctor told the rescue workers in Douma.",
    ],
)
def test_sentences_that_start_like_promos_stay(sentence: str) -> None:
    article = _clean(f"{BODY}\n\n{sentence}\n\n{BODY2}")
    assert sentence in article.text


def test_the_headline_inside_an_html_extraction_stays_and_is_the_title() -> None:
    text = f"Talks in Moscow end with a truce\n\n{BODY}\n\n{BODY2}"
    html = _clean(text, kind="html")
    assert html.text == text
    scrape = _clean(text)
    assert scrape.text == f"{BODY}\n\n{BODY2}"
    assert scrape.title == html.title == "Talks in Moscow end with a truce"
