"""What changed between two releases: articles, and labels per unit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ceasefire_news.dataset.corpus.workspace import Workspace, parse_version
from ceasefire_news.schema.errors import UsageError
from ceasefire_news.schema.labels import EVENT_TYPES, FACTUALITY, GENRES, MODES, STANCE_LABELS, STANCE_TARGETS


def _release_folder(workspace: Workspace, which: str) -> Path:
    path = Path(which)
    if not parse_version_ok(which) and path.is_dir():
        return path
    parse_version(which)
    folder = workspace.release_dir(which)
    if not folder.is_dir():
        raise UsageError(
            f"release {which} is not in {workspace.release_root}; releases there: "
            f"{workspace.release_versions() or 'none'}. Give a release version or a release folder."
        )
    return folder


def parse_version_ok(text: str) -> bool:
    """True when ``text`` is an X.Y.Z version."""
    try:
        parse_version(text)
    except UsageError:
        return False
    return True


def _read_config(folder: Path, config: str, columns: list[str], unreadable: list[str]) -> list[dict[str, Any]]:
    """The rows of a config; a file that can't be read (a damaged page) is named in ``unreadable`` and left out."""
    files = sorted((folder / "data" / config).glob("*.parquet"))
    rows: list[dict[str, Any]] = []
    for file in files:
        try:
            rows += pq.read_table(file, columns=columns).to_pylist()
        except (OSError, ValueError, pa.ArrowException) as err:  # ValueError: a page decoded into bad UTF-8
            reason = str(err).splitlines()[0] if str(err) else type(err).__name__
            unreadable.append(f"{file}: can't be read ({reason}); its rows are left out of the diff")
    return rows


def _label(vocabulary: Any, value: int | None) -> str | None:
    return None if value is None else str(vocabulary.names[value])


def diff_releases(workspace: Workspace | Path, v1: str, v2: str) -> dict[str, Any]:
    """What changed from release ``v1`` to ``v2`` (versions in the workspace, or folders).

    Articles are matched by id, and an article whose text changed (so its content-derived
    id changed) by its identity (URL, else source file): it is reported as changed, not as
    removed and added. Labels: stance per (article, target), events per event id, genre.

    >>> diff_releases(Workspace(Path("workspace")), "1.0.0", "1.1.0")["articles"]["added"]  # doctest: +SKIP
    ['a-3bc1520a463866a3']
    """
    ws = workspace if isinstance(workspace, Workspace) else Workspace(Path(workspace))
    old_dir, new_dir = _release_folder(ws, v1), _release_folder(ws, v2)
    unreadable: list[str] = []
    columns = ["article_id", "url", "source_file", "title", "outlet", "published_date", "story_id", "split", "genre"]
    old = {r["article_id"]: r for r in _read_config(old_dir, "articles", columns, unreadable)}
    new = {r["article_id"]: r for r in _read_config(new_dir, "articles", columns, unreadable)}

    def identity(row: dict[str, Any]) -> str:
        return str(row["url"] or row["source_file"])

    added = sorted(set(new) - set(old))
    removed = sorted(set(old) - set(new))
    old_by_identity = {identity(old[a]): a for a in removed}
    changed: list[dict[str, Any]] = []
    renamed: dict[str, str] = {}
    for article_id in added:
        before = old_by_identity.get(identity(new[article_id]))
        if before is not None:
            renamed[before] = article_id
            changed.append({"article_id": article_id, "previous_id": before, "fields": ["text"]})
    for article_id in sorted(set(old) & set(new)):
        fields = [c for c in columns[1:] if old[article_id][c] != new[article_id][c]]
        if fields:
            changed.append({"article_id": article_id, "fields": fields})
    added = [a for a in added if a not in renamed.values()]
    removed = [a for a in removed if a not in renamed]

    def stance(folder: Path) -> dict[tuple[str, str], str | None]:
        rows = _read_config(folder, "stance", ["article_id", "target", "label"], unreadable)
        return {(r["article_id"], STANCE_TARGETS.names[r["target"]]): _label(STANCE_LABELS, r["label"]) for r in rows}

    def events(folder: Path) -> dict[str, dict[str, Any]]:
        rows = _read_config(
            folder, "events", ["event_id", "article_id", "event_type", "mode", "factuality", "arguments"], unreadable
        )
        return {
            r["event_id"]: {
                "article_id": r["article_id"],
                "event_type": EVENT_TYPES.names[r["event_type"]],
                "mode": _label(MODES, r["mode"]),
                "factuality": _label(FACTUALITY, r["factuality"]),
                "arguments": len(r["arguments"]),
            }
            for r in rows
        }

    old_stance, new_stance = stance(old_dir), stance(new_dir)
    stance_changed = [
        {"article_id": k[0], "target": k[1], "from": old_stance[k], "to": new_stance[k]}
        for k in sorted(set(old_stance) & set(new_stance))
        if old_stance[k] != new_stance[k]
    ]
    old_events, new_events = events(old_dir), events(new_dir)
    events_changed = [
        {"event_id": k, "from": old_events[k], "to": new_events[k]}
        for k in sorted(set(old_events) & set(new_events))
        if old_events[k] != new_events[k]
    ]
    genre_changed = [
        {"article_id": a, "from": _label(GENRES, old[a]["genre"]), "to": _label(GENRES, new[a]["genre"])}
        for a in sorted(set(old) & set(new))
        if old[a]["genre"] != new[a]["genre"]
    ]
    return {
        "from": v1,
        "to": v2,
        "articles": {"added": added, "removed": removed, "changed": changed},
        "labels": {
            "stance": {
                "added": [{"article_id": a, "target": t} for a, t in sorted(set(new_stance) - set(old_stance))],
                "removed": [{"article_id": a, "target": t} for a, t in sorted(set(old_stance) - set(new_stance))],
                "changed": stance_changed,
            },
            "events": {
                "added": sorted(set(new_events) - set(old_events)),
                "removed": sorted(set(old_events) - set(new_events)),
                "changed": events_changed,
            },
            "genre": {"changed": genre_changed},
        },
        # Present only when a data file could not be read: the diff is then incomplete.
        **({"unreadable": unreadable} if unreadable else {}),
    }


def summarize_diff(diff: dict[str, Any]) -> str:
    """A few readable lines for the terminal."""
    articles, labels = diff["articles"], diff["labels"]
    lines = [
        f"release {diff['from']} -> {diff['to']}",
        f"articles: {len(articles['added'])} added, {len(articles['removed'])} removed, "
        f"{len(articles['changed'])} changed",
    ]
    for unit in ("stance", "events"):
        entry = labels[unit]
        lines.append(
            f"{unit}: {len(entry['added'])} added, {len(entry['removed'])} removed, {len(entry['changed'])} changed"
        )
    lines.append(f"genre: {len(labels['genre']['changed'])} changed")
    return "\n".join(lines)
