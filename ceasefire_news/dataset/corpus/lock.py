"""One writer at a time: the workspace lock of the commands that write.

``build``, ``release``, ``import``, ``pull`` and ``export`` hold ``<workspace>/.lock`` for
their whole run; ``studio`` holds it only while it pushes. Readers (``validate``, ``diff``)
never wait. The lock is an advisory ``flock`` on the file, so the kernel frees it when its
holder dies, however it dies; the file also says who holds it (host, pid, command, start
time), which is what a second writer is told:

    workspace busy: `release` by pid 4242 on host-a since 2026-12-03T10:00:00Z; wait for it
    to finish, or stop it

A file left by a process that is gone is taken over, with a note on stderr.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import socket
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from ceasefire_news.dataset.corpus.workspace import Workspace
from ceasefire_news.schema.errors import UsageError

LOCK_FILE = ".lock"


class WorkspaceBusy(UsageError):
    """Another command is writing to the workspace (exit 2)."""


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds a workspace lock."""

    host: str
    pid: int
    command: str
    since: str

    def describe(self) -> str:
        return f"`{self.command}` by pid {self.pid} on {self.host} since {self.since}"

    def alive(self) -> bool | None:
        """Whether the holder still runs: None when it is on another host (nobody here can tell)."""
        if self.host != socket.gethostname():
            return None
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True  # it exists, under another user
        return True


def lock_path(workspace: Workspace) -> Path:
    return workspace.root / LOCK_FILE


def read_holder(workspace: Workspace) -> Holder | None:
    """The holder the lock file names, or None (no file, or not a lock file of ours)."""
    try:
        data = json.loads(lock_path(workspace).read_text(encoding="utf-8"))
        return Holder(str(data["host"]), int(data["pid"]), str(data["command"]), str(data["since"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _remove_partials(workspace: Workspace) -> None:
    """Remove the ``.X.partial`` folders a killed build or release left; only a lock holder may."""
    for parent in (workspace.corpus_root, workspace.release_root):
        if not parent.is_dir():
            continue
        for folder in sorted(parent.glob(".*.partial")):
            if folder.is_dir() and not folder.is_symlink():
                print(f"note: removing {folder}, left by a build or release that did not finish", file=sys.stderr)
                shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def workspace_lock(workspace: Workspace, command: str, *, create: bool = False) -> Iterator[Holder]:
    """Hold the workspace's writer lock for the duration of the ``with`` block.

    Raises :class:`WorkspaceBusy` at once (never waits) when another process holds it. Only
    a command that makes a workspace (``build``, ``create=True``) may find none there.

    >>> with workspace_lock(Workspace(Path("workspace")), "build"):  # doctest: +SKIP
    ...     ...
    """
    if workspace.root.exists() and not workspace.root.is_dir():
        raise UsageError(f"--workspace {workspace.root} is a file, not a folder; give a folder (or a new path)")
    if not create and not workspace.root.is_dir():
        raise UsageError(f"no workspace at {workspace.root}; run `ceasefire-news build` first, or give --workspace")
    workspace.root.mkdir(parents=True, exist_ok=True)
    path = lock_path(workspace)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as err:
        raise UsageError(
            f"cannot write the workspace lock {path} ({err.strerror}); check that the workspace is writable"
        ) from err
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = read_holder(workspace)
            who = holder.describe() if holder else "another command"
            raise WorkspaceBusy(f"workspace busy: {who}; wait for it to finish, or stop it ({path})") from None
        previous = read_holder(workspace)
        if previous is not None and previous.alive() is False:
            print(
                f"note: taking over the workspace lock left by {previous.describe()}, which is no longer running",
                file=sys.stderr,
            )
        me = Holder(socket.gethostname(), os.getpid(), command, datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(asdict(me)) + "\n").encode(), 0)
        _remove_partials(workspace)
        try:
            yield me
        finally:
            os.ftruncate(fd, 0)  # released: an empty file names nobody
    finally:
        os.close(fd)  # closing frees the flock
