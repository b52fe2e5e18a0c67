"""The Label Studio project of a workspace: its fields, and finding or creating it.

Push and the review list both open the project through :func:`open_project`: the one
recorded in ``labelstudio/state.json``, brought up to date, or a new one.
"""

from __future__ import annotations

from typing import Any

from ceasefire_news.labeling.client import StudioClient
from ceasefire_news.labeling.config import label_config
from ceasefire_news.labeling.guidelines import instructions_html
from ceasefire_news.labeling.preannotate import MODEL_VERSION
from ceasefire_news.labeling.state import StudioState
from ceasefire_news.schema.errors import UsageError

PROJECT_TITLE = "ceasefire-news"


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


def open_project(client: StudioClient, state: StudioState, url: str) -> tuple[int, bool]:
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
