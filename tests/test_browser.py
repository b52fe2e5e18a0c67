"""The labeling UI, end to end, in headless Chromium against the session's real Label Studio.

An annotator logs in, selects a trigger span with the mouse in a text that holds an emoji,
CRLF line ends and a double space before the span, adds an argument span, a relation, the
trigger's factuality and stance choices, and submits. ``pull`` then logs the annotation and
the release holds the event, at Python's code-point offsets of the span in the corpus text.

Why the corpus text is written by the test: the corpus build normalises line ends to LF and
runs of spaces to one (asserted below), so a built corpus never puts CRLF or a double space
in front of Label Studio. The test builds the article for real, checks what the build made of
it, then writes a one-article corpus version that keeps the raw text (same schema, same
article id, ``text_sha256`` of that text). Task text and corpus text are then the same
string, as ``pull`` requires, and the UI faces all three hazards of Label Studio issues
1347, 4929 and 3078.

What Label Studio 1.23.2 does there (measured by this test):

- offsets of a span after the emoji, the CRLFs and the double space are Python code-point
  offsets already: the pull accepts the region and repairs nothing;
- a span that *contains* the double space gets the right offsets but its ``text`` with the
  spaces collapsed to one ("had pledged"), so ``text[start:end]`` differs from the region's
  text: the pull keeps the offsets, takes the corpus text of the span, and records the repair
  ``whitespace_collapsed_text``; the released stance holds that evidence span.

The screenshot of the labeled task is saved under ``test-artifacts/``.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from ceasefire_news.cli.app import main as cli_main
from ceasefire_news.dataset.corpus.build import build_corpus
from ceasefire_news.dataset.corpus.versions import load_corpus
from ceasefire_news.dataset.corpus.workspace import Workspace, read_jsonl
from ceasefire_news.dataset.release.pipeline import release_corpus
from ceasefire_news.labeling.integrity import text_sha256
from ceasefire_news.labeling.pseudonym import pseudonym
from ceasefire_news.labeling.pull import pull
from ceasefire_news.labeling.push import push
from ceasefire_news.labeling.screenshot import CHROMIUM_ARGS
from ceasefire_news.labeling.state import StudioState
from ceasefire_news.schema.labels import (
    ENTITY_TYPES,
    EVENT_TYPES,
    FACTUALITY,
    PROVENANCE,
    ROLES,
    STANCE_LABELS,
    STANCE_TARGETS,
)
from tests.browser.labeling_page import LabelingPage

pytestmark = [pytest.mark.browser, pytest.mark.studio]

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

ANNOTATOR_EMAIL = "annotator-browser@example.com"
ANNOTATOR_PASSWORD = "browser-annotator-1"

# The target span "pledged" follows a double space; the emoji (U+1F54A U+FE0F: two code
# points, three UTF-16 code units) and two CRLFs come before it. The pre-annotator marks
# neither "pledged" nor "the two leaders", so the annotator's regions are new ones.
RAW_TEXT = (
    "Turkey and Russia reach an Idlib deal \U0001f54a\ufe0f\r\n"
    "\r\n"
    "Ankara said on Thursday that the two leaders had  pledged to halt the fighting in Idlib.\r\n"
    "The guns fell silent at midnight, officials in Moscow said.\r\n"
)
TRIGGER = "pledged"
ACTOR = "the two leaders"
SPACED = "had  pledged"  # an evidence span that contains the double space
PREANNOTATED_ASSAULT = "fighting"  # the pre-annotator marks it as an ASSAULT trigger (which has modes)


def chromium_path() -> str:
    """Debian's chromium; a missing browser fails the test with the command that installs it."""
    found = os.environ.get("CEASEFIRE_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None and Path("/usr/bin/chromium").exists():
        found = "/usr/bin/chromium"
    if found is None:
        where = "CI" if os.environ.get("CI") else "this machine"
        pytest.fail(
            f"the browser test needs Debian's chromium, which is missing on {where}: "
            "run `apt-get install chromium` (tests/run.sh does), or set CEASEFIRE_CHROMIUM to a Chromium binary",
            pytrace=False,
        )
    return found


@pytest.fixture(scope="module")
def browser_page() -> Iterator[Any]:
    """A headless Chromium page (Playwright drives Debian's chromium, not a downloaded build)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright for Python is missing: pip install -e '.[test]'", pytrace=False)
    executable = chromium_path()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS))
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        try:
            yield page
        finally:
            browser.close()


def _corpus_keeping_raw_text(tmp_path: Path) -> tuple[Workspace, dict[str, Any]]:
    """Build the article for real, then a workspace whose corpus keeps its raw text."""
    source = tmp_path / "source.jsonl"
    record = {
        "text": RAW_TEXT,
        "title": "Turkey and Russia agree on an Idlib truce",
        "url": "https://news.example.com/2020/03/05/idlib-truce",
        "date": "2020-03-05",
        "outlet": "Example News",
    }
    source.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    built = Workspace(tmp_path / "built")
    report = build_corpus([source], built, progress=False)
    corpus = load_corpus(built, report.version)
    assert corpus.num_rows == 1
    cleaned = corpus[0]["text"]
    # What the build does to such text: the emoji stays, line ends become LF, spaces collapse.
    assert "\U0001f54a\ufe0f" in cleaned
    assert "\r" not in cleaned, f"the build now keeps CR: {cleaned!r}"
    assert "  " not in cleaned, f"the build now keeps double spaces: {cleaned!r}"

    workspace = Workspace(tmp_path / "ws")
    raw = corpus.map(lambda _: {"text": RAW_TEXT, "text_sha256": text_sha256(RAW_TEXT)})
    target = workspace.corpus_dir(report.version)
    raw.save_to_disk(str(target))
    shutil.copy(built.corpus_dir(report.version) / "manifest.json", target / "manifest.json")
    row = load_corpus(workspace, report.version)[0]
    assert row["text"] == RAW_TEXT
    return workspace, row


def test_span_labeled_in_the_browser_reaches_the_release(label_studio: Any, browser_page: Any, tmp_path: Path) -> None:
    workspace, row = _corpus_keeping_raw_text(tmp_path)
    pushed = push(workspace, label_studio.url, label_studio.token)
    state = StudioState.load(workspace)
    task_ids = [task_id for task_id, entry in state.tasks.items() if entry.article_id == row["article_id"]]
    assert len(task_ids) == 1, f"expected one task for {row['article_id']}, state has {state.tasks}"
    task_id = task_ids[0]
    with label_studio.api() as client:
        task = client.get(f"/api/tasks/{task_id}").json()
    assert task["data"]["text"] == RAW_TEXT, "the task must hold the emoji, the CRLFs and the double space"

    label_studio.create_user(ANNOTATOR_EMAIL, ANNOTATOR_PASSWORD)
    ui = LabelingPage(browser_page, label_studio.url)
    ui.log_in(ANNOTATOR_EMAIL, ANNOTATOR_PASSWORD)
    ui.open_task(pushed.project_id, task_id)
    instructions = ui.instructions_text()
    assert "Declared versus implemented ceasefire" in instructions, "the project shows labeling/GUIDELINES.md"
    # Per-region choices follow the selected trigger: the pre-annotated ASSAULT trigger shows
    # its own modes and no other type's; the AGREE trigger below shows none.
    ui.select_region(PREANNOTATED_ASSAULT)
    assert ui.visible_headers("Factuality of the selected trigger") == ["Factuality of the selected trigger"]
    assert ui.visible_headers("Mode of the selected") == ["Mode of the selected ASSAULT trigger"]
    ui.unselect_region(PREANNOTATED_ASSAULT)
    ui.label_span("AGREE", TRIGGER)
    ui.label_span("PER", ACTOR)
    ui.label_span("ceasefire", SPACED)
    ui.select_region(TRIGGER)
    assert ui.visible_headers("Mode of the selected") == []
    ui.check_choice("Factuality of the selected trigger", "asserted")
    ui.create_relation(TRIGGER, ACTOR, "actor")
    ui.check_choice("russia:", "neutral")
    ui.check_choice("ceasefire:", "favor")
    ARTIFACTS.mkdir(exist_ok=True)
    ui.span_points(TRIGGER)  # scrolls the labeled sentence into view
    browser_page.screenshot(path=str(ARTIFACTS / "browser-labeled-task.png"))
    ui.submit()

    report = pull(workspace, label_studio.url, label_studio.token)
    assert (report.annotations, report.new) == (1, 1), report.summary()
    entries = [record for _, record in read_jsonl(workspace.log_path)]
    assert len(entries) == 1
    entry = entries[0]
    text = row["text"]
    # The submitted result also holds the pre-annotations the annotator left in place.
    spans = {
        (item["from_name"], item["value"]["text"]): item["value"]
        for item in entry["result"]
        if "start" in item.get("value", {})
    }
    start = text.index("  " + TRIGGER) + 2
    assert (spans["trigger", TRIGGER]["start"], spans["trigger", TRIGGER]["end"]) == (start, start + len(TRIGGER))
    assert spans["trigger", TRIGGER]["text"] == TRIGGER
    actor_start = text.index(ACTOR)
    assert (spans["entity", ACTOR]["start"], spans["entity", ACTOR]["end"]) == (actor_start, actor_start + len(ACTOR))
    assert spans["factuality", TRIGGER]["choices"] == ["asserted"]
    # Pre-annotations left in place are submitted as the annotator's own (the guidelines say so),
    # and Label Studio tells them apart by their origin, which the card reports.
    assert ("trigger", "deal") in spans
    origins = {
        (item["from_name"], item["value"]["text"]): item.get("origin")
        for item in entry["result"]
        if item.get("type") == "labels"
    }
    assert origins["trigger", "deal"] == "prediction"
    assert origins["trigger", TRIGGER] == origins["entity", ACTOR] == "manual"

    # The outcome of the span integrity check on what the UI sent: the evidence span holding
    # the double space came with the right offsets and its text collapsed ("had pledged");
    # the pull keeps the offsets and takes the corpus text of the span.
    spaced_start = text.index(SPACED)
    spaced = (spaced_start, spaced_start + len(SPACED))
    assert [(r["repair"], tuple(r["from"]), tuple(r["to"])) for r in entry["repairs"]] == [
        ("whitespace_collapsed_text", spaced, spaced)
    ]
    assert entry["status"] == "accepted"
    assert entry["quarantine_reasons"] == []
    assert (spans["evidence", SPACED]["start"], spans["evidence", SPACED]["end"]) == spaced
    assert not workspace.quarantine_path.exists() or not list(read_jsonl(workspace.quarantine_path))

    released = release_corpus(workspace, progress=False)
    events = pq.read_table(sorted(Path(released.path).glob("data/events/*.parquet"))).to_pylist()
    mine = [
        event
        for event in events
        if event["article_id"] == row["article_id"] and event["provenance"] == PROVENANCE.index("human")
    ]
    event = next((e for e in mine if e["trigger"]["start"] == start), None)
    assert event is not None, f"no human event at offset {start}: {mine}"
    assert event["trigger"] == {"start": start, "end": start + len(TRIGGER), "text": TRIGGER}
    assert text[event["trigger"]["start"] : event["trigger"]["end"]] == TRIGGER
    assert event["event_type"] == EVENT_TYPES.index("AGREE")
    assert event["factuality"] == FACTUALITY.index("asserted")
    # Released under the workspace's pseudonym, never the e-mail.
    assert event["annotators"] == [pseudonym(workspace, ANNOTATOR_EMAIL)]
    assert event["arguments"] == [
        {
            "role": ROLES.index("actor"),
            "entity_type": ENTITY_TYPES.index("PER"),
            "start": actor_start,
            "end": actor_start + len(ACTOR),
            "text": ACTOR,
        }
    ]

    stances = pq.read_table(sorted(Path(released.path).glob("data/stance/*.parquet"))).to_pylist()
    ceasefire = [
        s
        for s in stances
        if s["article_id"] == row["article_id"]
        and s["target"] == STANCE_TARGETS.index("ceasefire")
        and s["provenance"] == PROVENANCE.index("human")
    ]
    assert [(s["label"], s["evidence"]) for s in ceasefire] == [
        (STANCE_LABELS.index("favor"), [{"start": spaced[0], "end": spaced[1], "text": SPACED}])
    ]
    regions = sum(1 for item in entry["result"] if item.get("type") == "labels")
    assert released.manifest["annotations"]["human_regions_by_origin"]["manual"] == 3  # trigger, actor, evidence
    assert sum(released.manifest["annotations"]["human_regions_by_origin"].values()) == regions


def test_an_annotator_made_by_team_add_labels_a_task_from_the_stream(
    label_studio: Any, browser_page: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "Russia and Turkey agreed on a ceasefire in Idlib on Thursday, officials in Moscow said."
    source = tmp_path / "stream.jsonl"
    source.write_text(json.dumps({"text": text, "title": "Idlib", "url": "https://news.example.org/s"}) + "\n")
    workspace = Workspace(tmp_path / "stream-ws")
    build_corpus([source], workspace, progress=False)
    pushed = push(workspace, label_studio.url, label_studio.token)
    server = ["--url", label_studio.url, "--token", label_studio.token, "--workspace", str(workspace.root)]
    email = "stream-annotator@team.example.org"
    assert cli_main(["team", "add", email, *server]) == 0
    printed = capsys.readouterr().out
    password = printed.split("one-time password ", 1)[1].split()[0]

    ui = LabelingPage(browser_page, label_studio.url)
    ui.log_out()
    ui.log_in(email, password)
    ui.open_stream(pushed.project_id)  # no task named: the stream chooses
    ui.label_span("AGREE", "agreed")
    ui.submit()

    report = pull(workspace, label_studio.url, label_studio.token)
    assert report.new == 1, report.summary()
    entry = next(record for _, record in read_jsonl(workspace.log_path))
    assert (entry["annotator"], entry["task_id"]) == (email, next(iter(StudioState.load(workspace).tasks)))
    start = text.index("agreed")
    assert any(
        item.get("from_name") == "trigger" and (item["value"]["start"], item["value"]["end"]) == (start, start + 6)
        for item in entry["result"]
    )
