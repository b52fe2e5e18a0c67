"""The workspace: the on-disk contract between commands (docs/ARCHITECTURE.md, "The workspace").

Every write goes through :func:`atomic_write_bytes` / :func:`atomic_directory`: a temporary
file or folder beside the target, then a rename, so a run killed at any point leaves the
last good state readable.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ceasefire_news.schema.errors import UsageError

VERSION_RE = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")


def parse_version(version: str) -> tuple[int, int, int]:
    """``"1.2.3"`` -> ``(1, 2, 3)``; a clear error for anything else."""
    match = VERSION_RE.match(version)
    if not match:
        raise UsageError(f"version {version!r} is not of the form X.Y.Z (for example 1.0.0)")
    major, minor, patch = (int(g) for g in match.groups())
    return major, minor, patch


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: Path, data: Any) -> None:
    """Deterministic JSON: sorted keys, two-space indent, trailing newline."""
    atomic_write_text(path, json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


@contextlib.contextmanager
def atomic_directory(final: Path) -> Iterator[Path]:
    """Yield a temporary folder that becomes ``final`` only when the block succeeds.

    ``final`` must not exist: a version once written is never overwritten. A leftover
    temporary folder from a killed run is removed first.
    """
    if final.exists():
        raise UsageError(
            f"{final} already exists; a version once written is never overwritten. "
            "Choose a new version with --version X.Y.Z."
        )
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.with_name(f".{final.name}.partial")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    os.rename(tmp, final)
    _fsync_dir(final.parent)


def append_jsonl(path: Path, lines: Iterable[str]) -> int:
    """Append JSON lines and fsync; all of them or, when a write fails (a full disk), none.

    Readers skip a torn last line left by a killed run; the next append notes it on stderr
    and starts on a new line.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    batch = list(lines)
    payload = "".join(line + "\n" for line in batch).encode("utf-8")
    # Unbuffered: after a failed write nothing is left in a buffer to be written at close.
    with open(path, "ab", buffering=0) as fh:
        start = fh.seek(0, os.SEEK_END)
        if start > 0:
            with open(path, "rb") as check:
                check.seek(-1, os.SEEK_END)
                if check.read(1) != b"\n":
                    # A torn line from a killed run must not glue itself to the next record.
                    print(
                        f"note: {path} ends in a torn line (a run that stopped mid-write); readers skip it, "
                        "new lines start after it",
                        file=sys.stderr,
                    )
                    payload = b"\n" + payload
        try:
            view = memoryview(payload)
            while view:  # a short write (a disk filling up) goes on until the disk says it is full
                view = view[fh.write(view) :]
            os.fsync(fh.fileno())
        except OSError as err:
            # Cut back what this call wrote: no torn line, the file as it was.
            with contextlib.suppress(OSError):
                os.truncate(path, start)
            raise OSError(err.errno, err.strerror, str(path)) from err
    return len(batch)


def read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line_number, record)`` for each complete JSON line; a torn line is skipped."""
    if not path.exists():
        return
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError:
                continue


#: The file in a corpus version and in a release that lists what it holds.
MANIFEST = "manifest.json"


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes, read in blocks (hex)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class Workspace:
    """Paths of one workspace folder (default ``./workspace``)."""

    root: Path

    @property
    def corpus_root(self) -> Path:
        return self.root / "corpus"

    def corpus_dir(self, version: str) -> Path:
        return self.corpus_root / version

    @property
    def labelstudio_dir(self) -> Path:
        return self.root / "labelstudio"

    @property
    def state_path(self) -> Path:
        return self.labelstudio_dir / "state.json"

    @property
    def config_path(self) -> Path:
        return self.labelstudio_dir / "config.xml"

    def tasks_path(self, version: str) -> Path:
        return self.labelstudio_dir / f"tasks-{version}.json"

    @property
    def log_path(self) -> Path:
        return self.root / "annotations" / "log.jsonl"

    @property
    def quarantine_path(self) -> Path:
        return self.root / "annotations" / "quarantine.jsonl"

    @property
    def review_path(self) -> Path:
        """The release's list of units for review (``export --review`` sends it)."""
        return self.root / "annotations" / "review.jsonl"

    @property
    def release_root(self) -> Path:
        return self.root / "release"

    def release_dir(self, version: str) -> Path:
        return self.release_root / version

    @staticmethod
    def _versions(folder: Path) -> list[str]:
        if not folder.is_dir():
            return []
        found = [p.name for p in folder.iterdir() if p.is_dir() and VERSION_RE.match(p.name)]
        return sorted(found, key=parse_version)

    def corpus_versions(self) -> list[str]:
        return self._versions(self.corpus_root)

    def release_versions(self) -> list[str]:
        return self._versions(self.release_root)

    def latest_corpus_version(self) -> str:
        """The newest corpus version, or a clear error telling the user to build first."""
        versions = self.corpus_versions()
        if not versions:
            raise UsageError(f"no corpus in {self.corpus_root}; run `ceasefire-news build` first")
        return versions[-1]
