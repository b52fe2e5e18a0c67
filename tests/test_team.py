"""A team of three against a real Label Studio: accounts, overlap, the stream, pull, release.

``team add`` creates three annotators; ``export --overlap 2`` asks the labeling stream for
two annotators per task; each annotator takes tasks from the stream as themselves (their
own token) until it has none left for them. Then ``pull``, ``team list``, ``status`` and
``release`` see three human annotators and agreement over the overlapped articles.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from ceasefire_news.cli.app import main as cli_main
from ceasefire_news.dataset.corpus.build import build_corpus
from ceasefire_news.dataset.corpus.versions import load_corpus
from ceasefire_news.dataset.corpus.workspace import Workspace
from ceasefire_news.dataset.release.pseudonyms import Pseudonyms
from ceasefire_news.labeling.pseudonym import pseudonym, workspace_key
from ceasefire_news.labeling.state import StudioState

pytestmark = pytest.mark.studio

TEAM = ("ana@team.example.org", "ben@team.example.org", "cem@team.example.org")
#: Each annotator's stance on Russia: ana and cem agree, ben does not.
STANCE = {"ana@team.example.org": "neutral", "ben@team.example.org": "against", "cem@team.example.org": "neutral"}
ARTICLES = [
    "Russia and Turkey agreed on a ceasefire in Idlib on Thursday, officials in Moscow said.",
    "The two presidents agreed in a phone call to extend the truce in Aleppo for a week.",
    "Government forces shelled villages near Idlib although both sides agreed to a truce.",
    "The envoy said the parties agreed to meet again in Geneva after the holiday.",
]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code = cli_main([*args])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    return printed.out


def result_for(annotator: str, text: str) -> list[dict[str, Any]]:
    start = text.index("agreed")
    return [
        {
            "from_name": "stance_russia",
            "to_name": "text",
            "type": "choices",
            "value": {"choices": [STANCE[annotator]]},
        },
        {
            "id": "t1",
            "from_name": "trigger",
            "to_name": "text",
            "type": "labels",
            "value": {"start": start, "end": start + 6, "text": "agreed", "labels": ["AGREE"]},
        },
    ]


@pytest.fixture(scope="module")
def team_workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("team")
    source = root / "articles.jsonl"
    lines = [
        json.dumps({"url": f"https://news.example.org/{i}", "title": f"Article {i}", "date": "2020-03-05", "text": t})
        for i, t in enumerate(ARTICLES)
    ]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    workspace = Workspace(root / "workspace")
    build_corpus([source], workspace, progress=False)
    return workspace


def test_a_team_of_three_annotates_with_overlap_two_and_releases(
    team_workspace: Workspace, label_studio: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ws = ["--workspace", str(team_workspace.root)]
    server = ["--url", label_studio.url, "--token", label_studio.token]
    run(capsys, "export", *server, "--overlap", "3", "--overlap-share", "0.5", "--no-progress", *ws)
    state = StudioState.load(team_workspace)
    project_id = state.project_id
    with label_studio.api() as admin:
        project = admin.get(f"/api/projects/{project_id}/").json()
    assert (project["maximum_annotations"], project["overlap_cohort_percentage"]) == (3, 50)
    # Given again, the overlap updates the existing project.
    printed = run(capsys, "export", *server, "--overlap", "2", "--no-progress", *ws)
    assert "2 annotators per task for 100% of the tasks" in printed
    with label_studio.api() as admin:
        project = admin.get(f"/api/projects/{project_id}/").json()
    assert (project["maximum_annotations"], project["overlap_cohort_percentage"]) == (2, 100)

    added = run(capsys, "team", "add", *TEAM, *server, *ws)
    passwords = dict(re.findall(r"^(\S+): created; one-time password (\S+)", added, flags=re.M))
    assert sorted(passwords) == sorted(TEAM)
    again = run(capsys, "team", "add", TEAM[0], *server, *ws)
    assert f"{TEAM[0]}: already a member" in again
    assert not any(p in again for p in passwords.values())
    invited = run(capsys, "team", "add", "--invite-link", "dee@team.example.org", *server, *ws)
    assert f"send them the invite link {label_studio.url}/user/signup/?token=" in invited
    with label_studio.api() as admin:
        assert "dee@team.example.org" not in {u["email"] for u in admin.get("/api/users/").json()}

    texts = {row["article_id"]: row["text"] for row in load_corpus(team_workspace)}
    text_of_task = {task_id: texts[entry.article_id] for task_id, entry in state.tasks.items()}
    tokens = {email: label_studio.user_token(email, passwords[email]) for email in TEAM}
    seen: dict[str, list[int]] = {email: [] for email in TEAM}
    waiting = list(TEAM)
    while waiting:  # round robin over the stream, as three people working at once would
        for email in list(waiting):
            with label_studio.api(tokens[email]) as client:
                answer = client.get(f"/api/projects/{project_id}/next/")
                if answer.status_code == 404:
                    waiting.remove(email)
                    continue
                assert answer.status_code == 200, answer.text
                task_id = int(answer.json()["id"])
                seen[email].append(task_id)
                posted = client.post(
                    f"/api/tasks/{task_id}/annotations/",
                    json={"result": result_for(email, text_of_task[task_id]), "lead_time": 30.0},
                )
                assert posted.status_code == 201, posted.text
            assert sum(map(len, seen.values())) <= 2 * len(ARTICLES), seen
    for email, tasks in seen.items():
        assert len(tasks) == len(set(tasks)), f"{email} was given a task twice: {tasks}"
    with label_studio.api() as admin:
        for task_id in state.tasks:
            annotations = admin.get(f"/api/tasks/{task_id}/annotations/").json()
            people = [a["completed_by"] for a in annotations]
            assert len(people) == 2, (task_id, annotations)
            assert len(set(people)) == 2, (task_id, annotations)

    run(capsys, "pull", *server, *ws)
    listed = run(capsys, "team", "list", *server, *ws)
    for email in TEAM:
        row = next(line for line in listed.splitlines() if line.startswith(email))
        assert pseudonym(team_workspace, email) in row
        assert int(row.split()[2]) == len(seen[email])
    assert sum(len(t) for t in seen.values()) == 2 * len(ARTICLES)

    picture = tmp_path / "progress.png"
    status = run(capsys, "status", "--plot", str(picture), *ws)
    assert f"{len(ARTICLES)} of {len(ARTICLES)} annotated (0 remaining), {len(ARTICLES)} by two or more" in status
    assert "agreement over the overlapped tasks (3 human annotators)" in status
    assert picture.stat().st_size > 10_000

    run(capsys, "release", "--no-progress", *ws)
    release = team_workspace.release_dir(team_workspace.release_versions()[-1])
    card = (release / "README.md").read_text(encoding="utf-8")
    assert "(3 human annotators)" in card
    # Every article has two annotators: the stance alpha is computed over all of them.
    assert re.search(rf"russia[^\n]*\({len(ARTICLES)} articles\)", card), card


def test_team_and_releases_give_an_annotator_the_same_pseudonym(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "workspace")
    released = Pseudonyms(workspace_key(workspace)).name("ana@example.org", "human")
    assert pseudonym(workspace, "ana@example.org") == released
    assert released.startswith("annotator-")
    assert pseudonym(workspace, "bo@example.org") != released
