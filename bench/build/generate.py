"""A deterministic synthetic raw corpus shaped like the seed articles, as JSON Lines.

Each line is ``{"text", "title", "url", "outlet", "date"}`` where ``text`` is a scraped page:
debris lines, a dateline, a story code, the title (sometimes twice), photo captions and
``[caption]`` shortcodes, paragraphs of news-like sentences (some with their numbers
stripped or words run together, as in the seeds), related-story bullets, PHP
``string(N) "[...]"`` dumps, and comment-form debris at the end.

Near-duplicates, as a real crawl has them:

- syndicated copies (``--copy-rate``): the paragraphs of an earlier article, some edited
  by a word or two, one sometimes dropped, under another outlet's boilerplate;
- shared paragraphs (``--share-rate``): a new article quoting one whole paragraph of an
  earlier one (seeds 000 and 001 do this);
- exact duplicates (``--duplicate-rate``): the same page again.

Lengths vary from short briefs to long features (about 80 to 1,500 words). The same
``--seed`` and ``--count`` give the same bytes. Memory stays flat: only a window of recent
articles is kept to copy from.

    python -m bench.build.generate --count 10000 --out bench/out/build/raw-10000.jsonl
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
from collections import deque
from dataclasses import dataclass
from pathlib import Path

NAMES = [
    "Putin",
    "Erdogan",
    "Assad",
    "Lavrov",
    "Cavusoglu",
    "Shoigu",
    "Yildirim",
    "Kalin",
    "Rudskoi",
    "Obama",
    "Kerry",
    "de Mistura",
    "Zarif",
    "Rouhani",
    "Guterres",
    "Nasrallah",
    "Trump",
    "Pompeo",
    "Akar",
    "Peskov",
]
PLACES = [
    "Aleppo",
    "Idlib",
    "Damascus",
    "Moscow",
    "Ankara",
    "Astana",
    "Sochi",
    "Geneva",
    "Raqqa",
    "Homs",
    "Hama",
    "Latakia",
    "Afrin",
    "Manbij",
    "Deir ez-Zor",
    "Ghouta",
    "Daraa",
    "Antakya",
    "Tehran",
    "Washington",
    "Hangzhou",
    "Ramouseh",
]
ACTORS = [
    "the Syrian army",
    "Russian warplanes",
    "Turkish troops",
    "the armed opposition",
    "rebel fighters",
    "government forces",
    "the Kremlin",
    "Turkish officials",
    "the United Nations",
    "Human Rights Watch",
    "the White Helmets",
    "Iranian advisers",
    "Kurdish militants",
    "the Free Syrian Army",
    "Hayat Tahrir al-Sham",
    "the US State Department",
]
VERBS = [
    "agreed",
    "announced",
    "rejected",
    "accused",
    "welcomed",
    "demanded",
    "warned",
    "confirmed",
    "denied",
    "proposed",
    "discussed",
    "threatened",
    "supported",
    "condemned",
    "called for",
    "negotiated",
    "violated",
    "extended",
    "suspended",
    "monitored",
]
OBJECTS = [
    "a ceasefire",
    "the truce",
    "a humanitarian corridor",
    "the evacuation of civilians",
    "joint patrols",
    "a de-escalation zone",
    "peace talks",
    "the withdrawal of troops",
    "airstrikes on residential areas",
    "the delivery of aid",
    "a prisoner exchange",
    "the memorandum of understanding",
    "a cessation of hostilities",
    "security guarantees",
]
_FILLER_TEXT = (
    "on Thursday late Friday earlier this week according to sources said in a statement "
    "officials reported told reporters the two sides after a meeting in the province "
    "near the border despite pressure from amid fears of a new offensive while "
    "the talks continued as part of an agreement reached in with the aim of ensuring "
    "that the fighting would stop for the first time since the beginning of the war "
    "residents fled their homes thousands of people hundreds of families were displaced "
    "heavy shelling continued overnight local activists claimed a spokesman added "
    "analysts believe the deal remains fragile observers expect further negotiations"
)
FILLER = _FILLER_TEXT.split()
#: English function words with their rough frequencies in news text (per cent of all words).
#: They make up about a quarter of real English prose (the six the project's language
#: pre-check counts are 21 to 25% in the seed articles), so filler draws them at that rate;
#: filler drawn from the invented words alone read as no language at all.
FUNCTION_WORDS = {
    "the": 6.0,
    "of": 3.0,
    "and": 2.8,
    "to": 2.6,
    "a": 2.2,
    "in": 2.0,
    "that": 1.0,
    "is": 1.0,
    "for": 0.9,
    "was": 0.9,
    "on": 0.7,
    "with": 0.7,
    "as": 0.7,
    "by": 0.5,
    "at": 0.5,
    "from": 0.4,
}
FUNCTION_SHARE = 0.27
#: Bumped whenever the same seed and count give other bytes; part of the cached file's name.
CORPUS_VERSION = 2
OUTLETS = [
    ("Press TV", "presstv.example"),
    ("Al Jazeera English", "aljazeera.example"),
    ("Breitbart", "breitbart.example"),
    ("Islam Times", "islamtimes.example"),
    ("The Iran Project", "theiranproject.example"),
    ("Levant Wire", "levantwire.example"),
    ("Anadolu Agency", "aa.example"),
    ("TASS", "tass.example"),
    ("Hurriyet Daily", "hurriyet.example"),
    ("Rudaw", "rudaw.example"),
    ("Daily Sabah", "dailysabah.example"),
    ("SANA", "sana.example"),
]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


DEFAULT_COPY_RATE, DEFAULT_SHARE_RATE, DEFAULT_DUPLICATE_RATE = 0.12, 0.04, 0.01


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass(frozen=True, slots=True)
class Rates:
    """Shares of articles that are syndicated copies, share a paragraph, or repeat a page."""

    copy: float = DEFAULT_COPY_RATE
    share: float = DEFAULT_SHARE_RATE
    duplicate: float = DEFAULT_DUPLICATE_RATE


class Generator:
    """Articles one at a time; a window of recent ones feeds the near-duplicates."""

    def __init__(self, seed: int, rates: Rates, window: int = 2000) -> None:
        self.rng = random.Random(seed)
        self.rates = rates
        self.recent: deque[tuple[str, list[str], str]] = deque(maxlen=window)  # title, paras, page
        self.serial = 0
        # A word list large enough that unrelated articles share almost no 5-word shingle.
        letters = "abcdefghijklmnopqrstuvwxyz"
        self.words = FILLER + ["".join(self.rng.choices(letters, k=self.rng.randint(3, 9))) for _ in range(6000)]
        total = sum(FUNCTION_WORDS.values())
        weights = [(1 - FUNCTION_SHARE) / len(self.words)] * len(self.words) + [
            FUNCTION_SHARE * share / total for share in FUNCTION_WORDS.values()
        ]
        self.words += list(FUNCTION_WORDS)
        self.cum_weights = list(itertools.accumulate(weights))

    # --- text pieces -------------------------------------------------------------------

    def sentence(self) -> str:
        rng = self.rng
        core = [
            _capitalized(rng.choice(ACTORS)),
            rng.choice(VERBS),
            rng.choice(OBJECTS),
            "in",
            rng.choice(PLACES),
        ]
        filler = rng.choices(self.words, cum_weights=self.cum_weights, k=rng.randint(6, 22))
        if rng.random() < 0.3:
            filler.insert(rng.randrange(len(filler) + 1), f"{rng.randint(2, 900)} people")
        if rng.random() < 0.2:
            filler.insert(0, f"{rng.choice(NAMES)} said")
        text = " ".join(core + filler) + "."
        if rng.random() < 0.03:  # numbers stripped in the source, as in seed 004
            text = text.replace(" people", " people ,", 1)
        if rng.random() < 0.02:  # words run together, as in seed 003
            text = text.replace(" ", "", 1)
        return text

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(1, 4)))

    def title(self) -> str:
        rng = self.rng
        return (
            f"{rng.choice(NAMES)}, {rng.choice(NAMES)} {rng.choice(VERBS)} "
            f"{rng.choice(OBJECTS)} in {rng.choice(PLACES)}"
        ).title()

    def date(self) -> tuple[str, str]:
        rng = self.rng
        year, month, day = rng.randint(2016, 2020), rng.randint(1, 12), rng.randint(1, 28)
        return (
            f"{year:04d}-{month:02d}-{day:02d}",
            f"{rng.choice(DAYS)} {day} {MONTHS[month - 1]} {year} - {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
        )

    def php_dump(self) -> str:
        rng = self.rng
        items = ",".join(
            json.dumps(
                {
                    "id": str(rng.randint(10**6, 10**7)),
                    "sort": str(rng.randint(10**6, 10**7)),
                    "contenttypeid": "21",
                    "pic": f"/2016/06/16/alalam_{rng.randint(10**9, 10**10)}.jpg",
                    "title": self.title(),
                },
                separators=(",", ":"),
            )
            for _ in range(rng.randint(2, 5))
        )
        body = f"[{items}]"
        return f'string({len(body)}) "{body}"'

    def caption(self) -> str:
        rng = self.rng
        text = f"{rng.choice(NAMES)} and {rng.choice(NAMES)} in {rng.choice(PLACES)}. (Photo by AFP)"
        if rng.random() < 0.5:
            return f'[caption id="" align="aligncenter" width="{rng.randint(300, 900)}"] {text}[/caption]'
        return text

    def page(self, title: str, paragraphs: list[str], outlet: str, url: str) -> str:
        """Boilerplate of one outlet around the article's paragraphs."""
        rng = self.rng
        _, dateline = self.date()
        head = []
        if rng.random() < 0.4:
            head.append(rng.choice(["0", "in", "29 Mar 2024", "Menu", "Search"]))
        head.append(dateline)
        if rng.random() < 0.5:
            head.append(f"Story Code : {rng.randint(10**5, 10**6)}")
        head += ["", title]
        if rng.random() < 0.4:
            head.append(title)
        if rng.random() < 0.5:
            caption = self.caption()
            head += [caption, caption] if rng.random() < 0.3 else [caption]
        body = list(paragraphs)
        if rng.random() < 0.3:
            at = rng.randrange(len(body) + 1)
            body[at:at] = ["More:"] + [f"  \u2022 {self.title()}" for _ in range(rng.randint(2, 4))]
        tail = [f"{outlet} reported."] if rng.random() < 0.3 else []
        if rng.random() < 0.25:
            tail += [str(rng.randint(1, 999)), "", "Category:", self.php_dump()]
        if rng.random() < 0.5:
            tail += ["Comment", "Your Name", "Your Email Address", url]
        if rng.random() < 0.2:
            tail += ["Leave a Reply", "Your email address will not be published."]
        sep = "\n \n" if rng.random() < 0.3 else "\n\n"
        return "\n".join(head) + "\n\n" + sep.join(body) + "\n\n" + "\n".join(tail) + "\n"

    # --- articles ----------------------------------------------------------------------

    def article(self) -> dict[str, str]:
        rng = self.rng
        self.serial += 1
        outlet, domain = rng.choice(OUTLETS)
        url = f"https://{domain}/news/{self.serial:07d}"
        iso, _ = self.date()
        roll = rng.random()
        if self.recent and roll < self.rates.duplicate:
            title, paragraphs, page = rng.choice(self.recent)
            return {"text": page, "title": title, "url": url, "outlet": outlet, "date": iso}
        if self.recent and roll < self.rates.duplicate + self.rates.copy:
            title, source, _ = rng.choice(self.recent)
            paragraphs = [self._edit(p) if rng.random() < 0.2 else p for p in source]
            if len(paragraphs) > 4 and rng.random() < 0.5:
                del paragraphs[rng.randrange(len(paragraphs))]
        else:
            # Skewed lengths: mostly 4-15 paragraphs, some long features.
            count = max(2, min(60, int(rng.lognormvariate(2.1, 0.55))))
            paragraphs = [self.paragraph() for _ in range(count)]
            title = self.title()
            if self.recent and roll < self.rates.duplicate + self.rates.copy + self.rates.share:
                _, source, _ = rng.choice(self.recent)
                long = [p for p in source if len(p.split()) >= 25]
                if long:
                    paragraphs.insert(rng.randrange(len(paragraphs) + 1), rng.choice(long))
        page = self.page(title, paragraphs, outlet, url)
        self.recent.append((title, paragraphs, page))
        return {"text": page, "title": title, "url": url, "outlet": outlet, "date": iso}

    def _edit(self, paragraph: str) -> str:
        words = paragraph.split(" ")
        words[self.rng.randrange(len(words))] = self.rng.choice(FILLER)
        return " ".join(words)


def generate(path: Path, count: int, seed: int = 2016, rates: Rates | None = None) -> Path:
    """Write ``count`` articles to ``path`` (JSON Lines) through a temporary file."""
    generator = Generator(seed, rates or Rates())
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    with open(tmp, "w", encoding="utf-8") as out:
        for _ in range(count):
            out.write(json.dumps(generator.article(), ensure_ascii=False) + "\n")
    tmp.replace(path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, required=True, help="articles to write")
    parser.add_argument("--out", type=Path, required=True, help="JSON Lines file to write")
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("--copy-rate", type=float, default=DEFAULT_COPY_RATE)
    parser.add_argument("--share-rate", type=float, default=DEFAULT_SHARE_RATE)
    parser.add_argument("--duplicate-rate", type=float, default=DEFAULT_DUPLICATE_RATE)
    args = parser.parse_args(argv)
    rates = Rates(copy=args.copy_rate, share=args.share_rate, duplicate=args.duplicate_rate)
    generate(args.out, args.count, args.seed, rates)
    print(f"wrote {args.count} articles to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
