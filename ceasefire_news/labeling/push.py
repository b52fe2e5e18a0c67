"""Send a corpus version to a Label Studio server (``ceasefire-news export --url``).

:func:`push` creates the project (or finds it through ``labelstudio/state.json``),
imports the new articles in batches, and marks the task of a changed article superseded
(its annotations stay). Running it twice creates nothing the second time.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ceasefire_news.dataset.corpus.versions import Identity, changed_pairs, identity_key, load_corpus
from ceasefire_news.dataset.corpus.workspace import Workspace
from ceasefire_news.labeling.client import DEFAULT_TIMEOUT, StudioClient, display_url
from ceasefire_news.labeling.export import ensure_tasks_file, iter_task_lines
from ceasefire_news.labeling.label_changes import load_label_map
from ceasefire_news.labeling.preannotate import MODEL_VERSION
from ceasefire_news.labeling.project import Overlap, open_project
from ceasefire_news.labeling.state import StudioState, TaskEntry
from ceasefire_news.schema.errors import UsageError

if TYPE_CHECKING:
    import datasets

DEFAULT_BATCH_SIZE = 2000


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
    overlap: str = ""

    def summary(self) -> str:
        lines = [
            f"export to {self.url}, project {self.project_id}"
            + (" (created)" if self.project_created else "")
            + f", corpus {self.version}:",
            f"  {self.tasks_created} tasks created in {self.batches} batches, "
            f"{self.tasks_existing} already there, {self.tasks_superseded} old tasks marked superseded",
            f"  {self.predictions} predictions ({MODEL_VERSION}), {self.dropped_predictions} left out as invalid",
        ]
        if self.overlap:
            lines.append(f"  overlap: {self.overlap}")
        if self.tasks_recovered:
            lines.append(f"  {self.tasks_recovered} tasks found on the server and added back to state.json")
        return "\n".join(lines)


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
    overlap: Overlap | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> PushReport:
    """Send a corpus version (default: the latest) to the Label Studio server at ``url``.

    Creates the project on first use (config from :mod:`ceasefire_news.labeling.config`, instructions
    from :mod:`ceasefire_news.labeling.guidelines`), imports one task per article not yet in the project,
    in batches of ``batch_size``, and marks the task of each changed article superseded
    (pointing to the new task; its annotations are kept). Idempotent: a second run
    creates nothing. ``state.json`` is saved after every batch. ``timeout``: seconds to wait for each answer.

    ``overlap`` sets how many annotators the labeling stream gives each task; None gives
    a new project the default (:class:`Overlap`) and leaves an existing one as it is.
    """
    # Credentials in the address go to the server only; messages and state.json get it without them.
    full_url, url = url.rstrip("/"), display_url(url)
    if batch_size < 1:
        raise UsageError(f"--batch-size must be at least 1, got {batch_size}")
    tasks_path, build = ensure_tasks_file(workspace, version, progress=progress)
    version = tasks_path.name.removeprefix("tasks-").removesuffix(".json")
    state = StudioState.load(workspace)
    with StudioClient(full_url, token, timeout=timeout) as client:
        client.whoami()  # a wrong token or URL fails here, before anything is created
        project_id, created = open_project(client, state, url, overlap, load_label_map(workspace))
        state.save(workspace)
        report = PushReport(url=url, project_id=project_id, version=version, project_created=created)
        if build is not None:
            report.dropped_predictions = len(build.dropped_predictions)

        project = client.project(project_id) or {}
        report.overlap = (
            f"{project.get('maximum_annotations')} annotators per task for "
            f"{project.get('overlap_cohort_percentage')}% of the tasks"
        )
        if int(project.get("task_number") or 0) != len(state.tasks):
            report.tasks_recovered = _recover_tasks(client, state, project_id)
            state.save(workspace)

        corpus = load_corpus(workspace, version)
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

        lines: Iterable[tuple[bytes, dict[str, Any]]] = iter_task_lines(tasks_path)
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
