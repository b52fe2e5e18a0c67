"""``ceasefire-news team`` (annotator accounts, who did what) and ``status`` (how annotation goes)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from urllib.parse import urlparse

import typer

from ceasefire_news.cli.labeling import TokenOption, UrlOption, _help, _token
from ceasefire_news.cli.options import DEFAULT_WORKSPACE, WorkspaceOption
from ceasefire_news.dataset.corpus.workspace import Workspace
from ceasefire_news.dataset.release.progress import plot_progress, progress
from ceasefire_news.labeling.client import StudioClient
from ceasefire_news.labeling.state import StudioState
from ceasefire_news.labeling.studio import shared_url
from ceasefire_news.labeling.team import activity, activity_table, add_members
from ceasefire_news.schema.errors import UsageError

team_app = typer.Typer(no_args_is_help=True, help="Annotator accounts on the Label Studio server, and their progress.")


def _server(workspace: Workspace, url: str | None) -> str:
    target = url or StudioState.load(workspace).server
    if not target:
        raise UsageError(
            "no server known to this workspace: pass --url URL (or start `ceasefire-news studio`, "
            "or run `ceasefire-news export --url URL` first)"
        )
    return target.rstrip("/")


def add(
    emails: Annotated[list[str], typer.Argument(help="Email addresses of the annotators.", show_default=False)],
    invite_link: Annotated[
        bool,
        typer.Option(
            "--invite-link",
            help="Create nothing: print the organisation's invite link for each new annotator to sign up with.",
        ),
    ] = False,
    url: UrlOption = None,
    token: TokenOption = None,
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
) -> None:
    """Create annotator accounts on the server (the workspace's own studio unless --url).

    Each new email is signed up through the organisation's invite link with a fresh
    password, printed here once and written nowhere: pass it on to its owner, who can
    change it under Account & Settings. With --invite-link nothing is created and the
    link is printed instead. An email that is already a member is left as it is, so the
    command can be run again with the whole team.

    Exit codes: 0 done; 2 bad usage or an unreachable server.
    """
    ws = Workspace(workspace)
    target = _server(ws, url)
    with StudioClient(target, _token(workspace, target, token)) as client:
        host = urlparse(target).hostname or ""
        public = shared_url(host, urlparse(target).port or 80) if host in {"0.0.0.0", "::"} else None
        for member in add_members(client, emails, invite_only=invite_link, public_url=public):
            typer.echo(member.line())


def list_members(
    url: UrlOption = None,
    token: TokenOption = None,
    offline: Annotated[
        bool, typer.Option("--offline", help="Only the annotation log: do not ask the server for its members.")
    ] = False,
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
) -> None:
    """Each annotator's pseudonym (the one releases use), tasks done and skipped, last activity.

    Counts come from the annotation log, i.e. the last `pull`; members of the server
    who have annotated nothing yet are listed too (unless --offline).
    """
    ws = Workspace(workspace)
    members: list[str] = []
    if not offline and (url or StudioState.load(ws).server):
        target = _server(ws, url)
        with StudioClient(target, _token(workspace, target, token)) as client:
            members = [email for email in client.users().values() if email]
    typer.echo(activity_table(activity(ws, members)))


def status(
    plot: Annotated[
        Path | None,
        typer.Option("--plot", help="Also draw progress over time and agreement by label into this PNG file."),
    ] = None,
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
) -> None:
    """How annotation is going, as of the last pull (nothing is asked of the server).

    Tasks annotated and remaining, each annotator's (pseudonymised) count, skips and
    median time per task, agreement so far on the tasks two or more people annotated
    (stance alpha per target, trigger span F1: the release's measures), and the articles
    the last release listed for review. --plot FILE.png draws annotations over time and
    agreement by label.
    """
    ws = Workspace(workspace)
    if not ws.log_path.exists():
        raise UsageError(f"no annotations in {ws.log_path} yet: run `ceasefire-news pull` (or `import`) first")
    report = progress(ws)
    typer.echo(report.summary())
    if plot is not None:
        if plot.suffix.lower() != ".png":
            raise UsageError(f"--plot writes a PNG picture: give a file name ending in .png, got {plot}")
        plot_progress(report, plot)
        typer.echo(f"plot written to {plot}")


def register(app: typer.Typer) -> None:
    """Add ``team add``, ``team list`` and ``status`` to ``app``."""
    app.command("status", help=_help(status.__doc__))(status)
    team_app.command("add", help=_help(add.__doc__))(add)
    team_app.command("list", help=_help(list_members.__doc__))(list_members)
    app.add_typer(team_app, name="team")
