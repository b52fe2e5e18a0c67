"""Corpus versions: choosing the version, manifests, diffs and loading."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import datasets
import pytest

from ceasefire_news.dataset.corpus.build import build_corpus
from ceasefire_news.dataset.corpus.clean_rules import rule_versions
from ceasefire_news.dataset.corpus.read import embedded_sources
from ceasefire_news.dataset.corpus.versions import (
    Identity,
    diff_corpora,
    diff_identities,
    load_corpus,
    plan_version,
    read_manifest,
)
from ceasefire_news.dataset.corpus.workspace import MANIFEST, Workspace
from ceasefire_news.schema.errors import UsageError
from ceasefire_news.schema.records import SCHEMA_VERSION

SEEDS = embedded_sources()


def _sources(folder: Path, *indices: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in indices:
        shutil.copy(SEEDS[i], folder / SEEDS[i].name)
    return folder


# --- choosing a version --------------------------------------------------------------------


def test_first_build_is_1_0_0_and_later_builds_bump_the_minor(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "ws")
    assert plan_version(workspace, None).version == "1.0.0"
    workspace.corpus_dir("1.4.2").mkdir(parents=True)
    plan = plan_version(workspace, None)
    assert (plan.version, plan.parent, plan.automatic) == ("1.5.0", "1.4.2", True)
    explicit = plan_version(workspace, "2.0.0")
    assert (explicit.version, explicit.parent, explicit.automatic) == ("2.0.0", "1.4.2", False)


@pytest.mark.parametrize(
    ("requested", "message"),
    [
        ("1.0", r"version '1\.0' is not of the form X\.Y\.Z"),
        ("v1.0.0", r"version 'v1\.0\.0' is not of the form X\.Y\.Z"),
        ("1.4.2", r"corpus version 1\.4\.2 already exists .*never overwritten"),
        (
            "1.3.9",
            r"--version 1\.3\.9 is not newer than the latest corpus version 1\.4\.2; "
            r"choose a version above it, for example 1\.5\.0",
        ),
    ],
)
def test_bad_requested_versions_are_refused(tmp_path: Path, requested: str, message: str) -> None:
    workspace = Workspace(tmp_path / "ws")
    workspace.corpus_dir("1.4.2").mkdir(parents=True)
    with pytest.raises(UsageError, match=message):
        plan_version(workspace, requested)


# --- manifests and unchanged builds --------------------------------------------------------


def test_manifest_records_sources_rules_schema_and_counts(tmp_path: Path) -> None:
    source = _sources(tmp_path / "src", 0, 2)
    report = build_corpus([source], Workspace(tmp_path / "ws"), progress=False)
    manifest = json.loads((report.path / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["version"] == "1.0.0"
    assert manifest["parent"] is None
    assert manifest["diff"] is None
    assert manifest["schema_version"] == SCHEMA_VERSION
    assert manifest["cleaning_rules"] == rule_versions()
    assert manifest["sources"] == [
        {
            "path": f"src/{SEEDS[i].name}",
            "bytes": SEEDS[i].stat().st_size,
            "sha256": hashlib.sha256(SEEDS[i].read_bytes()).hexdigest(),
        }
        for i in (0, 2)
    ]
    assert manifest["counts"] == {"read": 2, "kept": 2, "rejected": 0, "duplicates": 0, "filtered": 0, "stories": 2}
    assert manifest["stories"]["num_perm"] == 128
    assert read_manifest(Workspace(tmp_path / "ws")) == manifest


def test_embedded_sources_are_named_without_their_install_location(tmp_path: Path) -> None:
    report = build_corpus(None, Workspace(tmp_path / "ws"), progress=False)
    manifest = json.loads((report.path / MANIFEST).read_text(encoding="utf-8"))
    names = [f"dataset/seeds/{p.name}" for p in SEEDS]
    assert [s["path"] for s in manifest["sources"]] == names
    corpus = datasets.load_from_disk(str(report.path))
    assert corpus["source_file"] == names
    # Given as paths, the seeds are named the same way.
    again = build_corpus(SEEDS, Workspace(tmp_path / "ws2"), progress=False)
    assert datasets.load_from_disk(str(again.path))["source_file"] == names


def test_unchanged_input_writes_nothing(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "ws")
    build_corpus(None, workspace, progress=False)
    again = build_corpus(None, workspace, progress=False)
    assert again.unchanged
    assert (again.version, again.path) == ("1.0.0", workspace.corpus_dir("1.0.0"))
    assert again.stories == 4
    assert workspace.corpus_versions() == ["1.0.0"]
    assert sorted(p.name for p in workspace.corpus_root.iterdir()) == ["1.0.0"]


def test_explicit_version_is_written_even_when_unchanged(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "ws")
    build_corpus(None, workspace, progress=False)
    report = build_corpus(None, workspace, "2.0.0", progress=False)
    assert not report.unchanged
    assert workspace.corpus_versions() == ["1.0.0", "2.0.0"]
    assert report.diff is not None
    assert report.diff["counts"] == {"added": 0, "removed": 0, "changed": 0, "unchanged": 5}


def test_existing_version_is_never_overwritten(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "ws")
    build_corpus(None, workspace, "1.0.0", progress=False)
    before = (workspace.corpus_dir("1.0.0") / MANIFEST).read_bytes()
    with pytest.raises(UsageError, match=r"corpus version 1\.0\.0 already exists"):
        build_corpus([_sources(tmp_path / "src", 1)], workspace, "1.0.0", progress=False)
    assert (workspace.corpus_dir("1.0.0") / MANIFEST).read_bytes() == before


# --- diffs ---------------------------------------------------------------------------------


def test_diff_between_versions_lists_added_removed_and_changed(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "ws")
    first = _sources(tmp_path / "v1", 0, 2, 3)
    build_corpus([first], workspace, progress=False)
    old = load_corpus(workspace, "1.0.0")

    second = _sources(tmp_path / "v2", 0, 2, 4)
    changed_path = second / SEEDS[2].name
    changed_path.write_text(
        changed_path.read_text(encoding="utf-8") + "\nA paragraph added in a correction.\n",
        encoding="utf-8",
    )
    report = build_corpus([second], workspace, progress=False)
    new = load_corpus(workspace)
    assert str(new.info.version) == "1.1.0"

    old_key = {Path(k).name: a for k, a in zip(old["source_file"], old["article_id"], strict=True)}
    new_key = {Path(k).name: a for k, a in zip(new["source_file"], new["article_id"], strict=True)}
    diff = diff_corpora(workspace, "1.0.0", "1.1.0")
    # Source files differ between the two folders, so the keys of unchanged texts differ too;
    # the diff works on article ids and matches "changed" by identity key only.
    assert diff["added"] == sorted({new_key[SEEDS[2].name], new_key[SEEDS[4].name]})
    assert diff["removed"] == sorted({old_key[SEEDS[2].name], old_key[SEEDS[3].name]})
    assert diff["changed"] == []
    assert diff["counts"]["unchanged"] == 1
    assert report.diff == diff
    manifest = read_manifest(workspace, "1.1.0")
    assert manifest["parent"] == "1.0.0"
    assert manifest["diff"] == diff


def test_diff_of_the_same_folder_finds_the_changed_article(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "ws")
    source = _sources(tmp_path / "src", 0, 2)
    build_corpus([source], workspace, progress=False)
    target = source / SEEDS[2].name
    target.write_text(target.read_text(encoding="utf-8") + "\nCorrected.\n", encoding="utf-8")
    build_corpus([source], workspace, progress=False)
    old, new = load_corpus(workspace, "1.0.0"), load_corpus(workspace, "1.1.0")
    diff = diff_corpora(workspace, "1.0.0", "1.1.0")
    assert diff["changed"] == [{"key": f"src/{target.name}", "from": old["article_id"][1], "to": new["article_id"][1]}]
    assert (diff["added"], diff["removed"]) == ([], [])
    assert new["story_id"] == old["story_id"]


def test_diff_identities_matches_changes_by_unique_key_only() -> None:
    old = [Identity("a-1", "u1"), Identity("a-2", "u2"), Identity("a-3", "f"), Identity("a-4", "f")]
    new = [Identity("a-1", "u1"), Identity("a-9", "u2"), Identity("a-5", "f"), Identity("a-4", "f")]
    diff = diff_identities(old, new, "1.0.0", "1.1.0")
    assert diff["changed"] == [{"key": "u2", "from": "a-2", "to": "a-9"}]
    assert diff["added"] == ["a-5"]
    assert diff["removed"] == ["a-3"]
    assert diff["counts"] == {"added": 1, "removed": 1, "changed": 1, "unchanged": 2}


# --- loading -------------------------------------------------------------------------------


def test_load_corpus_opens_the_latest_or_a_named_version(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "ws")
    build_corpus([_sources(tmp_path / "v1", 0)], workspace, progress=False)
    build_corpus([_sources(tmp_path / "v2", 0, 3)], workspace, progress=False)
    assert load_corpus(workspace).num_rows == 2
    assert str(load_corpus(workspace).info.version) == "1.1.0"
    assert load_corpus(workspace, "1.0.0").num_rows == 1


def test_loading_a_missing_version_names_the_available_ones(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "ws")
    with pytest.raises(UsageError, match=r"no corpus in .*; run `ceasefire-news build` first"):
        load_corpus(workspace)
    build_corpus(None, workspace, progress=False)
    with pytest.raises(UsageError, match=r"corpus version 3\.0\.0 not found in .* \(available: 1\.0\.0\)"):
        load_corpus(workspace, "3.0.0")
    with pytest.raises(UsageError, match=r"corpus version 3\.0\.0 not found"):
        diff_corpora(workspace, "1.0.0", "3.0.0")
