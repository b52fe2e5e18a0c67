"""Publish a release folder to the Hugging Face Hub (or, dry run, to a local folder).

The files uploaded are exactly those of the release manifest plus ``manifest.json``; the
release is validated first and nothing is sent when it fails. One commit per release,
tagged ``v<version>``; a version already tagged on the Hub is refused (a release is never
overwritten). Data files of an older release that the new one no longer has are deleted
in the same commit, so the Hub's configs match the card.

The commit is made against the revision that was checked (``parent_commit``): when the
repository changed between the check and the commit, the Hub refuses the commit and
nothing is overwritten. A Hub that can't be reached, refuses the token or changed under
the commit raises :class:`HubError`: one line, exit 2, never a traceback (exit 1 is for
a release that failed a check).

The token comes from ``HF_TOKEN`` (or ``token=``) and is never written anywhere; the
Hub's address from ``HF_ENDPOINT`` when set (read at each call).

>>> publish_release(Path("workspace/release/1.0.0"), "org/ceasefire-news", dry_run=Path("out"))  # doctest: +SKIP
PublishReport(repo_id='org/ceasefire-news', version='1.0.0', files=[...], dry_run=True, ...)
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ceasefire_news.dataset.corpus.workspace import MANIFEST, atomic_directory
from ceasefire_news.dataset.release.validate import format_issues, validate_release
from ceasefire_news.schema.errors import CeasefireError, DataError, UsageError

#: Remote paths a release owns; other files of the repo (e.g. a .gitattributes) are kept.
OWNED_PREFIXES = ("data/", "images/")
#: The branch a release is committed to.
BRANCH = "main"


class HubError(CeasefireError):
    """The Hub could not be reached, refused the request, or changed under the commit (exit 2)."""

    exit_code = 2

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        #: The HTTP status the Hub answered; None when it could not be reached.
        self.status = status


def _transport_errors() -> tuple[type[BaseException], ...]:
    # huggingface_hub's HTTP client differs across its versions (requests, httpx, httpx2);
    # its HfHubHTTPError derives from that client's base error, which the client's
    # connection errors and timeouts share (requests' are OSErrors).
    from huggingface_hub.errors import HfHubHTTPError

    return (OSError, *(base for base in HfHubHTTPError.__bases__ if base is not OSError))


def _one_line(text: str, limit: int = 200) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


@contextmanager
def _hub(doing: str, repo_id: str, endpoint: str, after: str = "nothing was published") -> Iterator[None]:
    """Turn the Hub client's errors raised while ``doing`` into one-line :class:`HubError`s."""
    from huggingface_hub.errors import HfHubHTTPError

    try:
        yield
    except HfHubHTTPError as err:
        status = err.response.status_code
        said = _one_line(getattr(err, "server_message", None) or str(err).splitlines()[0])
        if status == 401:
            advice = "set HF_TOKEN to a valid write token (https://huggingface.co/settings/tokens)"
        elif status == 403:
            advice = f"use a write token of an account that may write to {repo_id}"
        else:
            advice = "try again later, or check the repository on the Hub"
        message = f"{endpoint} answered {status} while {doing} {repo_id} ({said}); {after}; {advice}"
        raise HubError(message, status) from err
    except _transport_errors() as err:
        raise HubError(
            f"could not reach the Hub at {endpoint} while {doing} {repo_id} "
            f"({type(err).__name__}: {_one_line(str(err)) or 'no answer'}); {after}; "
            "check the network, or HF_ENDPOINT if it is set"
        ) from err


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
        if Path(dry_run).exists():
            raise UsageError(
                f"{dry_run} already exists; give --dry-run a folder that does not exist yet "
                "(it is created with exactly the files that would be uploaded)"
            )
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

    endpoint = os.environ.get("HF_ENDPOINT") or "https://huggingface.co"
    api = HfApi(endpoint=endpoint, token=token)
    tag = f"v{version}"
    with _hub("checking", repo_id, endpoint):
        api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True)
        refs = api.list_repo_refs(repo_id, repo_type="dataset")
        if tag in {ref.name for ref in refs.tags}:
            raise UsageError(
                f"{repo_id} already has release {version} (tag {tag}); a release is never overwritten. "
                "Release a new version with `ceasefire-news release --version X.Y.Z`."
            )
        # The state checked: the commit is made on top of exactly this revision.
        head = next((b.target_commit for b in refs.branches if b.name == BRANCH), None)
        remote = api.list_repo_files(repo_id, repo_type="dataset", revision=head) if head else []
    stale = sorted(p for p in remote if p.startswith(OWNED_PREFIXES) and p not in files)
    operations: list[CommitOperationAdd | CommitOperationDelete] = [
        CommitOperationAdd(path_in_repo=name, path_or_fileobj=str(folder / name)) for name in files
    ]
    operations += [CommitOperationDelete(path_in_repo=name) for name in stale]
    try:
        with _hub("committing to", repo_id, endpoint):
            commit = api.create_commit(
                repo_id,
                operations=operations,
                commit_message=f"Release {version}",
                repo_type="dataset",
                revision=BRANCH,
                parent_commit=head,
            )
    except HubError as err:
        # The Hub refuses a commit whose parent is no longer the branch head.
        if err.status not in (409, 412):
            raise
        raise HubError(
            f"{repo_id} changed on the Hub while release {version} was being published (its {BRANCH} branch "
            f"is no longer at the checked commit {head}); nothing was published and nothing overwritten. "
            "Run publish again to check the new state."
        ) from err
    after = f"release {version} was committed ({commit.oid}) but not tagged {tag}"
    with _hub(f"tagging {tag} of", repo_id, endpoint, after=after):
        api.create_tag(
            repo_id, tag=tag, revision=commit.oid, repo_type="dataset", tag_message=f"ceasefire-news release {version}"
        )
    return PublishReport(repo_id, version, files, dry_run=False, deleted=stale, destination=f"datasets/{repo_id}")
