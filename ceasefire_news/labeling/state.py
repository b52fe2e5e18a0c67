"""``labelstudio/state.json``: which server and project this workspace talks to.

It holds the server URL, the project id, the map from Label Studio task ids to articles,
the pull cursor, the known annotators and an index of the annotation versions already in
the log. It never holds a token. Written atomically after every step, so a run killed
at any point leaves a state that the next run can continue from (a push checks the
server's task count and repairs the task map when a batch landed without being recorded;
the log index is rebuilt from the log when their sizes differ).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ceasefire_news.dataset.corpus.workspace import Workspace, atomic_write_text, read_jsonl
from ceasefire_news.labeling.results import RECHECKED_REASONS
from ceasefire_news.schema.errors import UsageError

STATE_FORMAT = 1


@dataclass(slots=True)
class TaskEntry:
    """One Label Studio task of the project: the article it shows and its status."""

    article_id: str
    text_sha256: str
    corpus_version: str
    key: str = ""  # identity key (url or source file) that links versions of one article
    status: str = "active"  # "active" or "superseded"
    superseded_by: int | None = None
    review: str = ""  # reasons the release wants this task reviewed, "; "-joined


@dataclass(slots=True)
class StudioState:
    """The whole of ``state.json``."""

    server: str | None = None
    project_id: int | None = None
    project_title: str = ""
    tasks: dict[int, TaskEntry] = field(default_factory=dict)
    cursor: str | None = None  # the newest task ``updated_at`` seen by a pull
    users: dict[int, str] = field(default_factory=dict)  # Label Studio user id -> email
    review_view_id: int | None = None
    log_bytes: int = 0  # size of annotations/log.jsonl when ``seen`` was last right
    seen: dict[str, str] = field(default_factory=dict)  # annotation id -> newest updated_at in the log
    format: int = STATE_FORMAT

    # --- reading and writing -------------------------------------------------------------

    @classmethod
    def load(cls, workspace: Workspace) -> StudioState:
        path = workspace.state_path
        if not path.exists():
            return cls()
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            state = cls(
                server=raw.get("server"),
                project_id=raw.get("project_id"),
                project_title=raw.get("project_title", ""),
                tasks={int(k): TaskEntry(**v) for k, v in raw.get("tasks", {}).items()},
                cursor=raw.get("cursor"),
                users={int(k): str(v) for k, v in raw.get("users", {}).items()},
                review_view_id=raw.get("review_view_id"),
                log_bytes=int(raw.get("log_bytes", 0)),
                seen={str(k): str(v) for k, v in raw.get("seen", {}).items()},
                format=int(raw.get("format", STATE_FORMAT)),
            )
        except (OSError, ValueError, TypeError, AttributeError) as err:
            raise UsageError(
                f"{path} is not a readable state file ({err}). Restore it from a backup; or move it aside, and the "
                "next `ceasefire-news export --url URL` creates a new project (pulled annotations stay in the log)."
            ) from err
        if state.format > STATE_FORMAT:
            raise UsageError(f"{path} was written by a newer ceasefire-news (format {state.format}); upgrade")
        return state

    def save(self, workspace: Workspace) -> None:
        """Write ``state.json`` atomically: small fields first, then one line per task and per annotation.

        Written by hand rather than with ``indent``: the pure-Python indenting encoder takes
        seconds for a 20,000-task project, the C encoder per line milliseconds.
        """
        head = {
            "cursor": self.cursor,
            "format": self.format,
            "log_bytes": self.log_bytes,
            "project_id": self.project_id,
            "project_title": self.project_title,
            "review_view_id": self.review_view_id,
            "server": self.server,
            "users": {str(k): v for k, v in sorted(self.users.items())},
        }
        parts = ["{"]
        parts += [
            f"{json.dumps(key)}: {json.dumps(value, sort_keys=True, ensure_ascii=False)},"
            for key, value in head.items()
        ]
        parts.append('"seen": {')
        parts.append(",\n".join(f"{json.dumps(k)}:{json.dumps(v)}" for k, v in sorted(self.seen.items())))
        parts.append("},")
        parts.append('"tasks": {')
        parts.append(
            ",\n".join(
                f'"{task_id}":'
                + json.dumps(_entry_dict(entry), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
                for task_id, entry in sorted(self.tasks.items())
            )
        )
        parts.append("}")
        parts.append("}")
        atomic_write_text(workspace.state_path, "\n".join(parts) + "\n")

    # --- the log index -------------------------------------------------------------------

    def sync_seen(self, workspace: Workspace) -> None:
        """Make ``seen`` match the log (rebuilt when the log changed behind our back)."""
        path = workspace.log_path
        size = path.stat().st_size if path.exists() else 0
        if size == self.log_bytes and (size == 0 or self.seen):
            return
        newest: dict[str, tuple[str, bool]] = {}
        for _, record in read_jsonl(path):
            annotation_id = record.get("annotation_id")
            if not isinstance(annotation_id, str):
                continue
            stamp = _version_stamp(record)
            if annotation_id not in newest or stamp >= newest[annotation_id][0]:
                newest[annotation_id] = (stamp, is_pending(record))
        self.seen = {key: stamp + PENDING if pending else stamp for key, (stamp, pending) in newest.items()}
        self.log_bytes = size

    # --- tasks ---------------------------------------------------------------------------

    def active_tasks(self) -> dict[int, TaskEntry]:
        return {tid: entry for tid, entry in self.tasks.items() if entry.status == "active"}

    def tasks_by_article(self) -> dict[str, list[int]]:
        found: dict[str, list[int]] = {}
        for task_id, entry in sorted(self.tasks.items()):
            found.setdefault(entry.article_id, []).append(task_id)
        return found


def is_pending(record: dict[str, Any]) -> bool:
    """True for a logged annotation quarantined for its task alone: it is checked again later.

    Its result must be there: logs written before results were kept whole hold ``[]`` for these.
    """
    reasons = record.get("quarantine_reasons")
    result = record.get("result")
    return (
        record.get("status") == "quarantined"
        and isinstance(reasons, list)
        and bool(reasons)
        and set(reasons) <= RECHECKED_REASONS
        and isinstance(result, list)
        and bool(result)
    )


def _entry_dict(entry: TaskEntry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in TaskEntry.__slots__}


def _version_stamp(record: dict[str, Any]) -> str:
    """What tells two versions of one annotation apart: ``updated_at`` then ``created_at``."""
    return f"{record.get('updated_at') or ''}|{record.get('created_at') or ''}"


#: Ends the ``seen`` value of an annotation whose newest logged version :func:`is_pending`.
PENDING = "|pending"


def version_stamp(updated_at: str | None, created_at: str | None) -> str:
    """The ``seen`` value of an annotation version."""
    return f"{updated_at or ''}|{created_at or ''}"
