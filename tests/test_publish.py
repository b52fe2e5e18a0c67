"""publish: the dry run writes exactly what would be uploaded, and it loads."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any, ClassVar

import pytest

from ceasefire_news.cli.app import main
from ceasefire_news.dataset.release.publish import publish_release, release_files
from ceasefire_news.dataset.release.validate import validate_release
from ceasefire_news.schema.errors import DataError, UsageError
from ceasefire_news.schema.records import RELEASE_CONFIGS
from tests.fixtures.release import SeedRelease, load_offline


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_dry_run_writes_exactly_the_upload_and_it_loads(seed_release: SeedRelease, tmp_path: Path) -> None:
    out = tmp_path / "upload"
    report = publish_release(seed_release.folder, "org/ceasefire-news", dry_run=out)
    version, files = release_files(seed_release.folder)
    assert (report.dry_run, report.version, report.files) == (True, version, files)
    assert _files(out) == files == _files(seed_release.folder)
    for name in files:
        assert (out / name).read_bytes() == (seed_release.folder / name).read_bytes()
    assert validate_release(out) == []
    loaded = load_offline(out, list(RELEASE_CONFIGS), tmp_path / "hf")
    assert loaded["articles"]["train"]["rows"] == 5


def test_dry_run_refuses_an_existing_folder(seed_release: SeedRelease, tmp_path: Path) -> None:
    out = tmp_path / "upload"
    out.mkdir()
    with pytest.raises(UsageError, match="already exists"):
        publish_release(seed_release.folder, "org/name", dry_run=out)


def test_an_invalid_release_is_not_published(release_copy: Path, tmp_path: Path) -> None:
    (release_copy / "croissant.json").write_text("{}", encoding="utf-8")
    out = tmp_path / "upload"
    with pytest.raises(DataError, match="not a valid release"):
        publish_release(release_copy, "org/name", dry_run=out)
    assert not out.exists()


def test_usage_errors(seed_release: SeedRelease, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(UsageError, match="not of the form OWNER/NAME"):
        publish_release(seed_release.folder, "no-owner")
    monkeypatch.delenv("HF_TOKEN", raising=False)
    with pytest.raises(UsageError, match="set HF_TOKEN"):
        publish_release(seed_release.folder, "org/name")
    assert main(["publish", str(seed_release.folder), "--repo-id", "org/name"]) == 2


class FakeApi:
    """Records what publish asks of the Hub."""

    calls: ClassVar[list[tuple[str, Any]]] = []
    tags: ClassVar[list[str]] = []
    remote: ClassVar[list[str]] = []

    def __init__(self, token: str) -> None:
        self.calls.append(("token", token))

    def create_repo(self, repo_id: str, **kwargs: Any) -> None:
        self.calls.append(("create_repo", repo_id))

    def list_repo_refs(self, repo_id: str, **kwargs: Any) -> Any:
        return SimpleNamespace(tags=[SimpleNamespace(name=t) for t in self.tags])

    def list_repo_files(self, repo_id: str, **kwargs: Any) -> list[str]:
        return list(self.remote)

    def create_commit(self, repo_id: str, operations: list[Any], **kwargs: Any) -> None:
        self.calls.append(("commit", operations))

    def create_tag(self, repo_id: str, tag: str, **kwargs: Any) -> None:
        self.calls.append(("tag", tag))


def test_publish_uploads_the_dry_run_files_in_one_tagged_commit(
    seed_release: SeedRelease, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import huggingface_hub

    FakeApi.calls, FakeApi.tags = [], []
    FakeApi.remote = [
        ".gitattributes",
        "data/stance/test-00000-of-00001.parquet",
        "data/stance/train-00000-of-00001.parquet",
    ]
    monkeypatch.setattr(huggingface_hub, "HfApi", FakeApi)
    monkeypatch.setenv("HF_TOKEN", "hf_secret")
    report = publish_release(seed_release.folder, "org/ceasefire-news")
    dry = publish_release(seed_release.folder, "org/ceasefire-news", dry_run=tmp_path / "dry")
    commit = next(ops for name, ops in FakeApi.calls if name == "commit")
    added = sorted(op.path_in_repo for op in commit if isinstance(op, huggingface_hub.CommitOperationAdd))
    deleted = [op.path_in_repo for op in commit if isinstance(op, huggingface_hub.CommitOperationDelete)]
    assert added == dry.files == report.files
    assert deleted == report.deleted == ["data/stance/test-00000-of-00001.parquet"]
    version = json.loads((seed_release.folder / "manifest.json").read_text(encoding="utf-8"))["version"]
    assert ("tag", f"v{version}") in FakeApi.calls
    assert ("token", "hf_secret") in FakeApi.calls

    FakeApi.tags = [f"v{version}"]
    with pytest.raises(UsageError, match="never overwritten"):
        publish_release(seed_release.folder, "org/ceasefire-news")


def test_cli_dry_run(seed_release: SeedRelease, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "upload"
    assert main(["publish", str(seed_release.folder), "--repo-id", "org/name", "--dry-run", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "(dry run)" in printed
    assert "data/articles/train-00000-of-00001.parquet" in printed
    assert _files(out) == _files(seed_release.folder)
