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
