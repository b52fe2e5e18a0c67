"""Changing the labels of a project that already has annotations.

Adding a label is always safe. Removing or renaming one that annotations use would leave
them pointing at a label the config no longer has (Label Studio 1.23 accepts such a config
and only logs it), so :func:`check_label_change` refuses it, with the count of annotations
per label and the way forward: a mapping file, ``labelstudio/label_map.json``::

    {"trigger": {"TRUCE": "AGREE"}, "stance_russia": {"mixed": "neutral"}}

(control name -> old label -> new label). With it, the push relabels the annotations on the
server before it sends the new config, and ``pull``/``import`` apply it to what they log,
recording each change on the logged annotation as a ``label_mapped`` repair.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

from ceasefire_news.dataset.corpus.workspace import Workspace
from ceasefire_news.schema.errors import UsageError

MAP_FILE = "label_map.json"
#: The tags whose children's ``value`` attributes are the labels an annotation can use.
_CONTROLS = {"Labels": "Label", "Choices": "Choice"}

LabelMap = dict[str, dict[str, str]]


def config_labels(config: str) -> dict[str, set[str]]:
    """Control name -> its labels, for every Labels and Choices control of ``config``."""
    found: dict[str, set[str]] = {}
    for element in ET.fromstring(config).iter():
        child_tag = _CONTROLS.get(element.tag)
        if child_tag and element.get("name"):
            found[str(element.get("name"))] = {
                str(c.get("value")) for c in element.iter(child_tag) if c.get("value") is not None
            }
    return found


def load_label_map(workspace: Workspace) -> LabelMap:
    """The workspace's mapping file (empty when there is none)."""
    path = workspace.labelstudio_dir / MAP_FILE
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise UsageError(
            f"{path} is not readable JSON ({err}); expected {{control: {{old label: new label}}}}"
        ) from err
    if not isinstance(data, dict) or not all(
        isinstance(m, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in m.items())
        for m in data.values()
    ):
        raise UsageError(f"{path} must map control names to {{old label: new label}} objects of strings")
    return {str(control): dict(mapping) for control, mapping in data.items()}


def check_label_change(
    old_config: str, new_config: str, in_use: dict[str, dict[str, int]], label_map: LabelMap, workspace_hint: str
) -> None:
    """Refuse a config that drops a label annotations use, unless ``label_map`` moves it to a kept one."""
    old, new = config_labels(old_config), config_labels(new_config)
    problems = []
    for control, labels in sorted(old.items()):
        for label in sorted(labels - new.get(control, set())):
            count = int(in_use.get(control, {}).get(label, 0))
            target = label_map.get(control, {}).get(label)
            if not count or (target is not None and target in new.get(control, set())):
                continue
            problems.append(f"{control}:{label} ({count} annotations)")
    if problems:
        raise UsageError(
            "the new labeling config removes or renames labels that annotations on the server use: "
            + ", ".join(problems)
            + f". Write {workspace_hint}/labelstudio/{MAP_FILE} mapping each to a label of the new config, e.g. "
            '{"trigger": {"OLD": "NEW"}}, then export again: the annotations are relabelled on the server and '
            "pull/import apply the same mapping to what they log."
        )


def map_result(result: Any, label_map: LabelMap) -> tuple[Any, list[dict[str, Any]]]:
    """``result`` with mapped labels, and one ``label_mapped`` repair per changed item."""
    if not label_map or not isinstance(result, list):
        return result, []
    mapped: list[Any] = []
    changes: list[dict[str, Any]] = []
    for item in result:
        mapping = label_map.get(item.get("from_name", "")) if isinstance(item, dict) else None
        value = item.get("value") if isinstance(item, dict) else None
        if not mapping or not isinstance(value, dict):
            mapped.append(item)
            continue
        value = dict(value)
        for key in ("labels", "choices"):
            if isinstance(value.get(key), list):
                for old in value[key]:
                    if old in mapping:
                        changes.append(
                            {"repair": "label_mapped", "control": item["from_name"], "from": old, "to": mapping[old]}
                        )
                value[key] = [mapping.get(v, v) for v in value[key]]
        mapped.append({**item, "value": value})
    return mapped, changes
