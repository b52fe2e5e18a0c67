"""Quarantined annotations are kept whole and checked again; annotations follow a new text of their article."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ceasefire_news.dataset.corpus.build import build_corpus
from ceasefire_news.dataset.corpus.versions import load_corpus
from ceasefire_news.dataset.corpus.workspace import Workspace, read_jsonl
from ceasefire_news.dataset.release.pipeline import release_corpus
from ceasefire_news.labeling.ingest import import_export_file
from ceasefire_news.schema.labels import ANNOTATION_STATUS
from tests.fixtures.release import corpus_row, logged, read_config, write_corpus, write_log

A = "Russia and Turkey agreed on a ceasefire in Idlib on Thursday, officials in Moscow said."
B = "Syrian government forces shelled villages south of Idlib despite the truce, a monitor said."
#: A's text after a fix: words before the spans changed, and "Turkey", which one annotation marks.
A_FIXED = "BREAKING: Russia and Ankara have agreed on a ceasefire in Idlib on Thursday, officials in Moscow said."


def write_source(folder: Path, articles: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "articles.jsonl"
    lines = [
        json.dumps({"url": f"https://news.example.org/{key}", "title": key, "date": "2020-03-05", "text": text})
        for key, text in articles.items()
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def corpus_rows(workspace: Workspace, version: str | None = None) -> dict[str, dict[str, Any]]:
    """The rows of a corpus version by their text."""
    return {row["text"]: dict(row) for row in load_corpus(workspace, version)}


def span(region_id: str, control: str, text: str, piece: str, label: str) -> dict[str, Any]:
    start = text.index(piece)
    return {
        "id": region_id,
        "from_name": control,
        "to_name": "text",
        "type": "labels",
        "value": {"start": start, "end": start + len(piece), "text": piece, "labels": [label]},
    }


def a_result(text: str) -> list[dict[str, Any]]:
    return [
        span("t1", "trigger", text, "agreed", "AGREE"),
        span("e1", "entity", text, "Russia", "GOV"),
        {"from_name": "stance_russia", "to_name": "text", "type": "choices", "value": {"choices": ["favor"]}},
    ]


def export(row: dict[str, Any], annotations: list[tuple[int, list[dict[str, Any]]]], task_id: int = 1) -> Any:
    return [
        {
            "id": task_id,
            "data": {
                "article_id": row["article_id"],
                "text": row["text"],
                "text_sha256": row["text_sha256"],
                "corpus_version": row["corpus_version"],
            },
            "annotations": [
                {
                    "id": annotation_id,
                    "completed_by": 1,
                    "created_at": "2024-01-01T00:00:00.000000Z",
                    "updated_at": "2024-01-02T00:00:00.000000Z",
                    "result": result,
                }
                for annotation_id, result in annotations
            ],
        }
    ]


def log_lines(workspace: Workspace) -> list[dict[str, Any]]:
    return [record for _, record in read_jsonl(workspace.log_path)]


def quarantine_lines(workspace: Workspace) -> list[dict[str, Any]]:
    return [record for _, record in read_jsonl(workspace.quarantine_path)]


def raw_rows(folder: Path) -> dict[str, dict[str, Any]]:
    return {row["annotation_id"]: row for row in read_config(folder, "annotations_raw")}


def status_name(row: dict[str, Any]) -> str:
    return ANNOTATION_STATUS.names[row["status"]]


def b_row(tmp_path: Path) -> dict[str, Any]:
    """B's corpus row as a workspace that has it builds it (article ids derive from the text)."""
    other = Workspace(tmp_path / "other")
    build_corpus([write_source(tmp_path / "other-src", {"b": B})], other, progress=False)
    return corpus_rows(other)[B]


def test_an_annotation_of_an_article_not_yet_built_is_kept_whole_and_accepted_once_it_is(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "ws")
    build_corpus([write_source(tmp_path / "src", {"a": A})], workspace, progress=False)
    row = b_row(tmp_path)
    result = [
        span("t1", "trigger", B, "shelled", "ASSAULT"),
        {
            "from_name": "stance_syrian_government",
            "to_name": "text",
            "type": "choices",
            "value": {"choices": ["favor"]},
        },
    ]
    file = tmp_path / "export.json"
    file.write_text(json.dumps(export(row, [(7, result)])), encoding="utf-8")

    first = import_export_file(workspace, file)
    assert (first.new, first.quarantined_annotations) == (1, 1)
    (logged,) = log_lines(workspace)
    assert (logged["status"], logged["result"]) == ("quarantined", result)  # whole, not []
    assert logged["quarantine_reasons"] == ["unknown_article"]
    (held,) = quarantine_lines(workspace)
    assert (held["reason"], held["result"]) == ("unknown_article", result)

    again = import_export_file(workspace, file)  # still no article: nothing appended twice
    assert (again.new, again.updated, again.unchanged) == (0, 0, 1)
    assert len(log_lines(workspace)) == 1
    assert len(quarantine_lines(workspace)) == 1

    build_corpus([write_source(tmp_path / "src", {"a": A, "b": B})], workspace, progress=False)
    after = import_export_file(workspace, file)  # the same export: checked again, not "unchanged"
    assert (after.updated, after.accepted, after.unchanged) == (1, 1, 0)
    newest = log_lines(workspace)[-1]
    assert (newest["status"], newest["result"], newest["quarantine_reasons"]) == ("accepted", result, [])
    assert len(quarantine_lines(workspace)) == 1

    report = release_corpus(workspace, progress=False)
    shipped = raw_rows(report.path)["7"]
    assert status_name(shipped) == "accepted"
    assert json.loads(shipped["result_json"]) == result


def test_any_later_import_checks_quarantined_annotations_again(tmp_path: Path) -> None:
    """As a pull does: it fetches only tasks that changed, so the log's quarantined annotations are checked too."""
    workspace = Workspace(tmp_path / "ws")
    build_corpus([write_source(tmp_path / "src", {"a": A})], workspace, progress=False)
    result = [span("t1", "trigger", B, "shelled", "ASSAULT")]
    first = tmp_path / "first.json"
    first.write_text(json.dumps(export(b_row(tmp_path), [(7, result)])), encoding="utf-8")
    import_export_file(workspace, first)
    build_corpus([write_source(tmp_path / "src", {"a": A, "b": B})], workspace, progress=False)

    other = tmp_path / "other.json"
    other.write_text(json.dumps(export(corpus_rows(workspace)[A], [(8, a_result(A))], task_id=2)), encoding="utf-8")
    report = import_export_file(workspace, other)
    assert (report.new, report.updated, report.accepted) == (1, 1, 2)
    newest = {line["annotation_id"]: line for line in log_lines(workspace)}
    assert (newest["7"]["status"], newest["7"]["result"]) == ("accepted", result)


def test_a_release_checks_quarantined_annotations_again(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "ws")
    build_corpus([write_source(tmp_path / "src", {"a": A})], workspace, progress=False)
    row = b_row(tmp_path)
    result = [span("t1", "trigger", B, "shelled", "ASSAULT")]
    file = tmp_path / "export.json"
    file.write_text(json.dumps(export(row, [(7, result)])), encoding="utf-8")
    import_export_file(workspace, file)
    build_corpus([write_source(tmp_path / "src", {"a": A, "b": B})], workspace, progress=False)

    report = release_corpus(workspace, progress=False)  # no import in between
    shipped = raw_rows(report.path)["7"]
    assert status_name(shipped) == "accepted"
    assert json.loads(shipped["result_json"]) == result
    assert report.manifest["configs"]["events"]["rows"] == 1


def test_annotations_follow_a_new_text_of_their_article(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "ws")
    build_corpus([write_source(tmp_path / "src", {"a": A})], workspace, progress=False)
    old = corpus_rows(workspace)[A]
    on_changed_words = [span("t1", "trigger", A, "agreed", "AGREE"), span("x1", "trigger", A, "and Turkey", "AGREE")]
    file = tmp_path / "export.json"
    file.write_text(json.dumps(export(old, [(1, a_result(A)), (2, on_changed_words)])), encoding="utf-8")
    assert import_export_file(workspace, file).accepted == 2

    # The same url: the same source identity, a new text and so a new article id.
    build_corpus([write_source(tmp_path / "src", {"a": A_FIXED})], workspace, progress=False)
    new_text = A_FIXED
    new = corpus_rows(workspace)[new_text]
    assert new["article_id"] != old["article_id"]

    report = release_corpus(workspace, progress=False)
    raw = raw_rows(report.path)
    assert set(raw) == {"1", "2"}  # never dropped
    carried = raw["1"]
    assert (carried["article_id"], status_name(carried)) == (new["article_id"], "accepted")
    for region in json.loads(carried["result_json"]):
        value = region["value"]
        if "start" in value:
            assert new_text[value["start"] : value["end"]] == value["text"]
    assert json.loads(carried["result_json"])[0]["value"]["start"] == new_text.index("agreed")
    changed = raw["2"]
    assert changed["article_id"] == new["article_id"]
    assert status_name(changed) == "quarantined"
    assert "span_text_changed" in changed["quarantine_reasons"]
    assert json.loads(changed["result_json"]) == on_changed_words  # kept whole
    assert report.manifest["annotations"]["not_in_corpus"] == 0


def test_an_empty_result_quarantined_by_an_older_version_stays_quarantined(tmp_path: Path) -> None:
    """Logs written before results were kept whole hold [] and the corpus hash for these: nothing to accept."""
    workspace = Workspace(tmp_path / "ws")
    row = {**corpus_row(A, "s-0"), "corpus_version": "1.0.0"}
    write_corpus(workspace, [row])
    old = logged(row, "ann", [], annotation_id="old", status="quarantined", quarantine_reasons=["text_hash_mismatch"])
    write_log(workspace, [old])
    report = release_corpus(workspace, progress=False)
    assert status_name(raw_rows(report.path)["old"]) == "quarantined"
    assert import_export_file(workspace, write_empty(tmp_path)).updated == 0
    assert [line["status"] for line in log_lines(workspace)] == ["quarantined"]


def write_empty(folder: Path) -> Path:
    path = folder / "empty.json"
    path.write_text("[]", encoding="utf-8")
    return path
