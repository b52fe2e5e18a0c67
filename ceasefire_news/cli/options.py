"""Options that every command shares."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

WorkspaceOption = Annotated[
    Path,
    typer.Option(
        "--workspace",
        "-w",
        help="Workspace folder holding corpus versions, Label Studio state, annotations and releases.",
        envvar="CEASEFIRE_WORKSPACE",
    ),
]
DEFAULT_WORKSPACE = Path("workspace")
