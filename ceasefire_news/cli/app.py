"""The ``ceasefire-news`` command line: a thin layer over the Python API.

Exit codes: 0 success; 1 the data failed a check; 2 bad usage or unreadable input.
Errors are one message on stderr, never a traceback.
"""

from __future__ import annotations

import errno
import sys

import typer

from ceasefire_news.cli import build as build_commands
from ceasefire_news.cli import labeling as labeling_commands
from ceasefire_news.cli import release as release_commands
from ceasefire_news.schema.errors import CeasefireError

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

# Each stage's commands live in their own module; this one only assembles them.
build_commands.register(app)
labeling_commands.register(app)
release_commands.register(app)


def os_error_message(err: OSError) -> str:
    """One line for an error of the system: what failed, and what to do."""
    where = f" ({err.filename})" if err.filename else ""
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        return (
            f"{err.strerror}{where}: the disk is full; free some space and run the command again "
            "(what was written before stays as it was; nothing was half-written)"
        )
    if err.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return f"{err.strerror}{where}: the workspace and its files must be writable by you; check their owner"
    return f"{err.strerror or err}{where}"


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script. Returns the exit code."""
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
    except OSError as err:
        typer.echo(f"error: {os_error_message(err)}", err=True)
        return 2
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
