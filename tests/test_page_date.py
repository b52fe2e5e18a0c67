"""The date of a saved page: what its markup states, checked against the dates the page shows."""

from __future__ import annotations

import datetime as dt

import pytest

from ceasefire_news.dataset.corpus.document import RawArticle, RawPage
from ceasefire_news.dataset.corpus.page_dates import dates_in_text
from ceasefire_news.dataset.corpus.pages import extract_page

_BODY = "".join(
    f"<p>Paragraph {n} of the report: the convoy reached the eastern districts of Aleppo after the "
    "ceasefire took hold, and aid workers unloaded flour, medicine and blankets for the families.</p>"
    for n in range(1, 7)
)


def _page(head: str = "", before: str = "", byline: str = "", after: str = "") -> RawPage:
    html = (
        f"<html><head><title>Convoy reaches Aleppo</title>{head}</head><body>"
        f"<nav><a href='/'>Home</a> <a href='/world'>World</a></nav>{before}"
        f"<article><h1>Convoy reaches Aleppo</h1>{byline}{_BODY}</article>{after}</body></html>"
    )
    return RawPage("page.html", "page.html", html.encode("utf-8"))


def _date(page: RawPage) -> str | None:
    article = extract_page(page)
    assert isinstance(article, RawArticle), article
    return article.given_date


def _published(iso: str) -> str:
    return f'<meta property="article:published_time" content="{iso}">'


def test_the_stated_date_that_the_page_shows_is_taken() -> None:
    page = _page(_published("2020-03-05T10:00:00+00:00"), byline="<p class='date'>5 March 2020</p>")
    assert _date(page) == "2020-03-05"


def test_a_stated_date_the_page_does_not_show_still_stands() -> None:
    assert _date(_page(_published("2020-03-05T10:00:00+00:00"))) == "2020-03-05"


def test_the_date_shown_under_the_headline_wins_over_a_stated_date_the_page_does_not_show() -> None:
    # The markup gives the time in UTC, a day after the local date the page shows under the
    # headline; or the markup's date is the page's last change.
    page = _page(_published("2022-05-04T02:10:00Z"), byline="<p>Published 03.05.2022, 22:10</p>")
    assert _date(page) == "2022-05-03"
    page = _page(_published("2019-08-24T09:00:00Z"), byline="<time>August 16, 2019</time>")
    assert _date(page) == "2019-08-16"


def test_the_date_under_the_headline_wins_over_a_stated_date_shown_only_far_from_it() -> None:
    # The stated date is the page's last change, listed in a sidebar of recent updates.
    sidebar = "<footer>" + "<p>Recent updates to the site's pages and its older posts.</p>" * 12
    sidebar += "<p>Updated: 2 December 2022</p></footer>"
    page = _page(_published("2022-12-02T08:00:00Z"), byline="<p>29.11.2022</p>", after=sidebar)
    assert _date(page) == "2022-11-29"


def test_a_page_without_a_stated_date_takes_the_one_under_its_headline() -> None:
    assert _date(_page(byline="<div class='meta'>Von Anna Berg | 26. Januar 2022</div>")) == "2022-01-26"


def test_dates_far_from_the_headline_are_not_the_pages_date() -> None:
    footer = "<footer>" + "<p>Upcoming events and the archive of the site's older posts.</p>" * 12
    footer += "<p>Event: 12.03.2019, town hall</p></footer>"
    assert _date(_page(after=footer)) is None


def test_dates_in_scripts_and_styles_are_not_shown() -> None:
    script = '<script>var published = "5 March 2020";</script><style>/* 6 March 2020 */</style>'
    page = _page(byline=script)
    assert _date(page) is None


def test_a_date_next_to_the_stated_one_is_taken_only_within_a_day() -> None:
    far = "<footer>" + "<p>Older posts from the archive of this site, by month.</p>" * 12
    far += "<p>Archive: 4 May 2022</p><p>Archive: 20 May 2022</p></footer>"
    # 4 May is a day before the stated 5 May (a time zone), 20 May is not: far from the
    # headline, only the first replaces the stated date.
    assert _date(_page(_published("2022-05-05T01:00:00Z"), after=far)) == "2022-05-04"
    far_only = far.replace("<p>Archive: 4 May 2022</p>", "")
    assert _date(_page(_published("2022-05-05T01:00:00Z"), after=far_only)) == "2022-05-05"


@pytest.mark.parametrize(
    ("text", "dates"),
    [
        ("2022-05-03", [dt.date(2022, 5, 3)]),
        ("03.05.2022", [dt.date(2022, 5, 3)]),
        ("3. Mai 2022", [dt.date(2022, 5, 3)]),
        ("3 de mayo de 2022", [dt.date(2022, 5, 3)]),
        ("May 3rd, 2022", [dt.date(2022, 5, 3)]),
        ("Mar. 5, 2020", [dt.date(2020, 3, 5)]),
        ("5 mars 2020", [dt.date(2020, 3, 5)]),
        ("25/12/2021", [dt.date(2021, 12, 25)]),
        ("12/25/2021", [dt.date(2021, 12, 25)]),
        ("05/03/2020", [dt.date(2020, 3, 5), dt.date(2020, 5, 3)]),
        ("31.02.2020 and 2020-13-01", []),
        ("no. 12345.2020, 2020.05.03", []),
        ("in May 2022", []),
        # bylines with spaces around the dots, a bar, or a two-digit year
        ("Marius 18. 05. 2014 22:38", [dt.date(2014, 5, 18)]),
        ("mardi 10 . 12 . 19", [dt.date(2019, 12, 10)]),
        ("Login - 26 | 01 | 2022 Schweiz", [dt.date(2022, 1, 26)]),
        ("Von Dieter Sieckmeyer 19.10.19, 11:29 Uhr", [dt.date(2019, 10, 19)]),
        ("Erstellt am 01.01.23 um 08:35; 3.4.99", [dt.date(2023, 1, 1), dt.date(1999, 4, 3)]),
        ("version 1.2.10.5, v2.3.10, 192.168.1.10, 19.10.2019", [dt.date(2019, 10, 19)]),
    ],
)
def test_dates_in_text(text: str, dates: list[dt.date]) -> None:
    assert [date for _, date in dates_in_text(text)] == dates


# --- the extraction the dates are read beside -------------------------------------------------

_TABLE = (
    "<table><tr><th>City</th><th>Trucks</th></tr><tr><td>Aleppo</td><td>41</td></tr>"
    "<tr><td>Idlib</td><td>17</td></tr></table>"
)
_COMMENTS = (
    "<div id='comments' class='comments'><h3>Comments</h3>"
    "<div class='comment'><p>Reader one: thanks for the report, finally some good news from the city.</p></div>"
    "<div class='comment'><p>Reader two: let us hope it holds longer than the last truce in spring.</p></div></div>"
)


@pytest.mark.parametrize(
    "page",
    [
        _page(_published("2020-03-05T10:00:00+00:00"), byline="<p>5 March 2020</p>"),
        _page(byline="<script>var a = 1;</script><noscript>Enable scripts</noscript>", after=_COMMENTS),
        _page(byline=_TABLE + "<style>p { color: red }</style>"),
    ],
    ids=["dated", "scripts-and-comments", "table"],
)
def test_the_main_text_is_trafilaturas_and_reading_dates_changes_nothing(page: RawPage) -> None:
    import trafilatura

    expected = trafilatura.bare_extraction(page.data.decode(), include_comments=False, include_tables=True)
    article = extract_page(page)
    assert isinstance(article, RawArticle), article
    assert article.raw_text == expected.text
    assert "Reader one" not in article.raw_text
    assert "Enable scripts" not in article.raw_text


def test_a_stated_date_that_is_no_date_is_none() -> None:
    from ceasefire_news.dataset.corpus.page_dates import ShownDates, page_date

    assert page_date("2020-13-45", ShownDates([], None)) is None
    assert page_date("2020-03-05T10:00", ShownDates([], None)) == "2020-03-05"
    assert page_date(None, ShownDates([(10, dt.date(2021, 1, 2))], 0)) == "2021-01-02"
