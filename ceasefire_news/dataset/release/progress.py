"""How annotation is going, from the last pull (``ceasefire-news status``).

Reads the annotation log (newest version of each annotation) and ``state.json``: tasks
done and remaining, each annotator's (pseudonymised) count, skips and median time per task,
agreement so far on the articles two or more people annotated (the release's own
measures, :mod:`ceasefire_news.dataset.release.agreement`), and the articles the last
release sent back for review. :func:`plot_progress` draws it.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ceasefire_news.dataset.corpus.workspace import Workspace, read_jsonl
from ceasefire_news.dataset.release.agreement import AgreementAccumulator, format_measure
from ceasefire_news.dataset.release.gold import Ballot
from ceasefire_news.labeling.pseudonym import pseudonym
from ceasefire_news.labeling.results import parse_result
from ceasefire_news.labeling.state import StudioState
from ceasefire_news.schema.records import LoggedAnnotation, latest_annotations


@dataclass(slots=True)
class AnnotatorProgress:
    pseudonym: str
    done: int = 0
    skipped: int = 0
    lead_times: list[float] = field(default_factory=list)

    @property
    def median_seconds(self) -> float | None:
        return statistics.median(self.lead_times) if self.lead_times else None


@dataclass(slots=True)
class Progress:
    """What :func:`progress` found."""

    tasks: int
    annotated: int  # tasks with at least one human annotation that votes
    overlapped: int  # ... with two or more
    annotators: list[AnnotatorProgress]
    agreement: dict[str, Any]
    review: list[str]  # article ids the last release listed for review
    timeline: list[tuple[str, str]]  # (created_at, pseudonym) of each human annotation, in time order

    def summary(self) -> str:
        lines = [
            f"tasks: {self.annotated} of {self.tasks} annotated ({self.tasks - self.annotated} remaining), "
            f"{self.overlapped} by two or more annotators",
            "annotators:",
        ]
        for person in self.annotators:
            median = person.median_seconds
            took = f"{median:.0f} s" if median is not None else "-"
            lines.append(f"  {person.pseudonym:<26} {person.done:>5} done {person.skipped:>4} skipped  median {took}")
        if not self.annotators:
            lines.append("  (none yet: run `ceasefire-news pull`)")
        lines.append(f"agreement over the overlapped tasks ({self.agreement['human_annotators']} human annotators):")
        for target, measure in self.agreement["stance_alpha"].items():
            lines.append(f"  stance alpha {target}: {format_measure(measure)}")
        for mode, measure in self.agreement["trigger_span_f1"].items():
            lines.append(f"  trigger span F1 ({mode}): {format_measure(measure)}")
        lines.append(f"waiting for review (last release): {len(self.review)} articles")
        lines.extend(f"  {article_id}" for article_id in self.review[:20])
        if len(self.review) > 20:
            lines.append(f"  ... and {len(self.review) - 20} more (annotations/review.jsonl)")
        return "\n".join(lines)


def _entries(workspace: Workspace) -> list[LoggedAnnotation]:
    return latest_annotations([LoggedAnnotation(**record) for _, record in read_jsonl(workspace.log_path)])


def progress(workspace: Workspace) -> Progress:
    """The progress of annotation in ``workspace`` as of its last pull or import."""
    human = [e for e in _entries(workspace) if e.provenance == "human"]
    state = StudioState.load(workspace)
    active = {entry.article_id for entry in state.active_tasks().values()}
    people: dict[str, AnnotatorProgress] = {}
    ballots: dict[str, list[Ballot]] = defaultdict(list)
    timeline: list[tuple[str, str]] = []
    for entry in human:
        name = pseudonym(workspace, entry.annotator)
        person = people.setdefault(name, AnnotatorProgress(name))
        if entry.was_cancelled:
            person.skipped += 1
            continue
        person.done += 1
        if entry.lead_time is not None:
            person.lead_times.append(float(entry.lead_time))
        timeline.append((entry.created_at, name))
        ballots[entry.article_id].append(
            Ballot(
                entry.annotation_id,
                name,
                parse_result(entry.result),
                ground_truth=entry.ground_truth,
                quarantined=entry.status == "quarantined",
                version=entry.version_key,
            )
        )
    accumulator = AgreementAccumulator()
    voters: dict[str, int] = {}
    for article_id, article_ballots in ballots.items():
        accumulator.add(article_ballots)
        voters[article_id] = len({b.annotator for b in article_ballots if not b.quarantined})
    articles = active or set(voters)
    review = sorted({str(r.get("article_id")) for _, r in read_jsonl(workspace.review_path)})
    return Progress(
        tasks=len(articles),
        annotated=sum(1 for a in articles if voters.get(a, 0) >= 1),
        overlapped=sum(1 for a in articles if voters.get(a, 0) >= 2),
        annotators=sorted(people.values(), key=lambda p: p.pseudonym),
        agreement=accumulator.result(),
        review=review,
        timeline=sorted(timeline),
    )


def plot_progress(report: Progress, path: Path) -> None:
    """Annotations over time (all, and per annotator) beside agreement by label, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    from datetime import datetime

    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4), dpi=100)
    times = [datetime.fromisoformat(stamp.replace("Z", "+00:00")) for stamp, _ in report.timeline]
    if times:
        left.step(times, range(1, len(times) + 1), where="post", label="all", linewidth=2)
        for person in report.annotators:
            mine = [t for t, (_, name) in zip(times, report.timeline, strict=True) if name == person.pseudonym]
            if mine:
                left.step(mine, range(1, len(mine) + 1), where="post", label=person.pseudonym[:18])
        left.legend(fontsize=7)
    left.set_title(f"annotations over time ({report.annotated}/{report.tasks} tasks annotated)")
    left.set_ylabel("annotations")
    left.yaxis.set_major_locator(MaxNLocator(integer=True))
    left.tick_params(axis="x", labelrotation=30, labelsize=7)

    measures = [(f"stance {t}", m) for t, m in report.agreement["stance_alpha"].items()]
    measures += [(f"trigger F1 {mode}", m) for mode, m in report.agreement["trigger_span_f1"].items()]
    names = [name for name, _ in measures]
    values = [m["value"] if m["value"] is not None else 0.0 for _, m in measures]
    colours = ["tab:blue" if m["value"] is not None else "lightgrey" for _, m in measures]
    right.barh(names, values, color=colours)
    for row, (_, measure) in enumerate(measures):
        text = f"{measure['value']:.2f}" if measure["value"] is not None else "n/a"
        right.text(max(values[row], 0.0) + 0.02, row, text, va="center", fontsize=7)
    right.set_xlim(min(0.0, *values) - 0.05, 1.15)
    right.set_title("agreement by label (grey: not computable yet)")
    right.tick_params(axis="y", labelsize=7)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)
