"""The importer against malformed Label Studio exports: no crash, always a reason code."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ceasefire_news.cli.app import main as cli_main
from ceasefire_news.dataset.corpus.build import build_corpus
from ceasefire_news.dataset.corpus.versions import load_corpus
from ceasefire_news.dataset.corpus.workspace import Workspace, read_jsonl
from ceasefire_news.labeling.ingest import import_export_file
from ceasefire_news.labeling.results import REASON_CODES
from ceasefire_news.schema.errors import UsageError
from ceasefire_news.schema.records import LoggedAnnotation


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    ws = Workspace(tmp_path_factory.mktemp("fuzz") / "workspace")
    build_corpus(None, ws, progress=False)
    return ws


@pytest.fixture(scope="module")
def articles(workspace: Workspace) -> list[dict[str, Any]]:
    return [dict(row) for row in load_corpus(workspace)]


def reset(workspace: Workspace) -> None:
    shutil.rmtree(workspace.root / "annotations", ignore_errors=True)
    workspace.state_path.unlink(missing_ok=True)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3000) | st.floats(allow_nan=False) | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


@st.composite
def regions(draw: st.DrawFn, text: str) -> dict[str, Any]:
    start = draw(st.integers(-2, len(text) + 5))
    length = draw(st.integers(0, 12))
    good = draw(st.booleans())
    piece = text[max(start, 0) : max(start, 0) + length] if good else draw(st.text(max_size=8))
    return {
        "id": draw(st.sampled_from(["r1", "r2", "r3"])),
        "from_name": draw(st.sampled_from(["trigger", "entity", "evidence", "factuality", "stance_russia", "bogus"])),
        "to_name": "text",
        "type": draw(st.sampled_from(["labels", "choices", "relation", "textarea"])),
        "value": {
            "start": start if draw(st.booleans()) else draw(JSON),
            "end": max(start, 0) + length,
            "text": piece,
            "labels": [draw(st.sampled_from(["AGREE", "PER", "russia", "??"]))],
            "choices": [draw(st.sampled_from(["asserted", "favor", "x"]))],
        },
        "from_id": draw(st.sampled_from(["r1", "r2", "zz"])),
        "to_id": draw(st.sampled_from(["r1", "r2", "zz"])),
        "labels": [draw(st.sampled_from(["actor", "time", "??"]))],
    }


@st.composite
def annotations(draw: st.DrawFn, text: str) -> Any:
    if draw(st.integers(0, 9)) == 0:
        return draw(JSON)
    record: dict[str, Any] = {
        "id": draw(st.integers(1, 40) | st.text(max_size=3) | st.none()),
        "completed_by": draw(st.integers(1, 5) | st.fixed_dictionaries({"email": st.text(max_size=5)}) | JSON),
        "created_at": draw(st.sampled_from(["2024-01-01T00:00:00.000000Z", None, 5])),
        "updated_at": draw(st.sampled_from(["2024-01-02T00:00:00.000000Z", "2024-01-03T00:00:00.000000Z", None])),
        "lead_time": draw(st.floats(0, 100) | st.none() | st.text(max_size=2)),
        "was_cancelled": draw(st.booleans() | JSON),
        "ground_truth": draw(st.booleans()),
        "result": draw(st.lists(regions(text) | JSON, max_size=5) | JSON),
    }
    for key in draw(st.sets(st.sampled_from(sorted(record)), max_size=2)):
        del record[key]
    return record


@st.composite
def tasks(draw: st.DrawFn, articles: list[dict[str, Any]]) -> Any:
    if draw(st.integers(0, 9)) == 0:
        return draw(JSON)
    article = draw(st.sampled_from(articles))
    text = article["text"]
    data: Any = {
        "article_id": draw(st.sampled_from([article["article_id"], "a-unknown"])),
        "text": text if draw(st.integers(0, 5)) else text + " edited",
        "text_sha256": article["text_sha256"],
        "corpus_version": draw(st.sampled_from(["1.0.0", "9.9.9", None])),
    }
    if draw(st.integers(0, 9)) == 0:
        data = draw(JSON)
    return {
        "id": draw(st.integers(1, 50) | JSON),
        "data": data,
        "annotations": draw(st.lists(annotations(text), max_size=4) | JSON),
    }


#: Examples per run: a few hundred by default; ``CEASEFIRE_FUZZ_EXAMPLES=10000`` for a long run
#: (``bench/fuzz_import.py`` runs it and prints how long it took).
EXAMPLES = int(os.environ.get("CEASEFIRE_FUZZ_EXAMPLES", "300"))


def fresh(workspace: Workspace, folder: Path) -> Workspace:
    """A new workspace with the corpus of ``workspace`` (hard links: the corpus is never written)."""
    root = Path(tempfile.mkdtemp(dir=folder))
    copy = Workspace(root / "ws")
    shutil.copytree(workspace.corpus_root, copy.corpus_root, copy_function=os.link)
    return copy


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def check_kept_whole(payload: list[Any], logged: list[dict[str, Any]], held: list[dict[str, Any]]) -> None:
    """Every annotation with an id (used once in the export) is in the log or the quarantine, its result whole."""
    annotations = [
        a
        for task in payload
        if isinstance(task, dict) and isinstance(task.get("annotations"), list)
        for a in task["annotations"]
        if isinstance(a, dict) and isinstance(a.get("id"), int | str) and not isinstance(a.get("id"), bool)
    ]
    ids = Counter(str(a["id"]) for a in annotations)
    for annotation in annotations:
        key = str(annotation["id"])
        if ids[key] > 1 or key == "":
            continue  # an id used twice in one export: the later one is "unchanged"
        result = canonical(annotation.get("result"))
        whole = [canonical(r["result"]) for r in held if r["annotation_id"] == key] + [
            canonical(r["result"]) for r in logged if r["annotation_id"] == key and r["status"] == "quarantined"
        ]
        clean = [r for r in logged if r["annotation_id"] == key and r["status"] != "quarantined"]
        if clean and not any(r["quarantine_reasons"] for r in clean):
            assert canonical(clean[-1]["result"]) == result or clean[-1]["repairs"], key
        else:
            assert result in whole, f"annotation {key} was not kept whole"


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_malformed_exports_never_crash_and_always_give_a_reason(
    workspace: Workspace, articles: list[dict[str, Any]], tmp_path: Path, data: st.DataObject
) -> None:
    ws = fresh(workspace, tmp_path)
    payload = data.draw(st.lists(tasks(articles), max_size=5))
    export = tmp_path / "export.json"
    export.write_text(json.dumps(payload), encoding="utf-8")

    try:
        report = import_export_file(ws, export)
    except UsageError:
        # Only a list that holds no task object at all is refused as a whole.
        assert payload
        assert not any(isinstance(task, dict) for task in payload)
        return

    held = [record for _, record in read_jsonl(ws.quarantine_path)]
    raw = [record for _, record in read_jsonl(ws.log_path)]
    logged = [LoggedAnnotation(**record) for record in raw]
    assert all(record["reason"] in REASON_CODES and record["detail"] for record in held)
    assert report.quarantined == len(held)
    assert report.exit_code == (1 if held else 0)
    assert report.new + report.updated == len(logged)
    for entry in logged:
        assert set(entry.quarantine_reasons) <= set(REASON_CODES)
        if entry.status != "accepted":
            assert entry.quarantine_reasons, "a rejected annotation without a reason"
        if entry.status == "quarantined":
            continue  # kept whole, as made: its spans were not accepted
        for item in entry.result:  # what is logged as clean is exact
            value = item.get("value", {})
            if item.get("from_name") in {"trigger", "entity", "evidence"}:
                text = next(a["text"] for a in articles if a["article_id"] == entry.article_id)
                assert text[value["start"] : value["end"]] == value["text"]
    check_kept_whole(payload, raw, held)

    files = [ws.log_path, ws.quarantine_path]
    before = [p.read_bytes() if p.exists() else None for p in files]
    again = import_export_file(ws, export)
    assert (again.new, again.updated, again.quarantined) == (0, 0, 0)
    assert [p.read_bytes() if p.exists() else None for p in files] == before
    shutil.rmtree(ws.root.parent)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", r"is not a JSON file .*export the project from Label Studio as JSON"),
        ('{"a": 1}', r"holds a JSON dict, expected a list of tasks"),
        ("42", r"holds a JSON int, expected a list of tasks"),
    ],
)
def test_a_file_that_is_not_an_export_is_a_usage_error(
    workspace: Workspace, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "export.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UsageError, match=message):
        import_export_file(workspace, path)


def test_cli_import_exit_codes(
    workspace: Workspace, articles: list[dict[str, Any]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reset(workspace)
    article = articles[0]
    start = article["text"].index(" ") + 1
    word = article["text"][start : article["text"].index(" ", start)]
    good = {
        "id": 7,
        "data": {k: article[k] for k in ("article_id", "text", "text_sha256", "corpus_version")},
        "annotations": [
            {
                "id": 1,
                "completed_by": {"id": 3, "email": "ann@example.com"},
                "created_at": "2024-01-01T00:00:00.000000Z",
                "updated_at": "2024-01-01T00:00:00.000000Z",
                "lead_time": 12.0,
                "result": [
                    {
                        "id": "e1",
                        "from_name": "entity",
                        "to_name": "text",
                        "type": "labels",
                        "value": {"start": start, "end": start + len(word), "text": word, "labels": ["PER"]},
                    }
                ],
            }
        ],
    }
    path = tmp_path / "good.json"
    path.write_text(json.dumps([good]), encoding="utf-8")
    assert cli_main(["import", str(path), "--workspace", str(workspace.root)]) == 0
    assert "import: 1 new, 0 updated, 0 unchanged" in capsys.readouterr().out
    (entry,) = [LoggedAnnotation(**r) for _, r in read_jsonl(workspace.log_path)]
    assert (entry.annotator, entry.source, entry.lead_time, entry.task_id) == ("ann@example.com", "import", 12.0, 7)

    bad = json.loads(json.dumps(good))
    bad["annotations"][0]["id"] = 2
    bad["annotations"][0]["result"][0]["value"]["start"] += 1
    path.write_text(json.dumps([bad]), encoding="utf-8")
    assert cli_main(["import", str(path), "--workspace", str(workspace.root)]) == 1
    out = capsys.readouterr().out
    assert "1 quarantined" in out
    assert "span_text_mismatch" in out

    path.write_text("[", encoding="utf-8")
    assert cli_main(["import", str(path), "--workspace", str(workspace.root)]) == 2
    assert "is not a JSON file" in capsys.readouterr().err
