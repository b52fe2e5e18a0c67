"""The sources a workspace builds from, remembered between builds.

``<workspace>/sources.json`` lists the sources of the last build: absolute paths of files
and folders, and ``seeds`` for the embedded seed articles. ``build`` without options
builds them again, ``build --add PATH`` adds one, ``build --remove PATH_OR_NAME`` takes
one out, and ``build --source PATH`` replaces them all. A workspace without the file
builds from the seeds, as every workspace did before sources were remembered, unless its
latest version was built from other files: then the user names them once with ``--source``
(rebuilding from the seeds would report every article as removed).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ceasefire_news.dataset.corpus import read
from ceasefire_news.dataset.corpus.workspace import MANIFEST, Workspace, atomic_write_text
from ceasefire_news.schema.errors import UsageError

SOURCES_FILE = "sources.json"
#: How the list names the embedded seed articles.
SEEDS = "seeds"


@dataclass(frozen=True, slots=True)
class SourcePlan:
    """The sources a build reads, and what became of the remembered ones."""

    entries: list[str]
    #: Remembered sources that ``--source`` dropped (the user is told how to add instead).
    dropped: list[str]

    def paths(self) -> list[Path]:
        """The files and folders to read, the seeds expanded to their files."""
        found: list[Path] = []
        for entry in self.entries:
            found.extend(read.embedded_sources() if entry == SEEDS else [Path(entry)])
        return found


def remembered(workspace: Workspace) -> list[str]:
    """The workspace's sources: those of its last build, or the seeds.

    Raises :class:`UsageError` for a workspace whose latest version was built, before
    sources were remembered, from files that are not the seeds: they can't be found again.
    """
    path = workspace.root / SOURCES_FILE
    if not path.is_file():
        _check_built_from_seeds(workspace)
        return [SEEDS]
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))["sources"]
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise UsageError(
            f"{path} is not a list of sources ({err}); delete it and build with --source PATH for each source"
        ) from err
    if not isinstance(entries, list) or not all(isinstance(entry, str) for entry in entries):
        raise UsageError(f"{path} is not a list of sources; delete it and build with --source PATH for each source")
    return entries or [SEEDS]


def _check_built_from_seeds(workspace: Workspace) -> None:
    versions = workspace.corpus_versions()
    if not versions:
        return
    manifest = workspace.corpus_dir(versions[-1]) / MANIFEST
    try:
        listed = json.loads(manifest.read_text(encoding="utf-8")).get("sources") or []
        names = [str(entry["path"]) for entry in listed]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return  # an unreadable manifest is the build's to report, with its version
    others = [name for name in names if not name.startswith(read.EMBEDDED_PREFIX)]
    if others:
        shown = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
        raise UsageError(
            f"corpus {versions[-1]} of {workspace.root} was built from files that are not the seeds "
            f"({shown}), and this workspace does not remember where they are; name their folder once "
            "with `build --source PATH` (later builds remember it)"
        )


def remember(workspace: Workspace, plan: SourcePlan) -> None:
    """Store the sources of a build that succeeded."""
    # ASCII escapes keep a folder name that is not UTF-8 (a lone surrogate in Python) intact.
    text = json.dumps({"sources": plan.entries}, indent=2, ensure_ascii=True)
    atomic_write_text(workspace.root / SOURCES_FILE, text + "\n")


def _remembered_or_none(workspace: Workspace) -> list[str]:
    """The remembered sources, or none when they can't be known (``--source`` names them anew)."""
    try:
        return remembered(workspace)
    except UsageError:
        return []


def _entry(path: Path) -> str:
    return str(path.resolve())


def _describe(entries: Sequence[str]) -> str:
    return ", ".join(entries)


def plan_sources(
    workspace: Workspace,
    source: Sequence[Path] | None = None,
    add: Sequence[Path] | None = None,
    remove: Sequence[str] | None = None,
) -> SourcePlan:
    """The sources of a build: ``source`` (or the remembered ones), plus ``add``, minus ``remove``.

    ``remove`` names a source by its path or by its name (``my_articles``, ``seeds``).
    """
    before = remembered(workspace) if not source else _remembered_or_none(workspace)
    entries = [_entry(path) for path in source] if source else list(before)
    # A new workspace has built nothing yet: its --source replaces nothing worth a note.
    built = bool(workspace.corpus_versions())
    dropped = [entry for entry in before if entry not in entries] if source and built else []
    for path in add or []:
        if not path.exists():
            raise UsageError(f"--add {path} does not exist; give a file or folder of articles")
        if _entry(path) not in entries:
            entries.append(_entry(path))
    for name in remove or []:
        matches = [entry for entry in entries if entry in (name, _entry(Path(name))) or Path(entry).name == name]
        if not matches:
            raise UsageError(
                f"--remove {name}: not a source of this workspace (its sources: {_describe(entries)}); "
                "give one of these, by path or by name"
            )
        entries = [entry for entry in entries if entry not in matches]
    if not entries:
        raise UsageError("--remove leaves no source to build from; keep one, or give the articles with --source PATH")
    return SourcePlan(entries=entries, dropped=dropped)
