"""A generated news crawl as WARC.gz files: the input of the scale benchmark.

Every page is an HTML article page of a news site whose menu names the topic's places
(Syria, Aleppo, Idlib, Damascus) on every page, with a header, footer and sidebar. About
``--off-topic`` of the pages (90% by default) are other news (sport, markets, weather,
culture); the rest are ceasefire-diplomacy stories, shaped like the seed articles (they
come from ``bench/build/generate.py``, with its syndicated copies and shared paragraphs).
Each file starts with a ``warcinfo`` record; each page is a ``request`` and a ``response``
record, each its own gzip member; a few responses are images or errors, as in a crawl.

    python -m bench.scale.generate --pages 100000 --out bench/out/scale/crawl-100000
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

from bench import _project
from bench.build.generate import generate

OFF_TOPIC_WORDS = {
    "sport": [
        "match",
        "goal",
        "striker",
        "coach",
        "league",
        "season",
        "stadium",
        "referee",
        "title",
        "cup",
        "fans",
        "squad",
        "injury",
    ],
    "markets": [
        "shares",
        "index",
        "investors",
        "profit",
        "quarter",
        "revenue",
        "bank",
        "rates",
        "inflation",
        "bonds",
        "dollar",
        "growth",
    ],
    "weather": [
        "rain",
        "storm",
        "temperatures",
        "forecast",
        "wind",
        "snow",
        "flooding",
        "heat",
        "coast",
        "weekend",
        "warning",
        "clouds",
    ],
    "culture": [
        "film",
        "festival",
        "director",
        "album",
        "concert",
        "novel",
        "gallery",
        "exhibition",
        "award",
        "premiere",
        "audience",
    ],
}
MENU = (
    "<nav class='menu'><ul><li><a href='/'>Home</a></li><li><a href='/world'>World</a></li>"
    "<li><a href='/syria'>Syria</a></li><li><a href='/aleppo'>Aleppo</a></li><li><a href='/idlib'>Idlib</a></li>"
    "<li><a href='/damascus'>Damascus</a></li><li><a href='/sport'>Sport</a></li></ul></nav>"
)
ASIDE = "<aside><h3>Most read</h3><ul><li><a href='/syria/talks'>Syria talks resume in Astana</a></li></ul></aside>"


def _off_topic(rng: random.Random) -> tuple[str, str]:
    section = rng.choice(sorted(OFF_TOPIC_WORDS))
    words = OFF_TOPIC_WORDS[section]
    paragraphs = []
    for _ in range(rng.randint(4, 9)):
        sentences = []
        for _ in range(rng.randint(2, 4)):
            chosen = rng.sample(words, 6)
            sentences.append(
                f"The {chosen[0]} and the {chosen[1]} {chosen[2]} after the {chosen[3]} of {chosen[4]} {chosen[5]}."
            )
        paragraphs.append(" ".join(sentences))
    title = f"{section.title()}: {' '.join(rng.sample(words, 4))}"
    return title, "\n".join(paragraphs)


def _page(title: str, text: str, date: str, meta_charset: bool) -> bytes:
    paragraphs = "".join(f"<p>{line}</p>" for line in text.split("\n") if line.strip())
    charset = "<meta charset='utf-8'>" if meta_charset else ""
    html = (
        f"<!DOCTYPE html><html><head>{charset}<title>{title} | Levant Daily</title>"
        f"<meta property='article:published_time' content='{date}'></head><body>"
        f"<header><div class='logo'>Levant Daily</div>{MENU}</header>"
        f"<main><article><h1>{title}</h1><time datetime='{date}'>{date}</time>{paragraphs}</article>{ASIDE}</main>"
        "<footer><p>Levant Daily. All rights reserved.</p>" + MENU + "</footer></body></html>"
    )
    return html.encode("utf-8")


def generate_crawl(out: Path, pages: int, *, files: int | None = None, off_topic: float = 0.9, seed: int = 7) -> Path:
    """Write the crawl (``files`` WARC.gz files, default one per 1,000 pages); returns ``out``."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    files = files or max(1, pages // 1000)
    on_topic = max(1, round(pages * (1 - off_topic)))
    stories = generate(out / ".stories.jsonl", on_topic, seed=seed)
    story_lines = stories.open(encoding="utf-8")
    per_file = -(-pages // files)
    made = 0
    for number in range(files):
        records = [
            _project.warc_record(
                "warcinfo", "", b"software: bench.scale.generate\r\n", content_type="application/warc-fields"
            )
        ]
        for _ in range(min(per_file, pages - made)):
            made += 1
            url = f"https://levant-daily.example/{made:07d}"
            date = f"2016-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            warc_date = f"{date}T{rng.randint(0, 23):02d}:00:00Z"
            records.append(
                _project.warc_record("request", url, f"GET /{made} HTTP/1.1\r\n\r\n".encode(), date=warc_date)
            )
            roll = rng.random()
            if roll < 0.01:
                block = _project.http_response(b"\x89PNG\r\n" + bytes(200), "image/png")
            elif roll < 0.02:
                block = _project.http_response(b"<html>not found</html>", status="404 Not Found")
            elif made <= pages and rng.random() >= off_topic and (line := story_lines.readline()):
                story = json.loads(line)
                html = _page(story.get("title") or "Untitled", story["text"], date, rng.random() < 0.5)
                block = _project.http_response(html, "text/html; charset=utf-8")
            else:
                html = _page(*_off_topic(rng), date, meta_charset=True)
                block = _project.http_response(html, "text/html")
            records.append(_project.warc_record("response", url, block, date=warc_date))
        (out / f"crawl-{number:05d}.warc.gz").write_bytes(b"".join(records))
    story_lines.close()
    stories.unlink()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=100_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--files", type=int, default=None, help="WARC files (default: one per 1,000 pages)")
    parser.add_argument("--off-topic", type=float, default=0.9, help="share of off-topic pages")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    generate_crawl(args.out, args.pages, files=args.files, off_topic=args.off_topic, seed=args.seed)
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
