"""The scale benchmark's crawl generator and projection (the measurement itself is a benchmark)."""

from __future__ import annotations

import gzip
from pathlib import Path

from bench.scale.generate import generate_crawl
from bench.scale.project import Assumptions, project
from ceasefire_news.dataset.corpus.build import BuildOptions, build_corpus
from ceasefire_news.dataset.corpus.workspace import Workspace


def test_the_generated_crawl_is_mostly_off_topic_pages_with_the_topic_in_every_menu(tmp_path: Path) -> None:
    crawl = generate_crawl(tmp_path / "crawl", 300, files=3, off_topic=0.9, seed=3)
    files = sorted(crawl.glob("*.warc.gz"))
    assert len(files) == 3
    text = b"".join(gzip.decompress(f.read_bytes()) for f in files)
    assert text.count(b"WARC-Type: response") == 300
    assert text.count(b"WARC-Type: warcinfo") == 3
    assert text.count(b"<li><a href='/syria'>Syria</a></li>") >= 2 * 290  # header and footer menus
    report = build_corpus([crawl], Workspace(tmp_path / "ws"), progress=False, options=BuildOptions(workers=1))
    assert 200 <= report.filtered["off_topic"] <= 290
    assert 10 <= report.kept <= 50
    assert report.filtered["warc_request"] == 300


def test_the_projection_divides_work_over_cores_and_adds_the_shuffle_and_one_task_steps() -> None:
    assume = Assumptions(
        cores_per_node=4, efficiency=0.5, link_gbit_s=1.0, kept_share=0.1, single_task_ms_per_kept_page=2
    )
    p = project(1_000_000, 2, 8.0, 10.0, assume)
    assert abs(p["compute_h"] - 1_000_000 * 8.0 / 1000 / (8 * 0.5) / 3600) < 1e-9
    assert abs(p["shuffle_h"] - 1_000_000 * 10.0 * 8 * 8 / (2 * 1e9) / 3600) < 1e-9
    assert abs(p["single_task_h"] - 100_000 * 2 / 1000 / 3600) < 1e-9
    assert abs(p["total_h"] - (p["compute_h"] + p["shuffle_h"] + p["single_task_h"])) < 1e-9
