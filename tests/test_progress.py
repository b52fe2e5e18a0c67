"""``status`` and ``team list --offline`` from an annotation log, and the ``--plot`` picture."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ceasefire_news.cli.app import main as cli_main
from ceasefire_news.dataset.corpus.workspace import Workspace, append_jsonl
from ceasefire_news.dataset.release.progress import progress
from ceasefire_news.labeling.pseudonym import pseudonym
from tests.fixtures.release import Span, corpus_row, logged, result, write_log

TEXTS = [
    "Russia and Turkey agreed on a ceasefire in Idlib on Thursday.",
    "The two presidents agreed to extend the truce in Aleppo.",
    "Rebels said the talks in Geneva had failed again.",
]


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """Three articles: two annotated by ana and ben (agreeing on one, not the other), one by cem."""
    ws = Workspace(tmp_path / "workspace")
    rows = [corpus_row(text, f"s{i}") for i, text in enumerate(TEXTS)]
    agreed = [Span("t1", rows[0]["text"].index("agreed"), rows[0]["text"].index("agreed") + 6, "AGREE")]
    entries = [
        logged(rows[0], "ana@x.org", result(TEXTS[0], stance={"russia": "neutral"}, triggers=agreed), lead_time=20.0),
        logged(rows[0], "ben@x.org", result(TEXTS[0], stance={"russia": "neutral"}, triggers=agreed), lead_time=40.0),
        logged(
            rows[1],
            "ana@x.org",
            result(TEXTS[1], stance={"russia": "neutral"}),
            lead_time=30.0,
            created_at="2024-01-02T00:00:00Z",
        ),
        logged(
            rows[1],
            "ben@x.org",
            result(TEXTS[1], stance={"russia": "against"}),
            lead_time=60.0,
            created_at="2024-01-03T00:00:00Z",
        ),
        logged(rows[2], "cem@x.org", result(TEXTS[2], stance={"russia": "neutral"}), lead_time=10.0),
        logged(rows[2], "ben@x.org", [], was_cancelled=True),
    ]
    write_log(ws, entries)
    append_jsonl(
        ws.review_path,
        [json.dumps({"article_id": rows[1]["article_id"], "reason": "stance_disagreement", "unit": "stance"})],
    )
    return ws


def test_pseudonyms_are_stable_per_workspace_and_differ_between_workspaces(
    workspace: Workspace, tmp_path: Path
) -> None:
    first = pseudonym(workspace, "ana@x.org")
    assert first == pseudonym(workspace, "ANA@x.org")
    assert first.startswith("annotator-")
    assert "ana" not in first
    assert first != pseudonym(workspace, "ben@x.org")
    assert first != pseudonym(Workspace(tmp_path / "other"), "ana@x.org")


def test_progress_counts_each_annotator_and_agreement_on_overlapped_tasks(workspace: Workspace) -> None:
    report = progress(workspace)
    assert (report.tasks, report.annotated, report.overlapped) == (3, 3, 2)
    by_name = {p.pseudonym: p for p in report.annotators}
    ben = by_name[pseudonym(workspace, "ben@x.org")]
    assert (ben.done, ben.skipped, ben.median_seconds) == (2, 1, 50.0)
    assert report.agreement["human_annotators"] == 3
    # Two overlapped articles: one agreed, one not.
    assert report.agreement["stance_alpha"]["russia"]["n"] == 2
    assert report.agreement["trigger_span_f1"]["exact"]["value"] == pytest.approx(
        1.0
    )  # pooled over the pair: one trigger each, matched
    assert len(report.review) == 1
    text = report.summary()
    assert "3 of 3 annotated (0 remaining), 2 by two or more" in text
    assert "ben@x.org" not in text


def test_status_plot_writes_a_picture_with_content(
    workspace: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import matplotlib.image

    picture = tmp_path / "progress.png"
    code = cli_main(["status", "--plot", str(picture), "--workspace", str(workspace.root)])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert "stance alpha russia" in printed.out
    assert "waiting for review (last release): 1 articles" in printed.out
    pixels = matplotlib.image.imread(str(picture))
    height, width = pixels.shape[:2]
    assert (width, height) == (1100, 400)
    # Not blank: many distinct colours, and plenty of pixels that are not the white background.
    flat = pixels[..., :3].reshape(-1, 3)
    assert len({tuple(p) for p in flat[::7].round(2).tolist()}) > 20
    assert (flat.sum(axis=1) < 2.9).mean() > 0.02


def test_team_list_offline_shows_pseudonyms_done_skipped_and_last_activity(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli_main(["team", "list", "--offline", "--workspace", str(workspace.root)])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    ben = next(line for line in printed.out.splitlines() if line.startswith("ben@x.org"))
    assert ben.split()[1:4] == [pseudonym(workspace, "ben@x.org"), "2", "1"]
    assert ben.endswith("2024-01-01T00:00:00")


def test_status_without_a_log_says_to_pull_first(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["status", "--workspace", str(tmp_path / "empty")]) == 2
    assert "run `ceasefire-news pull`" in capsys.readouterr().err
