"""The annotation table: written with the log, rebuilt from it when behind, read by column name."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ceasefire_news.dataset.corpus.workspace import Workspace
from ceasefire_news.dataset.release.pipeline import release_corpus
from ceasefire_news.dataset.release.pseudonyms import Pseudonyms
from ceasefire_news.dataset.release.writers import invalid_result_json
from ceasefire_news.labeling.annotation_table import MERGE_PARTS, append_to_log, table_dir, update_table
from ceasefire_news.labeling.pseudonym import workspace_key
from ceasefire_news.labeling.results import parse_result
from ceasefire_news.schema.errors import DataError
from ceasefire_news.schema.records import ANNOTATION_TABLE_SCHEMA, RELEASE_CONFIGS, LoggedAnnotation
from tests.fixtures.release import (
    Span,
    corpus_row,
    logged,
    read_config,
    result,
    same_key,
    write_corpus,
    write_log,
)

TEXTS = [
    "Putin and Erdogan have agreed on a ceasefire in Idlib after talks in Moscow on Thursday.",
    "Syrian army forces shelled rebel positions near Aleppo despite the truce.",
    "The opposition rejected the Astana proposal as a surrender.",
]


def _workspace(root: Path) -> tuple[Workspace, list[dict[str, Any]]]:
    workspace = Workspace(root)
    rows = [{**corpus_row(text, f"s-{i}"), "corpus_version": "1.0.0"} for i, text in enumerate(TEXTS)]
    write_corpus(workspace, rows)
    return workspace, rows


def _entries(rows: list[dict[str, Any]]) -> list[LoggedAnnotation]:
    text = rows[0]["text"]
    full = result(
        text,
        stance={"russia": "neutral", "ceasefire": "favor"},
        genre="reporting",
        quality=["off_topic"],
        triggers=[Span("t1", 23, 29, "AGREE")],
        factuality={"t1": "asserted"},
        entities=[Span("e1", 0, 5, "PER")],
        evidence=[Span("v1", 35, 44, "ceasefire")],
        relations=[("t1", "e1", "actor")],
    )
    return [
        logged(rows[0], "ann1", full),
        logged(rows[0], "ann2", result(text, stance={"russia": "against", "ceasefire": "favor"})),
        logged(rows[1], "ann1", result(rows[1]["text"], stance={"syrian_government": "against"}, genre="reporting")),
        logged(rows[2], "ann3", result(rows[2]["text"], stance={"armed_opposition": "favor"}), source="import"),
    ]


def _rows(workspace: Workspace) -> list[dict[str, Any]]:
    table = update_table(workspace.log_path)
    return [row for part in table.read() for row in part.to_pylist()]


def _data_files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted((folder / "data").rglob("*.parquet"))}


# --- written with the log ------------------------------------------------------------------------


def test_append_to_log_writes_typed_rows_next_to_the_log(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workspace, rows = _workspace(tmp_path / "ws")
    entries = _entries(rows)
    capsys.readouterr()
    append_to_log(workspace, [e.to_json() for e in entries[:2]])
    append_to_log(workspace, [e.to_json() for e in entries[2:]])
    assert capsys.readouterr().err == ""  # written as the log was: nothing to rebuild
    assert len(list(table_dir(workspace.log_path).glob("part-*.parquet"))) == 2
    found = _rows(workspace)
    assert [r["annotation_id"] for r in found] == [e.annotation_id for e in entries]
    offsets = [r["log_offset"] for r in found]
    content = workspace.log_path.read_bytes()
    for row, entry, offset in zip(found, entries, offsets, strict=True):
        assert content[offset:].split(b"\n", 1)[0].decode() == entry.to_json()
        for name in ("annotator", "article_id", "created_at", "updated_at", "status", "source", "task_id"):
            assert row[name] == getattr(entry, name), name
        assert json.loads(row["result_json"]) == entry.result
        assert json.loads(row["repairs_json"]) == entry.repairs
    first, parsed = found[0], parse_result(entries[0].result)
    assert [(r["kind"], r["id"], r["start"], r["end"], r["label"]) for r in first["regions"]] == [
        ("trigger", "t1", 23, 29, "AGREE"),
        ("entity", "e1", 0, 5, "PER"),
        ("evidence", "v1", 35, 44, "ceasefire"),
    ]
    assert all(TEXTS[0][r["start"] : r["end"]] == r["text"] for r in first["regions"])
    choices = {(c["control"], c["region_id"]): c["choice"] for c in first["choices"]}
    assert choices == {
        ("stance_russia", None): "neutral",
        ("stance_ceasefire", None): "favor",
        ("genre", None): "reporting",
        ("quality", None): "off_topic",
        ("factuality", "t1"): "asserted",
    }
    assert [(r["from_id"], r["to_id"], r["role"]) for r in first["relations"]] == parsed.relations


def test_a_table_in_parts_holds_what_one_pass_over_the_log_holds(tmp_path: Path) -> None:
    workspace, rows = _workspace(tmp_path / "ws")
    entries = [
        logged(row, f"ann{k}", result(row["text"], stance={"russia": "neutral"}), updated_at=f"2024-0{k % 9 + 1}")
        for k in range(MERGE_PARTS + 2)
        for row in rows[:1]
    ]
    for entry in entries:  # one pull each: more parts than are kept apart
        append_to_log(workspace, [entry.to_json()])
    parts = sorted(table_dir(workspace.log_path).glob("part-*.parquet"))
    assert len(parts) < len(entries)
    in_parts = _rows(workspace)
    shutil.rmtree(table_dir(workspace.log_path))
    assert _rows(workspace) == in_parts
    assert [r["annotation_id"] for r in in_parts] == [e.annotation_id for e in entries]


def test_blank_odd_and_torn_lines(tmp_path: Path) -> None:
    workspace, rows = _workspace(tmp_path / "ws")
    write_log(workspace, _entries(rows)[:2])
    line = workspace.log_path.read_bytes().splitlines(keepends=True)[0]
    not_utf8 = line.replace(b'"neutral"', b'"neu\xfftral"')
    wrong_type = json.dumps({**json.loads(line), "task_id": "seven"}).encode() + b"\n"
    with open(workspace.log_path, "ab") as fh:
        # blank and whitespace-only lines, an indented line, CRLF, three unreadable lines, a torn last line
        fh.write(b"\n  \n\t\r\n  " + line + line.rstrip(b"\n") + b"\r\n" + not_utf8 + wrong_type + b"[1]\n" + line[:40])
    table = update_table(workspace.log_path, note=False)
    assert (table.lines, table.unreadable, table.torn_tail) == (8, 4, True)
    assert table.end == workspace.log_path.stat().st_size - 40  # the torn line is left for later
    assert len(_rows(workspace)) == 4
    append_to_log(workspace, [_entries(rows)[2].to_json()])  # completes the torn line first
    table = update_table(workspace.log_path, note=False)
    assert (table.lines, table.unreadable, table.torn_tail) == (9, 4, False)
    assert table.end == workspace.log_path.stat().st_size


@pytest.mark.parametrize(
    ("annotation_id", "annotator", "article_id"),
    [
        ("17", "ann1", "a-1"),
        ('id "quoted"', 'ann\\1 "x"', "a\\2"),
        ("é-ü", "アノテーター", "a-\u00e9"),
        ("tab\there", "line\nbreak", "a-\U0001f600"),
    ],
)
def test_the_table_holds_the_fields_json_reads(
    tmp_path: Path, annotation_id: str, annotator: str, article_id: str
) -> None:
    workspace = Workspace(tmp_path / "ws")
    row = {**corpus_row(TEXTS[0], "s-0"), "article_id": article_id}
    entry = logged(row, annotator, [], annotation_id=annotation_id, updated_at='2024-"05"\\x', created_at="c\u00e9")
    line = entry.to_json()
    workspace.log_path.parent.mkdir(parents=True)
    workspace.log_path.write_text(line + "\n" + line.replace('"source":', '"source" :') + "\n", encoding="utf-8")
    record = json.loads(line)
    for found in _rows(workspace):
        assert {k: found[k] for k in ("annotation_id", "annotator", "article_id", "created_at", "updated_at")} == {
            k: record[k] for k in ("annotation_id", "annotator", "article_id", "created_at", "updated_at")
        }


# --- rebuilt from the log --------------------------------------------------------------------------


def test_a_workspace_with_only_the_log_gets_its_table_at_release(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with_table, rows = _workspace(tmp_path / "with")
    append_to_log(with_table, [e.to_json() for e in _entries(rows)])
    log_only, _ = _workspace(tmp_path / "log_only")  # what an earlier version left: log.jsonl alone
    write_log(log_only, _entries(rows))
    same_key(with_table, log_only)
    capsys.readouterr()
    first = release_corpus(with_table, progress=False)
    assert "note:" not in capsys.readouterr().err
    second = release_corpus(log_only, progress=False)
    notes = [line for line in capsys.readouterr().err.splitlines() if line.startswith("note:")]
    assert notes == ["note: annotations/table did not exist; built it from log.jsonl"]
    assert _data_files(first.path) == _data_files(second.path)
    assert first.manifest["configs"]["annotations_raw"]["rows"] == 4
    update_table(log_only.log_path)
    assert capsys.readouterr().err == ""  # built once


def test_lines_appended_after_the_table_are_read_into_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workspace, rows = _workspace(tmp_path / "ws")
    entries = _entries(rows)
    append_to_log(workspace, [e.to_json() for e in entries[:2]])
    write_log(workspace, entries[2:])  # a pull killed between the log and the table
    capsys.readouterr()
    report = release_corpus(workspace, progress=False)
    notes = [line for line in capsys.readouterr().err.splitlines() if line.startswith("note:")]
    assert len(notes) == 1
    assert "covered" in notes[0]
    assert "read the rest into it" in notes[0]
    raw = {r["annotation_id"] for r in read_config(report.path, "annotations_raw")}
    assert raw == {e.annotation_id for e in entries}
    assert [r["annotation_id"] for r in _rows(workspace)] == [e.annotation_id for e in entries]


def test_a_table_of_another_log_is_rebuilt(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workspace, rows = _workspace(tmp_path / "ws")
    entries = _entries(rows)
    append_to_log(workspace, [e.to_json() for e in entries[:2]])
    workspace.log_path.unlink()
    write_log(workspace, [*entries[2:], *entries[:2]])  # another log, longer than the table
    capsys.readouterr()
    assert [r["annotation_id"] for r in _rows(workspace)] == [e.annotation_id for e in [*entries[2:], *entries[:2]]]
    assert "made from another log" in capsys.readouterr().err


def test_an_unreadable_part_is_rebuilt(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workspace, rows = _workspace(tmp_path / "ws")
    entries = _entries(rows)
    append_to_log(workspace, [e.to_json() for e in entries])
    (path,) = table_dir(workspace.log_path).glob("part-*.parquet")
    path.write_bytes(path.read_bytes()[:100])  # a disk that lost the file's end
    capsys.readouterr()
    assert [r["annotation_id"] for r in _rows(workspace)] == [e.annotation_id for e in entries]
    (note,) = capsys.readouterr().err.splitlines()
    assert note.startswith(f"note: annotations/table can't be used ({path.name} is unreadable")


# --- read by name ------------------------------------------------------------------------------------


def test_raw_rows_take_every_field_by_name(tmp_path: Path) -> None:
    workspace, rows = _workspace(tmp_path / "ws")
    entry = logged(
        rows[0],
        "annotator-B",
        result(rows[0]["text"], stance={"russia": "neutral"}),
        annotation_id="annotation-A",
        created_at="2024-01-02T00:00:00Z",
        updated_at="2024-05-06T00:00:00Z",
        lead_time=3.5,
        ground_truth=True,
        source="import",
    )
    append_to_log(workspace, [entry.to_json()])
    report = release_corpus(workspace, progress=False)
    (raw,) = read_config(report.path, "annotations_raw")
    # Every value differs from the others of its type: two swapped columns would show here. The
    # annotator and the times are released as the pseudonyms module makes them.
    released = Pseudonyms(workspace_key(workspace)).entry(entry)
    assert released.created_at != released.updated_at
    for name in ("annotation_id", "annotator", "article_id", "created_at", "updated_at", "source", "lead_time"):
        assert raw[name] == getattr(released, name), name
    assert (raw["task_id"], raw["was_cancelled"], raw["ground_truth"]) == (1, False, True)
    assert raw["story_id"] == rows[0]["story_id"]


def _rewrite_part(workspace: Workspace, change: Any) -> None:
    (path,) = table_dir(workspace.log_path).glob("part-*.parquet")
    table = pq.read_table(path)
    pq.write_table(change(table), path)


def _swap(table: pa.Table, *, names: tuple[str, str]) -> pa.Table:
    """``created_at``'s place gets ``updated_at``'s values and the other way round, under ``names``."""
    created, updated = (ANNOTATION_TABLE_SCHEMA.get_field_index(n) for n in ("created_at", "updated_at"))
    first, second = (ANNOTATION_TABLE_SCHEMA.field(n) for n in names)
    swapped = table.set_column(created, first, table["updated_at"])
    return swapped.set_column(updated, second, table["created_at"])


def test_a_table_is_read_by_column_name_and_refused_when_its_columns_move(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    releases = {}
    for case in ("as_written", "values_swapped", "columns_moved"):
        workspace, rows = _workspace(tmp_path / case)
        entry = logged(
            rows[0],
            "ann1",
            result(rows[0]["text"], stance={"russia": "neutral"}),
            created_at="2024-01-02T00:00:00Z",
            updated_at="2024-05-06T00:00:00Z",
        )
        append_to_log(workspace, [entry.to_json()])
        same_key(workspace)
        if case == "values_swapped":  # the declared schema, each column holding the other's values
            _rewrite_part(workspace, lambda t: _swap(t, names=("created_at", "updated_at")))
        if case == "columns_moved":  # the same names and values, two columns in each other's place
            _rewrite_part(workspace, lambda t: _swap(t, names=("updated_at", "created_at")))
        capsys.readouterr()
        report = release_corpus(workspace, progress=False)
        releases[case] = (read_config(report.path, "annotations_raw")[0], capsys.readouterr().err)
    as_written, values_swapped, columns_moved = releases.values()
    assert (as_written[0]["created_at"], as_written[0]["updated_at"]) == (
        "2024-01-02T00:00:00+00:00",
        "2024-05-06T00:00:00+00:00",
    )
    # The release takes each value from the column of that name: swapped values come out swapped.
    assert (values_swapped[0]["created_at"], values_swapped[0]["updated_at"]) == (
        as_written[0]["updated_at"],
        as_written[0]["created_at"],
    )
    # A table whose columns are not where ANNOTATION_TABLE_SCHEMA puts them is refused and rebuilt.
    assert "other types or order than ANNOTATION_TABLE_SCHEMA" in columns_moved[1]
    assert columns_moved[0] == as_written[0]


# --- the key-order bug, and a broken result that must not ship ------------------------------------------


def test_a_list_field_between_result_and_source_releases_like_the_log_without_it(tmp_path: Path) -> None:
    reports = []
    for extra in (False, True):
        workspace, rows = _workspace(tmp_path / f"extra-{extra}")
        lines = [e.to_json() for e in _entries(rows)]
        if extra:
            # A field of a later version, sorting between "result" and "source" in the log line.
            lines = [
                json.dumps(
                    {**json.loads(line), "reviewers": ["r1", "r2"]},
                    sort_keys=True,
                    ensure_ascii=False,
                    separators=(",", ":"),
                )
                for line in lines
            ]
            assert all('"result":[' in line and '],"reviewers":["r1","r2"],"source":' in line for line in lines)
        append_to_log(workspace, lines)
        same_key(workspace)
        reports.append(release_corpus(workspace, progress=False))
    plain, extended = reports
    raw = read_config(extended.path, "annotations_raw")
    assert len(raw) == 4
    assert all(isinstance(json.loads(r["result_json"]), list) for r in raw)
    assert read_config(plain.path, "annotations_raw") == raw
    for config in RELEASE_CONFIGS:
        assert read_config(plain.path, config) == read_config(extended.path, config), config
    assert extended.manifest["annotations"]["log_unreadable_lines"] == 0


def test_a_result_json_that_is_not_json_is_found_and_not_shipped(tmp_path: Path) -> None:
    schema = RELEASE_CONFIGS["annotations_raw"].arrow_schema
    good = dict.fromkeys(schema.names) | {
        "annotation_id": "ok",
        "result_json": "[]",
        "quality_flags": [],
        "quarantine_reasons": [],
    }
    broken_text = '[{"type":"choices"}],"reviewers":["r1"]'
    table = pa.Table.from_pylist(
        [
            good,
            {**good, "annotation_id": "bad", "result_json": broken_text},
            {**good, "annotation_id": "obj", "result_json": "{}"},
        ],
        schema=schema,
    )
    problems = invalid_result_json(table)
    assert len(problems) == 2
    assert problems[0].startswith("annotation bad: result_json is not JSON")
    assert "reviewers" in problems[0]
    assert problems[1] == "annotation obj: result_json holds a dict, not a list"
    assert invalid_result_json(table.slice(0, 1)) == []

    # A table row whose result text is broken is an unreadable annotation: it does not ship.
    workspace, rows = _workspace(tmp_path / "ws")
    entries = _entries(rows)
    append_to_log(workspace, [e.to_json() for e in entries])
    _rewrite_part(
        workspace,
        lambda t: t.set_column(
            t.schema.get_field_index("result_json"),
            "result_json",
            pa.array([broken_text, *t["result_json"].to_pylist()[1:]], pa.string()),
        ),
    )
    report = release_corpus(workspace, progress=False)
    raw = read_config(report.path, "annotations_raw")
    assert entries[0].annotation_id not in {r["annotation_id"] for r in raw}
    assert all(isinstance(json.loads(r["result_json"]), list) for r in raw)
    assert report.manifest["annotations"]["log_unreadable_lines"] == 1


def test_a_release_that_would_ship_a_result_that_is_no_list_is_refused(tmp_path: Path) -> None:
    workspace, rows = _workspace(tmp_path / "ws")
    entry = logged(rows[0], "ann1", [], status="quarantined", quarantine_reasons=["malformed_result"])
    append_to_log(workspace, [entry.to_json()])
    # JSON, but not the list a result is: kept as logged (quarantined), it would ship as it is.
    _rewrite_part(
        workspace,
        lambda t: t.set_column(t.schema.get_field_index("result_json"), "result_json", pa.array(["{}"], pa.string())),
    )
    with pytest.raises(DataError, match=r"1 raw annotations would ship a result_json that is not a JSON list.*dict"):
        release_corpus(workspace, progress=False)
    assert not workspace.release_dir("1.0.0").exists()
