"""The release's review list in Label Studio (``ceasefire-news export --review``).

:func:`send_review` marks the tasks the release wants reviewed and keeps a
"Needs review" view of them in the project.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ceasefire_news.dataset.corpus.workspace import Workspace, read_jsonl
from ceasefire_news.labeling.client import StudioClient
from ceasefire_news.labeling.project import open_project
from ceasefire_news.labeling.state import StudioState
from ceasefire_news.schema.errors import UsageError

REVIEW_VIEW_TITLE = "Needs review"


@dataclass(slots=True)
class ReviewReport:
    url: str
    project_id: int
    marked: int = 0
    cleared: int = 0
    unknown_articles: list[str] = field(default_factory=list)
    view_id: int | None = None

    def summary(self) -> str:
        lines = [
            f"review list sent to {self.url}, project {self.project_id}: {self.marked} tasks marked, "
            f"{self.cleared} cleared; view {REVIEW_VIEW_TITLE!r} (id {self.view_id}) lists them"
        ]
        if self.unknown_articles:
            lines.append(
                f"  {len(self.unknown_articles)} articles of the review list have no task in the project: "
                + ", ".join(self.unknown_articles[:5])
            )
        return "\n".join(lines)


REVIEW_FILTER = {
    "conjunction": "and",
    "items": [{"filter": "filter:tasks:data.review", "operator": "empty", "type": "String", "value": False}],
}


def send_review(workspace: Workspace, url: str, token: str) -> ReviewReport:
    """Mark the tasks of ``annotations/review.jsonl`` for review in Label Studio.

    Each listed article's active task gets ``data.review`` (its reasons, with the units
    concerned) shown in the labeling view's header line, and the project gets a data
    manager view "Needs review" that lists exactly those tasks. Tasks no longer listed
    are cleared. Annotations are never touched.
    """
    url = url.rstrip("/")
    path = workspace.review_path
    if not path.exists():
        raise UsageError(f"{path} does not exist; run `ceasefire-news release` first, it writes the review list")
    reasons: dict[str, set[str]] = {}
    for number, record in read_jsonl(path):
        article_id = record.get("article_id")
        if not isinstance(article_id, str):
            raise UsageError(f"{path}:{number}: expected an object with an article_id, got {str(record)[:80]}")
        unit, reason = record.get("unit"), record.get("reason")
        reasons.setdefault(article_id, set()).add(f"{reason}" + (f" ({unit})" if unit else ""))
    state = StudioState.load(workspace)
    if state.project_id is None:
        raise UsageError("no project in labelstudio/state.json; run `ceasefire-news export --url URL` first")
    with StudioClient(url, token) as client:
        project_id, _ = open_project(client, state, url)
        report = ReviewReport(url=url, project_id=project_id)
        by_article = {entry.article_id: tid for tid, entry in state.active_tasks().items()}
        report.unknown_articles = sorted(a for a in reasons if a not in by_article)
        for task_id, entry in sorted(state.tasks.items()):
            wanted = "; ".join(sorted(reasons.get(entry.article_id, set()))) if entry.status == "active" else ""
            if wanted == entry.review:
                continue
            data = dict(client.task(task_id).get("data") or {})
            data["review"] = wanted
            meta = str(data.get("meta", "")).split(" · REVIEW: ")[0]
            data["meta"] = f"{meta} · REVIEW: {wanted}" if wanted else meta
            client.update_task_data(task_id, data)
            if wanted:
                report.marked += 1
            else:
                report.cleared += 1
            entry.review = wanted
            state.save(workspace)
        views = {int(v["id"]): v for v in client.views(project_id)}
        if state.review_view_id in views:
            report.view_id = state.review_view_id
        else:
            report.view_id = int(client.create_view(project_id, REVIEW_VIEW_TITLE, REVIEW_FILTER)["id"])
            state.review_view_id = report.view_id
            state.save(workspace)
    return report
