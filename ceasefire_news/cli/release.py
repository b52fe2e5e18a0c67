"""Commands ``release``, ``validate``, ``diff``, ``publish`` and ``convert``, registered on the main app.

Exit codes: 0 success; 1 the data failed a check (an invalid release, an embedded anchor
that no longer resolves, ``--strict`` with quarantined annotations); 2 bad usage, or a Hub
that can't be reached, refuses the token or changed under the commit.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ceasefire_news.cli.options import DEFAULT_WORKSPACE, WorkspaceOption
from ceasefire_news.dataset.corpus.lock import workspace_lock
from ceasefire_news.dataset.corpus.workspace import Workspace
from ceasefire_news.dataset.release.convert import FORMATS, convert_release
from ceasefire_news.dataset.release.diff import diff_releases, parse_version_ok, summarize_diff
from ceasefire_news.dataset.release.pipeline import release_corpus
from ceasefire_news.dataset.release.publish import publish_release
from ceasefire_news.dataset.release.validate import validate_release
from ceasefire_news.dataset.release.workers import ReleaseOptions
from ceasefire_news.schema.errors import UsageError


def release(
    *,
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
    version: Annotated[
        str | None,
        typer.Option(
            "--version",
            help="Version of the RELEASE to write (X.Y.Z). Default: the version of the corpus released. "
            "A release version is never overwritten: pass a new one to release again.",
        ),
    ] = None,
    corpus: Annotated[
        str | None,
        typer.Option("--corpus", help="Corpus version to release (X.Y.Z). Default: the latest corpus version."),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict", help="Exit 1 when annotations were quarantined (the release is still written and valid)."
        ),
    ] = False,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Progress bars on stderr.")] = True,
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, help="Processes that re-check and adjudicate. Default: the usable cores."),
    ] = None,
) -> None:
    """Adjudicate, split, validate and write a release: workspace/release/<version>/.

    Input: the corpus version, the annotation log (annotations/log.jsonl) and the embedded
    annotations of the seed articles (provenance machine). Output: README.md (the dataset
    card), data/<config>/<split>-*.parquet for the configs articles, stance, events and
    annotations_raw, croissant.json and manifest.json. Ties and low agreement are listed in
    annotations/review.jsonl for `export --review`.
    """

    options = (
        ReleaseOptions(progress=progress) if workers is None else ReleaseOptions(progress=progress, workers=workers)
    )
    ws = Workspace(workspace)
    with workspace_lock(ws, "release"):
        report = release_corpus(ws, version, corpus_version=corpus, options=options)
    manifest = report.manifest
    typer.echo(f"release {report.version} (corpus {report.corpus_version}) written to {report.path}")
    for config, entry in manifest["configs"].items():
        splits = ", ".join(f"{s} {n}" for s, n in entry["splits"].items()) or "no rows"
        typer.echo(f"  {config}: {splits}")
    status = manifest["annotations"]["by_status"]
    typer.echo(
        f"  annotations: {manifest['annotations']['released']} released "
        f"({status['accepted']} accepted, {status['partial']} partial, {status['quarantined']} quarantined)"
    )
    typer.echo(f"  review: {report.review_items} units in {report.review_path}")
    if strict and report.quarantined:
        typer.echo(
            f"error: {report.quarantined} annotations are quarantined (see annotations_raw.quarantine_reasons); "
            "fix them in Label Studio and pull again",
            err=True,
        )
        raise typer.Exit(1)


def validate(
    folder: Annotated[Path, typer.Argument(help="A release folder, e.g. workspace/release/1.0.0.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the problems as JSON on stdout.")] = False,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Progress bar on stderr.")] = True,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="Processes that check rows. Default: the usable cores for 200,000 rows or more, else 1.",
        ),
    ] = None,
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
) -> None:
    """Check a release folder: files and digests, Arrow schemas, labels, spans, ids, splits.

    Every problem is listed (config, split, row, what, and the fix) on stderr; exit 1 when
    there is any, 0 when the release is valid.
    """

    if not folder.exists() and parse_version_ok(str(folder)):
        folder = Workspace(workspace).release_dir(str(folder))
    if not folder.is_dir():
        # Nothing to check: bad usage (exit 2), not an invalid release (exit 1).
        what = "is not a folder" if folder.exists() else "does not exist"
        raise UsageError(
            f"{folder} {what}; give a release folder such as workspace/release/1.0.0, or a release version"
        )
    if not any((folder / name).exists() for name in ("data", "croissant.json", "README.md")):
        raise UsageError(
            f"{folder} is not a release folder (no data/, croissant.json or README.md); give a folder that "
            "`ceasefire-news release` wrote, such as workspace/release/1.0.0"
        )
    issues = validate_release(folder, progress=progress, workers=workers)
    if as_json:
        typer.echo(
            json.dumps(
                [
                    {"config": i.config, "split": i.split, "row": i.row, "problem": i.problem, "fix": i.fix}
                    for i in issues
                ],
                indent=2,
            )
        )
    for issue in issues:
        typer.echo(issue.render(), err=True)
    if issues:
        typer.echo(f"{folder}: INVALID, {len(issues)} problem{'s' if len(issues) != 1 else ''}", err=True)
        raise typer.Exit(1)
    typer.echo(f"{folder}: valid")


def diff(
    v1: Annotated[str, typer.Argument(help="Older release: a version in the workspace, or a release folder.")],
    v2: Annotated[str, typer.Argument(help="Newer release: a version in the workspace, or a release folder.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print every added, removed and changed item as JSON.")
    ] = False,
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
) -> None:
    """Report added, removed and changed articles and labels between two releases.

    A data file that can't be read is named on stderr, its rows left out, and the exit code is 1.
    """

    result = diff_releases(Workspace(workspace), v1, v2)
    typer.echo(json.dumps(result, indent=2, sort_keys=True, ensure_ascii=False) if as_json else summarize_diff(result))
    for problem in result.get("unreadable", []):
        typer.echo(f"problem: {problem}", err=True)
    if result.get("unreadable"):
        raise typer.Exit(1)


def publish(
    folder: Annotated[Path, typer.Argument(help="The release folder to publish, e.g. workspace/release/1.0.0.")],
    repo_id: Annotated[str, typer.Option("--repo-id", help="Hub dataset repository, OWNER/NAME.")],
    dry_run: Annotated[
        Path | None,
        typer.Option("--dry-run", help="Write exactly the files that would be uploaded into this new folder."),
    ] = None,
    private: Annotated[bool, typer.Option("--private", help="Create the Hub repository as private.")] = False,
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
) -> None:
    """Validate a release and push it to the Hugging Face Hub (token from HF_TOKEN).

    One commit per release, tagged v<version>; a version already on the Hub is refused. The
    commit is made on top of the revision checked: if someone pushed in between, nothing is
    overwritten and publish says so (exit 2). HF_ENDPOINT, when set, is the Hub's address.
    """

    del workspace  # the folder names the release
    report = publish_release(folder, repo_id, dry_run=dry_run, private=private)
    where = f"{report.destination} (dry run)" if report.dry_run else f"https://huggingface.co/{report.destination}"
    typer.echo(f"release {report.version}: {len(report.files)} files -> {where}")
    for name in report.files:
        typer.echo(f"  {name}")
    for name in report.deleted:
        typer.echo(f"  deleted {name}")


def convert(
    folder: Annotated[Path, typer.Argument(help="A release folder, e.g. workspace/release/1.0.0, or its version.")],
    to: Annotated[str, typer.Option("--to", help=f"Format: {', '.join(FORMATS)}.")],
    out: Annotated[Path, typer.Option("--out", help="New folder to write, one file per split.")],
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
) -> None:
    """Convert a release for spaCy (DocBin), doccano or Prodigy (JSONL), one file per split.

    Every event trigger, argument entity and stance evidence span keeps its character
    offsets: the tokens are cut at every span edge. Argument roles become relations
    (doccano, Prodigy) or user data (spaCy); stance and genre become document categories.
    """

    if not folder.exists() and parse_version_ok(str(folder)):
        folder = Workspace(workspace).release_dir(str(folder))
    report = convert_release(folder, to, out)
    typer.echo(f"{folder} -> {report.out} ({report.to}): {report.spans} spans")
    for name, docs in report.files.items():
        typer.echo(f"  {name}: {docs} article{'s' if docs != 1 else ''}")


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app``."""
    app.command("release")(release)
    app.command("validate")(validate)
    app.command("diff")(diff)
    app.command("publish")(publish)
    app.command("convert")(convert)
