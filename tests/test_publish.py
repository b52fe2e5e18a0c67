"""publish: the dry run writes exactly what would be uploaded, and it loads."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from types import SimpleNamespace
from typing import Any, ClassVar

import pytest

from ceasefire_news.cli.app import main
from ceasefire_news.dataset.release.publish import HubError, publish_release, release_files
from ceasefire_news.dataset.release.validate import validate_release
from ceasefire_news.schema.errors import DataError, UsageError
from ceasefire_news.schema.records import RELEASE_CONFIGS
from tests.fixtures.hub import FakeHub
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


def test_dry_run_refuses_an_existing_folder(
    seed_release: SeedRelease, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "upload"
    out.mkdir()
    with pytest.raises(UsageError, match="already exists; give --dry-run a folder that does not exist yet"):
        publish_release(seed_release.folder, "org/name", dry_run=out)
    assert main(["publish", str(seed_release.folder), "--repo-id", "org/name", "--dry-run", str(out)]) == 2
    err = capsys.readouterr().err
    assert "--dry-run" in err
    assert "--version" not in err  # publish has no such option
    assert list(out.iterdir()) == []


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

    def __init__(self, token: str, **kwargs: Any) -> None:
        self.calls.append(("token", token))

    def create_repo(self, repo_id: str, **kwargs: Any) -> None:
        self.calls.append(("create_repo", repo_id))

    def list_repo_refs(self, repo_id: str, **kwargs: Any) -> Any:
        return SimpleNamespace(
            tags=[SimpleNamespace(name=t) for t in self.tags],
            branches=[SimpleNamespace(name="main", target_commit="a" * 40)],
        )

    def list_repo_files(self, repo_id: str, **kwargs: Any) -> list[str]:
        return list(self.remote)

    def create_commit(self, repo_id: str, operations: list[Any], **kwargs: Any) -> Any:
        self.calls.append(("commit", operations))
        return SimpleNamespace(oid="b" * 40)

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


# --- against a fake Hub, with the real huggingface_hub client -----------------------------------


def _published(hub: FakeHub, repo_id: str) -> dict[str, bytes]:
    repo = hub.repos[repo_id]
    return repo.commits[repo.head]


def test_publish_commits_on_the_checked_revision_and_tags_it(seed_release: SeedRelease, fake_hub: FakeHub) -> None:
    kept, stale = "data/stance/train-00000-of-00001.parquet", "data/stance/test-00000-of-00001.parquet"
    repo = fake_hub.create("org/news", {kept: b"old", stale: b"old"})
    checked = repo.head
    report = publish_release(seed_release.folder, "org/news")
    files = _published(fake_hub, "org/news")
    assert sorted(files) == sorted([".gitattributes", *report.files])
    for name in report.files:
        assert files[name] == (seed_release.folder / name).read_bytes()
    assert report.deleted == [stale]  # the seed release has no stance test split
    assert stale not in files
    assert fake_hub.commit_headers[-1]["parentCommit"] == checked
    assert repo.tags == {f"v{report.version}": repo.head}


def test_a_push_between_check_and_commit_is_not_overwritten(
    seed_release: SeedRelease, fake_hub: FakeHub, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = fake_hub.create("org/news")
    fake_hub.push_before_commit = True
    with pytest.raises(HubError, match=r"changed on the Hub while release .* was being published") as err:
        publish_release(seed_release.folder, "org/news")
    assert err.value.exit_code == 2
    assert "Run publish again" in str(err.value)
    assert _published(fake_hub, "org/news")["data/other.parquet"] == b"someone else's push"
    assert "manifest.json" not in _published(fake_hub, "org/news")
    assert repo.tags == {}

    fake_hub.push_before_commit = True
    assert main(["publish", str(seed_release.folder), "--repo-id", "org/news"]) == 2
    err_text = capsys.readouterr().err
    assert err_text.count("\n") == 1
    assert "changed on the Hub" in err_text
    # Run again: the new state is checked, and the release lands on top of the other push.
    assert main(["publish", str(seed_release.folder), "--repo-id", "org/news"]) == 0
    files = _published(fake_hub, "org/news")
    assert "manifest.json" in files
    assert "data/other.parquet" not in files  # a data file no release config has: the card would not match


def test_a_refused_token_is_one_line_and_exit_2(
    seed_release: SeedRelease, fake_hub: FakeHub, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HF_TOKEN", "hf_wrong_token")
    assert main(["publish", str(seed_release.folder), "--repo-id", "org/news"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "answered 401" in err
    assert "set HF_TOKEN to a valid write token" in err
    assert "Traceback" not in err
    assert "hf_wrong_token" not in err
    assert fake_hub.repos == {}


def test_an_unreachable_hub_is_one_line_and_exit_2(
    seed_release: SeedRelease, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("HF_TOKEN", "hf_token")
    with pytest.raises(HubError, match="could not reach the Hub"):
        publish_release(seed_release.folder, "org/news")
    assert main(["publish", str(seed_release.folder), "--repo-id", "org/news"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"could not reach the Hub at http://127.0.0.1:{port}" in err
    assert "nothing was published" in err
    assert "Traceback" not in err
