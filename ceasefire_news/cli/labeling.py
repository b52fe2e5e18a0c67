"""Commands of this area, registered on the main CLI app: export, studio, pull, import."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Annotated

import typer

from ceasefire_news.cli.options import DEFAULT_WORKSPACE, WorkspaceOption
from ceasefire_news.dataset.corpus.lock import workspace_lock
from ceasefire_news.dataset.corpus.workspace import Workspace
from ceasefire_news.labeling.client import DEFAULT_TIMEOUT, display_url
from ceasefire_news.labeling.export import ensure_tasks_file, export_file
from ceasefire_news.labeling.ingest import import_export_file
from ceasefire_news.labeling.project import DEFAULT_OVERLAP, DEFAULT_OVERLAP_SHARE, Overlap
from ceasefire_news.labeling.pull import pull as pull_annotations
from ceasefire_news.labeling.push import push
from ceasefire_news.labeling.review import send_review
from ceasefire_news.labeling.state import StudioState
from ceasefire_news.labeling.studio import local_token, run_studio
from ceasefire_news.schema.errors import UsageError

TokenOption = Annotated[
    str | None,
    typer.Option(
        "--token",
        envvar="LABEL_STUDIO_API_KEY",
        help=(
            "Label Studio API token (legacy token or personal access token, from Account & Settings). "
            "Better set LABEL_STUDIO_API_KEY than pass it here. Not needed for the workspace's own "
            "`studio` server. Never written to any file."
        ),
        show_default=False,
    ),
]
UrlOption = Annotated[
    str | None,
    typer.Option("--url", help="Label Studio server, e.g. http://127.0.0.1:8080.", show_default=False),
]
VersionOption = Annotated[
    str | None,
    typer.Option("--version", help="Corpus version X.Y.Z to export (default: the latest).", show_default=False),
]


TimeoutOption = Annotated[
    float,
    typer.Option(
        "--timeout",
        min=1.0,
        help="Seconds to wait for each answer of Label Studio before giving up (it says what it waits for).",
    ),
]


def _token(workspace: Path, url: str, token: str | None) -> str:
    if token:
        return token

    found = local_token(Workspace(workspace), display_url(url))
    if found:
        return found
    raise UsageError(
        f"no API token for {display_url(url)}: set LABEL_STUDIO_API_KEY (or --token) to the token shown in "
        "Label Studio under Account & Settings"
    )


def export(
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Write the Label Studio import file (tasks + predictions) here.", show_default=False
        ),
    ] = None,
    url: UrlOption = None,
    version: VersionOption = None,
    review: Annotated[
        bool,
        typer.Option(
            "--review",
            help=(
                "With --url: send the release's review list (WORKSPACE/annotations/review.jsonl) instead of "
                "tasks. Each listed article's task gets data.review (the reasons, shown in its header line) "
                "and the project gets a data manager tab 'Needs review' that lists exactly those tasks; "
                "tasks no longer listed are cleared. Annotations are not touched."
            ),
        ),
    ] = False,
    batch_size: Annotated[int, typer.Option("--batch-size", help="Tasks per import request (with --url).")] = 2000,
    overlap: Annotated[
        int | None,
        typer.Option(
            "--overlap",
            help=(
                "Annotators per task in the labeling stream (the project's maximum_annotations), on --url or "
                "the workspace's server. "
                f"A new project gets {DEFAULT_OVERLAP}; an existing one keeps its setting unless this is given."
            ),
            show_default=False,
        ),
    ] = None,
    overlap_share: Annotated[
        float | None,
        typer.Option(
            "--overlap-share",
            help=(
                "The share of tasks (0-1) that get --overlap annotators; the rest get one "
                f"(overlap_cohort_percentage). Default {DEFAULT_OVERLAP_SHARE} for a new project."
            ),
            show_default=False,
        ),
    ] = None,
    timeout: TimeoutOption = DEFAULT_TIMEOUT,
    token: TokenOption = None,
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Show progress bars on stderr.")] = True,
) -> None:
    """Send a corpus version to Label Studio: as an import file, or straight to a server.

    One task per article (text, title, outlet, date, article_id, text_sha256, corpus
    version) with the rule-based pre-annotator's predictions (model_version
    ceasefire-rules-v1), validated against the labeling config first.

    --out FILE writes the import file (and WORKSPACE/labelstudio/config.xml, the labeling
    config to create the project with). Without --out or --url the file is written to
    WORKSPACE/labelstudio/tasks-VERSION.json.

    --url URL pushes to a server: creates the project on first use (its id goes to
    WORKSPACE/labelstudio/state.json), then imports the articles it lacks in batches.
    Running it twice creates nothing new; a new corpus version adds its new articles, and
    the task of an article whose text changed is marked superseded (annotations kept).

    --overlap N and --overlap-share F ask Label Studio's labeling stream to give each
    task (a share F of them) to N different annotators, which agreement and adjudication
    need; given again, they update the existing project.

    A new labeling config goes to a project that has annotations only if it drops no
    label in use; otherwise the export stops and names each such label with its count.
    WORKSPACE/labelstudio/label_map.json ({"control": {"OLD": "NEW"}}) is the way forward:
    the export relabels those annotations on the server, and pull/import apply the same
    map to what they log.

    Exit codes: 0 done; 2 bad usage, unreadable input or an unreachable server.
    """

    ws = Workspace(workspace)
    if out is not None and url is not None:
        raise UsageError("give either --out FILE or --url URL, not both")
    wanted = None
    if overlap is not None or overlap_share is not None:
        if out is not None:
            raise UsageError(
                "--overlap and --overlap-share set up a project on a server; --out writes a file: drop one"
            )
        url = url or StudioState.load(ws).server
        if url is None:
            raise UsageError(
                "--overlap and --overlap-share set up the project on a server, and this workspace has none yet: "
                "add --url URL"
            )
        wanted = Overlap(
            overlap if overlap is not None else DEFAULT_OVERLAP,
            overlap_share if overlap_share is not None else DEFAULT_OVERLAP_SHARE,
        )
    with workspace_lock(ws, "export"):
        _export(
            ws,
            workspace,
            out,
            url,
            token,
            version,
            batch_size=batch_size,
            review=review,
            progress=progress,
            overlap=wanted,
            timeout=timeout,
        )


def _export(
    ws: Workspace,
    workspace: Path,
    out: Path | None,
    url: str | None,
    token: str | None,
    version: str | None,
    *,
    batch_size: int,
    review: bool,
    progress: bool,
    overlap: Overlap | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> None:
    if review:
        if url is None:
            raise UsageError("--review sends the review list to a server: add --url URL")
        review_report = send_review(ws, url, _token(workspace, url, token))
        typer.echo(review_report.summary())
        return
    if url is not None:
        push_report = push(
            ws,
            url,
            _token(workspace, url, token),
            version,
            batch_size=batch_size,
            progress=progress,
            overlap=overlap,
            timeout=timeout,
        )
        typer.echo(push_report.summary())
        return
    if out is None:
        path, _ = ensure_tasks_file(ws, version, progress=progress)
        out = path
    elif not out.parent.is_dir():
        # A typo in a path should not leave a tree of new folders behind.
        what = "is not a folder" if out.parent.exists() else "does not exist"
        raise UsageError(f"--out {out}: {out.parent} {what}; create the folder first or write into an existing one")
    file_report = export_file(ws, out, version)
    typer.echo(file_report.summary())


def _finish(report: object) -> None:
    summary = getattr(report, "summary", None)
    if callable(summary):
        typer.echo(summary())
    code = int(getattr(report, "exit_code", 0))
    if code:
        typer.echo(
            "some annotations or regions were quarantined: see WORKSPACE/annotations/quarantine.jsonl "
            "(reason code and detail on each line)",
            err=True,
        )
        raise typer.Exit(code)


def pull(
    url: UrlOption = None,
    token: TokenOption = None,
    timeout: TimeoutOption = DEFAULT_TIMEOUT,
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
) -> None:
    """Bring the annotations made since the last pull into WORKSPACE/annotations/log.jsonl.

    Incremental: asks the server only for tasks updated since the cursor in
    WORKSPACE/labelstudio/state.json. Brings ground-truth, cancelled and skipped
    annotations too, with annotator (email), timestamps and lead time. An edited
    annotation is appended again and supersedes its older line. Every region is checked
    against the corpus text: shifted offsets (UTF-16, CRLF) and whitespace the browser
    collapsed in a span's text are repaired where provable, the rest goes to
    WORKSPACE/annotations/quarantine.jsonl with a reason code.

    --url defaults to the server the workspace pushed to.

    Exit codes: 0 all accepted; 1 something was quarantined (summary printed); 2 bad
    usage or an unreachable server.
    """

    ws = Workspace(workspace)
    target = url or StudioState.load(ws).server
    if not target:
        raise UsageError(
            "no server known to this workspace: pass --url URL (or run `ceasefire-news export --url URL` first)"
        )
    with workspace_lock(ws, "pull"):
        report = pull_annotations(ws, target, _token(workspace, target, token), timeout=timeout)
    _finish(report)


def import_file(
    file: Annotated[Path, typer.Argument(help="A Label Studio JSON export file (Export -> JSON).", show_default=False)],
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
) -> None:
    """Bring the annotations of a Label Studio JSON export file into the annotation log.

    The same checks as pull: every region against the corpus text, provable repairs,
    quarantine with a reason code for the rest. Annotations already in the log with the
    same updated_at are counted as unchanged.

    Exit codes: 0 all accepted; 1 something was quarantined; 2 the file is not a JSON
    list of tasks.
    """

    ws = Workspace(workspace)
    with workspace_lock(ws, "import"):
        report = import_export_file(ws, file)
    _finish(report)


def studio(
    port: Annotated[int, typer.Option("--port", help="Port for Label Studio.")] = 8080,
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help=(
                "Address to serve on. The default serves this machine only; 0.0.0.0 (or this machine's "
                "address) serves annotators on the network: a warning is printed, the admin password must "
                "have at least 12 characters, and the URL to give annotators is printed."
            ),
        ),
    ] = "127.0.0.1",
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Show progress on stderr.")] = True,
) -> None:
    """Run a local Label Studio with the project ready, until Ctrl-C.

    First use: installs Label Studio into its own virtual environment
    (~/.cache/ceasefire-news/label-studio-1.23.2, or $CEASEFIRE_STUDIO_VENV; never the
    project's), builds the embedded corpus if the workspace has none, starts the server
    on 127.0.0.1 with its data in WORKSPACE/labelstudio/server/, creates the admin and a
    token without prompts, creates the project and pushes the corpus. Prints the URL and
    the login (kept in WORKSPACE/labelstudio/server/admin.json; set
    CEASEFIRE_STUDIO_PASSWORD before the first run to choose the password).

    Later runs reuse the environment, the server data and the project, and push only
    what is new. Ctrl-C stops the server cleanly.

    For a team: --host 0.0.0.0 serves the other machines of the network (with a warning,
    and only with an admin password of 12 characters or more), then `ceasefire-news team
    add EMAIL...` creates the annotators' accounts.
    """

    code = run_studio(Workspace(workspace), port=port, progress=progress, host=host)
    if code:
        raise typer.Exit(code)


def _help(doc: str | None) -> str:
    """A docstring as --help text: each paragraph unwrapped to one line, paragraphs kept apart."""
    paragraphs = inspect.cleandoc(doc or "").split("\n\n")
    return "\n\n".join(" ".join(line.strip() for line in p.splitlines()) for p in paragraphs)


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app``."""
    for name, command in (("export", export), ("studio", studio), ("pull", pull), ("import", import_file)):
        app.command(name, help=_help(command.__doc__))(command)
