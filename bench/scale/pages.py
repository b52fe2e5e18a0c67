"""The pages of a generated crawl: news-site HTML, on topic or not, in four languages.

Every page carries the same site chrome: a menu naming the topic's places (Syria, Aleppo,
Idlib, Damascus, ...) on every page, a header, a footer and an aside of "most read" links,
so that a topic filter that reads menus would keep every page. About ``1 - off_topic`` of the
pages are ceasefire-diplomacy stories recombined from the project's seed articles: new stories
(seed sentences mixed with generated ones) and syndicated copies of a recent story (the same
paragraphs, another site's chrome, a changed title and one sentence left out or added).
The rest are sports, economy, weather and culture pages whose main text names none of the
topic's terms.
"""

from __future__ import annotations

import html
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

MENU = ["Home", "World", "Syria", "Aleppo", "Idlib", "Damascus", "Middle East", "Sports", "Economy", "Weather"]
ASIDE = [
    "Syria ceasefire talks resume in Astana",
    "Aleppo truce holds for a second day",
    "Idlib de-escalation zone: what we know",
    "Damascus and Moscow discuss Geneva talks",
]
OFF_TOPICS = ("sports", "economy", "weather", "culture")
OFF_WORDS = {
    "sports": [
        "match",
        "team",
        "coach",
        "league",
        "goal",
        "season",
        "striker",
        "final",
        "stadium",
        "fans",
        "trophy",
        "club",
        "score",
        "injury",
        "transfer",
    ],
    "economy": [
        "market",
        "shares",
        "inflation",
        "bank",
        "rate",
        "growth",
        "exports",
        "budget",
        "investors",
        "prices",
        "index",
        "quarter",
        "profit",
        "trade",
    ],
    "weather": [
        "rain",
        "forecast",
        "storm",
        "temperatures",
        "wind",
        "coast",
        "snow",
        "sunshine",
        "front",
        "pressure",
        "humidity",
        "flood",
        "heat",
    ],
    "culture": [
        "festival",
        "film",
        "gallery",
        "novel",
        "concert",
        "museum",
        "premiere",
        "director",
        "audience",
        "exhibition",
        "theatre",
        "award",
    ],
}
FUNCTION = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "is",
    "that",
    "for",
    "on",
    "was",
    "with",
    "as",
    "by",
    "at",
    "from",
    "it",
    "has",
    "be",
    "have",
    "are",
    "said",
    "were",
    "its",
]
SYLLABLES = [
    "ba",
    "be",
    "bo",
    "ka",
    "ke",
    "ko",
    "la",
    "le",
    "lo",
    "ma",
    "me",
    "mo",
    "na",
    "ne",
    "no",
    "pa",
    "pe",
    "po",
    "ra",
    "re",
    "ro",
    "ta",
    "te",
    "to",
    "va",
    "ve",
    "vo",
    "za",
    "ze",
    "zu",
]
# Word starts the default topic matches; generated off-topic words must avoid them.
TOPIC_STARTS = (
    "syri",
    "ceas",
    "truce",
    "idlib",
    "aleppo",
    "astana",
    "sochi",
    "de-esc",
    "deesc",
    "damas",
    "ghouta",
    "homs",
    "daraa",
    "raqqa",
    "assad",
    "geneva",
    "humanit",
    "deir",
)
ON_WORDS = [
    "ceasefire",
    "truce",
    "Syria",
    "Aleppo",
    "Idlib",
    "Astana",
    "talks",
    "envoy",
    "monitors",
    "de-escalation",
    "Damascus",
]
CHARSETS = {"ar": "windows-1256", "ru": "windows-1251", "tr": "iso-8859-9"}
LANGUAGE_TEXT: dict[str, dict[str, list[str]]] = {
    "ar": {
        "on": [
            "وقف",
            "إطلاق",
            "النار",
            "في",
            "سوريا",
            "حلب",
            "إدلب",
            "الهدنة",
            "المفاوضات",
            "الأمم",
            "المتحدة",
            "المبعوث",
            "الحكومة",
        ],
        "off": [
            "المباراة",
            "الفريق",
            "السوق",
            "الأسعار",
            "الطقس",
            "الأمطار",
            "المهرجان",
            "الفيلم",
            "الجمهور",
            "الموسم",
            "البنك",
        ],
        "function": ["في", "من", "على", "إلى", "أن", "مع", "عن", "هذا", "التي", "الذي"],
    },
    "ru": {
        "on": [
            "перемирие",
            "Сирия",
            "Алеппо",
            "Идлиб",
            "прекращение",
            "огня",
            "переговоры",
            "Астана",
            "Дамаск",
            "посланник",
        ],
        "off": [
            "матч",
            "команда",
            "рынок",
            "цены",
            "погода",
            "дождь",
            "фестиваль",
            "фильм",
            "зрители",
            "сезон",
            "банк",
        ],
        "function": ["в", "и", "на", "с", "по", "что", "это", "как", "для", "из"],
    },
    "tr": {
        "on": ["ateşkes", "Suriye", "Halep", "İdlib", "Astana", "müzakere", "Şam", "heyet", "gözlemciler"],
        "off": [
            "maç",
            "takım",
            "piyasa",
            "fiyatlar",
            "hava",
            "yağmur",
            "festival",
            "film",
            "seyirci",
            "sezon",
            "banka",
        ],
        "function": ["ve", "bir", "bu", "için", "ile", "da", "de", "olarak", "daha", "çok"],
    },
}


@dataclass
class Seeds:
    """Titles and sentences of the seed articles, the material of on-topic pages."""

    titles: list[str]
    sentences: list[str]


def read_seeds(paths: list[Path]) -> Seeds:
    titles: list[str] = []
    sentences: list[str] = []
    for path in paths:
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        if not lines:
            continue
        titles.append(lines[0])
        for line in lines[2:]:
            sentences.extend(s for s in re.split(r"(?<=[.!?])\s+", line) if len(s.split()) >= 6)
    return Seeds(titles, sentences)


@dataclass
class Page:
    """One generated HTML page and what it is."""

    index: int
    url: str
    title: str
    paragraphs: list[str]
    language: str
    on_topic: bool
    family: int  # on-topic story family (syndicated copies share it); -1 off topic
    charset: str = "utf-8"
    charset_in_header: bool = True
    date: str = ""
    extra: dict[str, str] = field(default_factory=dict)


class PageMaker:
    """Makes pages one by one, deterministically from one random generator."""

    def __init__(self, rng: random.Random, seeds: Seeds, off_topic: float) -> None:
        self.rng = rng
        self.seeds = seeds
        self.off_topic = off_topic
        self.recent: list[Page] = []
        self.families = 0
        self.vocabulary = self._invent(4000)

    def _invent(self, count: int) -> list[str]:
        words: set[str] = set()
        while len(words) < count:
            word = "".join(self.rng.choices(SYLLABLES, k=self.rng.randint(2, 4)))
            if not word.startswith(TOPIC_STARTS):
                words.add(word)
        return sorted(words)

    def _sentence(self, topical: list[str], function: list[str], vocabulary: list[str]) -> str:
        rng = self.rng
        words = rng.choices(vocabulary, k=rng.randint(8, 18))
        for i in range(0, len(words), 3):
            words[i] = rng.choice(function)
        for _ in range(rng.randint(1, 2)):
            words[rng.randrange(len(words))] = rng.choice(topical)
        if rng.random() < 0.3:
            words[rng.randrange(len(words))] = str(rng.randint(2, 2019))
        return " ".join(words).capitalize() + "."

    def _paragraphs(self, count: int, sentence: Callable[[], str]) -> list[str]:
        return [" ".join(sentence() for _ in range(self.rng.randint(2, 4))) for _ in range(count)]

    def page(self, index: int) -> Page:
        rng = self.rng
        language = rng.choices(["en", "ar", "ru", "tr"], weights=[85, 6, 5, 4])[0]
        date = f"2016-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        url_site = f"news{rng.randint(1, 40)}.example"
        on = rng.random() >= self.off_topic
        if on and language == "en" and self.recent and rng.random() < 0.3:
            page = self._copy(rng.choice(self.recent), index, url_site, date)
        elif on:
            page = self._story(index, language, url_site, date)
        else:
            page = self._off(index, language, url_site, date)
        if page.language != "en":
            page.charset = CHARSETS[page.language]
        page.charset_in_header = rng.random() >= 0.2
        return page

    def _story(self, index: int, language: str, site: str, date: str) -> Page:
        rng = self.rng
        self.families += 1
        family = self.families
        if language == "en":
            own = self.vocabulary

            def sentence() -> str:
                if rng.random() < 0.35:
                    return rng.choice(self.seeds.sentences)
                return self._sentence(ON_WORDS, FUNCTION, own)

            base = rng.choice(self.seeds.titles)
            title = f"{base} ({rng.choice(self.vocabulary).capitalize()} {rng.randint(1, 999)})"
        else:
            text = LANGUAGE_TEXT[language]

            def sentence() -> str:
                return self._sentence(text["on"], text["function"], self.vocabulary + text["off"])

            title = " ".join(rng.choices(text["on"], k=5))
        paragraphs = self._paragraphs(rng.randint(4, 9), sentence)
        page = Page(index, f"https://{site}/world/{index:08d}", title, paragraphs, language, True, family, date=date)
        if language == "en":
            self.recent = [*self.recent, page][-20:]
        return page

    def _copy(self, original: Page, index: int, site: str, date: str) -> Page:
        rng = self.rng
        paragraphs = list(original.paragraphs)
        if rng.random() < 0.5 and len(paragraphs) > 3:
            del paragraphs[rng.randrange(len(paragraphs))]
        else:
            paragraphs.append(f"({rng.choice(['Reuters', 'AFP', 'AP', 'Xinhua'])} contributed to this report.)")
        title = rng.choice(["", "UPDATE: ", "Analysis: "]) + original.title
        return Page(
            index, f"https://{site}/world/{index:08d}", title, paragraphs, "en", True, original.family, date=date
        )

    def _off(self, index: int, language: str, site: str, date: str) -> Page:
        rng = self.rng
        topic = rng.choice(OFF_TOPICS)
        if language == "en":
            words = OFF_WORDS[topic]

            def sentence() -> str:
                return self._sentence(words, FUNCTION, self.vocabulary)

            title = " ".join(w.capitalize() for w in rng.choices(words + self.vocabulary, k=6))
        else:
            text = LANGUAGE_TEXT[language]

            def sentence() -> str:
                return self._sentence(text["off"], text["function"], self.vocabulary)

            title = " ".join(rng.choices(text["off"], k=5))
        paragraphs = self._paragraphs(rng.randint(3, 8), sentence)
        return Page(index, f"https://{site}/{topic}/{index:08d}", title, paragraphs, language, False, -1, date=date)


def render(page: Page) -> str:
    """The page as an HTML document; the charset is in a meta tag unless the header has it."""
    esc = html.escape
    meta = "" if page.charset_in_header else f'<meta charset="{page.charset}">'
    menu = "".join(f'<li><a href="/{esc(item.lower())}">{esc(item)}</a></li>' for item in MENU)
    aside = "".join(f"<li>{esc(item)}</li>" for item in ASIDE)
    body = "\n".join(f"<p>{esc(p)}</p>" for p in page.paragraphs)
    return (
        f'<!DOCTYPE html>\n<html lang="{page.language}"><head>{meta}<title>{esc(page.title)}</title></head>\n'
        f'<body><header><div class="logo">{esc(page.url.split("/")[2])}</div>'
        f"<nav><ul>{menu}</ul></nav></header>\n"
        f'<main><article><h1>{esc(page.title)}</h1><time datetime="{page.date}">{page.date}</time>\n'
        f"{body}\n</article></main>\n"
        f"<aside><h3>Most read</h3><ul>{aside}</ul></aside>\n"
        f"<footer><p>Copyright 2016 {esc(page.url.split('/')[2])}. Syria | Aleppo | Idlib | Damascus</p>"
        f'<nav><a href="/about">About</a></nav></footer></body></html>\n'
    )
