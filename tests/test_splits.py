"""Splits by story with a salted hash: deterministic, leak-free, stable across versions."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ceasefire_news.dataset.corpus.workspace import Workspace
from ceasefire_news.dataset.release import splits
from ceasefire_news.dataset.release.pipeline import release_corpus
from ceasefire_news.schema.labels import SPLITS
from tests.fixtures.release import corpus_row, read_config, write_corpus


@given(st.text(min_size=1, max_size=40))
def test_split_is_a_pure_function_of_story_and_salt(story: str) -> None:
    split = splits.split_of_story(story)
    assert split in SPLITS.names
    assert splits.split_of_story(story) == split
    assert splits.story_fraction(story) == splits.story_fraction(story)


def test_salt_changes_the_assignment() -> None:
    stories = [f"s-{i:05d}" for i in range(200)]
    default = [splits.split_of_story(s) for s in stories]
    other = [splits.split_of_story(s, salt="another salt") for s in stories]
    assert default != other


def test_shares_follow_the_ratios_over_many_stories() -> None:
    stories = [f"s-{i:06d}" for i in range(20_000)]
    assigned = splits.assign_splits(stories)
    for name, share in splits.SPLIT_RATIOS.items():
        observed = sum(1 for v in assigned.values() if v == name) / len(stories)
        assert abs(observed - share) < 0.015, (name, observed)


def test_empty_story_id_is_refused() -> None:
    with pytest.raises(ValueError, match="story_id is empty"):
        splits.split_of_story("")


def test_bad_ratios_are_refused() -> None:
    with pytest.raises(ValueError, match="sum to 1"):
        splits.split_of_story("s-1", ratios={"train": 0.5, "validation": 0.1, "test": 0.1})


def test_describe_records_method_salt_and_ratios() -> None:
    assert splits.describe() == {
        "method": splits.SPLIT_METHOD,
        "salt": splits.SPLIT_SALT,
        "ratios": splits.SPLIT_RATIOS,
        "unit": "story_id",
    }


def _story_rows(n: int, prefix: str) -> list[dict[str, object]]:
    return [corpus_row(f"{prefix} article number {i} about talks in Astana.", f"s-{prefix}-{i % 37}") for i in range(n)]


def test_adding_articles_never_moves_an_existing_one(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "ws")
    old_rows = _story_rows(120, "old")
    write_corpus(workspace, old_rows, "1.0.0")
    release_corpus(workspace, progress=False)
    new_rows = old_rows + _story_rows(80, "new") + [corpus_row("A reprint of an old story.", "s-old-3")]
    write_corpus(workspace, new_rows, "1.1.0")
    release_corpus(workspace, progress=False)

    def split_by_article(version: str) -> dict[str, int]:
        return {r["article_id"]: r["split"] for r in read_config(workspace.release_dir(version), "articles")}

    before, after = split_by_article("1.0.0"), split_by_article("1.1.0")
    assert len(before) == 120
    assert len(after) == 201
    assert {a: after[a] for a in before} == before
    # the splits are disjoint by story in both releases
    for version in ("1.0.0", "1.1.0"):
        rows = read_config(workspace.release_dir(version), "articles")
        by_story: dict[str, set[int]] = {}
        for r in rows:
            by_story.setdefault(r["story_id"], set()).add(r["split"])
        assert all(len(s) == 1 for s in by_story.values())
    # more than one split is used, or the test would prove nothing
    assert len(set(after.values())) == 3


def test_a_syndicated_copy_joins_its_story_split(tmp_path: Path) -> None:
    """Through the real build: a reprint of a seed under another outlet's boilerplate."""
    from ceasefire_news.dataset.corpus.build import build_corpus
    from ceasefire_news.dataset.corpus.read import embedded_sources

    workspace = Workspace(tmp_path / "ws")
    build_corpus(embedded_sources(), workspace, progress=False)
    release_corpus(workspace, progress=False)
    seed = next(p for p in embedded_sources() if p.name.startswith("002_"))
    reprint = tmp_path / "sources" / "reprint_of_002.txt"
    reprint.parent.mkdir()
    reprint.write_text(
        "Reposted from our partners\n\n" + seed.read_text(encoding="utf-8") + "\n\nShare this story\n",
        encoding="utf-8",
    )
    build_corpus([*embedded_sources(), reprint], workspace, progress=False)
    versions = workspace.corpus_versions()
    assert len(versions) == 2
    release_corpus(workspace, progress=False)

    rows = read_config(workspace.release_dir(versions[1]), "articles")
    original = next(r for r in rows if Path(r["source_file"]).name == seed.name)
    copy = next(r for r in rows if Path(r["source_file"]).name == reprint.name)
    assert copy["article_id"] != original["article_id"]
    assert copy["story_id"] == original["story_id"]
    assert copy["split"] == original["split"]
    old = {r["article_id"]: r["split"] for r in read_config(workspace.release_dir(versions[0]), "articles")}
    assert old[original["article_id"]] == copy["split"]
