"""Errors that say what to do. The CLI turns them into one line on stderr and an exit code.

- :class:`UsageError` (exit 2): bad usage or unreadable input; fix the command or the file.
- :class:`DataError` (exit 1): the data failed a check; the message lists what failed.
- :class:`RecordRejected`: one input record can't be used; it is counted and reported,
  the run goes on (never raised out of a command).
"""

from __future__ import annotations


class CeasefireError(Exception):
    """Base class: ``str(err)`` is the whole message shown to the user."""

    exit_code = 2


class UsageError(CeasefireError):
    """Bad usage or unreadable input: the message names the input and the fix."""

    exit_code = 2


class DataError(CeasefireError):
    """The data failed a check: the message lists every failure and the fix."""

    exit_code = 1


class RecordRejected(CeasefireError):
    """One record can't be used. ``where`` names the file (and line); ``reason`` is a short code."""

    exit_code = 1

    def __init__(self, where: str, reason: str, detail: str) -> None:
        super().__init__(f"{where}: {detail}")
        self.where = where
        self.reason = reason
        self.detail = detail
