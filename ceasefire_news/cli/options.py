"""Options that every command shares."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ceasefire_news.schema.errors import UsageError


def _workspace_folder(ctx: typer.Context, value: Path) -> Path:
    # Only a workspace the user named is checked here: a file called "workspace" in the
    # current folder must not stop `validate path/to/release`, which never opens it.
    # typer carries its own click: the source is compared by name, not by class.
    source = getattr(ctx.get_parameter_source("workspace"), "name", "DEFAULT")
    if source != "DEFAULT" and value.exists() and not value.is_dir():
        raise UsageError(f"--workspace {value} is a file, not a folder; give a folder (or a new path)")
    return value


WorkspaceOption = Annotated[
    Path,
    typer.Option(
        "--workspace",
        "-w",
        help="Workspace folder holding corpus versions, Label Studio state, annotations and releases.",
        envvar="CEASEFIRE_WORKSPACE",
        callback=_workspace_folder,
    ),
]
DEFAULT_WORKSPACE = Path("workspace")
