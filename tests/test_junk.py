"""Texts that are no article are rejected with a reason: navigation, login forms, encoded data,
random characters; articles that mention such things are kept."""

from __future__ import annotations

import base64
import random
import string
from pathlib import Path

import pytest

from ceasefire_news.dataset.corpus.build import BuildOptions, build_corpus
from ceasefire_news.dataset.corpus.junk import junk_reason
from ceasefire_news.dataset.corpus.workspace import Workspace

BODY = "Turkish and Russian officials met in Moscow on Thursday to discuss the ceasefire in Idlib."
BODY2 = "The talks lasted six hours, and both sides said the truce would hold from midnight."


def _random_ascii(n: int) -> str:
    rng = random.Random(7)
    return "".join(rng.choice(string.ascii_letters + string.digits + string.punctuation + "   ") for _ in range(n))


JUNK = {
    "navigation_only": "Home / World / Syria / Middle East / Log in\nNews | Sport | Weather | Contact",
    "login_form": "Log in\nUsername\nPassword\nRemember me\nForgot your password?\nCreate an account",
    "encoded_data": base64.b64encode(bytes(range(256)) * 3).decode(),
    "random_characters": _random_ascii(600),
}


@pytest.mark.parametrize("reason", sorted(JUNK))
def test_junk_is_named(reason: str) -> None:
    found = junk_reason(JUNK[reason])
    assert found is not None
    assert found[0] == reason


@pytest.mark.parametrize(
    "text",
    [
        f"{BODY}\n\n{BODY2}",
        f"{BODY}\n\nHome / World / Syria\n\n{BODY2}",
        "Activists said their password-protected channels were hacked. Log in attempts came from "
        "servers in Russia, the group said in a statement on Thursday.",
        "联合国特使周四在日内瓦表示，叙利亚停火协议基本得到遵守。\n\n各方同意下周继续在阿斯塔纳举行会谈。\n\n"
        "俄罗斯和土耳其将共同监督停火的执行情况。 " * 5,
        "Ceasefire holds in Idlib",
        f"| Town | Displaced | Returned |\n| Saraqeb | 12,000 | 4,500 |\n| Maarat al-Numan | 30,000 | 2,100 |\n{BODY}",
    ],
)
def test_articles_are_no_junk(text: str) -> None:
    assert junk_reason(text) is None


def test_the_build_rejects_junk_with_its_reason(tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    (source / "nav.txt").write_text(JUNK["navigation_only"] + "\n", encoding="utf-8")
    (source / "blob.txt").write_text(JUNK["encoded_data"] + "\n", encoding="utf-8")
    (source / "ok.txt").write_text(f"{BODY}\n\n{BODY2}\n", encoding="utf-8")
    report = build_corpus([source], Workspace(tmp_path / "ws"), progress=False, options=BuildOptions(workers=1))
    reasons = {Path(r.where).name: r.reason for r in report.rejections}
    assert reasons == {"nav.txt": "navigation_only", "blob.txt": "encoded_data"}


PRICE_LIST = "\n".join(
    [
        "Prices below are per night for two guests, breakfast and taxes included.",
        "| Room | Season | Price |",
        "|---|---|---|",
    ]
    + [
        f"| {room} | {season} | US$ {price} / € {price - 10} |"
        for room, season, price in [
            ("Double", "May", 120),
            ("Single", "June", 90),
            ("Suite", "July", 210),
            ("Family", "August", 180),
            ("Studio", "Winter", 75),
        ]
    ]
)

REFERENCE_MARKS = "\n".join(
    [
        "Zones[1][2] agreed,[3] Astana.[4][5]",
        "Shelling[6] resumed[7][8] overnight.[9]",
        "^ [10] [11] ^ [12][13] ^ [14]",
        "Monitors[15] counted[16][17] strikes.[18][19]",
    ]
)


@pytest.mark.parametrize("text", [PRICE_LIST, REFERENCE_MARKS], ids=["price_list", "reference_marks"])
def test_tables_and_reference_marks_are_not_random_characters(text: str) -> None:
    assert junk_reason(text) is None


def test_random_characters_with_brackets_and_prices_are_still_random() -> None:
    rng = random.Random(11)
    tokens = ["".join(rng.choice(string.ascii_letters + string.digits + "[]$|") for _ in range(9)) for _ in range(60)]
    found = junk_reason(" ".join(tokens))
    assert found is not None
    assert found[0] == "random_characters"
