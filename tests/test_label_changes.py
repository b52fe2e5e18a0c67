"""Label changes on a project with annotations: additions pass, removals in use are refused or mapped."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ceasefire_news.dataset.corpus.build import build_corpus
from ceasefire_news.dataset.corpus.versions import load_corpus
from ceasefire_news.dataset.corpus.workspace import Workspace, read_jsonl
from ceasefire_news.labeling import project as project_module
from ceasefire_news.labeling.config import label_config
from ceasefire_news.labeling.ingest import import_export_file
from ceasefire_news.labeling.label_changes import MAP_FILE, check_label_change, config_labels, map_result
from ceasefire_news.labeling.push import push
from ceasefire_news.labeling.state import StudioState
from ceasefire_news.schema.errors import UsageError

CONFIG = label_config()
WITHOUT_AGREE = CONFIG.replace('<Label value="AGREE"', '<Label value="PACT"', 1)
WITH_EXTRA = CONFIG.replace('<Label value="AGREE"', '<Label value="TRUCE"/>\n    <Label value="AGREE"', 1)


def test_config_labels_reads_every_labels_and_choices_control() -> None:
    labels = config_labels(CONFIG)
    assert "AGREE" in labels["trigger"]
    assert labels["stance_russia"] >= {"neutral", "against"}
    assert "PACT" in config_labels(WITHOUT_AGREE)["trigger"]
    assert "AGREE" not in config_labels(WITHOUT_AGREE)["trigger"]


def test_an_added_label_passes_and_a_removed_one_in_use_is_refused_with_its_count() -> None:
    in_use = {"trigger": {"AGREE": 7}}
    check_label_change(CONFIG, WITH_EXTRA, in_use, {}, "WORKSPACE")
    check_label_change(CONFIG, WITHOUT_AGREE, {"trigger": {"ASSAULT": 2}}, {}, "WORKSPACE")  # AGREE unused
    with pytest.raises(UsageError, match=r"trigger:AGREE \(7 annotations\).*label_map\.json"):
        check_label_change(CONFIG, WITHOUT_AGREE, in_use, {}, "WORKSPACE")
    with pytest.raises(UsageError, match="trigger:AGREE"):  # mapped to a label the new config lacks
        check_label_change(CONFIG, WITHOUT_AGREE, in_use, {"trigger": {"AGREE": "TREATY"}}, "WORKSPACE")
    check_label_change(CONFIG, WITHOUT_AGREE, in_use, {"trigger": {"AGREE": "PACT"}}, "WORKSPACE")


def test_map_result_relabels_and_records_each_change() -> None:
    result = [
        {"from_name": "trigger", "value": {"start": 0, "end": 6, "labels": ["AGREE"]}},
        {"from_name": "stance_russia", "value": {"choices": ["neutral"]}},
    ]
    mapped, changes = map_result(result, {"trigger": {"AGREE": "PACT"}})
    assert mapped[0]["value"]["labels"] == ["PACT"]
    assert mapped[1] == result[1]
    assert result[0]["value"]["labels"] == ["AGREE"]  # the input is left as it was
    assert changes == [{"repair": "label_mapped", "control": "trigger", "from": "AGREE", "to": "PACT"}]


@pytest.mark.studio
def test_pushing_a_config_that_drops_a_label_in_use(
    label_studio: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "Russia and Turkey agreed on a ceasefire in Idlib on Thursday."
    source = tmp_path / "a.jsonl"
    source.write_text(json.dumps({"text": text, "title": "Idlib", "url": "https://news.example.org/l"}) + "\n")
    workspace = Workspace(tmp_path / "workspace")
    build_corpus([source], workspace, progress=False)
    report = push(workspace, label_studio.url, label_studio.token)
    task_id = next(iter(StudioState.load(workspace).tasks))
    start = text.index("agreed")
    region = {"start": start, "end": start + 6, "text": "agreed", "labels": ["AGREE"]}
    item = {"id": "t1", "from_name": "trigger", "to_name": "text", "type": "labels", "value": region}
    with label_studio.api() as client:
        posted = client.post(f"/api/tasks/{task_id}/annotations/", json={"result": [item]})
        assert posted.status_code == 201, posted.text

    monkeypatch.setattr(project_module, "label_config", lambda: WITH_EXTRA)
    push(workspace, label_studio.url, label_studio.token)  # an addition goes through
    with label_studio.api() as client:
        assert "TRUCE" in client.get(f"/api/projects/{report.project_id}/").json()["label_config"]

    monkeypatch.setattr(project_module, "label_config", lambda: WITHOUT_AGREE)
    with pytest.raises(UsageError, match=r"trigger:AGREE \(1 annotations\)"):
        push(workspace, label_studio.url, label_studio.token)
    (workspace.labelstudio_dir / MAP_FILE).write_text(json.dumps({"trigger": {"AGREE": "PACT"}}))
    push(workspace, label_studio.url, label_studio.token)
    with label_studio.api() as client:
        project = client.get(f"/api/projects/{report.project_id}/").json()
        annotations = client.get(f"/api/tasks/{task_id}/annotations/").json()
    assert 'value="PACT"' in project["label_config"]
    assert [r["value"]["labels"] for r in annotations[0]["result"]] == [["PACT"]]


def test_import_applies_the_mapping_file_and_records_it_in_the_log(tmp_path: Path) -> None:
    text = "Russia and Turkey agreed on a ceasefire in Idlib on Thursday."
    source = tmp_path / "a.jsonl"
    source.write_text(json.dumps({"text": text, "title": "Idlib", "url": "https://news.example.org/m"}) + "\n")
    workspace = Workspace(tmp_path / "workspace")
    build_corpus([source], workspace, progress=False)
    row = load_corpus(workspace)[0]
    start = row["text"].index("agreed")
    # An export made under an older config, whose trigger label TRUCE is AGREE now.
    region = {"start": start, "end": start + 6, "text": "agreed", "labels": ["TRUCE"]}
    annotation = {
        "id": 1,
        "completed_by": {"id": 1, "email": "ana@x.org"},
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
        "result": [{"id": "t1", "from_name": "trigger", "to_name": "text", "type": "labels", "value": region}],
    }
    data = {k: row[k] for k in ("article_id", "text", "text_sha256", "corpus_version")}
    export = tmp_path / "export.json"
    export.write_text(json.dumps([{"id": 1, "data": data, "annotations": [annotation]}]))
    workspace.labelstudio_dir.mkdir(parents=True, exist_ok=True)
    (workspace.labelstudio_dir / MAP_FILE).write_text(json.dumps({"trigger": {"TRUCE": "AGREE"}}))

    report = import_export_file(workspace, export)
    assert report.quarantined == 0, report.summary()
    entry = next(record for _, record in read_jsonl(workspace.log_path))
    assert entry["result"][0]["value"]["labels"] == ["AGREE"]
    assert entry["repairs"] == [{"repair": "label_mapped", "control": "trigger", "from": "TRUCE", "to": "AGREE"}]
    assert entry["status"] == "accepted"
