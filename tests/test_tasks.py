"""Tasks and pre-annotations: one task per article, predictions valid against the config."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import datasets
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from label_studio_sdk.label_interface import LabelInterface

from ceasefire_news.dataset.corpus.build import build_corpus
from ceasefire_news.dataset.corpus.versions import load_corpus
from ceasefire_news.dataset.corpus.workspace import Workspace
from ceasefire_news.labeling.config import ENTITY, TRIGGER, label_config, mode_control
from ceasefire_news.labeling.export import export_file, iter_tasks_file
from ceasefire_news.labeling.integrity import check_annotation, text_sha256
from ceasefire_news.labeling.preannotate import MODEL_VERSION, preannotate
from ceasefire_news.labeling.tasks import PredictionValidator, build_tasks, make_prediction
from ceasefire_news.schema.labels import ENTITY_TYPES, EVENT_MODES, EVENT_TYPES
from ceasefire_news.schema.records import CORPUS_FEATURES


@pytest.fixture(scope="module")
def seed_workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    workspace = Workspace(tmp_path_factory.mktemp("tasks") / "workspace")
    build_corpus(None, workspace, progress=False)
    return workspace


@pytest.fixture(scope="module")
def seed_corpus(seed_workspace: Workspace) -> datasets.Dataset:
    return load_corpus(seed_workspace)


def row(article_id: str, text: str, **extra: object) -> dict[str, object]:
    base: dict[str, object] = {
        "article_id": article_id,
        "title": None,
        "outlet": None,
        "url": None,
        "published_date": None,
        "fetched_date": None,
        "language": "en",
        "text": text,
        "text_sha256": text_sha256(text),
        "story_id": "s-1",
        "quality_flags": [],
        "removed": [],
        "source_file": "x.txt",
        "corpus_version": "1.0.0",
    }
    base.update(extra)
    return base


def test_one_task_per_article_with_the_data_a_pull_needs(seed_corpus: datasets.Dataset) -> None:
    tasks = build_tasks(seed_corpus)
    assert len(tasks) == len(seed_corpus) == 5
    for task, article in zip(tasks, seed_corpus, strict=True):
        data = task["data"]
        assert data["article_id"] == article["article_id"]
        assert data["text"] == article["text"]
        assert data["text_sha256"] == article["text_sha256"] == text_sha256(data["text"])
        assert data["corpus_version"] == "1.0.0"
        assert data["title"]
        assert article["article_id"] in data["meta"]
        assert {"outlet", "date", "url", "story_id"} <= set(data)


def test_predictions_are_valid_for_the_config_and_the_text(seed_corpus: datasets.Dataset) -> None:
    interface = LabelInterface(label_config())
    for task in build_tasks(seed_corpus):
        (prediction,) = task["predictions"]
        assert prediction["model_version"] == MODEL_VERSION
        assert 0.0 < prediction["score"] <= 1.0
        assert interface.validate_prediction(prediction, return_errors=True) == []
        clean, repairs, problems = check_annotation(prediction["result"], task["data"]["text"])
        assert (problems, repairs) == ([], [])
        assert clean == prediction["result"]


def test_pre_annotations_of_the_first_seed_article(seed_corpus: datasets.Dataset) -> None:
    article = next(a for a in seed_corpus if Path(a["source_file"]).name.startswith("000_"))
    result = preannotate(article["text"])
    spans = {(item["value"]["text"], item["value"]["labels"][0]) for item in result if item["type"] == "labels"}
    assert ("Recep Tayyip Erdogan", "PER") in spans
    assert ("Vladimir Putin", "PER") in spans
    assert ("Kremlin", "GOV") in spans
    assert ("Daesh", "ARMED_GROUP") in spans
    assert ("Takfiri terrorists", "ARMED_GROUP") in spans
    assert ("Aleppo", "LOC") in spans
    assert ("phone call", "CONSULT") in spans
    modes = {(item["value"]["text"], item["value"]["choices"][0]) for item in result if item["type"] == "choices"}
    assert ("phone call", "phone") in modes


def test_countries_are_actors_or_places_by_the_word_before() -> None:
    result = preannotate("Turkey offered support to the rebels in Syria.")
    labels = {item["value"]["text"]: item["value"]["labels"][0] for item in result if item["from_name"] == ENTITY}
    assert labels["Turkey"] == "GOV"
    assert labels["Syria"] == "LOC"
    assert labels["rebels"] == "ARMED_GROUP"


def test_only_whole_words_match() -> None:
    assert preannotate("Disagreed unsigned Putinism") == []
    result = preannotate("pro-government forces shelled Idlib")
    texts = [item["value"]["text"] for item in result if item["type"] == "labels"]
    assert "pro-government forces" in texts
    assert "government forces" not in texts


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["Putin", "agreed", "air strikes", "in Syria", "Turkey", "on Monday", "😀", "\r\n", "siege", "UN", " ", "-"]
        )
        | st.text(max_size=5),
        max_size=25,
    )
)
def test_pre_annotator_labels_come_from_the_schema(pieces: list[str]) -> None:
    text = " ".join(pieces)
    result = preannotate(text)
    assert result == preannotate(text)  # deterministic, ids included
    for item in result:
        value = item["value"]
        assert text[value["start"] : value["end"]] == value["text"]
        if item["from_name"] == TRIGGER:
            assert value["labels"][0] in EVENT_TYPES
        elif item["from_name"] == ENTITY:
            assert value["labels"][0] in ENTITY_TYPES
        else:
            event_type = next(t for t in EVENT_MODES if mode_control(t) == item["from_name"])
            assert value["choices"][0] in EVENT_MODES[event_type]
    assert PredictionValidator().errors(make_prediction(text), text) == []


def test_validator_names_what_is_wrong() -> None:
    text = "Putin agreed."
    validator = PredictionValidator()
    wrong_label = make_prediction(text)
    wrong_label["result"][0]["value"]["labels"] = ["PRESIDENT"]
    assert any("PRESIDENT" in error for error in validator.errors(wrong_label, text))
    wrong_offsets = make_prediction(text)
    wrong_offsets["result"][0]["value"]["start"] = 1
    assert any("text[1:5]" in error for error in validator.errors(wrong_offsets, text))
    assert validator.errors({"result": "x"}, text) == ["result must be a list, got str"]


def test_untitled_article_shows_its_first_line() -> None:
    corpus = datasets.Dataset.from_list([row("a-1", "\n  First line here.\nSecond.")], features=CORPUS_FEATURES)
    (task,) = build_tasks(corpus, with_predictions=False)
    assert task["data"]["title"] == "First line here."
    assert "predictions" not in task


def test_export_file_round_trips(seed_workspace: Workspace, tmp_path: Path) -> None:
    report = export_file(seed_workspace, tmp_path / "a.json")
    assert (report.tasks, report.version) == (5, "1.0.0")
    loaded = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    assert loaded == list(iter_tasks_file(tmp_path / "a.json"))
    assert loaded == build_tasks(load_corpus(seed_workspace))
    assert seed_workspace.config_path.read_text(encoding="utf-8") == label_config()


def test_export_built_again_in_another_process_is_byte_identical(seed_workspace: Workspace, tmp_path: Path) -> None:
    export_file(seed_workspace, tmp_path / "a.json")
    # A second workspace with the corpus only: its tasks are pre-annotated afresh, not copied.
    other = Workspace(tmp_path / "other")
    shutil.copytree(seed_workspace.corpus_root, other.corpus_root)
    assert not other.labelstudio_dir.exists()
    script = (
        "import sys; from pathlib import Path; "
        "from ceasefire_news.dataset.corpus.workspace import Workspace; "
        "from ceasefire_news.labeling.export import export_file; "
        "export_file(Workspace(Path(sys.argv[1])), Path(sys.argv[2]))"
    )
    seed = "1" if os.environ.get("PYTHONHASHSEED") == "4242" else "4242"
    done = subprocess.run(
        [sys.executable, "-c", script, str(other.root), str(tmp_path / "b.json")],
        env={**os.environ, "PYTHONHASHSEED": seed},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert other.tasks_path("1.0.0").exists()
    assert (tmp_path / "b.json").read_bytes() == (tmp_path / "a.json").read_bytes()
