"""Cleaning: golden output for the five seeds, one case per rule, unseen variants, properties.

The golden files in ``tests/golden/`` were read line by line against the raw seeds: every
body sentence is there and no debris is. To regenerate them after a deliberate rule change,
run ``CEASEFIRE_UPDATE_GOLDEN=1 pytest tests/test_clean.py -k golden`` and read the diff.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ceasefire_news.dataset.corpus.clean import clean_article
from ceasefire_news.dataset.corpus.clean_rules import RULES, rule_versions
from ceasefire_news.dataset.corpus.document import CleanArticle, RawArticle
from ceasefire_news.dataset.corpus.read import embedded_sources, iter_sources
from ceasefire_news.schema.labels import TEXT_FLAGS

GOLDEN = Path(__file__).parent / "golden"
SEEDS = embedded_sources()

BODY = "Turkish and Russian officials met in Moscow on Thursday to discuss the ceasefire in Idlib."
BODY2 = "The talks lasted six hours, and both sides said the truce would hold from midnight."


def _clean(text: str, **given: str) -> CleanArticle:
    return clean_article(RawArticle(source_file="test.txt", where="test.txt", raw_text=text, **given))


def _removed(article: CleanArticle, rule: str) -> list[str]:
    return [piece.text for piece in article.removed if piece.rule == rule]


def _golden_metadata(article: CleanArticle) -> dict[str, object]:
    return {
        "title": article.title,
        "outlet": article.outlet,
        "url": article.url,
        "published_date": article.published_date.isoformat() if article.published_date else None,
        "language": article.language,
        "quality_flags": article.quality_flags,
        "removed": [{"start": r.start, "end": r.end, "rule": r.rule, "text": r.text} for r in article.removed],
    }


# --- golden output for the seeds -----------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS, ids=[seed.stem[:3] for seed in SEEDS])
def test_golden_seed(seed: Path) -> None:
    (raw,) = list(iter_sources([seed]))
    assert isinstance(raw, RawArticle)
    article = clean_article(raw)
    text_file, meta_file = GOLDEN / f"{seed.stem}.txt", GOLDEN / f"{seed.stem}.json"
    metadata = _golden_metadata(article)
    if os.environ.get("CEASEFIRE_UPDATE_GOLDEN") == "1":
        text_file.write_text(article.text + "\n", encoding="utf-8")
        meta_file.write_text(
            json.dumps(metadata, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8"
        )
    assert article.text + "\n" == text_file.read_text(encoding="utf-8")
    assert metadata == json.loads(meta_file.read_text(encoding="utf-8"))
    for piece in article.removed:
        assert raw.raw_text[piece.start : piece.end] == piece.text


def test_seed_metadata_by_evidence() -> None:
    articles = {p.stem[:3]: clean_article(r) for p, r in zip(SEEDS, iter_sources(SEEDS), strict=True)}  # type: ignore[arg-type]
    # 003: the scrape date (29 Mar 2024) comes first; the publication date is the dateline.
    assert articles["003"].published_date == dt.date(2016, 12, 23)
    assert articles["000"].published_date == dt.date(2016, 9, 9)
    assert articles["001"].published_date == dt.date(2016, 9, 10)
    # No date in the text and no URL: null, never a guess from "on March 5," in a caption.
    assert articles["004"].published_date is None
    assert articles["002"].published_date is None
    # Outlets only where the text or a URL says it; "Press TV reported" is an attribution.
    assert {k: a.outlet for k, a in articles.items()} == {
        "000": None,
        "001": None,
        "002": None,
        "003": "The Iran Project",
        "004": "Al Jazeera English",
    }
    assert articles["004"].title == "Erdogan, Putin announce Idlib ceasefire after Moscow meeting"
    assert all(a.language == "en" for a in articles.values())


def test_shared_paragraph_survives_in_both_seeds() -> None:
    shared = "In a major blow to Takfiri groups on Thursday, Syrian soldiers liberated the militant-held district"
    for stem in ("000", "001"):
        text = (GOLDEN / f"{next(p.stem for p in SEEDS if p.stem.startswith(stem))}.txt").read_text(encoding="utf-8")
        assert shared in text


# --- one case per rule ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Case:
    raw: str
    removed: list[str]
    text: str


RULE_CASES: dict[str, Case] = {
    "strip_shortcodes_v1": Case(
        f'{BODY}\n\n[caption id="attachment_7" align="alignleft" width="300"] Troops enter Saraqeb.'
        f" (Photo by Reuters)[/caption]\n\n{BODY2}",
        [
            '[caption id="attachment_7" align="alignleft" width="300"] Troops enter Saraqeb. '
            "(Photo by Reuters)[/caption]"
        ],
        f"{BODY}\n\n{BODY2}",
    ),
    "strip_php_dump_v1": Case(
        f'{BODY}\n\n1043\n\nCategory: Middle East\nstring(98) "[{{"id":"7","title":"Syria truce holds"}} ,'
        '{"id":"8","title":"Aleppo talks"} ]"',
        [
            "1043",
            "Category: Middle East",
            'string(98) "[{"id":"7","title":"Syria truce holds"} ,{"id":"8","title":"Aleppo talks"} ]"',
        ],
        BODY,
    ),
    "strip_captions_v2": Case(
        f"{BODY}\nSyrian President Bashar al-Assad (R) meets Russian Defence Minister Sergei Shoigu in "
        f"Damascus on January 7, 2020.\n{BODY2}",
        [
            "Syrian President Bashar al-Assad (R) meets Russian Defence Minister Sergei Shoigu in "
            "Damascus on January 7, 2020."
        ],
        f"{BODY}\n\n{BODY2}",
    ),
    "strip_scrape_date_v1": Case(f"12 Jan 2025\n{BODY}", ["12 Jan 2025"], BODY),
    "strip_datelines_v1": Case(f"Sunday 5 March 2017 - 10:15\n{BODY}", ["Sunday 5 March 2017 - 10:15"], BODY),
    "strip_story_code_v1": Case(f"Story Code : 612345\n{BODY}", ["Story Code : 612345"], BODY),
    "strip_stray_tokens_v1": Case(f"0\nCeasefire talks in Moscow\n{BODY}", ["0"], BODY),
    "strip_title_v1": Case(
        f"Ceasefire talks in Moscow\n\nCeasefire talks in Moscow\n\n{BODY}",
        ["Ceasefire talks in Moscow", "Ceasefire talks in Moscow"],
        BODY,
    ),
    "strip_comment_debris_v1": Case(
        f"{BODY}\n\nComments (3)\nLeave a Reply\nYour email address will not be published.\nSubmit",
        ["Comments (3)", "Leave a Reply", "Your email address will not be published.", "Submit"],
        BODY,
    ),
    "strip_page_urls_v2": Case(
        f"{BODY}\n\nhttps://www.presstv.ir/Detail/2017/01/05/50/truce\n",
        ["https://www.presstv.ir/Detail/2017/01/05/50/truce"],
        BODY,
    ),
    "strip_counters_v2": Case(f"{BODY}\n\n342\n", ["342"], BODY),
    "strip_symbol_lines_v1": Case(f"{BODY}\n\n* * *\n\n{BODY2}", ["* * *"], f"{BODY}\n\n{BODY2}"),
    "strip_page_labels_v1": Case(f"{BODY}\n\nTags: Syria, Russia, Turkey\n", ["Tags: Syria, Russia, Turkey"], BODY),
    "strip_trailing_headlines_v2": Case(
        f"{BODY}\n\nLeave a Reply\n\nAssad visits Moscow for talks\n\nUN warns of Idlib crisis – Reuters\n",
        ["Assad visits Moscow for talks", "UN warns of Idlib crisis – Reuters"],
        BODY,
    ),
    "strip_related_links_v1": Case(
        f"{BODY}\n\nRead more:\n\n  • Turkey sends troops to Idlib\n  • Russia and Turkey hold talks\n\n{BODY2}",
        ["Read more:", "• Turkey sends troops to Idlib", "• Russia and Turkey hold talks"],
        f"{BODY}\n\n{BODY2}",
    ),
    "strip_promo_lines_v1": Case(
        f"{BODY}\n\nREAD MORE: Turkey sends troops to Idlib\n\n{BODY2}\n\nSubscribe to our Middle East newsletter",
        ["READ MORE: Turkey sends troops to Idlib", "Subscribe to our Middle East newsletter"],
        f"{BODY}\n\n{BODY2}",
    ),
    "strip_repeated_lines_v1": Case(f"{BODY}\n{BODY}\n{BODY2}", [BODY], f"{BODY}\n\n{BODY2}"),
    "strip_bullets_v1": Case(f"{BODY}\n\n  • {BODY2}", ["•"], f"{BODY}\n\n{BODY2}"),
    "strip_control_chars_v1": Case(
        f"{BODY}\n\nThe\x00 talks went on\u200b into the night, officials said.",
        ["\x00", "\u200b"],
        f"{BODY}\n\nThe talks went on into the night, officials said.",
    ),
    "normalize_whitespace_v1": Case(
        f"\u00a0\n    {BODY}\u00a0\n\u00a0\n\n\n\t{BODY2.replace(' ', '  ', 2)}  \n",
        [],
        f"{BODY}\n\n{BODY2}",
    ),
    "join_broken_paragraphs_v1": Case(
        f"{BODY}\n\nOpposition activists blamed Russian aircraft for an attack which they said\n\n"
        "killed several people, including children.",
        [],
        f"{BODY}\n\nOpposition activists blamed Russian aircraft for an attack which they said killed several "
        "people, including children.",
    ),
}


@pytest.mark.parametrize("rule", RULES, ids=[rule.id for rule in RULES])
def test_rule(rule: object) -> None:
    rule_id: str = rule.id  # type: ignore[attr-defined]
    assert rule_id in RULE_CASES, f"rule {rule_id} has no test case: add one to RULE_CASES"
    case = RULE_CASES[rule_id]
    article = _clean(case.raw)
    assert _removed(article, rule_id) == case.removed
    assert article.text == case.text


def test_rule_versions_name_every_rule_once() -> None:
    versions = rule_versions()
    assert list(versions.values()) == [rule.id for rule in RULES]
    assert all(re.fullmatch(rf"{name}_v\d+", rule_id) for name, rule_id in versions.items())
    assert len(set(versions)) == len(RULES)


# --- unseen articles of the same outlets ---------------------------------------------------


def test_alalam_variant_with_another_dump() -> None:
    raw = (
        "Russia, Turkey Broker Aleppo Evacuation Deal\n\nRussia, Turkey Broker Aleppo Evacuation Deal\n"
        "Tue Dec 13, 2016 08:12:45\n\n"
        f"{BODY}\n\n{BODY2}\n\n57\n\nCategory:\n"
        'string(210) "[{"id":"1900001","sort":"1","contenttypeid":"21","pic":"/2016/12/1.jpg",'
        '"title":"Syrian Army Retakes Old City"} ,{"id":"1900002","sort":"2","contenttypeid":"21",'
        '"pic":"/2016/12/2.jpg","title":"UN Calls for Aleppo Observers"} ]"'
    )
    article = _clean(raw)
    assert article.text == f"{BODY}\n\n{BODY2}"
    assert article.title == "Russia, Turkey Broker Aleppo Evacuation Deal"
    assert article.published_date == dt.date(2016, 12, 13)
    assert article.quality_flags == ["foreign_content_removed"]
    assert "Syrian Army Retakes Old City" in _removed(article, "strip_php_dump_v1")[-1]


def test_press_tv_variant_with_a_caption_printed_twice_without_credit() -> None:
    caption = "Syrian soldiers patrol a street in eastern Aleppo, Syria, on December 12, 2016."
    raw = (
        "0\nWednesday 4 January 2017 - 12:40\n\nAssad says Astana talks could succeed\n\nStory Code : 251122\n"
        f"{caption}\n{caption}\n{BODY}\u00a0\n\u00a0\n{BODY2}\nComment"
    )
    article = _clean(raw)
    assert article.text == f"{BODY}\n\n{BODY2}"
    assert _removed(article, "strip_captions_v2") == [caption, caption]
    assert article.published_date == dt.date(2017, 1, 4)
    assert article.title == "Assad says Astana talks could succeed"
    assert article.outlet is None


def test_iran_project_variant_with_a_multiline_shortcode() -> None:
    raw = (
        "2 Apr 2024\nMonday 9 January 2017 - 09:30\nStory Code : 251900\n\nIrans Zarif meets Lavrov in Moscow\n\n"
        f'{BODY}\n\n[caption id="" align="aligncenter" width="600"] Foreign ministers meet\nin Moscow.'
        f" (Photo by IRNA)[/caption]\n\n{BODY2}\n\n\u00a0\n\nmments (12)\n\n"
        "https://theiranproject.com/vdcgz39w7ak9.html\nYour Name\nYour Email Address"
    )
    article = _clean(raw)
    assert article.text == f"{BODY}\n\n{BODY2}"
    assert article.published_date == dt.date(2017, 1, 9)
    assert article.url == "https://theiranproject.com/vdcgz39w7ak9.html"
    assert article.outlet == "The Iran Project"
    assert _removed(article, "strip_comment_debris_v1") == ["mments (12)", "Your Name", "Your Email Address"]


def test_al_jazeera_variant_with_another_list_and_caption() -> None:
    paragraph = "Erdogan said Turkey would respond to any new attack on its observation posts in the province."
    raw = (
        "in\n\nTurkey, Russia agree on joint patrols – Aljazeera.com, Al Jazeera English\n\n"
        "Turkey, Russia agree on joint patrols – Aljazeera.com, Al Jazeera English\n\n"
        f"{BODY}\n\nMore:\n\n  • Idlib residents flee new offensive\n\n  • Russia denies bombing hospital\n\n"
        f"  • {paragraph}\n\n    Turkish soldiers, right, and Russian military police patrol the M4 highway on"
        " March 15, [Reuters]\n\n"
        f"    {BODY2}\n\n  • What do you think?\n\n    Leave a Reply\n\n"
        "    GIPHY App Key not set. Please check settings\n\n"
        "    Syria war: Russia and Turkey begin patrols – BBC News, BBC\n"
    )
    article = _clean(raw)
    assert article.text == f"{BODY}\n\n{paragraph}\n\n{BODY2}"
    assert article.title == "Turkey, Russia agree on joint patrols"
    assert article.outlet == "Al Jazeera English"
    assert article.published_date is None
    assert _removed(article, "strip_related_links_v1") == [
        "More:",
        "• Idlib residents flee new offensive",
        "• Russia denies bombing hospital",
    ]
    assert _removed(article, "strip_trailing_headlines_v2") == [
        "Syria war: Russia and Turkey begin patrols – BBC News, BBC"
    ]
    assert "foreign_content_removed" in article.quality_flags


def test_short_last_paragraph_above_comment_debris_stays() -> None:
    raw = f"{BODY}\n\nAssad and Putin discussed the way forward for Syria, it said\n\nComment"
    article = _clean(raw)
    assert article.text.endswith("Assad and Putin discussed the way forward for Syria, it said")
    assert "truncated" in article.quality_flags


def test_text_without_a_title_loses_nothing() -> None:
    article = _clean(f"{BODY}\n\n{BODY2}")
    assert article.title is None
    assert article.text == f"{BODY}\n\n{BODY2}"
    assert article.removed == []


def test_given_metadata_wins_and_the_given_title_line_is_removed() -> None:
    article = _clean(
        f"Idlib ceasefire agreed\n\n{BODY}",
        given_title="Idlib ceasefire agreed – Aljazeera.com, Al Jazeera English",
        given_url="https://www.aljazeera.com/news/2020/3/5/idlib-ceasefire-agreed",
        given_outlet="Al Jazeera",
    )
    assert article.text == BODY
    assert article.title == "Idlib ceasefire agreed"
    assert article.outlet == "Al Jazeera"
    assert article.published_date == dt.date(2020, 3, 5)  # the URL says it


def test_given_date_beats_the_dateline() -> None:
    article = _clean(f"Sunday 5 March 2017 - 10:15\n{BODY}", given_date="2017-03-06")
    assert article.published_date == dt.date(2017, 3, 6)


# --- properties ----------------------------------------------------------------------------

_FRAGMENTS = [
    BODY,
    BODY2,
    "Putin, Erdogan discuss Aleppo over phone",
    "Fri Sep 9, 2016 10:34:21",
    "29 Mar 2024",
    "Story Code : 566428",
    "0",
    "in",
    "Comment",
    "mments (1)",
    "Your Name",
    "Leave a Reply",
    "More:",
    "  • Turkey-backed fighters recapture key town",
    "• ()",
    "https://theiranproject.com/x.html",
    '[caption id="" align="aligncenter"] A caption. (Photo by AFP)[/caption]',
    '[caption id=""]',
    "[/caption]",
    'string(9) "[{"a":1}]"',
    'string(4) "[{"',
    "Category:",
    "219",
    "Erdogan (L) and Putin (R) in Moscow on March 5, 2020.",
    "Coronavirus: First patient dies – Sky News, Sky.com",
    "\u00a0",
    "\t",
    "\r\n",
    "\x00",
    "\u2028",
    "\ufeff",
]
_raw_texts = st.lists(
    st.one_of(st.sampled_from(_FRAGMENTS), st.text(max_size=30)),
    max_size=25,
).flatmap(
    lambda parts: st.lists(
        st.sampled_from(["\n", "\n\n", " ", "", "\n  "]), min_size=len(parts), max_size=len(parts)
    ).map(lambda seps: "".join(p + s for p, s in zip(parts, seps, strict=True)))
)

_RULE_IDS = {rule.id for rule in RULES}


def _without(raw: str, article: CleanArticle) -> str:
    kept, pos = [], 0
    for piece in article.removed:
        kept.append(raw[pos : piece.start])
        pos = piece.end
    kept.append(raw[pos:])
    return "".join(kept)


@settings(max_examples=400, deadline=None)
@given(raw=_raw_texts)
def test_clean_text_and_removed_account_for_every_character(raw: str) -> None:
    article = _clean(raw)
    # every non-whitespace character of the raw text is in the clean text or in a removal
    assert "".join(_without(raw, article).split()) == "".join(article.text.split())
    last_end = 0
    for piece in article.removed:
        assert last_end <= piece.start < piece.end <= len(raw)
        assert raw[piece.start : piece.end] == piece.text
        assert piece.rule in _RULE_IDS
        last_end = piece.end
    for paragraph in article.text.split("\n\n") if article.text else []:
        assert paragraph
        assert paragraph == " ".join(paragraph.split())  # one space between words, no stray whitespace
    assert set(article.quality_flags) <= set(TEXT_FLAGS.names)
    assert article.quality_flags == sorted(article.quality_flags)


@settings(max_examples=200, deadline=None)
@given(raw=st.text())
def test_cleaning_never_raises_on_any_text(raw: str) -> None:
    article = _clean(raw)
    assert "".join(_without(raw, article).split()) == "".join(article.text.split())


def test_html_page_cleans_with_its_page_metadata(html_file: Path) -> None:
    (raw,) = list(iter_sources([html_file]))
    assert isinstance(raw, RawArticle)
    article = clean_article(raw)
    assert article.title == "Putin and Erdogan agree Idlib ceasefire"
    # The headline inside the extracted main content is the article's own: it stays (and is the title).
    assert article.text.startswith("Putin and Erdogan agree Idlib ceasefire\n\nRussian President Vladimir Putin")
    assert _removed(article, "strip_title_v1") == []
    assert (article.outlet, article.published_date) == ("Example News", dt.date(2020, 3, 5))
    assert article.url == "https://news.example.com/2020/03/05/idlib-ceasefire"
    assert article.language == "en"


def test_jsonl_record_cleans_with_its_given_metadata(jsonl_file: Path) -> None:
    first = next(item for item in iter_sources([jsonl_file]) if isinstance(item, RawArticle))
    article = clean_article(first)
    assert article.text == "Turkey and Russia agreed a ceasefire in Idlib after talks in Moscow on Thursday."
    assert (article.title, article.outlet) == ("Idlib ceasefire agreed", "Al Jazeera English")
    assert article.published_date == dt.date(2020, 3, 5)


def test_photo_mentioned_in_a_body_sentence_is_not_a_caption() -> None:
    sentence = "Activists shared a photo by a local journalist showing the damaged hospital in Maarat al-Numan."
    article = _clean(f"{BODY}\n\n{sentence}\n\n{BODY2}")
    assert article.text == f"{BODY}\n\n{sentence}\n\n{BODY2}"


@pytest.mark.parametrize(
    "caption",
    [
        "Turkish soldiers patrol near Idlib. Photo: Anadolu Agency",
        "Russian President Vladimir Putin speaks in a photo released by the Kremlin on March 5, 2020.",
        "Syrian troops in Aleppo / AFP / STRINGER",
        "Erdogan, right, and Putin at a news conference in Moscow [Pavel Golovkin/Pool via Reuters]",
        "Residents return to their homes (Photo by SANA)",
    ],
)
def test_caption_variants(caption: str) -> None:
    article = _clean(f"{BODY}\n{caption}\n{BODY2}")
    assert _removed(article, "strip_captions_v2") == [caption]
    assert article.text == f"{BODY}\n\n{BODY2}"
