"""The release: complete, loadable, deterministic, never overwritten, safe to kill."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ceasefire_news.cli.app import main
from ceasefire_news.dataset.corpus.workspace import Workspace
from ceasefire_news.dataset.release import writers
from ceasefire_news.dataset.release.agreement import AgreementAccumulator
from ceasefire_news.dataset.release.diff import diff_releases
from ceasefire_news.dataset.release.embedded import AnchorError, load_seed_annotations, seed_names, seed_of, seed_result
from ceasefire_news.dataset.release.pipeline import release_corpus
from ceasefire_news.dataset.release.recheck import recheck, spans_ok
from ceasefire_news.dataset.release.stats import Stats
from ceasefire_news.dataset.release.validate import validate_release
from ceasefire_news.dataset.release.workers import ChunkResult, ReleaseOptions, spill
from ceasefire_news.labeling.results import parse_result
from ceasefire_news.schema.errors import DataError, UsageError
from ceasefire_news.schema.labels import PROVENANCE, STANCE_LABELS, STANCE_TARGETS
from ceasefire_news.schema.records import RELEASE_CONFIGS
from tests.fixtures.release import (
    REPO,
    SeedRelease,
    Span,
    corpus_row,
    load_offline,
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


def small_workspace(root: Path) -> tuple[Workspace, list[dict[str, Any]]]:
    workspace = Workspace(root / "ws")
    rows = [corpus_row(text, f"s-{i}") for i, text in enumerate(TEXTS)]
    rows = [{**r, "corpus_version": "1.0.0"} for r in rows]
    write_corpus(workspace, rows)
    return workspace, rows


# --- the seed release --------------------------------------------------------------------------


def test_seed_release_is_complete_valid_and_loads_offline(seed_release: SeedRelease, tmp_path: Path) -> None:
    manifest = seed_release.manifest
    for config in RELEASE_CONFIGS:
        assert manifest["configs"][config]["rows"] > 0, config
    assert manifest["configs"]["articles"]["rows"] == 5
    assert manifest["configs"]["stance"]["rows"] == 5 * len(STANCE_TARGETS)
    assert manifest["annotations"]["embedded"] == 5
    assert validate_release(seed_release.folder) == []
    files = {p.relative_to(seed_release.folder).as_posix() for p in seed_release.folder.rglob("*") if p.is_file()}
    assert {"README.md", "croissant.json", "manifest.json"} <= files
    assert set(manifest["files"]) == files - {"manifest.json"}

    loaded = load_offline(seed_release.folder, list(RELEASE_CONFIGS), tmp_path / "hf")
    for config, splits in loaded.items():
        assert sum(s["rows"] for s in splits.values()) == manifest["configs"][config]["rows"]
    train = loaded["stance"]["train"]
    assert {"split", "target", "label", "provenance"} <= set(train["class_labels"])
    assert {"event_type", "mode", "factuality", "provenance"} <= set(loaded["events"]["train"]["class_labels"])
    assert {"split", "genre", "genre_provenance"} <= set(loaded["articles"]["train"]["class_labels"])
    assert {"status", "provenance", "genre"} <= set(loaded["annotations_raw"]["train"]["class_labels"])


def test_seed_labels_are_machine_generated(seed_release: SeedRelease) -> None:
    machine = PROVENANCE.index("machine")
    assert {r["provenance"] for r in read_config(seed_release.folder, "stance")} == {machine}
    assert {r["provenance"] for r in read_config(seed_release.folder, "events")} == {machine}
    raw = read_config(seed_release.folder, "annotations_raw")
    assert {(r["source"], r["provenance"]) for r in raw} == {("embedded", machine)}
    assert all(r["genre_provenance"] == machine for r in read_config(seed_release.folder, "articles"))


def test_readme_main_command_through_the_cli(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    assert main(["build", "--workspace", str(workspace)]) == 0
    assert main(["release", "--workspace", str(workspace), "--no-progress"]) == 0
    assert main(["validate", str(workspace / "release" / "1.0.0"), "--no-progress"]) == 0
    assert main(["release", "--workspace", str(workspace), "--no-progress"]) == 2  # never overwritten


def test_every_embedded_anchor_resolves_on_the_seed_corpus(seed_release: SeedRelease) -> None:
    from ceasefire_news.dataset.corpus.versions import load_corpus

    corpus = load_corpus(seed_release.workspace)
    found = {seed_of(r["source_file"]): r["text"] for r in corpus}
    assert set(seed_names()) <= set(found)
    for seed in seed_names():
        items = seed_result(seed, found[seed])
        parsed = parse_result(items)
        assert parsed.problems == [], seed
        regions = [*parsed.triggers, *parsed.entities, *(r for v in parsed.evidence.values() for r in v)]
        assert regions
        assert all(found[seed][r.start : r.end] == r.text for r in regions)
        spec = next(a for a in load_seed_annotations()["articles"] if a["seed"] == seed)
        assert len(parsed.triggers) == len(spec["events"])
        assert set(parsed.stance) == set(STANCE_TARGETS.names)


def test_an_anchor_that_no_longer_resolves_names_seed_and_quote(tmp_path: Path) -> None:
    with pytest.raises(AnchorError, match=r"000_559dc2287e83f200\.txt.*'Takfiri terrorists'"):
        seed_result("000_559dc2287e83f200.txt", "A text that lost the loaded wording.")
    workspace = Workspace(tmp_path / "ws")
    row = corpus_row("Some entirely different text.", "s-1", source_file="/x/seeds/003_c9c3ac2cc4be34e7.txt")
    write_corpus(workspace, [row])
    with pytest.raises(DataError, match=r"seed 003_c9c3ac2cc4be34e7\.txt: .* quote"):
        release_corpus(workspace, progress=False)
    assert not workspace.release_dir("1.0.0").exists()


def test_croissant_validates_offline_with_rai_fields(seed_release: SeedRelease) -> None:
    import mlcroissant as mlc

    path = seed_release.folder / "croissant.json"
    dataset = mlc.Dataset(jsonld=path)
    assert dataset.metadata.ctx.issues.warnings == set()
    assert dataset.metadata.ctx.issues.errors == set()
    data = json.loads(path.read_text(encoding="utf-8"))
    for field in (
        "rai:dataCollection",
        "rai:dataCollectionTimeframe",
        "rai:dataCollectionMissingData",
        "rai:dataAnnotationProtocol",
        "rai:annotatorDemographics",
        "rai:dataBiases",
        "rai:dataLimitations",
        "rai:personalSensitiveInformation",
        "rai:annotationsPerItem",
        "rai:machineAnnotationTools",
        "creator",
        "url",
    ):
        assert data[field], field
    # The seed annotations' day: the data's date, not the clock's.
    assert data["datePublished"] == "2025-01-15"
    assert data["citeAs"].startswith("@misc{ceasefire_news,")
    assert "year         = {2025}" in data["citeAs"]
    assert any("ceasefire-rules-v1" in tool for tool in data["rai:machineAnnotationTools"])
    for config in RELEASE_CONFIGS:
        first = next(iter(dataset.records(config)))
        assert f"{config}/article_id" in first


def test_croissant_label_fields_reference_their_vocabulary(seed_release: SeedRelease) -> None:
    data = json.loads((seed_release.folder / "croissant.json").read_text(encoding="utf-8"))
    sets = {r["@id"]: r for r in data["recordSet"]}
    enumeration = sets["labels-stance"]
    assert enumeration["dataType"] == "sc:Enumeration"
    names = [row["labels-stance/name"] for row in enumeration["data"]]
    assert names == list(STANCE_LABELS.names)
    fields = {f["@id"]: f for f in sets["stance"]["field"]}
    assert fields["stance/label"]["references"] == {"field": {"@id": "labels-stance/id"}}
    assert fields["stance/target"]["references"] == {"field": {"@id": "labels-stance_target/id"}}


# --- determinism and versions ----------------------------------------------------------------


def _annotated_workspace(root: Path) -> tuple[Workspace, list[dict[str, Any]]]:
    workspace, rows = small_workspace(root)
    text = rows[0]["text"]
    items = result(
        text,
        stance={"russia": "neutral", "ceasefire": "favor"},
        genre="reporting",
        triggers=[Span("t1", 23, 29, "AGREE")],
        factuality={"t1": "asserted"},
        entities=[Span("e1", 0, 5, "PER")],
        relations=[("t1", "e1", "actor")],
    )
    write_log(
        workspace,
        [
            logged(rows[0], "ann1", items),
            logged(rows[0], "ann2", result(text, stance={"russia": "against", "ceasefire": "favor"})),
            logged(
                rows[1], "ann1", result(rows[1]["text"], stance={"syrian_government": "against"}, genre="reporting")
            ),
        ],
    )
    return workspace, rows


def test_same_inputs_give_byte_identical_files(tmp_path: Path) -> None:
    a, _ = _annotated_workspace(tmp_path / "a")
    b, _ = _annotated_workspace(tmp_path / "b")
    same_key(a, b)
    first, second = release_corpus(a, progress=False), release_corpus(b, progress=False)
    files = sorted(p.relative_to(first.path) for p in first.path.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second.path) for p in second.path.rglob("*") if p.is_file())
    for name in files:
        assert (first.path / name).read_bytes() == (second.path / name).read_bytes(), name
    assert (a.root / "annotations" / "review.jsonl").read_bytes() == (
        b.root / "annotations" / "review.jsonl"
    ).read_bytes()


def test_worker_processes_give_the_same_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Row groups of at most 2 kB: several per file, cut where the rows, not the chunks, say.
    monkeypatch.setattr(writers, "ROW_GROUP_BYTES", 2_000)
    outputs = []
    for name, options in (
        ("inline", ReleaseOptions(workers=1, chunk_size=1000, progress=False)),
        ("workers", ReleaseOptions(workers=2, chunk_size=3, max_pending=1, progress=False)),
    ):
        workspace = Workspace(tmp_path / name)
        rows = [corpus_row(f"Talks number {i} in Astana ended without agreement.", f"s-{i % 5}") for i in range(20)]
        write_corpus(workspace, rows)
        same_key(workspace)
        entries = [
            logged(row, who, result(row["text"], stance={"russia": label}, triggers=[Span("t", 6, 12, "CONSULT")]))
            for i, row in enumerate(rows)
            for who, label in (("ann1", "neutral"), ("ann2", "favor" if i % 3 else "neutral"))
        ]
        edited = logged(rows[4], "ann1", result(rows[4]["text"], stance={"russia": "against"}), updated_at="2025-01-01")
        write_log(workspace, [*entries, edited])
        with open(workspace.log_path, "a", encoding="utf-8") as fh:
            fh.write('\n{"annotation_id": "torn')
        outputs.append(release_corpus(workspace, options=options).path)
    inline, workers = outputs
    files = sorted(p.relative_to(inline).as_posix() for p in inline.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(workers).as_posix() for p in workers.rglob("*") if p.is_file())
    for name in files:
        assert (inline / name).read_bytes() == (workers / name).read_bytes(), name
    assert not (workers / ".chunks").exists()  # the tables the workers handed over as files
    raw = pq.ParquetFile(inline / "data" / "annotations_raw" / "train-00000-of-00001.parquet")
    assert raw.metadata.num_row_groups > 1
    table = raw.read()
    start = 0
    for group in range(raw.metadata.num_row_groups):
        rows = raw.metadata.row_group(group).num_rows
        size = int(writers.table_row_bytes(table.slice(start, rows)).sum())
        assert size <= 2_000 or rows == 1
        if start + rows < table.num_rows:  # the next row would not have fitted
            assert size + int(writers.table_row_bytes(table.slice(start + rows, 1)).sum()) > 2_000
        assert raw.metadata.row_group(group).column(0).has_offset_index  # the page index
        start += rows
    if writers.HAS_CDC:
        assert b"content_defined_chunking" in raw.metadata.metadata


def test_spilled_tables_read_back_equal_and_their_files_go(tmp_path: Path) -> None:
    schema = RELEASE_CONFIGS["stance"].arrow_schema
    row = {
        "article_id": "a-1",
        "story_id": "s-1",
        "split": 0,
        "target": 1,
        "label": None,
        "evidence": [{"start": 0, "end": 4, "text": "Talk"}],
        "votes": [{"annotator": "ann1", "label": 2}],
        "n_annotators": 1,
        "provenance": 0,
        "needs_review": True,
    }
    tables = {("stance", "train"): pa.Table.from_pylist([row, {**row, "article_id": "a-2"}], schema=schema)}
    tables[("stance", "test")] = tables[("stance", "train")].slice(1)
    spilled = spill(tables, str(tmp_path / "000001"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["000001-stance-test.arrow", "000001-stance-train.arrow"]
    result = ChunkResult({}, {}, Stats(), AgreementAccumulator(), [], [], spilled)
    back = result.take_tables()
    assert back.keys() == tables.keys()
    for key, table in tables.items():
        assert back[key].equals(table)
        assert back[key].schema == schema
    assert not list(tmp_path.iterdir())
    assert result.take_tables() == {}


def test_ties_go_to_the_review_file(tmp_path: Path) -> None:
    workspace, rows = _annotated_workspace(tmp_path)
    report = release_corpus(workspace, progress=False)
    lines = [json.loads(line) for line in report.review_path.read_text(encoding="utf-8").splitlines()]
    assert {"article_id": rows[0]["article_id"], "unit": "stance:russia", "reason": "tie"} in lines
    assert all(set(line) == {"article_id", "unit", "reason"} for line in lines)
    stance = {(r["article_id"], STANCE_TARGETS.names[r["target"]]): r for r in read_config(report.path, "stance")}
    tied = stance[(rows[0]["article_id"], "russia")]
    assert (tied["label"], tied["needs_review"]) == (None, True)
    agreed = stance[(rows[0]["article_id"], "ceasefire")]
    assert (STANCE_LABELS.names[agreed["label"]], PROVENANCE.names[agreed["provenance"]]) == ("favor", "human")
    assert report.manifest["adjudication"]["review_items"] == len(lines)
    assert validate_release(report.path) == []


def test_a_release_version_is_never_overwritten(tmp_path: Path) -> None:
    workspace, _ = small_workspace(tmp_path)
    release_corpus(workspace, progress=False)
    before = (workspace.release_dir("1.0.0") / "manifest.json").read_bytes()
    with pytest.raises(UsageError, match=r"release 1\.0\.0 already exists.*--version 1\.0\.1"):
        release_corpus(workspace, progress=False)
    assert (workspace.release_dir("1.0.0") / "manifest.json").read_bytes() == before
    report = release_corpus(workspace, "1.0.1", progress=False)
    assert report.manifest["version"] == "1.0.1"
    assert report.manifest["corpus_version"] == "1.0.0"
    with pytest.raises(UsageError, match=r"not of the form X\.Y\.Z"):
        release_corpus(workspace, "2.0", progress=False)
    with pytest.raises(UsageError, match=r"corpus version 9\.9\.9 is not in"):
        release_corpus(workspace, "3.0.0", corpus_version="9.9.9", progress=False)


def test_no_corpus_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="run `ceasefire-news build` first"):
        release_corpus(Workspace(tmp_path / "empty"), progress=False)


# --- the log: newest wins, re-checked, quarantined, cancelled ----------------------------------


def test_the_log_is_rechecked_not_trusted(tmp_path: Path) -> None:
    workspace, rows = small_workspace(tmp_path)
    text0, text1 = rows[0]["text"], rows[1]["text"]
    bad_region = result(text1, stance={"syrian_government": "favor"}, triggers=[Span("t9", 8, 12, "ASSAULT")])
    bad_region[1]["value"]["text"] = "words that are nowhere"
    entries = [
        logged(rows[0], "ann1", result(text0, stance={"russia": "against"}), updated_at="2024-01-01T00:00:00Z"),
        logged(rows[0], "ann1", result(text0, stance={"russia": "favor"}), updated_at="2024-02-01T00:00:00Z"),
        logged(rows[1], "ann2", bad_region),
        logged(
            rows[1],
            "ann3",
            result(text1, stance={"syrian_government": "against"}),
            status="quarantined",
            quarantine_reasons=["span_text_mismatch"],
        ),
        logged(rows[2], "ann4", result(rows[2]["text"], stance={"armed_opposition": "favor"}), was_cancelled=True),
        logged({**rows[2], "article_id": "a-not-in-corpus"}, "ann5", []),
    ]
    write_log(workspace, entries)
    with open(workspace.log_path, "a", encoding="utf-8") as fh:
        fh.write('{"annotation_id": "torn')  # a pull killed mid-line
    report = release_corpus(workspace, progress=False)
    annotations = report.manifest["annotations"]
    assert (annotations["superseded_versions"], annotations["not_in_corpus"], annotations["log_unreadable_lines"]) == (
        1,
        1,
        1,
    )
    raw = {r["annotation_id"]: r for r in read_config(report.path, "annotations_raw")}
    assert len(raw) == 4
    newest = json.loads(raw[entries[0].annotation_id]["result_json"])
    assert newest[0]["value"]["choices"] == ["favor"]
    checked = raw[entries[2].annotation_id]
    assert checked["status"] == 1  # partial: the stance votes, the broken trigger left out
    assert "t9" not in checked["result_json"]
    assert checked["quarantine_reasons"]
    assert raw[entries[3].annotation_id]["status"] == 2
    assert raw[entries[4].annotation_id]["was_cancelled"] is True
    stance = {(r["article_id"], STANCE_TARGETS.names[r["target"]]): r for r in read_config(report.path, "stance")}
    assert STANCE_LABELS.names[stance[(rows[0]["article_id"], "russia")]["label"]] == "favor"
    government = stance[(rows[1]["article_id"], "syrian_government")]
    assert (STANCE_LABELS.names[government["label"]], government["n_annotators"]) == ("favor", 1)
    assert (rows[2]["article_id"], "armed_opposition") not in stance  # cancelled: no vote
    assert report.manifest["configs"]["events"]["rows"] == 0  # the only trigger failed the check
    assert validate_release(report.path) == []


def test_raw_results_keep_their_text_and_a_line_that_is_not_utf8_is_unreadable(tmp_path: Path) -> None:
    workspace, rows = small_workspace(tmp_path)
    note = {"from_name": "notes", "to_name": "text", "type": "textarea", "value": {"text": ["Erdoğan – “talks”\u2028"]}}
    kept = logged(rows[0], "ann1", [*result(rows[0]["text"], stance={"russia": "neutral"}), note])
    broken = logged(rows[1], "ann2", result(rows[1]["text"], stance={"turkey": "neutral"}))
    write_log(workspace, [kept])
    line = broken.to_json().encode("utf-8").replace(b'"neutral"', b'"neu\xfftral"')
    with open(workspace.log_path, "ab") as fh:
        fh.write(line + b"\n")
    report = release_corpus(workspace, progress=False)
    assert report.manifest["annotations"]["log_unreadable_lines"] == 1
    raw = {r["annotation_id"]: r for r in read_config(report.path, "annotations_raw")}
    assert list(raw) == [kept.annotation_id]
    logged_result = json.dumps(kept.result, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert raw[kept.annotation_id]["result_json"] == logged_result
    assert validate_release(report.path) == []


def test_recheck_of_a_changed_text(tmp_path: Path) -> None:
    _, rows = small_workspace(tmp_path)
    text = rows[0]["text"]
    entry = logged(rows[0], "x", result(text, stance={"russia": "neutral"}, entities=[Span("e1", 0, 5, "PER")]))
    same = recheck(entry, text, rows[0]["text_sha256"])
    assert (same.status, same.reasons) == ("accepted", [])
    changed = "Breaking: " + text  # cleaning changed: the offsets no longer hold
    import hashlib

    moved = recheck(entry, changed, hashlib.sha256(changed.encode()).hexdigest())
    assert moved.status == "partial"
    assert "text_hash_mismatch" in moved.reasons
    assert moved.parsed is not None
    assert moved.parsed.stance == {"russia": "neutral"}
    assert all(changed[e.start : e.end] == e.text for e in moved.parsed.entities)


def test_human_annotation_of_a_seed_outvotes_the_machine(seed_release: SeedRelease, tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "workspace")
    shutil.copytree(seed_release.workspace.root, workspace.root)
    from ceasefire_news.dataset.corpus.versions import load_corpus

    row = next(r for r in load_corpus(workspace) if r["source_file"].endswith("000_559dc2287e83f200.txt"))
    write_log(workspace, [logged(row, "alice", result(row["text"], stance={"russia": "favor"}, genre="opinion"))])
    report = release_corpus(workspace, "1.0.1", progress=False)
    stance = [r for r in read_config(report.path, "stance") if r["article_id"] == row["article_id"]]
    assert [(STANCE_TARGETS.names[r["target"]], PROVENANCE.names[r["provenance"]]) for r in stance] == [
        ("russia", "human")
    ]
    others = [r for r in read_config(report.path, "stance") if r["article_id"] != row["article_id"]]
    assert {PROVENANCE.names[r["provenance"]] for r in others} == {"machine"}
    assert report.manifest["agreement"]["stance_alpha"]["russia"]["note"] == "not computable (1 human annotator)"
    assert report.manifest["configs"]["annotations_raw"]["rows"] == 6


# --- diff ------------------------------------------------------------------------------------


def test_diff_reports_articles_and_labels(tmp_path: Path) -> None:
    workspace, rows = small_workspace(tmp_path)
    write_log(workspace, [logged(rows[0], "x", result(rows[0]["text"], stance={"russia": "neutral"}))])
    release_corpus(workspace, progress=False)
    changed = corpus_row(rows[1]["text"] + " Fighting resumed.", "s-1", source_file=rows[1]["source_file"])
    added = corpus_row("Turkey sent troops to Idlib province.", "s-9")
    write_corpus(workspace, [rows[0], changed, added], "1.1.0")
    write_log(
        workspace,
        [
            logged(
                rows[0], "x", result(rows[0]["text"], stance={"russia": "against"}), updated_at="2024-05-01T00:00:00Z"
            )
        ],
    )
    release_corpus(workspace, progress=False)
    diff = diff_releases(workspace, "1.0.0", "1.1.0")
    assert diff["articles"]["added"] == [added["article_id"]]
    assert diff["articles"]["removed"] == [rows[2]["article_id"]]
    assert diff["articles"]["changed"] == [
        {"article_id": changed["article_id"], "previous_id": rows[1]["article_id"], "fields": ["text"]}
    ]
    assert diff["labels"]["stance"]["changed"] == [
        {"article_id": rows[0]["article_id"], "target": "russia", "from": "neutral", "to": "against"}
    ]
    assert main(["diff", "1.0.0", "1.1.0", "--workspace", str(workspace.root)]) == 0
    assert main(["diff", "1.0.0", "7.0.0", "--workspace", str(workspace.root)]) == 2


# --- exit codes -------------------------------------------------------------------------------


def test_strict_release_exits_1_when_annotations_are_quarantined(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace, rows = small_workspace(tmp_path)
    write_log(workspace, [logged(rows[0], "x", [], status="quarantined", quarantine_reasons=["malformed_result"])])
    assert main(["release", "--workspace", str(workspace.root), "--no-progress", "--strict"]) == 1
    assert "1 annotations are quarantined" in capsys.readouterr().err
    assert validate_release(workspace.release_dir("1.0.0")) == []


# --- killed midway ------------------------------------------------------------------------------

KILLED_RELEASE = """
import pathlib, sys, time
import ceasefire_news.dataset.release.card as card

def stuck(manifest, root):
    pathlib.Path(sys.argv[2]).write_text("in the middle")
    time.sleep(600)

card.write_card = stuck
from ceasefire_news.dataset.release import writers
from ceasefire_news.dataset.release.pipeline import release_corpus
release_corpus(sys.argv[1], "1.0.1", progress=False)
"""


def test_sigkill_midway_leaves_the_previous_release_intact(seed_release: SeedRelease, tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "workspace")
    shutil.copytree(seed_release.workspace.root, workspace.root)
    review_before = (workspace.root / "annotations" / "review.jsonl").read_bytes()
    marker = tmp_path / "marker"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [sys.executable, "-c", KILLED_RELEASE, str(workspace.root), str(marker)], env=env, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 300
    while not marker.exists():
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert (workspace.release_root / ".1.0.1.partial" / "data" / "articles").is_dir()  # really midway
    process.send_signal(signal.SIGKILL)
    process.wait()

    assert workspace.release_versions() == ["1.0.0"]
    assert validate_release(workspace.release_dir("1.0.0")) == []
    assert (workspace.root / "annotations" / "review.jsonl").read_bytes() == review_before
    report = release_corpus(workspace, "1.0.1", progress=False)
    assert workspace.release_versions() == ["1.0.0", "1.0.1"]
    assert validate_release(report.path) == []
    assert not (workspace.release_root / ".1.0.1.partial").exists()


@pytest.mark.parametrize("kind", ["triggers", "entities", "evidence"])
@pytest.mark.parametrize("fault", ["text", "past_the_end", "empty"])
def test_a_single_bad_region_of_any_kind_fails_the_span_check(kind: str, fault: str) -> None:
    text = "Putin and Erdogan agreed on a ceasefire in Idlib."
    spans = {
        "triggers": [Span("t1", 18, 24, "AGREE")],
        "entities": [Span("e1", 0, 5, "PER"), Span("e2", 10, 17, "PER")],
        "evidence": [Span("v1", 30, 39, "ceasefire"), Span("v2", 43, 48, "russia")],
    }
    assert spans_ok(parse_result(result(text, **spans)), text)
    good = spans[kind][-1]
    bad = {
        "text": Span(good.id, good.start + 1, good.end + 1, good.label),
        "past_the_end": Span(good.id, len(text) - 2, len(text) + 3, good.label),
        "empty": Span(good.id, good.start, good.start, good.label),
    }[fault]
    items = result(text, **{**spans, kind: [*spans[kind][:-1], bad]})
    if fault == "text":  # the slice the region claims, one character off
        next(i for i in items if i.get("id") == good.id)["value"]["text"] = text[good.start : good.end]
    assert not spans_ok(parse_result(items), text)
