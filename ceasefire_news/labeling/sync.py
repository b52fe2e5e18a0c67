"""The Label Studio round trip: export (file or push), pull, and import of an export file.

- :func:`export_file` writes the Label Studio import file of a corpus version (tasks with
  validated predictions) and the labeling config.
- :func:`push` sends a corpus version to a server: it creates the project (or finds it
  through ``labelstudio/state.json``), imports the new articles in batches, and marks the
  task of a changed article superseded (its annotations stay). Running it twice creates
  nothing the second time.
- :func:`pull` brings back what changed since the last pull (the data manager filters on
  the tasks' ``updated_at``), checks every region against the corpus text and appends to
  ``annotations/log.jsonl``; rejected regions and annotations go to
  ``annotations/quarantine.jsonl`` with a reason code.
- :func:`import_export_file` does the same from a Label Studio JSON export file.
- :func:`send_review` marks the tasks the release wants reviewed and keeps a
  "Needs review" view of them in the project.

>>> report = SyncReport(source="pull", new=2, unchanged=1)
>>> report.exit_code, report.summary().splitlines()[0]
(0, 'pull: 2 new, 0 updated, 1 unchanged annotations; 0 quarantined, 0 repaired')
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ceasefire_news.dataset.corpus.versions import Identity, changed_pairs, identity_key, load_corpus
from ceasefire_news.dataset.corpus.workspace import Workspace, append_jsonl, atomic_write_text, read_jsonl
from ceasefire_news.labeling.annotation_table import append_to_log
from ceasefire_news.labeling.client import StudioClient
from ceasefire_news.labeling.config import label_config
from ceasefire_news.labeling.guidelines import instructions_html
from ceasefire_news.labeling.integrity import TextIndex, check_annotation, text_sha256
from ceasefire_news.labeling.preannotate import MODEL_VERSION
from ceasefire_news.labeling.results import REASON_CODES, Problem
from ceasefire_news.labeling.state import StudioState, TaskEntry, version_stamp
from ceasefire_news.labeling.tasks import PredictionValidator, TaskBuild, iter_rows, iter_tasks
from ceasefire_news.schema.errors import UsageError
from ceasefire_news.schema.records import LoggedAnnotation

if TYPE_CHECKING:
    import datasets

PROJECT_TITLE = "ceasefire-news"
REVIEW_VIEW_TITLE = "Needs review"
#: Format of the tasks file; bump when the task layout changes (stale files are rebuilt).
TASK_FORMAT = 1
DEFAULT_BATCH_SIZE = 2000
#: A pull asks again for tasks updated this long before its cursor (the time the last
#: pull started): a transaction that committed late is still seen; what was already
#: logged counts as unchanged.
CURSOR_OVERLAP = timedelta(seconds=2)
PULL_PAGE_SIZE = 500
_LS_TIME = "%Y-%m-%dT%H:%M:%S.%fZ"


# --- reports -------------------------------------------------------------------------------


@dataclass(slots=True)
class PushReport:
    """What a push did."""

    url: str
    project_id: int
    version: str
    project_created: bool = False
    tasks_created: int = 0
    tasks_existing: int = 0
    tasks_superseded: int = 0
    tasks_recovered: int = 0  # tasks found on the server that state.json had lost
    predictions: int = 0
    dropped_predictions: int = 0
    batches: int = 0

    def summary(self) -> str:
        lines = [
            f"export to {self.url}, project {self.project_id}"
            + (" (created)" if self.project_created else "")
            + f", corpus {self.version}:",
            f"  {self.tasks_created} tasks created in {self.batches} batches, "
            f"{self.tasks_existing} already there, {self.tasks_superseded} old tasks marked superseded",
            f"  {self.predictions} predictions ({MODEL_VERSION}), {self.dropped_predictions} left out as invalid",
        ]
        if self.tasks_recovered:
            lines.append(f"  {self.tasks_recovered} tasks found on the server and added back to state.json")
        return "\n".join(lines)


@dataclass(slots=True)
class ExportReport:
    """What :func:`export_file` wrote."""

    path: Path
    config_path: Path
    version: str
    tasks: int
    predictions: int
    dropped_predictions: int

    def summary(self) -> str:
        return (
            f"wrote {self.tasks} tasks ({self.predictions} with predictions, {self.dropped_predictions} predictions "
            f"left out as invalid) of corpus {self.version} to {self.path}\n"
            f"labeling config: {self.config_path}"
        )


@dataclass(slots=True)
class SyncReport:
    """What a pull or an import did. ``exit_code`` is 1 when anything was quarantined."""

    source: str
    tasks: int = 0
    annotations: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    accepted: int = 0
    partial: int = 0
    quarantined_annotations: int = 0
    quarantined: int = 0  # quarantine records written (regions and whole annotations)
    repaired: int = 0  # regions repaired
    by_reason: Counter[str] = field(default_factory=Counter)
    by_repair: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    server_seconds: float = 0.0  # of ``seconds``, waiting on Label Studio

    @property
    def exit_code(self) -> int:
        return 1 if self.quarantined else 0

    def summary(self) -> str:
        lines = [
            f"{self.source}: {self.new} new, {self.updated} updated, {self.unchanged} unchanged annotations; "
            f"{self.quarantined} quarantined, {self.repaired} repaired",
            f"  {self.tasks} tasks and {self.annotations} annotations read; of the new and updated: "
            f"{self.accepted} accepted, {self.partial} partly quarantined, "
            f"{self.quarantined_annotations} wholly quarantined",
        ]
        for reason, count in sorted(self.by_reason.items()):
            lines.append(f"  quarantined {count:>5}  {reason}: {REASON_CODES.get(reason, '')}")
        for kind, count in sorted(self.by_repair.items()):
            lines.append(f"  repaired    {count:>5}  {kind}")
        if self.seconds:
            lines.append(f"  took {self.seconds:.1f} s, of which {self.server_seconds:.1f} s waiting on Label Studio")
        return "\n".join(lines)


# --- corpus access -------------------------------------------------------------------------


def _load_corpus(workspace: Workspace, version: str | None) -> datasets.Dataset:
    return load_corpus(workspace, version)


class CorpusTexts:
    """Article texts by id, from the corpus versions of the workspace, loaded on demand."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._versions: dict[str, tuple[Any, dict[str, int]]] = {}
        self._cache: dict[str, tuple[str, str, TextIndex]] = {}

    def _open(self, version: str) -> tuple[Any, dict[str, int]] | None:
        if version not in self._versions:
            if version not in self.workspace.corpus_versions():
                return None
            corpus = _load_corpus(self.workspace, version)
            # One Arrow column read; indexing the Dataset would decode row by row.
            ids = corpus.with_format("arrow")["article_id"].to_pylist()
            rows = {article_id: i for i, article_id in enumerate(ids)}
            self._versions[version] = (corpus, rows)
        return self._versions[version]

    def get(self, article_id: str, version: str | None) -> tuple[str, str, TextIndex] | None:
        """``(text, text_sha256, index)`` of the article, or None when no version has it.

        The task's own corpus version is looked in first; article ids derive from the
        text, so any version holding the id holds the same text.
        """
        if article_id in self._cache:
            return self._cache[article_id]
        order = [version] if version else []
        order += [v for v in reversed(self.workspace.corpus_versions()) if v != version]
        for candidate in order:
            opened = self._open(candidate)
            if opened is None:
                continue
            corpus, rows = opened
            if article_id in rows:
                row = corpus[rows[article_id]]
                found = (str(row["text"]), str(row["text_sha256"]), TextIndex(str(row["text"])))
                if len(self._cache) > 4096:
                    self._cache.clear()
                self._cache[article_id] = found
                return found
        return None


# --- export to a file ----------------------------------------------------------------------


def _config_digest() -> str:
    return hashlib.sha256(label_config().encode("utf-8")).hexdigest()


def _tasks_signature(workspace: Workspace, version: str) -> dict[str, Any]:
    manifest: dict[str, Any] = {}
    path = workspace.corpus_dir(version) / "state.json"
    if path.exists():
        manifest = json.loads(path.read_text(encoding="utf-8"))
    return {
        "corpus_fingerprint": manifest.get("_fingerprint"),
        "corpus_version": version,
        "label_config_sha256": _config_digest(),
        "model_version": MODEL_VERSION,
        "task_format": TASK_FORMAT,
    }


def _signature_path(workspace: Workspace, version: str) -> Path:
    return workspace.labelstudio_dir / f"tasks-{version}.signature.json"


def _write_tasks(path: Path, tasks: Iterable[dict[str, Any]]) -> None:
    """A JSON list with one task per line: valid Label Studio import JSON that we can stream."""
    tmp = path.with_name(f".{path.name}.partial")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write("[")
        first = True
        for task in tasks:
            fh.write("\n" if first else ",\n")
            fh.write(json.dumps(task, ensure_ascii=False, sort_keys=True, separators=(",", ":")))
            first = False
        fh.write("\n]\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def iter_tasks_file(path: Path) -> Iterator[dict[str, Any]]:
    """Stream the tasks of a file written by :func:`export_file` (one task per line)."""
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            stripped = line.strip().rstrip(",")
            if stripped in ("", "[", "]"):
                continue
            yield json.loads(stripped)


def ensure_tasks_file(
    workspace: Workspace, version: str | None = None, *, progress: bool = False
) -> tuple[Path, TaskBuild | None]:
    """``labelstudio/tasks-<version>.json``, built (with pre-annotation) only when missing or stale.

    Returns the path and the build report (None when the existing file was still good).
    """
    corpus = _load_corpus(workspace, version)
    version = str(corpus.info.version) if corpus.info.version else workspace.latest_corpus_version()
    path = workspace.tasks_path(version)
    signature = _tasks_signature(workspace, version)
    signature_path = _signature_path(workspace, version)
    if path.exists() and signature_path.exists():
        try:
            if json.loads(signature_path.read_text(encoding="utf-8")) == signature:
                return path, None
        except ValueError:
            pass
    report = TaskBuild()
    rows = iter_rows(corpus)
    if progress:
        from tqdm import tqdm

        rows = tqdm(rows, total=len(corpus), desc="pre-annotating", unit="article", file=sys.stderr)
    _write_tasks(path, iter_tasks(rows, report=report, validator=PredictionValidator()))
    atomic_write_text(signature_path, json.dumps(signature, indent=2, sort_keys=True) + "\n")
    atomic_write_text(workspace.config_path, label_config())
    return path, report


def export_file(workspace: Workspace, out: Path, version: str | None = None) -> ExportReport:
    """Write the Label Studio import file (tasks + predictions) of a corpus version to ``out``.

    Also writes the labeling config to ``labelstudio/config.xml``. Import ``out`` in
    Label Studio (project → Import) after creating the project with that config.
    """
    path, build = ensure_tasks_file(workspace, version)
    tasks = predictions = 0
    for task in iter_tasks_file(path):
        tasks += 1
        predictions += bool(task.get("predictions"))
    dropped = len(build.dropped_predictions) if build else 0
    if Path(out).resolve() != path.resolve():
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(f".{out.name}.partial")
        shutil.copyfile(path, partial)
        os.replace(partial, out)
    atomic_write_text(workspace.config_path, label_config())
    version_name = path.name.removeprefix("tasks-").removesuffix(".json")
    return ExportReport(Path(out), workspace.config_path, version_name, tasks, predictions, dropped)


# --- push ----------------------------------------------------------------------------------


def _project_fields() -> dict[str, Any]:
    return {
        "title": PROJECT_TITLE,
        "description": "News on ceasefire diplomacy in the Syrian war: stance, genre, PLOVER events.",
        "label_config": label_config(),
        "expert_instruction": instructions_html(),
        "show_instruction": True,
        "show_skip_button": True,
        "enable_empty_annotation": True,
        "model_version": MODEL_VERSION,
    }


def _open_project(client: StudioClient, state: StudioState, url: str) -> tuple[int, bool]:
    """The project of this workspace on ``url``: found through state.json, or created."""
    fields = _project_fields()
    if state.project_id is not None:
        if state.server and state.server.rstrip("/") != url:
            raise UsageError(
                f"this workspace is linked to project {state.project_id} on {state.server}, not to {url}. "
                "Use another --workspace for a second server, or move labelstudio/state.json aside."
            )
        project = client.project(state.project_id)
        if project is None:
            raise UsageError(
                f"project {state.project_id} recorded in state.json does not exist on {url} (deleted?). "
                "Move labelstudio/state.json aside to create a new project; annotations already pulled stay "
                "in annotations/log.jsonl."
            )
        changes = {
            key: fields[key]
            for key in ("label_config", "expert_instruction", "model_version")
            if str(project.get(key) or "").strip() != str(fields[key]).strip()  # the server strips the config
        }
        if changes:
            client.update_project(state.project_id, **changes)
        return state.project_id, False
    project = client.create_project(**fields)
    state.server = url
    state.project_id = int(project["id"])
    state.project_title = str(project.get("title", PROJECT_TITLE))
    return state.project_id, True


def _recover_tasks(client: StudioClient, state: StudioState, project_id: int) -> int:
    """Add tasks present on the server but missing from state.json (a push killed mid-batch)."""
    recovered = 0
    for task in client.iter_all_tasks(project_id, include="id,data"):
        task_id = int(task["id"])
        data = task.get("data") or {}
        if task_id in state.tasks or not isinstance(data, dict) or "article_id" not in data:
            continue
        state.tasks[task_id] = TaskEntry(
            article_id=str(data["article_id"]),
            text_sha256=str(data.get("text_sha256", "")),
            corpus_version=str(data.get("corpus_version", "")),
            key=str(data.get("url") or ""),  # completed from the corpus by the push
            status="superseded" if data.get("superseded_by") else "active",
        )
        recovered += 1
    return recovered


def _identity_keys(corpus: datasets.Dataset) -> dict[str, str]:
    columns = corpus.select_columns(["article_id", "url", "source_file"])
    keys: dict[str, str] = {}
    for batch in columns.iter(batch_size=5000):
        for article_id, url, source_file in zip(batch["article_id"], batch["url"], batch["source_file"], strict=True):
            keys[article_id] = identity_key(url, source_file)
    return keys


def _changed(state: StudioState, keys: dict[str, str]) -> list[tuple[int, str]]:
    """``(old task id, new article id)`` for articles whose text changed since their task."""

    active = state.active_tasks()
    old = [Identity(entry.article_id, entry.key) for entry in active.values() if entry.key]
    new = [Identity(article_id, key) for article_id, key in keys.items()]
    task_of = {entry.article_id: task_id for task_id, entry in active.items()}
    has_task = {entry.article_id for entry in state.tasks.values()}
    pairs = []
    for before, after in changed_pairs(old, new):
        # Only a newer text replaces an older one: pushing an old version again (whose
        # articles already have tasks) supersedes nothing.
        if before.article_id not in keys and after.article_id not in has_task:
            pairs.append((task_of[before.article_id], after.article_id))
    return pairs


def push(
    workspace: Workspace,
    url: str,
    token: str,
    version: str | None = None,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: bool = False,
) -> PushReport:
    """Send a corpus version (default: the latest) to the Label Studio server at ``url``.

    Creates the project on first use (config from :mod:`ceasefire_news.labeling.config`, instructions
    from :mod:`ceasefire_news.labeling.guidelines`), imports one task per article not yet in the project,
    in batches of ``batch_size``, and marks the task of each changed article superseded
    (pointing to the new task; its annotations are kept). Idempotent: a second run
    creates nothing. ``state.json`` is saved after every batch.
    """
    url = url.rstrip("/")
    if batch_size < 1:
        raise UsageError(f"--batch-size must be at least 1, got {batch_size}")
    tasks_path, build = ensure_tasks_file(workspace, version, progress=progress)
    version = tasks_path.name.removeprefix("tasks-").removesuffix(".json")
    state = StudioState.load(workspace)
    with StudioClient(url, token) as client:
        client.whoami()  # a wrong token or URL fails here, before anything is created
        project_id, created = _open_project(client, state, url)
        state.save(workspace)
        report = PushReport(url=url, project_id=project_id, version=version, project_created=created)
        if build is not None:
            report.dropped_predictions = len(build.dropped_predictions)

        project = client.project(project_id) or {}
        if int(project.get("task_number") or 0) != len(state.tasks):
            report.tasks_recovered = _recover_tasks(client, state, project_id)
            state.save(workspace)

        corpus = _load_corpus(workspace, version)
        keys = _identity_keys(corpus)
        for entry in state.tasks.values():
            if not entry.key:
                entry.key = keys.get(entry.article_id, "")
        # Which tasks a changed article replaces: decided before its new task exists.
        changed = _changed(state, keys)
        known = {entry.article_id for entry in state.tasks.values()}
        batch: list[dict[str, Any]] = []
        batch_bytes: list[bytes] = []

        def send() -> None:
            body = b"[" + b",".join(batch_bytes) + b"]"
            ids = client.import_tasks(project_id, body)
            if len(ids) != len(batch):
                raise UsageError(
                    f"{url} created {len(ids)} tasks for a batch of {len(batch)}; run the export again "
                    "(it finds what was created and adds only the rest)"
                )
            for task_id, task in zip(ids, batch, strict=True):
                data = task["data"]
                state.tasks[task_id] = TaskEntry(
                    article_id=data["article_id"],
                    text_sha256=data["text_sha256"],
                    corpus_version=data["corpus_version"],
                    key=keys.get(data["article_id"], ""),
                )
            report.tasks_created += len(ids)
            report.batches += 1
            state.save(workspace)
            batch.clear()
            batch_bytes.clear()

        lines: Iterable[tuple[bytes, dict[str, Any]]] = _iter_task_lines(tasks_path)
        if progress:
            from tqdm import tqdm

            lines = tqdm(lines, total=len(corpus), desc="exporting", unit="task", file=sys.stderr)
        for raw, task in lines:
            article_id = task["data"]["article_id"]
            if article_id in known:
                report.tasks_existing += 1
                continue
            known.add(article_id)
            batch.append({"data": {k: task["data"][k] for k in ("article_id", "text_sha256", "corpus_version")}})
            batch_bytes.append(raw)
            report.predictions += bool(task.get("predictions"))
            if len(batch) >= batch_size:
                send()
        if batch:
            send()

        by_article = {entry.article_id: tid for tid, entry in state.active_tasks().items()}
        for old_task, new_article in changed:
            new_task = by_article.get(new_article)
            data = client.task(old_task).get("data") or {}
            data = {**data, "superseded_by": new_article}
            data["meta"] = f"SUPERSEDED by article {new_article} (task {new_task}); do not annotate · " + str(
                data.get("meta", "")
            ).removeprefix("SUPERSEDED")
            client.update_task_data(old_task, data)
            state.tasks[old_task].status = "superseded"
            state.tasks[old_task].superseded_by = new_task
            report.tasks_superseded += 1
            state.save(workspace)
    return report


def _iter_task_lines(path: Path) -> Iterator[tuple[bytes, dict[str, Any]]]:
    """The raw JSON bytes and the parsed task of each line of a tasks file."""
    with open(path, "rb") as fh:
        for line in fh:
            stripped = line.strip().rstrip(b",")
            if stripped in (b"", b"[", b"]"):
                continue
            yield stripped, json.loads(stripped)


# --- review --------------------------------------------------------------------------------


@dataclass(slots=True)
class ReviewReport:
    url: str
    project_id: int
    marked: int = 0
    cleared: int = 0
    unknown_articles: list[str] = field(default_factory=list)
    view_id: int | None = None

    def summary(self) -> str:
        lines = [
            f"review list sent to {self.url}, project {self.project_id}: {self.marked} tasks marked, "
            f"{self.cleared} cleared; view {REVIEW_VIEW_TITLE!r} (id {self.view_id}) lists them"
        ]
        if self.unknown_articles:
            lines.append(
                f"  {len(self.unknown_articles)} articles of the review list have no task in the project: "
                + ", ".join(self.unknown_articles[:5])
            )
        return "\n".join(lines)


REVIEW_FILTER = {
    "conjunction": "and",
    "items": [{"filter": "filter:tasks:data.review", "operator": "empty", "type": "String", "value": False}],
}


def review_path(workspace: Workspace) -> Path:
    """Where the release writes the review list."""
    return workspace.root / "annotations" / "review.jsonl"


def send_review(workspace: Workspace, url: str, token: str) -> ReviewReport:
    """Mark the tasks of ``annotations/review.jsonl`` for review in Label Studio.

    Each listed article's active task gets ``data.review`` (its reasons, with the units
    concerned) shown in the labeling view's header line, and the project gets a data
    manager view "Needs review" that lists exactly those tasks. Tasks no longer listed
    are cleared. Annotations are never touched.
    """
    url = url.rstrip("/")
    path = review_path(workspace)
    if not path.exists():
        raise UsageError(f"{path} does not exist; run `ceasefire-news release` first, it writes the review list")
    reasons: dict[str, set[str]] = {}
    for number, record in read_jsonl(path):
        article_id = record.get("article_id")
        if not isinstance(article_id, str):
            raise UsageError(f"{path}:{number}: expected an object with an article_id, got {str(record)[:80]}")
        unit, reason = record.get("unit"), record.get("reason")
        reasons.setdefault(article_id, set()).add(f"{reason}" + (f" ({unit})" if unit else ""))
    state = StudioState.load(workspace)
    if state.project_id is None:
        raise UsageError("no project in labelstudio/state.json; run `ceasefire-news export --url URL` first")
    with StudioClient(url, token) as client:
        project_id, _ = _open_project(client, state, url)
        report = ReviewReport(url=url, project_id=project_id)
        by_article = {entry.article_id: tid for tid, entry in state.active_tasks().items()}
        report.unknown_articles = sorted(a for a in reasons if a not in by_article)
        for task_id, entry in sorted(state.tasks.items()):
            wanted = "; ".join(sorted(reasons.get(entry.article_id, set()))) if entry.status == "active" else ""
            if wanted == entry.review:
                continue
            data = dict(client.task(task_id).get("data") or {})
            data["review"] = wanted
            meta = str(data.get("meta", "")).split(" · REVIEW: ")[0]
            data["meta"] = f"{meta} · REVIEW: {wanted}" if wanted else meta
            client.update_task_data(task_id, data)
            if wanted:
                report.marked += 1
            else:
                report.cleared += 1
            entry.review = wanted
            state.save(workspace)
        views = {int(v["id"]): v for v in client.views(project_id)}
        if state.review_view_id in views:
            report.view_id = state.review_view_id
        else:
            report.view_id = int(client.create_view(project_id, REVIEW_VIEW_TITLE, REVIEW_FILTER)["id"])
            state.review_view_id = report.view_id
            state.save(workspace)
    return report


# --- ingest: pull and import share it -------------------------------------------------------


def _annotator(raw: Any, users: dict[int, str], created_username: Any = None) -> str:
    if isinstance(raw, dict):
        email = raw.get("email")
        if isinstance(email, str) and email:
            return email
        raw = raw.get("id")
    if isinstance(raw, int) and not isinstance(raw, bool):
        if raw in users:
            return users[raw]
        # The data manager says " email, id" even when the token may not list users.
        if isinstance(created_username, str) and "@" in created_username:
            return created_username.strip().rsplit(",", 1)[0].strip()
        return f"user:{raw}"
    return "unknown"


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


class _Ingest:
    """Checks and logs the annotations of tasks; shared by pull and import."""

    def __init__(self, workspace: Workspace, state: StudioState, source: str) -> None:
        self.workspace = workspace
        self.state = state
        self.report = SyncReport(source=source)
        self.texts = CorpusTexts(workspace)
        self.log_lines: list[str] = []
        self.quarantine_lines: list[str] = []
        state.sync_seen(workspace)

    def _quarantine(
        self,
        problem: Problem,
        *,
        annotation_id: str | None,
        task_id: Any,
        article_id: Any,
        annotator: str | None = None,
        updated_at: Any = None,
    ) -> None:
        record = {
            "annotation_id": annotation_id,
            "annotator": annotator,
            "article_id": article_id if isinstance(article_id, str) else None,
            "detail": problem.detail,
            "reason": problem.reason,
            "region_id": problem.region_id,
            "source": self.report.source,
            "task_id": task_id if isinstance(task_id, int) and not isinstance(task_id, bool) else None,
            "updated_at": updated_at if isinstance(updated_at, str) else None,
        }
        self.quarantine_lines.append(json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":")))
        self.report.quarantined += 1
        self.report.by_reason[problem.reason] += 1

    def task(self, task: Any, users: dict[int, str]) -> None:
        """Check and log every annotation of one task (a data manager or export record)."""
        if not isinstance(task, dict):
            self._quarantine(
                Problem("malformed_record", f"a task must be a JSON object, got {type(task).__name__}"),
                annotation_id=None,
                task_id=None,
                article_id=None,
            )
            return
        self.report.tasks += 1
        annotations = task.get("annotations", [])
        task_id = task.get("id")
        data = task.get("data")
        if not isinstance(annotations, list):
            self._quarantine(
                Problem("malformed_record", f"task {task_id}: annotations must be a list"),
                annotation_id=None,
                task_id=task_id,
                article_id=None,
            )
            return
        if not annotations:
            return
        task_problem: Problem | None = None
        article_id = data.get("article_id") if isinstance(data, dict) else None
        version = data.get("corpus_version") if isinstance(data, dict) else None
        found = None
        if not isinstance(data, dict) or not isinstance(article_id, str) or not isinstance(data.get("text"), str):
            task_problem = Problem(
                "malformed_record", f"task {task_id}: data needs an article_id and a text (not a ceasefire-news task?)"
            )
        else:
            found = self.texts.get(article_id, version if isinstance(version, str) else None)
            if found is None:
                task_problem = Problem(
                    "unknown_article",
                    f"task {task_id}: article {article_id} is in no corpus version of {self.workspace.root}",
                )
            elif data.get("text_sha256") != found[1] or text_sha256(data["text"]) != found[1]:
                task_problem = Problem(
                    "text_hash_mismatch",
                    f"task {task_id}: its text (sha256 {text_sha256(data['text'])[:12]}, recorded "
                    f"{str(data.get('text_sha256'))[:12]}) is not the corpus text of {article_id} "
                    f"(sha256 {found[1][:12]}); the task was edited in Label Studio or belongs to another corpus",
                )
        for annotation in annotations:
            self.annotation(
                annotation,
                task_id=task_id,
                article_id=article_id,
                version=version,
                found=found,
                task_problem=task_problem,
                users=users,
            )

    def annotation(
        self,
        annotation: Any,
        *,
        task_id: Any,
        article_id: Any,
        version: Any,
        found: tuple[str, str, TextIndex] | None,
        task_problem: Problem | None,
        users: dict[int, str],
    ) -> None:
        self.report.annotations += 1
        raw_id = annotation.get("id") if isinstance(annotation, dict) else None
        if (
            not isinstance(annotation, dict)
            or not isinstance(raw_id, int | str)
            or isinstance(raw_id, bool)
            or raw_id == ""
        ):
            self._quarantine(
                Problem("malformed_record", f"task {task_id}: an annotation must be an object with an id"),
                annotation_id=None,
                task_id=task_id,
                article_id=article_id,
            )
            return
        annotation_id = str(raw_id)
        created_at = annotation.get("created_at")
        updated_at = annotation.get("updated_at") or created_at
        if not isinstance(created_at, str) or not isinstance(updated_at, str):
            # Unloggable; remember its content so a later pull does not quarantine it again.
            digest = hashlib.sha256(json.dumps(annotation, sort_keys=True, default=str).encode("utf-8")).hexdigest()[
                :16
            ]
            if self.state.seen.get(f"malformed:{annotation_id}") == digest:
                self.report.unchanged += 1
                return
            self.state.seen[f"malformed:{annotation_id}"] = digest
            self._quarantine(
                Problem("malformed_record", f"annotation {annotation_id}: created_at/updated_at must be strings"),
                annotation_id=annotation_id,
                task_id=task_id,
                article_id=article_id,
            )
            return
        stamp = version_stamp(updated_at, created_at)
        known = self.state.seen.get(annotation_id)
        if known is not None and stamp <= known:
            self.report.unchanged += 1
            return
        annotator = _annotator(annotation.get("completed_by"), users, annotation.get("created_username"))
        problems: list[Problem] = []
        clean: list[dict[str, Any]] = []
        repairs: list[dict[str, Any]] = []
        if task_problem is not None:
            problems.append(task_problem)
        else:
            assert found is not None
            clean, repairs, problems = check_annotation(annotation.get("result"), found[0], index=found[2])
        result = annotation.get("result")
        had_items = isinstance(result, list) and bool(result)
        if task_problem is not None or (problems and had_items and not clean):
            status = "quarantined"
        elif problems:
            status = "partial"
        else:
            status = "accepted"
        if not isinstance(result, list):
            status = "quarantined"
        for problem in problems:
            self._quarantine(
                problem,
                annotation_id=annotation_id,
                task_id=task_id,
                article_id=article_id,
                annotator=annotator,
                updated_at=updated_at,
            )
        entry = LoggedAnnotation(
            annotation_id=annotation_id,
            task_id=task_id if isinstance(task_id, int) and not isinstance(task_id, bool) else None,
            article_id=article_id if isinstance(article_id, str) else "",
            text_sha256=found[1] if found else "",
            corpus_version=version if isinstance(version, str) else "",
            annotator=annotator,
            created_at=created_at,
            updated_at=updated_at,
            lead_time=_number(annotation.get("lead_time")),
            was_cancelled=annotation.get("was_cancelled") is True,
            ground_truth=annotation.get("ground_truth") is True,
            result=clean,
            status=status,
            quarantine_reasons=sorted({p.reason for p in problems}),
            repairs=repairs,
            provenance="human",
            source=self.report.source,
        )
        self.log_lines.append(entry.to_json())
        if known is None:
            self.report.new += 1
        else:
            self.report.updated += 1
        self.state.seen[annotation_id] = stamp
        self.report.repaired += len(repairs)
        for repair in repairs:
            self.report.by_repair[repair["repair"]] += 1
        if status == "accepted":
            self.report.accepted += 1
        elif status == "partial":
            self.report.partial += 1
        else:
            self.report.quarantined_annotations += 1

    def flush(self) -> None:
        """Append what was checked to the log and the quarantine file, then save the state."""
        if self.quarantine_lines:
            append_jsonl(self.workspace.quarantine_path, self.quarantine_lines)
            self.quarantine_lines = []
        if self.log_lines:
            append_to_log(self.workspace, self.log_lines)
            self.log_lines = []
        path = self.workspace.log_path
        self.state.log_bytes = path.stat().st_size if path.exists() else 0
        self.state.save(self.workspace)


def _parse_time(stamp: str) -> datetime | None:
    for fmt in (_LS_TIME, "%Y-%m-%dT%H:%M:%SZ"):
        try:
            return datetime.strptime(stamp, fmt)
        except ValueError:
            continue
    return None


def pull(workspace: Workspace, url: str | None, token: str) -> SyncReport:
    """Bring the annotations changed since the last pull into ``annotations/log.jsonl``.

    Asks Label Studio's data manager only for tasks updated since the cursor in
    ``state.json`` (keyset pages ordered by ``updated_at``), so its cost follows what
    changed, not the size of the project. Brings ground-truth, cancelled and skipped
    annotations too. An edited annotation is appended again (newer ``updated_at``) and
    supersedes its older line for readers of the log; pulling twice changes nothing.
    """
    state = StudioState.load(workspace)
    if state.project_id is None:
        raise UsageError(
            f"{workspace.state_path} names no Label Studio project; run `ceasefire-news export --url URL` "
            "(or `ceasefire-news studio`) first"
        )
    url = (url or state.server or "").rstrip("/")
    if not url:
        raise UsageError("no server: pass --url URL")
    if state.server and state.server.rstrip("/") != url:
        raise UsageError(
            f"this workspace is linked to project {state.project_id} on {state.server}, not {url}; "
            "pull from that server (or leave --url out)"
        )
    began = time.perf_counter()
    ingest = _Ingest(workspace, state, "pull")
    with StudioClient(url, token) as client:
        users = client.users()
        state.users.update(users)
        # The next pull starts where this one started, by the server's clock (less one
        # second for the header's rounding): what changes while it runs is read next time.
        started = client.server_time()
        since: str | None = None
        if state.cursor:
            parsed = _parse_time(state.cursor)
            since = (parsed - CURSOR_OVERLAP).strftime(_LS_TIME) if parsed else None
        newest = state.cursor
        seen_versions: set[tuple[int, str]] = set()
        page_size = PULL_PAGE_SIZE
        while True:
            found = client.task_page(state.project_id, updated_since=since, page_size=page_size)
            if found is None:
                raise UsageError(
                    f"project {state.project_id} recorded in {workspace.state_path} does not exist on {url} "
                    "(deleted?); annotations already pulled stay in annotations/log.jsonl"
                )
            page = found
            progressed = False
            for task in page:
                stamp = str(task.get("updated_at") or "")
                key = (int(task.get("id") or 0), stamp)
                if key in seen_versions:
                    continue
                seen_versions.add(key)
                progressed = True
                ingest.task(task, state.users)
                if stamp and (newest is None or stamp > newest):
                    newest = stamp
            if len(page) < page_size:
                break
            last = str(page[-1].get("updated_at") or "")
            if not progressed or last == since:
                # A full page of one timestamp: widen the page instead of looping on it.
                page_size *= 2
                continue
            since = last
        ingest.report.server_seconds = client.elapsed
    if started is not None:
        state.cursor = (started - timedelta(seconds=1)).strftime(_LS_TIME)
    else:
        state.cursor = newest
    ingest.flush()
    ingest.report.seconds = time.perf_counter() - began
    return ingest.report


def import_export_file(workspace: Workspace, path: Path) -> SyncReport:
    """Bring the annotations of a Label Studio JSON export file into the annotation log.

    The file is a JSON list of tasks as Label Studio's "JSON" export writes it. Records
    that can't be used are quarantined with a reason code; the file itself must be JSON
    (else :class:`~ceasefire_news.schema.errors.UsageError`, exit code 2).
    """
    path = Path(path)
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise UsageError(f"{path} does not exist; pass the JSON file Label Studio's Export → JSON gave you") from err
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise UsageError(
            f"{path} is not a JSON file ({err}); export the project from Label Studio as JSON (not JSON-MIN or CSV)"
        ) from err
    if isinstance(payload, dict) and isinstance(payload.get("tasks"), list):
        payload = payload["tasks"]
    if not isinstance(payload, list):
        raise UsageError(
            f"{path} holds a JSON {type(payload).__name__}, expected a list of tasks as Label Studio's JSON export "
            "writes it"
        )
    state = StudioState.load(workspace)
    ingest = _Ingest(workspace, state, "import")
    for task in payload:
        ingest.task(task, state.users)
    ingest.flush()
    return ingest.report
