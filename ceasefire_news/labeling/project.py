"""The Label Studio project of a workspace: its fields, and finding or creating it.

Push and the review list both open the project through :func:`open_project`: the one
recorded in ``labelstudio/state.json``, brought up to date, or a new one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ceasefire_news.labeling.client import StudioClient
from ceasefire_news.labeling.config import label_config
from ceasefire_news.labeling.guidelines import instructions_html
from ceasefire_news.labeling.label_changes import LabelMap, check_label_change, map_result
from ceasefire_news.labeling.preannotate import MODEL_VERSION
from ceasefire_news.labeling.state import StudioState
from ceasefire_news.schema.errors import UsageError

PROJECT_TITLE = "ceasefire-news"
#: Annotators per task, and the share of tasks that get them: agreement needs overlap.
DEFAULT_OVERLAP = 2
DEFAULT_OVERLAP_SHARE = 1.0


@dataclass(frozen=True, slots=True)
class Overlap:
    """How many annotators the labeling stream gives a task (``n``), for which share of tasks."""

    n: int = DEFAULT_OVERLAP
    share: float = DEFAULT_OVERLAP_SHARE

    def __post_init__(self) -> None:
        if self.n < 1:
            raise UsageError(f"--overlap must be at least 1 (annotators per task), got {self.n}")
        if not 0.0 <= self.share <= 1.0:
            raise UsageError(f"--overlap-share must be between 0 and 1 (a share of the tasks), got {self.share}")

    def fields(self) -> dict[str, int]:
        """The project fields that ask Label Studio's stream for this overlap."""
        return {"maximum_annotations": self.n, "overlap_cohort_percentage": round(self.share * 100)}


def _project_fields(overlap: Overlap) -> dict[str, Any]:
    return {
        "title": PROJECT_TITLE,
        "description": "News on ceasefire diplomacy in the Syrian war: stance, genre, PLOVER events.",
        "label_config": label_config(),
        "expert_instruction": instructions_html(),
        "show_instruction": True,
        "show_skip_button": True,
        "enable_empty_annotation": True,
        "model_version": MODEL_VERSION,
        # Tasks waiting for more annotators come first, so overlap builds up early.
        "show_overlap_first": overlap.share < 1.0,
        **overlap.fields(),
    }


def relabel_annotations(client: StudioClient, project_id: int, label_map: LabelMap) -> int:
    """Apply ``label_map`` to every annotation of the project on the server; how many changed."""
    changed = 0
    for task in client.iter_all_tasks(project_id, include="id,annotations,result"):
        for annotation in task.get("annotations") or []:
            result, changes = map_result(annotation.get("result"), label_map)
            if changes and "id" in annotation:
                client.request("PATCH", f"/api/annotations/{annotation['id']}/", json={"result": result})
                changed += 1
    return changed


def _change_labels(client: StudioClient, project: dict[str, Any], new_config: str, label_map: LabelMap) -> None:
    """Before a new config goes to a project with annotations: refuse, or relabel through ``label_map``."""
    if not int(project.get("total_annotations_number") or 0):
        return
    summary = client.request("GET", f"/api/projects/{project['id']}/summary/")
    in_use = summary.get("created_labels") if isinstance(summary, dict) else None
    check_label_change(str(project.get("label_config") or ""), new_config, in_use or {}, label_map, "WORKSPACE")
    if label_map:
        relabel_annotations(client, int(project["id"]), label_map)


def open_project(
    client: StudioClient,
    state: StudioState,
    url: str,
    overlap: Overlap | None = None,
    label_map: LabelMap | None = None,
) -> tuple[int, bool]:
    """The project of this workspace on ``url``: found through state.json, or created.

    An existing project gets the current config and instructions, and ``overlap`` when
    given (None leaves its overlap as it is). A config that drops a label annotations use
    is refused unless ``label_map`` moves them to kept labels (see
    :mod:`ceasefire_news.labeling.label_changes`).
    """
    fields = _project_fields(overlap or Overlap())
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
        if "label_config" in changes:
            _change_labels(client, project, str(changes["label_config"]), label_map or {})
        if overlap is not None:
            changes.update(
                {
                    key: fields[key]
                    for key in (*overlap.fields(), "show_overlap_first")
                    if project.get(key) != fields[key]
                }
            )
        if changes:
            client.update_project(state.project_id, **changes)
        return state.project_id, False
    project = client.create_project(**fields)
    state.server = url
    state.project_id = int(project["id"])
    state.project_title = str(project.get("title", PROJECT_TITLE))
    return state.project_id, True
