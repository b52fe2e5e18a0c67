"""The ``ceasefire-news`` command line: a thin layer over the Python API.

Exit codes: 0 success; 1 the data failed a check; 2 bad usage or unreadable input.
Errors are one message on stderr, never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from schema.errors import CeasefireError

app = typer.Typer(
    name="ceasefire-news",
    help=(
        "Build, annotate and release the ceasefire-news corpus: raw articles -> corpus "
        "version -> Label Studio -> annotation log -> validated Hugging Face release."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

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


def _register_commands() -> None:
    # Each area owns its commands; this module only assembles them.
    from dataset import build_cli, release_cli
    from labeling import cli as labeling_cli

    build_cli.register(app)
    labeling_cli.register(app)
    release_cli.register(app)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script. Returns the exit code."""
    _register_commands()
    try:
        # Standalone mode: click reports usage errors itself (exit 2) and turns
        # ``typer.Exit(code)`` into SystemExit(code).
        app(args=argv, prog_name="ceasefire-news")
    except SystemExit as done:
        code = done.code
        if code is None:
            return 0
        return code if isinstance(code, int) else 2
    except CeasefireError as err:
        typer.echo(f"error: {err}", err=True)
        return err.exit_code
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
