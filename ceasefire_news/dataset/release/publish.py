"""Publish a release folder to the Hugging Face Hub (or, dry run, to a local folder).

The files uploaded are exactly those of the release manifest plus ``manifest.json``; the
release is validated first and nothing is sent when it fails. One commit per release,
tagged ``v<version>``; a version already tagged on the Hub is refused (a release is never
overwritten). Data files of an older release that the new one no longer has are deleted
in the same commit, so the Hub's configs match the card.

The token comes from ``HF_TOKEN`` (or ``token=``) and is never written anywhere.

>>> publish_release(Path("workspace/release/1.0.0"), "org/ceasefire-news", dry_run=Path("out"))  # doctest: +SKIP
PublishReport(repo_id='org/ceasefire-news', version='1.0.0', files=[...], dry_run=True, ...)
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ceasefire_news.dataset.corpus.workspace import MANIFEST, atomic_directory
from ceasefire_news.dataset.release.validate import format_issues, validate_release
from ceasefire_news.schema.errors import DataError, UsageError

#: Remote paths a release owns; other files of the repo (e.g. a .gitattributes) are kept.
OWNED_PREFIXES = ("data/", "images/")


@dataclass(slots=True)
class PublishReport:
    """What was (or would be) uploaded."""

    repo_id: str
    version: str
    files: list[str]
    dry_run: bool
    deleted: list[str] = field(default_factory=list)
    destination: str = ""


def release_files(folder: Path) -> tuple[str, list[str]]:
    """``(version, files)``: the release version and every file to upload, sorted."""
    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        files = sorted([*manifest["files"], MANIFEST])
        version = str(manifest["version"])
    except (OSError, ValueError, KeyError) as err:
        raise UsageError(
            f"{path} is not a release manifest ({err}); give a folder made by `ceasefire-news release`"
        ) from err
    return version, files


def publish_release(
    folder: Path,
    repo_id: str,
    *,
    dry_run: Path | None = None,
    token: str | None = None,
    private: bool = False,
) -> PublishReport:
    """Validate ``folder`` and push it to the dataset repo ``repo_id`` (or copy it to ``dry_run``)."""

    folder = Path(folder)
    if "/" not in repo_id or repo_id.count("/") != 1 or not all(repo_id.split("/")):
        raise UsageError(f"--repo-id {repo_id!r} is not of the form OWNER/NAME (for example my-org/ceasefire-news)")
    if not folder.is_dir():
        raise UsageError(f"{folder} is not a folder; give a release folder such as workspace/release/1.0.0")
    issues = validate_release(folder)
    if issues:
        raise DataError(
            f"{folder} is not a valid release ({len(issues)} problems); nothing published:\n" + format_issues(issues)
        )
    version, files = release_files(folder)

    if dry_run is not None:
        with atomic_directory(Path(dry_run)) as stage:
            for name in files:
                target = stage / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(folder / name, target)
        return PublishReport(repo_id, version, files, dry_run=True, destination=str(dry_run))

    token = token or os.environ.get("HF_TOKEN")
    if not token:
        raise UsageError("no Hugging Face token: set HF_TOKEN (a write token) or use --dry-run OUT to see the upload")
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete, HfApi

    api = HfApi(token=token)
    api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True)
    tag = f"v{version}"
    tags = {ref.name for ref in api.list_repo_refs(repo_id, repo_type="dataset").tags}
    if tag in tags:
        raise UsageError(
            f"{repo_id} already has release {version} (tag {tag}); a release is never overwritten. "
            "Release a new version with `ceasefire-news release --version X.Y.Z`."
        )
    remote = api.list_repo_files(repo_id, repo_type="dataset")
    stale = sorted(p for p in remote if p.startswith(OWNED_PREFIXES) and p not in files)
    operations: list[CommitOperationAdd | CommitOperationDelete] = [
        CommitOperationAdd(path_in_repo=name, path_or_fileobj=str(folder / name)) for name in files
    ]
    operations += [CommitOperationDelete(path_in_repo=name) for name in stale]
    api.create_commit(repo_id, operations=operations, commit_message=f"Release {version}", repo_type="dataset")
    api.create_tag(repo_id, tag=tag, repo_type="dataset", tag_message=f"ceasefire-news release {version}")
    return PublishReport(repo_id, version, files, dry_run=False, deleted=stale, destination=f"datasets/{repo_id}")
