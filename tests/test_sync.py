"""The round trip against a real Label Studio server: push, annotate, pull, import.

Every test builds its own workspace and pushes it to a project of its own, then sets up
what it checks (fixtures ``pushed``, ``annotated`` and ``pulled`` add one step each), so
each runs alone and in any order. The annotations: three annotators who disagree, a
ground-truth annotation, a cancelled one, regions with shifted offsets (one provably, two
not); then an annotation edited after a first pull, a new corpus version with a changed
article, the review list, an export file imported into a second workspace, and a task
whose text was edited in Label Studio.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ceasefire_news.cli.app import main as cli_main
from ceasefire_news.dataset.corpus.build import build_corpus
from ceasefire_news.dataset.corpus.versions import load_corpus
from ceasefire_news.dataset.corpus.workspace import Workspace, read_jsonl
from ceasefire_news.labeling.client import StudioClient
from ceasefire_news.labeling.ingest import import_export_file
from ceasefire_news.labeling.integrity import text_sha256
from ceasefire_news.labeling.pull import CURSOR_OVERLAP, pull
from ceasefire_news.labeling.push import PushReport, push
from ceasefire_news.labeling.results import REASON_CODES
from ceasefire_news.labeling.review import send_review
from ceasefire_news.labeling.state import StudioState
from ceasefire_news.schema.records import LoggedAnnotation, latest_annotations

pytestmark = pytest.mark.studio

PASSWORD = "annotator-pass-1"
ANNOTATORS = ("ann1@example.com", "ann2@example.com", "ann3@example.com")

ARTICLES = {
    "a": (
        "Russia and Turkey agreed on a ceasefire in Idlib on Thursday, officials in Moscow said. "
        "The Syrian army and the rebels were told to stop fighting along the M4 highway. "
        "Turkish troops will run joint patrols with Russian forces from next week."
    ),
    "b": (
        "Peace 🕊 talks: the two presidents agreed in a phone call to extend the truce in Aleppo. "
        "The Kremlin said humanitarian aid would reach the eastern districts within days."
    ),
    "c": (
        "Syrian government forces shelled villages south of Idlib despite the truce, a monitor said. "
        "The opposition accused Damascus of breaking the agreement brokered by Ankara and Moscow."
    ),
}
CHANGED_A = ARTICLES["a"].replace("from next week", "from Monday")
NEW_D = "The UN Security Council welcomed the ceasefire and urged all sides to allow access to Idlib."


def write_jsonl(path: Path, articles: dict[str, str]) -> Path:
    lines = [
        json.dumps(
            {
                "url": f"https://news.example.org/{key}",
                "title": f"Article {key}",
                "outlet": "Example News",
                "date": "2020-03-05",
                "text": text,
            },
            ensure_ascii=False,
        )
        for key, text in articles.items()
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def span(region_id: str, control: str, start: int, end: int, text: str, label: str) -> dict[str, Any]:
    return {
        "id": region_id,
        "from_name": control,
        "to_name": "text",
        "type": "labels",
        "value": {"start": start, "end": end, "text": text, "labels": [label]},
    }


def stance(target: str, value: str) -> dict[str, Any]:
    return {"from_name": f"stance_{target}", "to_name": "text", "type": "choices", "value": {"choices": [value]}}


def log(workspace: Workspace) -> list[LoggedAnnotation]:
    return [LoggedAnnotation(**record) for _, record in read_jsonl(workspace.log_path)]


def quarantine(workspace: Workspace) -> list[dict[str, Any]]:
    return [record for _, record in read_jsonl(workspace.quarantine_path)]


@dataclass
class Scenario:
    """One test's workspace, its sources, and what its steps learnt about the project."""

    workspace: Workspace
    sources: Path
    tokens: dict[str, str]  # annotator email -> API token
    texts: dict[str, str]  # article key -> corpus text
    task_of: dict[str, int] = field(default_factory=dict)  # article key -> task id
    annotation_ids: dict[str, int] = field(default_factory=dict)


@pytest.fixture(scope="module")
def annotator_tokens(label_studio: Any) -> dict[str, str]:
    """The annotators, members of the organisation (creating them again finds them)."""
    tokens = {}
    for email in ANNOTATORS:
        user = label_studio.create_user(email, PASSWORD)
        assert user["email"] == email
        tokens[email] = label_studio.user_token(email, PASSWORD)
    return tokens


@pytest.fixture
def scenario(tmp_path: Path, annotator_tokens: dict[str, str]) -> Scenario:
    """A fresh workspace with corpus 1.0.0 of articles a, b and c, linked to no project yet."""
    workspace = Workspace(tmp_path / "workspace")
    sources = tmp_path / "sources"
    sources.mkdir()
    build_corpus([write_jsonl(sources / "v1.jsonl", ARTICLES)], workspace, progress=False)
    by_key = {row["url"].rsplit("/", 1)[-1]: row for row in load_corpus(workspace)}
    texts = {key: row["text"] for key, row in by_key.items()}
    return Scenario(workspace, sources, dict(annotator_tokens), texts)


def learn_tasks(scenario: Scenario) -> None:
    """Which task holds which article, from the workspace's state.json."""
    state = StudioState.load(scenario.workspace)
    corpus = {row["article_id"]: row["url"].rsplit("/", 1)[-1] for row in load_corpus(scenario.workspace)}
    scenario.task_of = {corpus[entry.article_id]: task_id for task_id, entry in state.tasks.items()}


@pytest.fixture
def pushed(scenario: Scenario, label_studio: Any) -> Scenario:
    """The workspace pushed to a new project of its own."""
    report = push(scenario.workspace, label_studio.url, label_studio.token)
    assert (report.project_created, report.tasks_created) == (True, 3)
    learn_tasks(scenario)
    return scenario


def full_a(text_a: str) -> list[dict[str, Any]]:
    """Annotator 1's result on article a: a trigger with its factuality, an actor, a relation, a stance."""
    agreed = text_a.index("agreed")
    russia = text_a.index("Russia")
    return [
        span("t1", "trigger", agreed, agreed + 6, "agreed", "AGREE"),
        {
            "id": "t1",
            "from_name": "factuality",
            "to_name": "text",
            "type": "choices",
            "value": {"start": agreed, "end": agreed + 6, "text": "agreed", "choices": ["asserted"]},
        },
        span("e1", "entity", russia, russia + 6, "Russia", "GOV"),
        {"type": "relation", "from_id": "t1", "to_id": "e1", "direction": "right", "labels": ["actor"]},
        stance("russia", "favor"),
    ]


@pytest.fixture
def annotated(pushed: Scenario, label_studio: Any) -> Scenario:
    """Seven annotations: a1-a3 and a ground truth on a, b1 (UTF-16 offsets) and a cancelled b2, c3 with bad spans."""
    scenario = pushed
    ann1, ann2, ann3 = ANNOTATORS
    text_b, text_c = scenario.texts["b"], scenario.texts["c"]
    tokens, task_of, ids = scenario.tokens, scenario.task_of, scenario.annotation_ids
    ids["a1"] = annotate(label_studio, tokens[ann1], task_of["a"], full_a(scenario.texts["a"]), lead_time=41.5)
    ids["a2"] = annotate(label_studio, tokens[ann2], task_of["a"], [stance("russia", "against")])
    ids["a3"] = annotate(label_studio, tokens[ann3], task_of["a"], [stance("russia", "neutral")])
    ids["gt"] = annotate(
        label_studio, label_studio.token, task_of["a"], [stance("russia", "neutral")], ground_truth=True
    )
    # The browser counts UTF-16 code units: "agreed" after the emoji is one further on.
    b_agreed = text_b.index("agreed")
    ids["b1"] = annotate(
        label_studio, tokens[ann1], task_of["b"], [span("t1", "trigger", b_agreed + 1, b_agreed + 7, "agreed", "AGREE")]
    )
    ids["b2"] = annotate(label_studio, tokens[ann2], task_of["b"], [], was_cancelled=True)
    shelled = text_c.index("shelled")
    ids["c3"] = annotate(
        label_studio,
        tokens[ann3],
        task_of["c"],
        [
            span("t1", "trigger", shelled + 2, shelled + 9, "shelled", "ASSAULT"),
            span("t2", "trigger", len(text_c) + 5, len(text_c) + 12, "accused", "ACCUSE"),
            stance("syrian_government", "against"),
        ],
    )
    return scenario


@pytest.fixture
def pulled(annotated: Scenario, label_studio: Any) -> Scenario:
    """The seven annotations pulled once into the workspace's log."""
    report = pull(annotated.workspace, label_studio.url, label_studio.token)
    assert (report.new, report.updated) == (7, 0)
    return annotated


def build_and_push_v2(scenario: Scenario, label_studio: Any) -> PushReport:
    """Corpus 1.1.0 (article a changed, d new), pushed; ``task_of["a2"]`` is the changed article's task."""
    v2 = {**ARTICLES, "a": CHANGED_A, "d": NEW_D}
    report = build_corpus([write_jsonl(scenario.sources / "v2.jsonl", v2)], scenario.workspace, progress=False)
    assert report.version == "1.1.0"
    pushed = push(scenario.workspace, label_studio.url, label_studio.token)
    state = StudioState.load(scenario.workspace)
    superseded_by = state.tasks[scenario.task_of["a"]].superseded_by
    assert superseded_by is not None, "the push did not supersede the task of the changed article a"
    scenario.task_of["a2"] = superseded_by
    return pushed


def wait_for_server_clock(label_studio: Any, after: datetime, *, within: float = 30.0) -> None:
    """Poll the server's clock (its Date header) until it shows a time later than ``after``."""
    deadline = time.monotonic() + within
    with StudioClient(label_studio.url, label_studio.token) as client:
        while (now := client.server_time()) is None or now <= after:
            if now is None:
                pytest.fail("Label Studio sent no Date header: the pull cursor cannot be checked")
            if time.monotonic() > deadline:
                pytest.fail(f"the server's clock showed {now} after {within} s, expected a time after {after}")
            time.sleep(0.2)


def annotate(label_studio: Any, token: str, task_id: int, result: list[dict[str, Any]], **extra: Any) -> int:
    with label_studio.api(token) as client:
        answer = client.post(f"/api/tasks/{task_id}/annotations/", json={"result": result, **extra})
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


def test_push_creates_the_project_and_is_idempotent(scenario: Scenario, label_studio: Any) -> None:
    first = push(scenario.workspace, label_studio.url, label_studio.token, batch_size=2)
    assert first.project_created
    assert (first.tasks_created, first.batches, first.predictions) == (3, 2, 3)
    second = push(scenario.workspace, label_studio.url, label_studio.token)
    assert (second.project_created, second.tasks_created, second.tasks_existing) == (False, 0, 3)
    assert second.project_id == first.project_id

    state = StudioState.load(scenario.workspace)
    assert state.server == label_studio.url
    assert "token" not in scenario.workspace.state_path.read_text(encoding="utf-8").lower()
    assert label_studio.token not in scenario.workspace.state_path.read_text(encoding="utf-8")
    learn_tasks(scenario)
    assert sorted(scenario.task_of) == ["a", "b", "c"]

    with StudioClient(label_studio.url, label_studio.token) as client:
        project = client.project(first.project_id)
        assert project is not None
        assert project["task_number"] == 3
        assert project["show_instruction"] is True
        assert project["expert_instruction"]
        task = client.task(scenario.task_of["b"])
    assert task["data"]["text"] == scenario.texts["b"]
    assert task["data"]["outlet"] == "Example News"
    assert len(task["predictions"]) == 1
    assert task["predictions"][0]["model_version"] == "ceasefire-rules-v1"
    assert task["predictions"][0]["result"], "the server dropped the prediction"


def test_first_pull_logs_everything_and_quarantines_bad_regions(annotated: Scenario, label_studio: Any) -> None:
    scenario = annotated
    ann1 = ANNOTATORS[0]
    text_a, text_b = scenario.texts["a"], scenario.texts["b"]
    b_agreed = text_b.index("agreed")
    ids = scenario.annotation_ids
    report = pull(scenario.workspace, label_studio.url, label_studio.token)
    assert (report.new, report.updated) == (7, 0)
    assert report.exit_code == 1
    assert dict(report.by_reason) == {"span_text_mismatch": 1, "span_out_of_range": 1}
    assert dict(report.by_repair) == {"utf16_offsets": 1}
    assert (report.accepted, report.partial, report.quarantined_annotations) == (6, 1, 0)

    entries = {entry.annotation_id: entry for entry in log(scenario.workspace)}
    assert set(entries) == {str(i) for i in ids.values()}
    a1 = entries[str(ids["a1"])]
    assert a1.annotator == ann1
    assert a1.lead_time == 41.5
    assert a1.result == full_a(text_a)
    assert (a1.source, a1.provenance, a1.status) == ("pull", "human", "accepted")
    assert a1.text_sha256 == text_sha256(text_a)
    assert a1.corpus_version == "1.0.0"
    assert entries[str(ids["gt"])].ground_truth is True
    assert entries[str(ids["gt"])].annotator == label_studio.admin_email
    assert entries[str(ids["b2"])].was_cancelled is True
    b1 = entries[str(ids["b1"])]
    assert b1.repairs[0]["repair"] == "utf16_offsets"
    assert b1.result[0]["value"]["start"] == b_agreed
    c3 = entries[str(ids["c3"])]
    assert c3.status == "partial"
    assert c3.quarantine_reasons == ["span_out_of_range", "span_text_mismatch"]
    assert c3.result == [stance("syrian_government", "against")]
    stances = sorted(
        e.result[-1]["value"]["choices"][0] for e in entries.values() if e.task_id == scenario.task_of["a"]
    )
    assert stances == ["against", "favor", "neutral", "neutral"]  # three annotators disagree

    held = {(q["annotation_id"], q["region_id"], q["reason"]) for q in quarantine(scenario.workspace)}
    assert held == {(str(ids["c3"]), "t1", "span_text_mismatch"), (str(ids["c3"]), "t2", "span_out_of_range")}
    assert all(q["reason"] in REASON_CODES and q["detail"] for q in quarantine(scenario.workspace))


def test_pulling_again_changes_nothing(pulled: Scenario, label_studio: Any) -> None:
    scenario = pulled
    before = (scenario.workspace.log_path.read_bytes(), scenario.workspace.quarantine_path.read_bytes())
    report = pull(scenario.workspace, label_studio.url, label_studio.token)
    assert (report.new, report.updated, report.quarantined) == (0, 0, 0)
    assert report.exit_code == 0
    after = (scenario.workspace.log_path.read_bytes(), scenario.workspace.quarantine_path.read_bytes())
    assert after == before


def test_an_edited_annotation_supersedes_its_older_version(pulled: Scenario, label_studio: Any) -> None:
    scenario = pulled
    annotation_id = scenario.annotation_ids["a2"]

    def edit(result: list[dict[str, Any]]) -> None:
        with label_studio.api(scenario.tokens[ANNOTATORS[1]]) as client:
            answer = client.patch(f"/api/annotations/{annotation_id}/", json={"result": result})
        assert answer.status_code == 200, answer.text

    # The changes so far were made before ``set_up`` plus one second (the Date header has whole
    # seconds). The next pull's cursor is its start less one second, and the pull after it asks
    # from there less CURSOR_OVERLAP: once the server's clock is past that, the second pull
    # below reads only the task edited in between.
    with StudioClient(label_studio.url, label_studio.token) as client:
        set_up = client.server_time()
    assert set_up is not None, "Label Studio sent no Date header"
    wait_for_server_clock(label_studio, set_up + timedelta(seconds=2) + CURSOR_OVERLAP)
    edit([stance("russia", "favor")])
    report = pull(scenario.workspace, label_studio.url, label_studio.token)
    assert (report.new, report.updated, report.quarantined) == (0, 1, 0)

    # Now a pull reads only the task that changed: its cost follows the changes.
    notes = {"from_name": "notes", "to_name": "text", "type": "textarea", "value": {"text": ["second look"]}}
    edit([stance("russia", "favor"), notes])
    report = pull(scenario.workspace, label_studio.url, label_studio.token)
    assert (report.new, report.updated, report.quarantined) == (0, 1, 0)
    assert (report.tasks, report.annotations) == (1, 4)

    versions = [e for e in log(scenario.workspace) if e.annotation_id == str(annotation_id)]
    assert len(versions) == 3
    (latest,) = [e for e in latest_annotations(log(scenario.workspace)) if e.annotation_id == str(annotation_id)]
    assert latest.result == [stance("russia", "favor"), notes]
    assert latest.updated_at > versions[1].updated_at > versions[0].updated_at


def test_a_new_corpus_version_adds_new_articles_and_supersedes_changed_ones(
    pulled: Scenario, label_studio: Any
) -> None:
    scenario = pulled
    pushed = build_and_push_v2(scenario, label_studio)
    assert (pushed.tasks_created, pushed.tasks_existing, pushed.tasks_superseded) == (2, 2, 1)
    again = push(scenario.workspace, label_studio.url, label_studio.token)
    assert (again.tasks_created, again.tasks_superseded) == (0, 0)
    older = push(scenario.workspace, label_studio.url, label_studio.token, version="1.0.0")
    assert (older.tasks_created, older.tasks_existing, older.tasks_superseded) == (0, 3, 0)

    state = StudioState.load(scenario.workspace)
    old = state.tasks[scenario.task_of["a"]]
    assert old.status == "superseded"
    assert old.superseded_by is not None
    assert state.tasks[old.superseded_by].status == "active"
    with StudioClient(label_studio.url, label_studio.token) as client:
        old_task = client.task(scenario.task_of["a"])
        assert old_task["data"]["superseded_by"] == state.tasks[old.superseded_by].article_id
        assert old_task["data"]["text"] == scenario.texts["a"]  # nothing overwritten in place
        assert client.project(pushed.project_id)["task_number"] == 5  # type: ignore[index]
    with label_studio.api() as api:
        kept = api.get(f"/api/tasks/{scenario.task_of['a']}/annotations/").json()
    assert {a["id"] for a in kept} >= {scenario.annotation_ids[k] for k in ("a1", "a2", "a3", "gt")}

    # The old task's annotations still check out against the corpus version they were made on.
    report = pull(scenario.workspace, label_studio.url, label_studio.token)
    assert (report.new, report.updated, report.quarantined) == (0, 0, 0)


def test_review_list_marks_tasks_and_makes_a_view(pushed: Scenario, label_studio: Any) -> None:
    scenario = pushed
    build_and_push_v2(scenario, label_studio)
    state = StudioState.load(scenario.workspace)
    new_a = state.tasks[scenario.task_of["a2"]].article_id
    review = scenario.workspace.review_path
    review.parent.mkdir(parents=True, exist_ok=True)  # the release writes it; no release ran here
    review.write_text(
        json.dumps({"article_id": new_a, "unit": "stance:russia", "reason": "low_agreement"}) + "\n",
        encoding="utf-8",
    )
    report = send_review(scenario.workspace, label_studio.url, label_studio.token)
    assert (report.marked, report.cleared, report.unknown_articles) == (1, 0, [])
    with label_studio.api() as api:
        listed = api.get(
            "/api/tasks/", params={"project": report.project_id, "view": report.view_id, "include": "id,data"}
        ).json()["tasks"]
    assert [t["id"] for t in listed] == [scenario.task_of["a2"]]
    assert listed[0]["data"]["review"] == "low_agreement (stance:russia)"
    again = send_review(scenario.workspace, label_studio.url, label_studio.token)
    assert (again.marked, again.cleared, again.view_id) == (0, 0, report.view_id)
    review.write_text("", encoding="utf-8")
    cleared = send_review(scenario.workspace, label_studio.url, label_studio.token)
    assert cleared.cleared == 1


def test_an_export_file_imports_to_the_same_log(pulled: Scenario, label_studio: Any, tmp_path: Path) -> None:
    scenario = pulled
    state = StudioState.load(scenario.workspace)
    with label_studio.api() as api:
        answer = api.get(
            f"/api/projects/{state.project_id}/export",
            params={"exportType": "JSON", "download_all_tasks": "true"},
        )
    assert answer.status_code == 200
    export = tmp_path / "export.json"
    export.write_bytes(answer.content)
    other = Workspace(tmp_path / "other")
    shutil.copytree(scenario.workspace.corpus_root, other.corpus_root)
    report = import_export_file(other, export)
    logged = {e.annotation_id: e for e in latest_annotations(log(scenario.workspace))}
    imported = {e.annotation_id: e for e in log(other)}
    assert imported, "the export held no annotations"
    assert set(imported) <= set(logged)
    for annotation_id, entry in imported.items():
        assert entry.source == "import"
        assert (entry.result, entry.status, entry.updated_at) == (
            logged[annotation_id].result,
            logged[annotation_id].status,
            logged[annotation_id].updated_at,
        )
    assert report.by_reason == {"span_text_mismatch": 1, "span_out_of_range": 1}
    again = import_export_file(other, export)
    assert (again.new, again.updated, again.quarantined) == (0, 0, 0)


def test_a_task_edited_in_label_studio_is_quarantined(pushed: Scenario, label_studio: Any) -> None:
    scenario = pushed
    task_id = scenario.task_of["c"]
    with label_studio.api() as api:
        data = api.get(f"/api/tasks/{task_id}/").json()["data"]
        data["text"] = data["text"].replace("shelled", "bombed")
        assert api.patch(f"/api/tasks/{task_id}/", json={"data": data}).status_code == 200
    annotation = annotate(label_studio, scenario.tokens[ANNOTATORS[0]], task_id, [stance("turkey", "neutral")])
    report = pull(scenario.workspace, label_studio.url, label_studio.token)
    assert report.new == 1
    assert report.by_reason == {"text_hash_mismatch": 1}
    (entry,) = [e for e in log(scenario.workspace) if e.annotation_id == str(annotation)]
    assert entry.status == "quarantined"
    assert entry.result == [stance("turkey", "neutral")]  # kept whole, to be checked again at the next pull
    assert entry.text_sha256 == text_sha256(data["text"])  # the text it was made on


def test_cli_pull_exit_code_and_summary(
    pushed: Scenario, label_studio: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = pushed
    annotate(
        label_studio,
        scenario.tokens[ANNOTATORS[2]],
        scenario.task_of["b"],
        [span("x", "trigger", 0, 3, "nope", "AGREE")],
    )
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", label_studio.token)
    code = cli_main(["pull", "--workspace", str(scenario.workspace.root)])
    out, err = capsys.readouterr()
    assert code == 1
    assert "pull: 1 new" in out
    assert "span_text_mismatch" in out
    assert "quarantine.jsonl" in err
    assert label_studio.token not in out + err
    code = cli_main(["pull", "--workspace", str(scenario.workspace.root)])
    assert code == 0


def test_bad_token_and_unreachable_server_say_what_to_do(pushed: Scenario, label_studio: Any) -> None:
    scenario = pushed
    with pytest.raises(Exception, match="LABEL_STUDIO_API_KEY"):
        pull(scenario.workspace, label_studio.url, "not-a-token")
    with pytest.raises(Exception, match="could not reach Label Studio"):
        push(scenario.workspace, "http://127.0.0.1:9", "x")


def test_personal_access_tokens_work_too(label_studio: Any) -> None:
    email = "pat-user@example.com"
    label_studio.create_user(email, PASSWORD)
    session = label_studio.login(email, PASSWORD)
    answer = session.post(
        "/api/token/",
        headers={"X-CSRFToken": session.cookies.get("csrftoken") or "", "Referer": label_studio.url + "/"},
    )
    assert answer.status_code == 201, answer.text
    personal = answer.json()["token"]
    with StudioClient(label_studio.url, personal) as client:
        assert client.whoami()["email"] == email
    with (
        pytest.raises(Exception, match="refused the personal access token"),
        StudioClient(label_studio.url, personal[:-4] + "AAAA") as client,
    ):
        client.whoami()
