"""Incremental builds: each unchanged source file's result comes from the workspace's cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from ceasefire_news.dataset.corpus import units
from ceasefire_news.dataset.corpus.build import BuildOptions, build_corpus
from ceasefire_news.dataset.corpus.workspace import Workspace
from tests.ray_support import folder_digests, jsonl_parts


@pytest.fixture
def news(tmp_path: Path) -> Path:
    return jsonl_parts(tmp_path / "news", 600, 6)


def grow(news: Path, tmp_path: Path) -> None:
    """Add a file of new articles to the source folder."""
    extra = jsonl_parts(tmp_path / "extra", 100, 1, seed=99)
    (extra / "part-000.jsonl").rename(news / "part-zzz.jsonl")


def test_adding_a_file_processes_that_file_only_and_gives_the_same_version(news: Path, tmp_path: Path) -> None:
    cached_ws, fresh_ws = Workspace(tmp_path / "cached"), Workspace(tmp_path / "fresh")
    with_cache = BuildOptions(workers=2, chunk_size=64)
    without = BuildOptions(workers=2, chunk_size=64, cache=False)
    for _ in range(2):  # the first build, then one after a file was added
        report = build_corpus([news], cached_ws, progress=False, options=with_cache)
        uncached = build_corpus([news], fresh_ws, progress=False, options=without)
        if report.version == "1.0.0":
            grow(news, tmp_path)
    assert report.version == "1.1.0"
    assert (report.files_processed, report.files_cached) == (1, 6)
    assert (uncached.files_processed, uncached.files_cached) == (7, 0)
    assert not (fresh_ws.root / "cache").exists() or not any((fresh_ws.root / "cache" / "units").iterdir())
    for version in ("1.0.0", "1.1.0"):
        assert folder_digests(cached_ws.corpus_dir(version)) == folder_digests(fresh_ws.corpus_dir(version))


def test_a_cleaning_rule_change_processes_every_file_again(
    news: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = Workspace(tmp_path / "ws")
    build_corpus([news], ws, progress=False, options=BuildOptions(workers=1))
    changed = {**units.rule_versions(), "strip_captions": "strip_captions_v99"}
    monkeypatch.setattr(units, "rule_versions", lambda: changed)
    report = build_corpus([news], ws, version="2.0.0", progress=False, options=BuildOptions(workers=1))
    assert (report.files_processed, report.files_cached) == (6, 0)


def test_a_change_in_how_web_pages_are_read_processes_every_file_again(
    news: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = Workspace(tmp_path / "ws")
    build_corpus([news], ws, progress=False, options=BuildOptions(workers=1))
    monkeypatch.setattr(units, "PAGES_VERSION", "pages_v99")
    report = build_corpus([news], ws, version="2.0.0", progress=False, options=BuildOptions(workers=1))
    assert (report.files_processed, report.files_cached) == (6, 0)


def test_a_damaged_cache_entry_is_computed_again(news: Path, tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    build_corpus([news], ws, progress=False, options=BuildOptions(workers=1))
    entries = sorted((ws.root / "cache" / "units").glob("*.arrow"))
    assert len(entries) == 6
    entries[0].write_bytes(entries[0].read_bytes()[:100])
    report = build_corpus([news], ws, version="2.0.0", progress=False, options=BuildOptions(workers=1))
    assert (report.files_processed, report.files_cached) == (1, 5)
    fresh = Workspace(tmp_path / "fresh")
    build_corpus([news], fresh, version="2.0.0", progress=False, options=BuildOptions(workers=1, cache=False))
    # The same data (the manifests differ: one version has a parent, the other none).
    data = "data-00000-of-00001.arrow"
    assert folder_digests(ws.corpus_dir("2.0.0"))[data] == folder_digests(fresh.corpus_dir("2.0.0"))[data]
    # The damaged entry was written anew.
    again = build_corpus([news], ws, version="3.0.0", progress=False, options=BuildOptions(workers=1))
    assert (again.files_processed, again.files_cached) == (0, 6)


def test_the_cache_keeps_only_the_files_of_the_latest_build(news: Path, tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    build_corpus([news], ws, progress=False, options=BuildOptions(workers=1))
    (news / "part-000.jsonl").unlink()
    build_corpus([news], ws, progress=False, options=BuildOptions(workers=1))
    assert len(list((ws.root / "cache" / "units").iterdir())) == 5 * 3
