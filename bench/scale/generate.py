"""A generated web crawl for the scale benchmark: WARC.gz files, or one HTML file per page.

    python -m bench.scale.generate --pages 100000 --out bench/out/scale/crawl-100k
    python -m bench.scale.generate --pages 10000 --out bench/out/scale/html-10k --format html

A WARC crawl is ``--files`` files ``OUT/warc/crawl-NNNNN.warc.gz`` (HTML:
``OUT/html/site-NNNNN/*.html``); every record is its own gzip
member: a ``warcinfo`` record first, then a ``request`` and a ``response`` record per fetched
URL. Responses carry ``Content-Type: text/html; charset=...`` (one page in five has its
charset only in a ``<meta>`` tag), and a few are not HTML (``image/png``,
``application/pdf``) or not a success (404, 301). The pages themselves are described in
:mod:`bench.scale.pages`. Output is byte-identical for the same arguments; ``crawl.json``
next to the files counts what was written (the expected counts a test and the runner use).

The WARC is written by hand (``WARC/1.0``, header lines, CRLF, ``Content-Length``, a blank
line, the block, CRLF CRLF), so generating needs nothing beyond the standard library.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import random
import sys
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from tqdm import tqdm

from bench import _project
from bench.scale.pages import Page, PageMaker, read_seeds, render

CRLF = b"\r\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
BASE_DATE = dt.datetime(2016, 9, 1, tzinfo=dt.UTC)


def warc_member(record_type: str, headers: dict[str, str], block: bytes) -> bytes:
    """One WARC/1.0 record, gzip-compressed as its own member (deterministic: mtime 0)."""
    lines = [b"WARC/1.0", f"WARC-Type: {record_type}".encode()]
    lines += [f"{name}: {value}".encode() for name, value in headers.items()]
    lines.append(f"Content-Length: {len(block)}".encode())
    record = CRLF.join(lines) + CRLF + CRLF + block + CRLF + CRLF
    return gzip.compress(record, compresslevel=6, mtime=0)


def _record_id(rng: random.Random) -> str:
    return f"<urn:uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}>"


def _http_response(status: str, content_type: str, body: bytes) -> bytes:
    head = f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode("ascii") + body


def _page_bytes(page: Page) -> tuple[str, bytes]:
    body = render(page).encode(page.charset, errors="xmlcharrefreplace")
    content_type = f"text/html; charset={page.charset}" if page.charset_in_header else "text/html"
    return content_type, body


def crawl_source(crawl: Path) -> Path:
    """The folder to build from: ``warc/`` or ``html/`` inside a generated crawl, else the folder."""
    for name in ("warc", "html"):
        if (crawl / name).is_dir():
            return crawl / name
    return crawl


def generate(
    out: Path,
    pages: int,
    seed: int = 2016,
    off_topic: float = 0.9,
    files: int | None = None,
    fmt: str = "warc",
    progress: bool = True,
) -> dict[str, Any]:
    """Write the crawl into ``out`` (a new or empty folder); return (and write) its counts."""
    if pages < 1:
        raise ValueError("--pages must be at least 1")
    if not 0.0 <= off_topic <= 1.0:
        raise ValueError("--off-topic must be between 0 and 1")
    files = files or max(1, pages // 1000)
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise ValueError(f"{out} is not empty; give a new folder")
    rng = random.Random(seed)
    maker = PageMaker(rng, read_seeds(_project.embedded_sources()), off_topic)
    counts: Counter[str] = Counter()
    families: set[int] = set()
    per_file = -(-pages // files)
    bar = tqdm(total=pages, unit="page", disable=not progress, file=sys.stderr)
    handle = None
    for index in range(pages):
        kind = rng.choices(["page", "png", "pdf", "404", "301"], weights=[970, 10, 5, 10, 5])[0]
        when = (BASE_DATE + dt.timedelta(seconds=index * 7)).strftime("%Y-%m-%dT%H:%M:%SZ")
        number = index // per_file
        if fmt == "warc" and index % per_file == 0:
            if handle is not None:
                handle.close()
            name = f"crawl-{number:05d}.warc.gz"
            (out / "warc").mkdir(exist_ok=True)
            handle = (out / "warc" / name).open("wb")
            info = f"software: bench.scale.generate\r\nformat: WARC File Format 1.0\r\nseed: {seed}\r\n".encode()
            handle.write(
                warc_member(
                    "warcinfo",
                    {
                        "WARC-Date": when,
                        "WARC-Record-ID": _record_id(rng),
                        "WARC-Filename": name,
                        "Content-Type": "application/warc-fields",
                    },
                    info,
                )
            )
            counts["files"] += 1
            counts["members"] += 1
            counts["warcinfo"] += 1
        page = maker.page(index)
        if kind == "page":
            content_type, body = _page_bytes(page)
            status = "200 OK"
            counts["on_topic" if page.on_topic else "off_topic"] += 1
            counts[f"lang_{page.language}"] += 1
            counts["charset_meta_only"] += not page.charset_in_header
            if page.on_topic:
                families.add(page.family)
        elif kind in ("png", "pdf"):
            content_type, body = ("image/png", PNG) if kind == "png" else ("application/pdf", PDF)
            status = "200 OK"
            counts["non_html"] += 1
        else:
            content_type, body = _page_bytes(page)
            status = "404 Not Found" if kind == "404" else "301 Moved Permanently"
            counts["non_200"] += 1
        if fmt == "html":
            if kind == "page":
                folder = out / "html" / f"site-{number:05d}"
                folder.mkdir(parents=True, exist_ok=True)
                (folder / f"{index:08d}.html").write_bytes(body)
                counts["files"] += 1
        else:
            assert handle is not None
            url = page.url + (".png" if kind == "png" else ".pdf" if kind == "pdf" else "")
            request_id = _record_id(rng)
            request = f"GET /{url.split('/', 3)[3]} HTTP/1.1\r\nHost: {url.split('/')[2]}\r\n\r\n".encode()
            handle.write(
                warc_member(
                    "request",
                    {
                        "WARC-Date": when,
                        "WARC-Record-ID": request_id,
                        "WARC-Target-URI": url,
                        "Content-Type": "application/http; msgtype=request",
                    },
                    request,
                )
            )
            handle.write(
                warc_member(
                    "response",
                    {
                        "WARC-Date": when,
                        "WARC-Record-ID": _record_id(rng),
                        "WARC-Target-URI": url,
                        "WARC-Concurrent-To": request_id,
                        "Content-Type": "application/http; msgtype=response",
                    },
                    _http_response(status, content_type, body),
                )
            )
            counts["members"] += 2
            counts["request"] += 1
            counts["response"] += 1
        bar.update(1)
    if handle is not None:
        handle.close()
    bar.close()
    summary: dict[str, Any] = {
        "format": fmt,
        "pages": pages,
        "seed": seed,
        "off_topic_share": off_topic,
        "story_families": len(families),
        **dict(sorted(counts.items())),
    }
    for key in ("on_topic", "off_topic", "non_html", "non_200"):
        summary.setdefault(key, 0)
    (out / "crawl.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, required=True, help="fetched URLs to write (HTML pages and the rest)")
    parser.add_argument("--out", type=Path, required=True, help="a new or empty folder")
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("--off-topic", type=float, default=0.9, help="share of HTML pages off topic (default 0.9)")
    parser.add_argument("--files", type=int, default=None, help="WARC files (default: one per 1,000 pages)")
    parser.add_argument(
        "--format",
        choices=["warc", "html"],
        default="warc",
        help="warc: WARC.gz files; html: one .html file per page, in folders",
    )
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    try:
        summary = generate(
            args.out, args.pages, args.seed, args.off_topic, args.files, args.format, progress=not args.no_progress
        )
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
