"""Commands of this area, registered on the main CLI app."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ceasefire_news.cli.options import DEFAULT_WORKSPACE, WorkspaceOption
from ceasefire_news.dataset.corpus.build import BuildOptions, build_corpus
from ceasefire_news.dataset.corpus.chunks import MAX_ARTICLE_BYTES, WARN_ARTICLE_BYTES
from ceasefire_news.dataset.corpus.lock import workspace_lock
from ceasefire_news.dataset.corpus.sources import plan_sources, remember
from ceasefire_news.dataset.corpus.workspace import Workspace

SourceOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--source",
        "-s",
        help=(
            "Build from these sources only, replacing the workspace's sources: a seed-style "
            ".txt file, a .jsonl file (one article per line, with a 'text' field), a saved "
            ".html page, or a folder of these. Repeat for several. Without --source the "
            "workspace's sources are built again (the embedded seeds at first)."
        ),
        show_default=False,
    ),
]
AddOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--add",
        "-a",
        metavar="PATH",
        help=("Add a file or folder of articles to the workspace's sources and build them all. Repeat for several."),
        show_default=False,
    ),
]
RemoveOption = Annotated[
    list[str] | None,
    typer.Option(
        "--remove",
        metavar="PATH_OR_NAME",
        help=(
            "Take a source out of the workspace's sources (by path, or by name such as "
            "my_articles or seeds); its articles are removed in the new version."
        ),
        show_default=False,
    ),
]
VersionOption = Annotated[
    str | None,
    typer.Option(
        "--version",
        help=(
            "Corpus version to write, X.Y.Z, newer than the latest one. Default: 1.0.0 for "
            "the first build, then the latest version with its minor number bumped; when "
            "the content equals the latest version nothing is written."
        ),
        show_default=False,
    ),
]


def build(
    source: SourceOption = None,
    add: AddOption = None,
    remove: RemoveOption = None,
    version: VersionOption = None,
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Show a progress bar on stderr.")] = True,
    max_article_bytes: Annotated[
        int,
        typer.Option(
            "--max-article-bytes",
            min=1,
            metavar="BYTES",
            help=(
                "Reject an article with more bytes of text than this (an article above "
                f"{WARN_ARTICLE_BYTES:,} bytes is built with a warning)."
            ),
        ),
    ] = MAX_ARTICLE_BYTES,
) -> None:
    """Build a corpus version: read, clean, deduplicate and cluster raw articles into stories.

    Writes WORKSPACE/corpus/X.Y.Z/ (open it with datasets.load_from_disk) and its
    manifest.json: parent version, source digests, cleaning rule and schema versions, and
    the diff against the parent. A version once written is never overwritten.

    The workspace remembers its sources: --add PATH adds articles to them, --remove takes a
    source out, --source replaces them all. An article above 1 MB of text is built with a
    warning; one above --max-article-bytes is rejected.

    Exit codes: 0 every input record was used; 1 some records were rejected (each is listed
    on stderr with its file and line; the rest was built); 2 bad usage, an existing
    version, a damaged parent version, or no usable input at all.
    """

    ws = Workspace(workspace)
    with workspace_lock(ws, "build", create=True):
        options = BuildOptions(
            max_article_bytes=max_article_bytes, warn_article_bytes=min(WARN_ARTICLE_BYTES, max_article_bytes)
        )
        plan = plan_sources(ws, source, add, remove)
        report = build_corpus(plan.paths(), ws, version, progress=progress, options=options)
        remember(ws, plan)
    if plan.dropped:
        typer.echo(
            f"note: --source replaced the workspace's sources ({', '.join(plan.dropped)} left out); "
            "to add articles to them, use --add PATH",
            err=True,
        )
    for warning in report.warnings:
        typer.echo(f"warning {warning.where}: {warning.detail}", err=True)
    for rejection in report.rejections:
        typer.echo(f"rejected {rejection.where}: {rejection.detail}", err=True)
    if report.unchanged:
        typer.echo(
            f"unchanged: the input gives the same corpus as version {report.version} "
            f"({report.path}); nothing was written"
        )
    else:
        typer.echo(f"built corpus {report.version} at {report.path}")
        if report.parent and report.diff is not None:
            counts = report.diff["counts"]
            typer.echo(
                f"  against {report.parent}: {counts['added']} added, "
                f"{counts['removed']} removed, {counts['changed']} changed"
            )
    typer.echo(f"  articles kept: {report.kept} of {report.read} read")
    typer.echo(f"  duplicates:    {report.duplicates} (same clean text as a kept article)")
    typer.echo(f"  rejected:      {report.rejected}")
    typer.echo(f"  stories:       {report.stories}")
    if report.rejected:
        typer.echo(
            f"{report.rejected} input record(s) rejected (listed above); fix or remove them "
            "and build again to include them",
            err=True,
        )
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app``."""
    app.command("build")(build)
