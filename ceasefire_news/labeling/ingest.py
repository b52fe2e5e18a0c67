"""Checking and logging annotations: what pull and import share.

:class:`Ingest` checks every region of every annotation against the corpus text, appends
what it accepts to ``annotations/log.jsonl`` and what it rejects to
``annotations/quarantine.jsonl`` with a reason code. :func:`import_export_file` feeds it
a Label Studio JSON export file; :func:`~ceasefire_news.labeling.pull.pull` feeds it the
tasks changed on a server.

>>> report = SyncReport(source="pull", new=2, unchanged=1)
>>> report.exit_code, report.summary().splitlines()[0]
(0, 'pull: 2 new, 0 updated, 1 unchanged annotations; 0 quarantined, 0 repaired')
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ceasefire_news.dataset.corpus.versions import load_corpus
from ceasefire_news.dataset.corpus.workspace import Workspace, append_jsonl, read_jsonl
from ceasefire_news.labeling.annotation_table import append_to_log
from ceasefire_news.labeling.integrity import TextIndex, check_annotation, text_sha256
from ceasefire_news.labeling.results import REASON_CODES, Problem
from ceasefire_news.labeling.state import PENDING, StudioState, is_pending, version_stamp
from ceasefire_news.schema.errors import UsageError
from ceasefire_news.schema.records import LoggedAnnotation


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
            corpus = load_corpus(self.workspace, version)
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


class Ingest:
    """Checks and logs the annotations of tasks; shared by pull and import."""

    def __init__(self, workspace: Workspace, state: StudioState, source: str) -> None:
        self.workspace = workspace
        self.state = state
        self.report = SyncReport(source=source)
        self.texts = CorpusTexts(workspace)
        self.log_lines: list[str] = []
        self.quarantine_lines: list[str] = []
        self._held: set[str] | None = None  # the quarantine file's lines, read when first needed
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
        result: Any = None,
    ) -> None:
        # The whole result goes with every record: what was quarantined can be read back and used.
        record = {
            "annotation_id": annotation_id,
            "annotator": annotator,
            "article_id": article_id if isinstance(article_id, str) else None,
            "detail": problem.detail,
            "reason": problem.reason,
            "region_id": problem.region_id,
            "result": result,
            "source": self.report.source,
            "task_id": task_id if isinstance(task_id, int) and not isinstance(task_id, bool) else None,
            "updated_at": updated_at if isinstance(updated_at, str) else None,
        }
        line = json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        if self._held is None:
            # Split at "\n" only: splitlines() also splits at U+0085 and U+2028 inside a record's text.
            path = self.workspace.quarantine_path
            self._held = set(path.read_text(encoding="utf-8", errors="replace").split("\n")) if path.exists() else set()
        if line in self._held:
            return  # a re-import or a re-pull quarantines the same record again: it is there already
        self._held.add(line)
        self.quarantine_lines.append(line)
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
        text = data.get("text") if isinstance(data, dict) else None
        task_sha = text_sha256(text) if task_problem is not None and isinstance(text, str) else ""
        for annotation in annotations:
            self.annotation(
                annotation,
                task_id=task_id,
                article_id=article_id,
                version=version,
                found=found,
                task_problem=task_problem,
                users=users,
                task_sha=task_sha,
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
        task_sha: str = "",
    ) -> None:
        """Check and log one annotation; ``task_sha`` is the hash of its task's text when ``task_problem``."""
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
                result=annotation.get("result"),
            )
            return
        stamp = version_stamp(updated_at, created_at)
        known = self.state.seen.get(annotation_id)
        pending = known is not None and known.endswith(PENDING)
        if known is not None:
            known = known.removesuffix(PENDING)
            if stamp < known or (stamp == known and not pending):
                self.report.unchanged += 1
                return
            if stamp == known and task_problem is not None:
                # Still no article with its text: logged and quarantined already, nothing to add.
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
                result=result,
            )
        if task_problem is not None and isinstance(result, list):
            # Kept whole, with the hash of the text it was made on, to be accepted once that text is built.
            clean = result
        entry = LoggedAnnotation(
            annotation_id=annotation_id,
            task_id=task_id if isinstance(task_id, int) and not isinstance(task_id, bool) else None,
            article_id=article_id if isinstance(article_id, str) else "",
            text_sha256=task_sha if task_problem is not None else found[1] if found else "",
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
        pending_now = is_pending({"status": status, "quarantine_reasons": entry.quarantine_reasons, "result": clean})
        self.state.seen[annotation_id] = stamp + PENDING if pending_now else stamp
        self.report.repaired += len(repairs)
        for repair in repairs:
            self.report.by_repair[repair["repair"]] += 1
        if status == "accepted":
            self.report.accepted += 1
        elif status == "partial":
            self.report.partial += 1
        else:
            self.report.quarantined_annotations += 1

    def recheck_pending(self) -> None:
        """Check again the logged annotations quarantined for their task alone (:data:`PENDING`).

        Those whose article is now in the corpus with the text they were made on are checked
        region by region and logged again; the newer line wins. Pull runs this since it fetches only
        tasks that changed; an import's own tasks were checked first.
        """
        pending = {key for key, value in self.state.seen.items() if value.endswith(PENDING)}
        if not pending or not self.workspace.log_path.exists():
            return
        newest: dict[str, dict[str, Any]] = {}
        for _, record in read_jsonl(self.workspace.log_path):
            if record.get("annotation_id") in pending:
                newest[record["annotation_id"]] = record
        for annotation_id, record in sorted(newest.items()):
            article_id, version = record.get("article_id"), record.get("corpus_version")
            if not isinstance(article_id, str) or not is_pending(record):
                continue
            found = self.texts.get(article_id, version if isinstance(version, str) else None)
            if found is None or found[1] != record.get("text_sha256"):
                continue
            annotation = {
                "id": annotation_id,
                "completed_by": {"email": record.get("annotator")},
                "created_at": record.get("created_at"),
                "updated_at": record.get("updated_at"),
                "lead_time": record.get("lead_time"),
                "was_cancelled": record.get("was_cancelled"),
                "ground_truth": record.get("ground_truth"),
                "result": record.get("result"),
            }
            task_id = record.get("task_id")
            self.annotation(
                annotation,
                task_id=task_id,
                article_id=article_id,
                version=version,
                found=found,
                task_problem=None,
                users={},
            )

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
    if payload and not any(isinstance(task, dict) for task in payload):
        kinds = sorted({type(task).__name__ for task in payload})
        raise UsageError(
            f"{path} is a JSON list of {', '.join(kinds)}, expected a list of task objects as Label Studio's JSON "
            "export writes it (Export -> JSON)"
        )
    state = StudioState.load(workspace)
    ingest = Ingest(workspace, state, "import")
    for task in payload:
        ingest.task(task, state.users)
    ingest.recheck_pending()
    ingest.flush()
    return ingest.report
