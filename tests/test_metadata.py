"""Metadata taken from the text or a URL (dates, title suffixes, outlets, language) and text flags."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ceasefire_news.dataset.corpus.clean_flags import text_flags
from ceasefire_news.dataset.corpus.metadata import (
    date_from_url,
    detect_language,
    is_scrape_stamp,
    outlet_from_url,
    parse_date,
    parse_date_line,
    split_title_suffix,
)

# --- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "date", "has_time"),
    [
        ("Fri Sep 9, 2016 10:34:21", dt.date(2016, 9, 9), True),
        ("Saturday 10 September 2016 - 05:28", dt.date(2016, 9, 10), True),
        ("Friday 23 December 2016 - 23:02", dt.date(2016, 12, 23), True),
        ("29 Mar 2024", dt.date(2024, 3, 29), False),
        ("March 5, 2020", dt.date(2020, 3, 5), False),
        ("5th March 2020", dt.date(2020, 3, 5), False),
        ("2020-03-05", dt.date(2020, 3, 5), False),
        ("Published: Thu 5 Mar 2020 18:34 GMT", dt.date(2020, 3, 5), True),
        ("Updated on March 6, 2020 at 9:15 am", dt.date(2020, 3, 6), True),
    ],
)
def test_date_lines(line: str, date: dt.date, has_time: bool) -> None:
    found = parse_date_line(line)
    assert found is not None
    assert found.date == date
    assert found.has_time is has_time


@pytest.mark.parametrize(
    "line",
    [
        "Story Code : 566428",
        "219",
        "30 February 2016",  # no such day
        "Putin, Erdogan discuss Aleppo over phone",
        "Russian warplanes have not carried out airstrikes around Aleppo since October 18, 2016.",
        "on March 5,",
        "",
    ],
)
def test_not_date_lines(line: str) -> None:
    assert parse_date_line(line) is None


def test_scrape_stamp_is_only_the_bare_day_month_year_form() -> None:
    assert is_scrape_stamp("29 Mar 2024")
    assert not is_scrape_stamp("Friday 23 December 2016 - 23:02")
    assert not is_scrape_stamp("23 December 2016")
    assert not is_scrape_stamp("31 Feb 2024")


def test_given_dates() -> None:
    assert parse_date("2020-03-05") == dt.date(2020, 3, 5)
    assert parse_date("2020-03-05T18:00:00+03:00") == dt.date(2020, 3, 5)
    assert parse_date(" 5 March 2020 ") == dt.date(2020, 3, 5)
    assert parse_date("last Thursday") is None
    assert parse_date("2020-13-01") is None


def test_date_from_url_path_only() -> None:
    assert date_from_url("https://www.aljazeera.com/news/2020/3/5/idlib-ceasefire") == dt.date(2020, 3, 5)
    assert date_from_url("https://example.com/2016/12/23/") == dt.date(2016, 12, 23)
    assert date_from_url("https://theiranproject.com/vdcfyjd0tw6djxa.r7iw.html") is None
    assert date_from_url("https://example.com/story?date=2020/3/5/") is None  # the query is not the path
    assert date_from_url("https://example.com/2020/13/40/x") is None


@given(st.text(max_size=80))
def test_date_parsers_never_raise(text: str) -> None:
    found = parse_date_line(text)
    assert found is None or isinstance(found.date, dt.date)
    parsed = parse_date(text)
    assert parsed is None or isinstance(parsed, dt.date)


# --- titles and outlets --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (
            "Erdogan, Putin announce Idlib ceasefire after Moscow meeting – Aljazeera.com, Al Jazeera English",
            ("Erdogan, Putin announce Idlib ceasefire after Moscow meeting", "Al Jazeera English"),
        ),
        (
            "Coronavirus: First patient in UK dies after testing positive for COVID-19 – Sky News, Sky.com",
            ("Coronavirus: First patient in UK dies after testing positive for COVID-19", "Sky News"),
        ),
        (
            "Putin and Erdogan agree Idlib ceasefire | Example News",
            ("Putin and Erdogan agree Idlib ceasefire", "Example News"),
        ),
        ("Syria truce holds - presstv.ir", ("Syria truce holds", "Press TV")),
        ("Syria – the war nobody wins", ("Syria – the war nobody wins", None)),
        ("Russia-Turkey deal: what next - analysis", ("Russia-Turkey deal: what next - analysis", None)),
        ("Putin, Erdogan discuss Aleppo over phone", ("Putin, Erdogan discuss Aleppo over phone", None)),
    ],
)
def test_title_suffixes(title: str, expected: tuple[str, str | None]) -> None:
    assert split_title_suffix(title) == expected


@pytest.mark.parametrize(
    ("url", "outlet"),
    [
        ("https://theiranproject.com/vdcfyjd0tw6djxa.r7iw.html", "The Iran Project"),
        ("https://www.aljazeera.com/news/2020/3/5/x", "Al Jazeera English"),
        ("http://en.alalam.ir/news/1855326", "Al-Alam"),
        ("https://news.sky.com/story/x", "Sky News"),
        ("https://www.example-news.org/a/b", "example-news.org"),
        ("not a url", None),
        ("https://localhost/x", None),
    ],
)
def test_outlet_from_url(url: str, outlet: str | None) -> None:
    assert outlet_from_url(url) == outlet


# --- language ------------------------------------------------------------------------------

ENGLISH = (
    "Turkish President Recep Tayyip Erdogan and his Russian counterpart Vladimir Putin have announced a "
    "military ceasefire in Idlib to begin at midnight on Thursday, after a meeting in Moscow that lasted six hours."
)
GERMAN = (
    "Der türkische Präsident Recep Tayyip Erdogan und sein russischer Amtskollege Wladimir Putin haben eine "
    "Waffenruhe in der syrischen Provinz Idlib vereinbart, die um Mitternacht in Kraft treten soll."
)
FRENCH = (
    "Le président turc Recep Tayyip Erdogan et son homologue russe Vladimir Poutine ont annoncé un "
    "cessez-le-feu dans la province syrienne d'Idleb, qui doit entrer en vigueur à minuit jeudi."
)
ARABIC = "أعلن الرئيس التركي رجب طيب أردوغان ونظيره الروسي فلاديمير بوتين وقف إطلاق النار في إدلب بعد اجتماع في موسكو."


@pytest.mark.parametrize(("text", "language"), [(ENGLISH, "en"), (GERMAN, "de"), (FRENCH, "fr"), (ARABIC, "ar")])
def test_language(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_language_of_too_little_text_is_unknown() -> None:
    assert detect_language("") is None
    assert detect_language("Idlib") is None


# --- text flags ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("Opposition activists said the attack killed at least people , including children.", "numbers_stripped"),
        ("It raised the number of Turkish soldiers killed since February to .", "numbers_stripped"),
        ("Russian jets struck more than villages in the south.", "numbers_stripped"),
        ("The talks began on March , officials said.", "numbers_stripped"),
        ("Putin told Assad the efforts must be directed towardtrying to reach a deal.", "missing_spaces"),
        ("The efforts aim at achievingan agreement on Syria.", "missing_spaces"),
        ("He said so, the statementadded.", "missing_spaces"),
        ("Putin called Syrias Assad about the liberation of Syria.", "missing_apostrophes"),
        ("Russias army and the army of Russia advanced.", "missing_apostrophes"),
        ("He said he didnt know about the deal.", "missing_apostrophes"),
        ("Assad and Putin discussed the way forward for Syria, it said", "truncated"),
    ],
)
def test_flag_is_raised_on_evidence(text: str, flag: str) -> None:
    assert flag in text_flags(text)


@pytest.mark.parametrize(
    "text",
    [
        "At least 823 children have been killed in Idlib, and more than 728 civilians.",
        "He said he wanted to. The deal was signed in Moscow on March 5, 2020.",
        "Syria's army and Russia's air force fought the militias in Aleppo.",
        "Turkey's president met Russia's president; the Americas were not involved.",
        "The mentioned statement, released during the meeting, was long.",
        "He said: “We need to enable the ceasefire.”",
        "The Washington talks ended on Thursday.",
    ],
)
def test_clean_text_raises_no_flag(text: str) -> None:
    assert text_flags(text) == set()
