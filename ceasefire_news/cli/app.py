"""The ``ceasefire-news`` command line: a thin layer over the Python API.

Exit codes: 0 success; 1 the data failed a check; 2 bad usage or unreadable input.
Errors are one message on stderr, never a traceback.
"""

from __future__ import annotations

import errno
import sys
from typing import Any

import typer
import typer.main
from typer.core import TyperArgument

from ceasefire_news.cli import build as build_commands
from ceasefire_news.cli import labeling as labeling_commands
from ceasefire_news.cli import release as release_commands
from ceasefire_news.cli import team as team_commands
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
    rich_markup_mode=None,
)

# Each stage's commands live in their own module; this one only assembles them.
build_commands.register(app)
labeling_commands.register(app)
release_commands.register(app)
team_commands.register(app)


def _readable_names(command: Any) -> Any:
    """Name every value in ``--help`` as a word (PATH, N, VERSION), never as a Python type.

    typer shows ``<list[Path]>`` or ``<str>`` after an option and ``{folder}`` for a required
    argument; a metavar set on each parameter takes their place.
    """
    for sub in getattr(command, "commands", {}).values():
        _readable_names(sub)
    for param in command.params:
        if param.metavar is not None or getattr(param, "is_flag", False):
            continue
        bare = getattr(param, "bare_type", None)
        kind = bare() if callable(bare) else ""
        if isinstance(param, TyperArgument):
            name = (param.name or "value").upper()
            param.metavar = name
            # A required argument reads as itself; an optional one in brackets, as usual.
            usage = name if param.required else f"[{name}]"
            setattr(param, "_usage_display_name", lambda usage=usage: usage)  # noqa: B010
            setattr(param, "display_type_rich", lambda ctx: None)  # noqa: B010 -- the name says it: FOLDER, FILE
        elif "Path" in kind:
            param.metavar = "PATH"
        elif kind in ("int", "list[int]"):
            param.metavar = "N"
        else:
            param.metavar = (param.name or "value").upper()
    return command


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
        _readable_names(typer.main.get_command(app))(args=argv, prog_name="ceasefire-news")
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
