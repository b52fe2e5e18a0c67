"""``validate DIR`` on releases broken in each way it checks: every error listed, with the fix."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ceasefire_news.cli.app import main
from ceasefire_news.dataset.corpus.workspace import file_sha256
from ceasefire_news.dataset.release import row_tasks as row_tasks_module
from ceasefire_news.dataset.release.issues import Issue
from ceasefire_news.dataset.release.row_checks import Spans
from ceasefire_news.dataset.release.row_tasks import ArticleGroups, row_tasks
from ceasefire_news.dataset.release.validate import validate_release
from ceasefire_news.schema.labels import EVENT_TYPES, MODES
from ceasefire_news.schema.records import RELEASE_CONFIGS


def reseal(folder: Path) -> None:
    """Recompute the digests in croissant.json and manifest.json, so only the planted error shows."""
    croissant = folder / "croissant.json"
    data = json.loads(croissant.read_text(encoding="utf-8"))
    for item in data["distribution"]:
        if item.get("@type") == "cr:FileObject" and (folder / item["contentUrl"]).exists():
            item["sha256"] = file_sha256(folder / item["contentUrl"])
    croissant.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"] = {
        p.relative_to(folder).as_posix(): {"sha256": file_sha256(p), "bytes": p.stat().st_size}
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")


def edit(folder: Path, config: str, change: Callable[[list[dict[str, Any]]], None], split: str = "train") -> None:
    """Rewrite one data file after ``change`` edited its rows in place, keeping the schema."""
    path = folder / "data" / config / f"{split}-00000-of-00001.parquet"
    rows = pq.read_table(path).to_pylist()
    change(rows)
    pq.write_table(pa.Table.from_pylist(rows, schema=RELEASE_CONFIGS[config].arrow_schema), path)
    reseal(folder)


def rendered(issues: list[Issue]) -> str:
    return "\n".join(i.render() for i in issues)


def test_the_seed_release_is_valid(release_copy: Path) -> None:
    assert validate_release(release_copy) == []


def test_label_outside_its_vocabulary(release_copy: Path) -> None:
    def change(rows: list[dict[str, Any]]) -> None:
        rows[2]["label"] = 9
        rows[3]["votes"][0]["label"] = -1

    edit(release_copy, "stance", change)
    issues = validate_release(release_copy)
    assert [(i.config, i.split, i.row) for i in issues] == [("stance", "train", 2), ("stance", "train", 3)]
    assert "label is 9, not a label id of 4 labels" in issues[0].problem
    assert "votes[].label is -1" in issues[1].problem
    assert "Fix: re-run `ceasefire-news release" in issues[0].render()


def test_nulls_only_where_the_scheme_allows(release_copy: Path) -> None:
    def change(rows: list[dict[str, Any]]) -> None:
        rows[0]["label"] = None  # a tied label must be flagged for review
        rows[1]["provenance"] = None

    edit(release_copy, "stance", change)
    text = rendered(validate_release(release_copy))
    assert "stance/train row 0: label is null but needs_review is false" in text
    assert "stance/train row 1: provenance is null" in text


def test_span_text_differs_from_its_slice(release_copy: Path) -> None:
    def change(rows: list[dict[str, Any]]) -> None:
        row = next(r for r in rows if r["evidence"])
        row["evidence"][0]["text"] = "Moderate opposition"

    edit(release_copy, "stance", change)
    issues = validate_release(release_copy)
    assert len(issues) == 1
    assert issues[0].config == "stance"
    assert "evidence[0] text 'Moderate opposition' differs from text[" in issues[0].problem


def test_span_out_of_range_and_mode_of_another_type(release_copy: Path) -> None:
    rows_before = pq.read_table(release_copy / "data/events/train-00000-of-00001.parquet").to_pylist()
    assault = next(i for i, r in enumerate(rows_before) if EVENT_TYPES.names[r["event_type"]] == "ASSAULT")

    def change(rows: list[dict[str, Any]]) -> None:
        rows[0]["trigger"]["end"] = 10**6
        rows[assault]["mode"] = MODES.index("phone")

    edit(release_copy, "events", change)
    text = rendered(validate_release(release_copy))
    assert "events/train row 0: trigger offsets [" in text
    assert "are outside the text" in text
    assert f"events/train row {assault}: mode 'phone' is not a mode of ASSAULT" in text


def test_relation_endpoint_missing_in_a_raw_result(release_copy: Path) -> None:
    def change(rows: list[dict[str, Any]]) -> None:
        result = json.loads(rows[1]["result_json"])
        relation = next(item for item in result if item.get("type") == "relation")
        relation["to_id"] = "no-such-region"
        rows[1]["result_json"] = json.dumps(result)

    edit(release_copy, "annotations_raw", change)
    issues = validate_release(release_copy)
    assert len(issues) == 1
    assert issues[0].row == 1
    assert "relation_missing_region" in issues[0].problem


def test_ids_must_be_unique(release_copy: Path) -> None:
    events = pq.read_metadata(release_copy / "data/events/train-00000-of-00001.parquet").num_rows
    edit(release_copy, "events", lambda rows: rows.append(dict(rows[0])))
    edit(release_copy, "articles", lambda rows: rows.append(dict(rows[0])))
    text = rendered(validate_release(release_copy))
    assert f"events/train row {events}: event_id" in text
    assert "is not unique" in text
    assert "articles/train row 5: article_id" in text
    counts = f"rows per split are {{'train': {events + 1}}}, the manifest says {{'train': {events}}}"
    assert f"config 'events' {counts}" in text


def test_keys_repeated_in_another_split_or_row_are_found(release_copy: Path) -> None:
    stance = pq.read_table(release_copy / "data/stance/train-00000-of-00001.parquet").to_pylist()
    raw = pq.read_table(release_copy / "data/annotations_raw/train-00000-of-00001.parquet").to_pylist()

    def stance_twice(rows: list[dict[str, Any]]) -> None:
        rows[3]["target"] = rows[2]["target"]
        rows[3]["article_id"] = rows[2]["article_id"]

    edit(release_copy, "stance", stance_twice)
    # A raw annotation released in a second split file as well (its article is in train: reported too).
    path = release_copy / "data/annotations_raw/test-00000-of-00001.parquet"
    pq.write_table(pa.Table.from_pylist([raw[1]], schema=RELEASE_CONFIGS["annotations_raw"].arrow_schema), path)
    reseal(release_copy)
    issues = validate_release(release_copy)
    text = rendered(issues)
    assert f"stance/train row 3: article {stance[2]['article_id']} has two rows for target id" in text
    assert f"annotations_raw/test row 0: annotation_id {raw[1]['annotation_id']} is not unique" in text
    assert "annotations_raw/test row 0: row is in split 'test', its article in 'train'" in text
    assert not any(i.config == "annotations_raw" and i.split == "train" for i in issues)


def _break_in_every_config(folder: Path) -> None:
    def stance(rows: list[dict[str, Any]]) -> None:
        rows[2]["label"] = 9
        rows[0]["label"] = None
        rows.append(dict(rows[1]))

    def events(rows: list[dict[str, Any]]) -> None:
        rows[1]["trigger"]["text"] = "nothing like it"

    def raw(rows: list[dict[str, Any]]) -> None:
        rows[0]["article_id"] = "a-0000000000000000"
        rows[1]["result_json"] = "{not json"

    edit(folder, "stance", stance)
    edit(folder, "events", events)
    edit(folder, "annotations_raw", raw)


def test_worker_processes_find_the_same_issues_in_the_same_order(release_copy: Path) -> None:
    _break_in_every_config(release_copy)
    alone = validate_release(release_copy, workers=1)
    assert {i.config for i in alone} == {"stance", "events", "annotations_raw", "manifest.json"}
    assert validate_release(release_copy, workers=2) == alone


def test_a_file_in_several_tasks_reports_file_rows(release_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tasks of a few row groups each: every row is checked once, and an issue names its row in the file."""
    path = release_copy / "data/stance/train-00000-of-00001.parquet"
    rows = pq.read_table(path).to_pylist()
    rows[7]["label"] = 9
    rows[12]["evidence"] = [{"start": 0, "end": 3, "text": "???"}]
    pq.write_table(pa.Table.from_pylist(rows, schema=RELEASE_CONFIGS["stance"].arrow_schema), path, row_group_size=3)
    reseal(release_copy)
    monkeypatch.setattr(row_tasks_module, "TASK_ROWS", 5)
    monkeypatch.setattr(row_tasks_module, "RAW_TASK_ROWS", 2)
    stance_tasks = row_tasks(
        release_copy,
        "stance",
        [("train", "data/stance/train-00000-of-00001.parquet")],
        {"data/stance/train-00000-of-00001.parquet": pq.read_metadata(path)},
        raw_results=True,
        articles=(),
        stamp=(),
    )
    assert [(t.row_groups, t.offset, t.rows) for t in stance_tasks][:2] == [((0, 1), 0, 6), ((2, 3), 6, 6)]
    assert sum(t.rows for t in stance_tasks) == len(rows)
    for workers in (1, 2):
        issues = validate_release(release_copy, workers=workers)
        assert [(i.config, i.row) for i in issues] == [("stance", 7), ("stance", 12)], workers
        assert "label is 9" in issues[0].problem
        assert "evidence[0] text '???' differs from text[0:3]" in issues[1].problem


def test_splits_must_be_disjoint_by_story(release_copy: Path) -> None:
    path = release_copy / "data/articles/train-00000-of-00001.parquet"
    rows = pq.read_table(path).to_pylist()
    stories: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        stories.setdefault(r["story_id"], []).append(i)
    shared = next(rows_of_story for rows_of_story in stories.values() if len(rows_of_story) > 1)
    moved = rows.pop(shared[1])
    moved["split"] = 1
    schema = RELEASE_CONFIGS["articles"].arrow_schema
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)
    pq.write_table(pa.Table.from_pylist([moved], schema=schema), path.with_name("validation-00000-of-00001.parquet"))
    reseal(release_copy)
    text = rendered(validate_release(release_copy))
    assert f"story {moved['story_id']} is in split" in text
    assert "splits must be disjoint by story" in text
    assert "its article in 'validation'" in text  # the article's stance rows stayed in train


def test_manifest_digests_and_listing(release_copy: Path) -> None:
    card = release_copy / "README.md"
    card.write_text(card.read_text(encoding="utf-8") + "\nEdited by hand.\n", encoding="utf-8")
    (release_copy / "notes.txt").write_text("scratch", encoding="utf-8")
    (release_copy / "images" / "stance.png").unlink()
    text = rendered(validate_release(release_copy))
    assert "README.md has sha256" in text
    assert "notes.txt is in the folder but not in the manifest" in text
    assert "images/stance.png is listed but missing" in text


def test_arrow_schema_must_match(release_copy: Path) -> None:
    path = release_copy / "data/stance/train-00000-of-00001.parquet"
    table = pq.read_table(path)
    table = table.set_column(table.schema.get_field_index("label"), "label", table.column("label").cast(pa.string()))
    pq.write_table(table.drop_columns(["needs_review"]), path)
    reseal(release_copy)
    text = rendered(validate_release(release_copy))
    assert "column 'label' is string, expected int64" in text
    assert "column 'needs_review' is missing" in text


def test_rows_need_their_article_and_text_digests_hold(release_copy: Path) -> None:
    def stance(rows: list[dict[str, Any]]) -> None:
        rows[0]["article_id"] = "a-0000000000000000"

    def articles(rows: list[dict[str, Any]]) -> None:
        rows[4]["text"] = rows[4]["text"].replace("Syrian", "Syrien")

    edit(release_copy, "stance", stance)
    edit(release_copy, "articles", articles)
    text = rendered(validate_release(release_copy))
    assert "stance/train row 0: article a-0000000000000000 is not in the articles config" in text
    assert "articles/train row 4: text_sha256 of" in text
    assert "differs from text[" in text  # the spans of that article no longer hold


def test_card_must_declare_the_features(release_copy: Path) -> None:
    card = release_copy / "README.md"
    card.write_text(
        card.read_text(encoding="utf-8").replace("'3': not_addressed", "'3': unrelated", 1), encoding="utf-8"
    )
    reseal(release_copy)
    text = rendered(validate_release(release_copy))
    assert "dataset_info of config 'stance' does not declare the features of schema/records.py" in text


def test_every_error_is_listed_and_the_cli_exits_1(release_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(release_copy, "stance", lambda rows: rows[0].update(label=7))
    edit(release_copy, "events", lambda rows: rows[1]["trigger"].update(text="nothing like it"))
    (release_copy / "croissant.json").unlink()
    issues = validate_release(release_copy)
    assert {i.config for i in issues} == {"stance", "events", "manifest.json", "croissant.json"}
    assert main(["validate", str(release_copy), "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert f"INVALID, {len(issues)} problems" in err
    assert err.count("Fix:") == len(issues)
    assert main(["validate", str(release_copy), "--no-progress", "--workers", "2"]) == 1
    assert capsys.readouterr().err == err  # worker processes: the same problems, in the same order
    # No release to check is bad usage, not an invalid release.
    assert main(["validate", str(release_copy / "nope"), "--no-progress"]) == 2
    assert "nope does not exist; give a release folder" in capsys.readouterr().err
    assert main(["validate", str(release_copy / "manifest.json"), "--no-progress"]) == 2
    assert "manifest.json is not a folder" in capsys.readouterr().err


def test_spans_of_a_list_column_know_their_row_and_position() -> None:
    span = pa.struct([("start", pa.int64()), ("end", pa.int64()), ("text", pa.string())])
    lists = pa.array(
        [
            [{"start": 0, "end": 1, "text": "a"}],
            None,
            [],
            [{"start": 2, "end": 3, "text": "b"}, {"start": 4, "end": 5, "text": "c"}, None],
            [{"start": 6, "end": 7, "text": "d"}],
        ],
        type=pa.list_(span),
    )
    column = pa.chunked_array([lists.slice(1), lists.slice(0, 1)])  # chunks that start mid-array
    spans = Spans.of_list(column)
    assert spans.rows == [2, 2, 2, 3, 4]
    assert spans.positions == [0, 1, 2, 0, 0]
    assert (spans.starts, spans.texts) == ([2, 4, None, 6, 0], ["b", "c", None, "d", "a"])


def test_workers_read_the_articles_a_batch_needs_and_the_first_row_of_an_id_counts(release_copy: Path) -> None:
    path = release_copy / "data/articles/train-00000-of-00001.parquet"
    rows = pq.read_table(path).to_pylist()
    ids = sorted(r["article_id"] for r in rows)
    twin = dict(next(r for r in rows if r["article_id"] == ids[1]), story_id="another story")
    table = pa.Table.from_pylist([*rows, twin], schema=RELEASE_CONFIGS["articles"].arrow_schema)
    pq.write_table(table.sort_by("article_id"), path, row_group_size=2)
    groups = ArticleGroups(release_copy, (("train", "data/articles/train-00000-of-00001.parquet"),))
    assert len(groups.groups) == 3
    found = groups.covering(pa.chunked_array([[ids[1], ids[2]]]))
    assert set(found) == set(ids[:3])  # row groups (0, 1) and (the twin of 1, 2); not (3, 4)
    assert found[ids[1]].story_id != "another story"
    assert set(groups.covering(pa.chunked_array([[ids[4]]]))) == {ids[3], ids[4]}
    assert groups.covering(pa.chunked_array([[None]], type=pa.string())) == {}

    # The whole validation, with the articles in row groups: a row that names another story is found.
    edit(release_copy, "stance", lambda rows: rows[6].update(story_id="s-elsewhere"))
    sound = pa.Table.from_pylist(rows, schema=RELEASE_CONFIGS["articles"].arrow_schema)
    pq.write_table(sound.sort_by("article_id"), path, row_group_size=2)
    reseal(release_copy)
    for workers in (1, 2):
        issues = validate_release(release_copy, workers=workers)
        assert [(i.config, i.row) for i in issues] == [("stance", 6)], workers
        assert "story_id s-elsewhere differs from the article's" in issues[0].problem


def test_card_and_croissant_must_state_the_same_terms(release_copy: Path) -> None:
    croissant = release_copy / "croissant.json"
    data = json.loads(croissant.read_text(encoding="utf-8"))
    data["license"] = "https://creativecommons.org/licenses/by/4.0/"  # the texts are not the project's to license
    croissant.write_text(json.dumps(data), encoding="utf-8")
    card = release_copy / "README.md"
    card.write_text(
        card.read_text(encoding="utf-8").replace("license: other\n", "license: cc-by-4.0\n", 1), encoding="utf-8"
    )
    reseal(release_copy)
    problems = {(i.config, i.problem.split(";")[0]) for i in validate_release(release_copy)}
    assert ("croissant.json", 'license is "https://creativecommons.org/licenses/by/4.0/"') in problems
    assert any(config == "README.md" and "license fields" in problem for config, problem in problems)


def test_a_croissant_file_mlcroissant_rejects_fails(release_copy: Path) -> None:
    croissant = release_copy / "croissant.json"
    data = json.loads(croissant.read_text(encoding="utf-8"))
    stance = next(r for r in data["recordSet"] if r["@id"] == "stance")
    label = next(f for f in stance["field"] if f["@id"] == "stance/label")
    label["references"] = {"field": {"@id": "labels-nowhere/id"}}
    croissant.write_text(json.dumps(data), encoding="utf-8")
    reseal(release_copy)
    problems = [i.problem for i in validate_release(release_copy) if i.config == "croissant.json"]
    assert problems
    assert all(p.startswith("mlcroissant rejects it") for p in problems)
