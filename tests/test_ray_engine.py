"""``--engine ray`` writes the same corpus versions as the local engine, byte for byte."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ceasefire_news.dataset.corpus.build import BuildOptions, build_corpus
from ceasefire_news.dataset.corpus.read import embedded_sources
from ceasefire_news.dataset.corpus.workspace import Workspace
from ceasefire_news.schema.errors import UsageError
from tests.ray_support import folder_digests, jsonl_parts, require_ray, warc_of


@pytest.fixture(scope="module")
def ray_session() -> Iterator[Any]:
    """One local Ray for the module's builds (the engine joins it instead of starting its own)."""
    ray = require_ray()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield ray
    ray.shutdown()


def both(sources: list[Path] | None, root: Path, name: str, **options: Any) -> tuple[Workspace, Workspace, Any]:
    """Build ``sources`` with each engine into its own workspace; the Ray build's report."""
    local, distributed = Workspace(root / f"{name}-local"), Workspace(root / f"{name}-ray")
    build_corpus(sources, local, progress=False, options=BuildOptions(workers=2, **options))
    report = build_corpus(sources, distributed, progress=False, options=BuildOptions(engine="ray", **options))
    return local, distributed, report


def same_versions(local: Workspace, distributed: Workspace) -> None:
    assert local.corpus_versions() == distributed.corpus_versions()
    for version in local.corpus_versions():
        left, right = folder_digests(local.corpus_dir(version)), folder_digests(distributed.corpus_dir(version))
        assert left == right, f"version {version} differs between the engines"


def test_the_seeds_give_the_same_version_on_both_engines(ray_session: Any, tmp_path: Path) -> None:
    local, distributed, report = both(None, tmp_path, "seeds")
    same_versions(local, distributed)
    assert report.engine_stats["engine"] == "ray"
    assert report.kept == 5


def test_a_child_version_inherits_the_same_stories_on_both_engines(ray_session: Any, tmp_path: Path) -> None:
    extra = jsonl_parts(tmp_path / "extra", 400, 4, seed=11)
    local, distributed, _ = both(None, tmp_path, "child")
    sources = [*embedded_sources(), extra]
    build_corpus(sources, local, progress=False, options=BuildOptions(workers=2))
    report = build_corpus(sources, distributed, progress=False, options=BuildOptions(engine="ray"))
    assert report.version == "1.1.0"
    assert report.diff is not None
    assert report.diff["counts"]["added"] > 300
    same_versions(local, distributed)


def test_ten_thousand_articles_in_many_files_give_the_same_version(ray_session: Any, tmp_path: Path) -> None:
    corpus = jsonl_parts(tmp_path / "bench", 10_000, 20)
    local, distributed, report = both([corpus], tmp_path, "bench")
    same_versions(local, distributed)
    assert report.kept > 9_000
    assert report.duplicates > 0
    data = next(distributed.corpus_dir(report.version).glob("*.arrow"))
    # The driver fetched counts, not articles: a few kilobytes against tens of megabytes of data.
    assert report.engine_stats["driver_fetched_bytes"] < 64_000
    assert data.stat().st_size > 30_000_000
    assert report.engine_stats["link_read_bytes"] > 0


def test_a_crawl_of_the_same_articles_gives_the_same_version(ray_session: Any, tmp_path: Path) -> None:
    crawl = warc_of(tmp_path / "crawl", jsonl_parts(tmp_path / "src", 400, 2))
    local, distributed, report = both([crawl], tmp_path, "crawl")
    same_versions(local, distributed)
    assert report.kept > 100
    assert report.filtered.get("warc_warcinfo", 0) == 0


def test_a_damaged_parent_version_stops_the_ray_build_with_one_line(ray_session: Any, tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    build_corpus(None, ws, progress=False)
    data = next(ws.corpus_dir("1.0.0").glob("*.arrow"))
    data.write_bytes(data.read_bytes()[:500])
    extra = jsonl_parts(tmp_path / "extra", 50, 1)
    with pytest.raises(UsageError, match=r"damaged") as caught:
        build_corpus([extra], ws, progress=False, options=BuildOptions(engine="ray"))
    assert "\n" not in str(caught.value)
    assert ws.corpus_versions() == ["1.0.0"]


def test_the_ray_engine_reuses_the_cache_for_unchanged_files(ray_session: Any, tmp_path: Path) -> None:
    news = jsonl_parts(tmp_path / "news", 400, 4)
    local, distributed = Workspace(tmp_path / "local"), Workspace(tmp_path / "ray")
    for _ in range(2):
        build_corpus([news], local, progress=False, options=BuildOptions(workers=2))
        report = build_corpus([news], distributed, progress=False, options=BuildOptions(engine="ray"))
        if report.version == "1.0.0":
            (jsonl_parts(tmp_path / "extra", 60, 1, seed=5) / "part-000.jsonl").rename(news / "part-new.jsonl")
    assert (report.files_processed, report.files_cached) == (1, 4)
    same_versions(local, distributed)
