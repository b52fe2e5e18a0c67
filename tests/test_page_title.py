"""The article's title from an HTML page: its headline without the site's name."""

from __future__ import annotations

import pytest

from ceasefire_news.dataset.corpus.metadata import page_title


@pytest.mark.parametrize(
    ("title", "headings", "site", "url", "expected"),
    [
        ("Truce holds in Idlib - Aerobuzz.de", [], None, None, "Truce holds in Idlib"),
        ("Truce holds in Idlib | EL DIARIO", [], "El Diario", None, "Truce holds in Idlib"),
        ("Truce holds in Idlib › evang.at", [], None, None, "Truce holds in Idlib"),
        (
            "Truce holds in Idlib - AOC media - Analyse Opinion Critique",
            [],
            None,
            "https://aoc.media/2019/12/09/truce",
            "Truce holds in Idlib",
        ),
        ("NWX Magazin | Talks resume in Geneva", ["Talks resume in Geneva"], None, None, "Talks resume in Geneva"),
        ("Talks resume in Geneva", ["TALKS RESUME IN GENEVA"], None, None, "TALKS RESUME IN GENEVA"),
        (
            "Daily Syria Blog",
            ["Daily Syria Blog", "Convoy reaches Douma"],
            "Daily Syria Blog",
            None,
            "Convoy reaches Douma",
        ),
        ("Syria – the war nobody wins", [], None, None, "Syria – the war nobody wins"),
        (
            "Korsetts - Shops, Designer, online kaufen",
            [],
            None,
            "https://example.de/k",
            "Korsetts - Shops, Designer, online kaufen",
        ),
        (None, ["Convoy reaches Douma"], None, None, "Convoy reaches Douma"),
        (None, [], None, None, None),
    ],
)
def test_page_title(
    title: str | None, headings: list[str], site: str | None, url: str | None, expected: str | None
) -> None:
    assert page_title(title, headings, site, url) == expected


@pytest.mark.parametrize(
    ("title", "headings", "expected"),
    [
        # The page title typed plainer than the headline: the headline as written.
        ("Alles hat seine Zeit... | Marktplatz", ["Alles hat seine Zeit…"], "Alles hat seine Zeit…"),
        ("Korsetts - Shops, online kaufen", ["Korsetts – Shops, online kaufen"], "Korsetts – Shops, online kaufen"),
        ("Editor's Letter: bye Baby", ["Editor’s Letter: bye Baby"], "Editor’s Letter: bye Baby"),
        # An editor's search-engine title names the headline: the headline.
        ("Reise-ABC Singapur mit allgemeinen Reise Tipps", ["Reise ABC für Singapur"], "Reise ABC für Singapur"),
        # A heading that shares nothing with the page title is not its headline.
        ("Convoy reaches Douma - Levant Wire", ["Most read this week"], "Convoy reaches Douma - Levant Wire"),
    ],
)
def test_the_headline_shown_on_the_page_wins_where_the_page_title_names_it(
    title: str, headings: list[str], expected: str
) -> None:
    assert page_title(title, headings, None, None) == expected


def test_a_page_without_h1_takes_its_first_h2_as_headline() -> None:
    title = "Getränke per Schiff ins Stadtzentrum: Olympia in Paris"
    assert page_title(title, [], None, None, ["Getränke per Schiff ins Stadtzentrum"]) == (
        "Getränke per Schiff ins Stadtzentrum"
    )
