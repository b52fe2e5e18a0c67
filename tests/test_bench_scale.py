"""The scale benchmark's generated crawl reads back as it says, and its projection follows its formula."""

from __future__ import annotations

import gzip
import json
import zlib
from collections import Counter
from pathlib import Path

import pytest
from fastwarc import warc

from bench.scale.generate import generate
from bench.scale.project import Assumptions, projected_seconds


def _gzip_members(path: Path) -> int:
    data, members = path.read_bytes(), 0
    while data:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        inflater.decompress(data)
        assert inflater.eof
        data = inflater.unused_data
        members += 1
    return members


def test_generated_crawl_reads_back_with_its_counts(tmp_path: Path) -> None:
    summary = generate(tmp_path / "crawl", 60, seed=7, off_topic=0.5, files=3, progress=False)
    assert summary == json.loads((tmp_path / "crawl" / "crawl.json").read_text())
    files = sorted((tmp_path / "crawl" / "warc").glob("*.warc.gz"))
    assert len(files) == 3
    types: Counter[str] = Counter()
    pages: Counter[str] = Counter()
    for path in files:
        with path.open("rb") as stream:
            for record in warc.ArchiveIterator(stream, parse_http=True):
                kind = str(record.record_type).rsplit(".", 1)[-1]
                types[kind] += 1
                if kind != "response":
                    continue
                content_type = record.http_headers.get("Content-Type", "")
                if not content_type.startswith("text/html"):
                    pages["non_html"] += 1
                elif record.http_headers.status_code != 200:
                    pages["non_200"] += 1
                else:
                    # The menu names Syria on every page; only the main text tells the topic.
                    body = record.reader.read().decode("latin-1")
                    head, main = body.split("<main>", 1)
                    assert "Syria" in head
                    assert "Aleppo" in head
                    on = "/world/" in record.headers.get("WARC-Target-URI", "")
                    if 'lang="en"' in head:
                        terms = ("ceasefire", "Syria", "truce", "Aleppo", "Idlib", "Astana", "Damascus")
                        assert on == any(term in main.split("</main>")[0] for term in terms)
                    pages["on_topic" if on else "off_topic"] += 1
    assert types == {"warcinfo": 3, "request": 60, "response": 60}
    assert sum(_gzip_members(path) for path in files) == summary["members"] == 3 + 2 * 60
    for key in ("non_html", "non_200", "off_topic"):
        assert pages[key] == summary[key], key
    assert pages["on_topic"] == summary["on_topic"] > 0
    assert summary["off_topic"] > 0
    assert summary["non_html"] + summary["non_200"] > 0
    again = generate(tmp_path / "again", 60, seed=7, off_topic=0.5, files=3, progress=False)
    assert again == summary
    assert [gzip.decompress(p.read_bytes()) for p in files] == [
        gzip.decompress(p.read_bytes()) for p in sorted((tmp_path / "again" / "warc").glob("*.warc.gz"))
    ]


def test_projection_follows_its_formula() -> None:
    assume = Assumptions(cores_per_node=4, link_gbps=8.0, efficiency=0.5)
    t = projected_seconds(
        1_000_000, 10, cpu_ms_per_page=2.0, shuffle_bytes_per_page=500.0, driver_bytes_per_page=10.0, assume=assume
    )
    # 2,000 CPU s over 10 x 4 cores at 0.5; 5e8 B x 9/10 over 10 links of 1e9 B/s; 1e7 B over one link.
    assert t["compute_s"] == pytest.approx(2000 / 20)
    assert t["shuffle_s"] == pytest.approx(5e8 * 0.9 / 1e10)
    assert t["driver_s"] == pytest.approx(1e7 / 1e9)
    assert t["total_s"] == pytest.approx(100 + 0.045 + 0.01)
    assert projected_seconds(1_000_000, 1, 2.0, 500.0, 0.0, assume)["shuffle_s"] == 0.0
