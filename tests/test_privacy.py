"""A release names no person: pseudonymous annotators, day-coarse timestamps, a private key."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ceasefire_news.dataset.corpus.workspace import Workspace
from ceasefire_news.dataset.release.pipeline import release_corpus
from ceasefire_news.dataset.release.pseudonyms import PSEUDONYM, mapping_path
from ceasefire_news.dataset.release.validate import validate_release
from ceasefire_news.labeling.ingest import import_export_file
from ceasefire_news.labeling.pseudonym import key_path
from ceasefire_news.schema.records import LoggedAnnotation, latest_annotations
from tests.fixtures.release import Span, corpus_row, read_config, result, write_corpus

TEXT = "Putin and Erdogan have agreed on a ceasefire in Idlib after talks in Moscow on Thursday."
# Two Label Studio users: their e-mails, usernames and user ids (7, 8) must not be released.
ALICE, BOB = "alice.hartmann@newsroom.example", "b.okafor@newsroom.example"
PERSONAL = [ALICE, BOB, "alice.hartmann", "b.okafor", "newsroom.example", "user:7", "user:8"]


def _workspace(root: Path) -> Workspace:
    """A corpus of one article annotated by two Label Studio users, imported from an export file."""
    workspace = Workspace(root / "ws")
    row = {**corpus_row(TEXT, "s-0"), "corpus_version": "1.0.0"}
    write_corpus(workspace, [row])
    labels = result(TEXT, stance={"ceasefire": "favor"}, triggers=[Span("t1", 18, 24, "AGREE")])
    annotation = {"result": labels, "created_at": "2024-03-05T23:30:12.123456-02:00", "updated_at": "2024-03-06T09:15Z"}
    task = {
        "id": 41,
        "data": {k: row[k] for k in ("article_id", "text", "text_sha256", "corpus_version")},
        "annotations": [
            # The JSON export names the user; the data manager gives an id and "e-mail, id".
            {**annotation, "id": 501, "completed_by": {"id": 7, "email": ALICE, "username": "alice.hartmann"}},
            {**annotation, "id": 502, "completed_by": 8, "created_username": f"{BOB}, 8"},
        ],
    }
    export = root / "export.json"
    export.write_text(json.dumps([task]), encoding="utf-8")
    report = import_export_file(workspace, export)
    assert (report.new, report.quarantined) == (2, 0)
    assert {e.annotator for e in latest_annotations(_log(workspace))} == {ALICE, BOB}
    return workspace


def _log(workspace: Workspace) -> list[LoggedAnnotation]:
    lines = workspace.log_path.read_text(encoding="utf-8").splitlines()
    return [LoggedAnnotation.from_json(line) for line in lines]


def _every_value(folder: Path) -> str:
    """Every file of a release as text: Parquet files decoded (values and metadata), the rest read."""
    parts = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.suffix == ".parquet":
            parquet = pq.ParquetFile(path)
            parts.append(json.dumps(parquet.read().to_pylist(), default=str, ensure_ascii=False))
            parts.append(str(parquet.schema_arrow.metadata))
        parts.append(path.read_bytes().decode("utf-8", errors="replace"))
    return "\n".join(parts)


def test_a_release_names_no_annotator_and_keeps_days_only(tmp_path: Path) -> None:
    workspace = _workspace(tmp_path)
    report = release_corpus(workspace, progress=False)
    everything = _every_value(report.path)
    assert everything, "nothing read"
    for personal in PERSONAL:
        assert personal.lower() not in everything.lower()
    raw = read_config(report.path, "annotations_raw")
    names = {r["annotator"] for r in raw}
    assert len(names) == 2
    assert all(PSEUDONYM.fullmatch(n) for n in names)
    assert {(r["created_at"], r["updated_at"]) for r in raw} == {("2024-03-06T00:00:00+00:00",) * 2}
    votes = {v["annotator"] for r in read_config(report.path, "stance") for v in r["votes"]}
    events = {a for r in read_config(report.path, "events") for a in r["annotators"]}
    assert votes == names
    assert events == names
    assert validate_release(report.path) == []

    mapping = json.loads(mapping_path(workspace).read_text(encoding="utf-8"))
    assert {mapping[k] for k in names} == {ALICE, BOB}
    for private in (key_path(workspace), mapping_path(workspace)):
        assert stat.S_IMODE(private.stat().st_mode) == 0o600
    # The same workspace gives the same pseudonyms in its next release.
    again = release_corpus(workspace, "1.0.1", progress=False)
    assert {r["annotator"] for r in read_config(again.path, "annotations_raw")} == names


def test_a_new_key_gives_new_pseudonyms(tmp_path: Path) -> None:
    first = release_corpus(_workspace(tmp_path / "one"), progress=False)
    second = release_corpus(_workspace(tmp_path / "two"), progress=False)
    names = [{r["annotator"] for r in read_config(r.path, "annotations_raw")} for r in (first, second)]
    assert names[0].isdisjoint(names[1])


def _rewrite(path: Path, column: str, value: Any) -> None:
    table = pq.read_table(path)
    index = table.schema.get_field_index(column)
    field = table.schema.field(index)
    table = table.set_column(index, field, pa.array([value] * table.num_rows, type=field.type))
    pq.write_table(table, path)


def test_validate_fails_a_release_with_an_email_or_a_time_of_day(tmp_path: Path) -> None:
    report = release_corpus(_workspace(tmp_path), progress=False)
    (raw_file,) = (report.path / "data" / "annotations_raw").glob("*.parquet")
    _rewrite(raw_file, "annotator", ALICE)
    problems = [i.problem for i in validate_release(report.path)]
    assert any("annotator names" in p and "pseudonyms" in p for p in problems)
    assert not any(ALICE in p for p in problems)  # the report itself shows no e-mail

    _rewrite(raw_file, "annotator", "seed-annotations")
    _rewrite(raw_file, "updated_at", "2024-03-06T09:15:00Z")
    problems = [i.problem for i in validate_release(report.path)]
    assert not any("annotator names" in p for p in problems)
    assert any("updated_at holds times of day" in p for p in problems)
