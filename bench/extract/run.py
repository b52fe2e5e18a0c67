"""Extraction quality on real web pages: the project's build against trafilatura, in one run.

The evaluation set is an archive of web pages with ground truth (trafilatura's evaluation
set: ``index.json`` and ``html/tNNNN.html``); it is read from the path given on the command
line and never used by the tests. Each page's ``with`` snippets are text a good extraction
keeps, its ``without`` snippets text it removes. Scoring pools the counts over all pages, as
trafilatura's own evaluation does: true positives (``with`` found), false negatives (``with``
missed), false positives (``without`` found), true negatives (``without`` not found), after
whitespace normalisation; a page with no output misses every ``with`` and removes every
``without``.

Measured, each for the tuning half and the judging half of the set (a page is in the tuning
half when the sha256 of its item key is even): precision, recall and F1; title and date exact
match rates; CPU ms per page (one process each); the pages the build rejected, with reasons;
and, with ``--ablate``, the F1 change when each cleaning rule is switched off alone.

    python bench/extract/run.py --eval trafilatura-eval.tar.xz
    python bench/extract/run.py --eval trafilatura-eval.tar.xz --ablate --json out.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import resource
import statistics
import sys
import tarfile
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import trafilatura

from ceasefire_news.dataset.corpus.build import BuildOptions, build_corpus
from ceasefire_news.dataset.corpus.clean import clean_article
from ceasefire_news.dataset.corpus.clean_rules import ALWAYS_ON, RULES
from ceasefire_news.dataset.corpus.document import RawArticle
from ceasefire_news.dataset.corpus.read import iter_sources
from ceasefire_news.dataset.corpus.versions import load_corpus
from ceasefire_news.dataset.corpus.workspace import Workspace
from ceasefire_news.schema.errors import RecordRejected

HALVES = ("tuning", "judging")
BASELINE = Path(__file__).resolve().parents[1] / "baseline.json"
#: Quality figures are deterministic for given library versions; this much room is left for a
#: library's patch release. The CPU ratio's room is twice the larger spread of its pairs.
QUALITY_TOLERANCE = 0.002


@dataclass(frozen=True, slots=True)
class Page:
    key: str
    path: Path
    item: dict[str, Any]

    @property
    def half(self) -> str:
        return HALVES[int(hashlib.sha256(self.key.encode()).hexdigest(), 16) % 2]


@dataclass(frozen=True, slots=True)
class Output:
    """What one extractor made of one page (None: nothing, the page was rejected)."""

    text: str | None
    title: str | None = None
    date: str | None = None


@dataclass(slots=True)
class Score:
    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0
    titles: int = 0
    titles_right: int = 0
    dates: int = 0
    dates_right: int = 0

    def add(self, page: Page, out: Output) -> None:
        text = _normalise(out.text or "")
        for snippet in page.item.get("with", []):
            if _normalise(snippet) in text and text:
                self.tp += 1
            else:
                self.fn += 1
        for snippet in page.item.get("without", []):
            if text and _normalise(snippet) in text:
                self.fp += 1
            else:
                self.tn += 1
        if "title" in page.item:
            self.titles += 1
            self.titles_right += _normalise(out.title or "") == _normalise(page.item["title"] or "")
        if "date" in page.item:
            self.dates += 1
            self.dates_right += str(out.date or "")[:10] == (page.item["date"] or "")

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def figures(self) -> dict[str, float]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "title_exact": round(self.titles_right / self.titles, 4) if self.titles else 0.0,
            "date_exact": round(self.dates_right / self.dates, 4) if self.dates else 0.0,
        }


@dataclass(slots=True)
class Run:
    name: str
    outputs: dict[str, Output]
    cpu_seconds: float
    rejected: dict[str, str] = field(default_factory=dict)


def _normalise(text: str) -> str:
    return " ".join(text.split())


def load_pages(archive: Path, into: Path) -> list[Page]:
    """Unpack the evaluation archive into ``into`` and list its pages in key order."""
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    index = next(into.rglob("index.json"))
    items = json.loads(index.read_text(encoding="utf-8"))["items"]
    html = index.parent / "html"
    return [Page(key, html / f"{key}.html", items[key]) for key in sorted(items)]


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_project(pages: list[Page], work: Path) -> Run:
    """The project's build on the pages, in one process; outputs keyed by page."""
    source = work / "pages"
    source.mkdir(parents=True)
    for page in pages:
        (source / page.path.name).symlink_to(page.path)
    workspace = Workspace(work / "workspace")
    start = _cpu()
    report = build_corpus([source], workspace, progress=False, options=BuildOptions(workers=1))
    cpu = _cpu() - start
    corpus = load_corpus(workspace, report.version)
    by_file: dict[str, Output] = {}
    for row in corpus.select_columns(["source_file", "text", "title", "published_date"]):
        by_file[Path(row["source_file"]).stem] = Output(row["text"], row["title"], row["published_date"])
    for duplicate in report.duplicate_records:
        by_file[Path(duplicate.where).stem] = by_file[Path(duplicate.kept).stem]
    rejected = {Path(r.where).stem: f"{r.reason}: {r.detail}" for r in report.rejections}
    return Run("project", {p.key: by_file.get(p.key, Output(None)) for p in pages}, cpu, rejected)


def run_trafilatura(pages: list[Page], name: str, **options: Any) -> Run:
    """``trafilatura.extract`` over the pages, in this process, timed on the CPU."""
    outputs: dict[str, Output] = {}
    data = {page.key: page.path.read_bytes() for page in pages}
    start = _cpu()
    for page in pages:
        outputs[page.key] = Output(trafilatura.extract(data[page.key], **options))
    cpu = _cpu() - start
    return Run(name, outputs, cpu)


def trafilatura_metadata(pages: list[Page]) -> dict[str, Output]:
    """trafilatura's title and date, for comparison with the project's metadata."""
    found = {}
    for page in pages:
        document = trafilatura.bare_extraction(page.path.read_bytes(), with_metadata=True)
        found[page.key] = Output(
            getattr(document, "text", None),
            getattr(document, "title", None),
            getattr(document, "date", None),
        )
    return found


def score(pages: Iterable[Page], outputs: dict[str, Output]) -> dict[str, dict[str, float]]:
    by_half = {half: Score() for half in (*HALVES, "all")}
    for page in pages:
        out = outputs[page.key]
        by_half[page.half].add(page, out)
        by_half["all"].add(page, out)
    return {half: s.figures() for half, s in by_half.items()}


def _f1_by_half(pages: Iterable[Page], outputs: dict[str, Output]) -> dict[str, float]:
    by_half = {half: Score() for half in (*HALVES, "all")}
    for page in pages:
        by_half[page.half].add(page, outputs[page.key])
        by_half["all"].add(page, outputs[page.key])
    return {half: s.f1 for half, s in by_half.items()}


def ablate(pages: list[Page], source: Path) -> dict[str, dict[str, float]]:
    """F1 change per half when each cleaning rule is switched off alone (the rest on).

    The pages are read once (the reader's extraction is the slow part) and cleaned once per
    rule; a page whose clean text is empty counts as rejected, as in the build.
    """
    raws = {Path(raw.where).stem: raw for raw in iter_sources([source]) if isinstance(raw, RawArticle)}

    def outputs(skip: frozenset[str]) -> dict[str, Output]:
        found: dict[str, Output] = {}
        for page in pages:
            raw = raws.get(page.key)
            try:
                text = clean_article(raw, skip=skip).text if raw is not None else None
            except RecordRejected:
                text = None
            found[page.key] = Output(text or None)
        return found

    base = _f1_by_half(pages, outputs(frozenset()))
    deltas: dict[str, dict[str, float]] = {}
    for rule in RULES:
        if rule.name in ALWAYS_ON:
            continue
        off = _f1_by_half(pages, outputs(frozenset({rule.name})))
        deltas[rule.name] = {half: round(off[half] - base[half], 5) for half in base}
    return deltas


def removed_must_keep(pages: list[Page], work: Path) -> dict[str, list[str]]:
    """``with`` snippets that the build's cleaning removed: present in the raw extraction,
    absent from the clean text (per rule that removed them, from the corpus' ``removed``)."""
    workspace = Workspace(work / "workspace")
    corpus = load_corpus(workspace)
    found: dict[str, list[str]] = {}
    by_stem = {Path(r["source_file"]).stem: r for r in corpus.select_columns(["source_file", "text", "removed"])}
    for page in pages:
        row = by_stem.get(page.key)
        if row is None:
            continue
        text = _normalise(row["text"])
        for snippet in page.item.get("with", []):
            wanted = _normalise(snippet)
            if wanted in text:
                continue
            for removal in row["removed"] or []:
                if wanted and _normalise(removal.get("text", "")) and _normalise(removal["text"]) in wanted:
                    if wanted in _raw_text(page):  # the reader kept it: cleaning took it out
                        found.setdefault(removal.get("rule", "?"), []).append(f"{page.key}: {snippet[:80]}")
                    break
    return found


def _raw_text(page: Page) -> str:
    """The page's text as the reader extracted it, before cleaning, whitespace normalised."""
    for raw in iter_sources([page.path]):
        if isinstance(raw, RawArticle):
            return _normalise(raw.raw_text)
    return ""


def _table(rows: list[tuple[str, dict[str, dict[str, float]], float]], pages: int) -> str:
    lines = [
        f"{'extractor':<34} {'half':<8} {'P':>6} {'R':>6} {'F1':>6} {'title':>6} {'date':>6} {'CPU ms/page':>11}",
    ]
    for name, figures, cpu in rows:
        for half in (*HALVES, "all"):
            f = figures[half]
            meta = f"{f['title_exact']:>6.3f} {f['date_exact']:>6.3f}" if name == "project" else f"{'-':>6} {'-':>6}"
            lines.append(
                f"{name:<34} {half:<8} {f['precision']:>6.3f} {f['recall']:>6.3f} {f['f1']:>6.3f} "
                f"{meta} {1000 * cpu / pages:>11.1f}"
            )
    return "\n".join(lines)


def figures_of(report: dict[str, Any]) -> dict[str, Any]:
    """The figures the baseline keeps, from a run's report."""
    project = report["runs"]["project"]["scores"]
    return {
        "pages": report["pages"],
        "quality": {
            f"{half}_{name}": project[half][name] for half in HALVES for name in ("f1", "title_exact", "date_exact")
        },
        "must_keep_removed": sum(report["must_keep_removed"].values()),
        "rejected": len(report["rejected"]),
        "cpu_ratio": report["cpu_ratio_project_vs_trafilatura"],
        "cpu_ratio_spread": report["cpu_ratio_spread"],
        "trafilatura_f1": {
            name: report["runs"][name]["scores"]["judging"]["f1"] for name in report["runs"] if name != "project"
        },
        "measured": {"date": dt.date.today().isoformat(), "load": round(os.getloadavg()[0], 2)},
    }


def _baseline(path: Path) -> dict[str, Any] | None:
    stored = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    found: dict[str, Any] | None = stored.get("extract")
    return found


def write_baseline(path: Path, figures: dict[str, Any]) -> None:
    stored = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    stored["extract"] = figures
    path.write_text(json.dumps(stored, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def regressions(run: dict[str, Any], base: dict[str, Any] | None) -> list[str]:
    """What got worse than the baseline: a quality figure by more than QUALITY_TOLERANCE, more
    must-keep snippets removed or pages rejected, or a CPU ratio beyond its tolerance."""
    if base is None:
        return ["no extract figures in the baseline; run with --update first"]
    if base["pages"] != run["pages"]:
        return [f"the baseline was measured on {base['pages']} pages, this run on {run['pages']}"]
    found = [
        f"{name} {run['quality'][name]:.4f} < baseline {value:.4f}"
        for name, value in base["quality"].items()
        if run["quality"].get(name, 0.0) < value - QUALITY_TOLERANCE
    ]
    for name in ("must_keep_removed", "rejected"):
        if run[name] > base[name]:
            found.append(f"{name} {run[name]} > baseline {base[name]}")
    room = 2 * max(run["cpu_ratio_spread"] or 0.0, base["cpu_ratio_spread"] or 0.0)
    if run["cpu_ratio"] > base["cpu_ratio"] * (1 + room):
        found.append(f"CPU ratio {run['cpu_ratio']:.3f} > baseline {base['cpu_ratio']:.3f} (+{room:.0%})")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval", type=Path, required=True, help="the evaluation archive (.tar.xz)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages (a quick look)")
    parser.add_argument("--ablate", action="store_true", help="F1 change with each cleaning rule off alone")
    parser.add_argument("--json", type=Path, default=None, help="also write every figure here")
    parser.add_argument("--project-only", action="store_true", help="skip the trafilatura runs (a quick look)")
    parser.add_argument("--repeats", type=int, default=3, help="alternated project/trafilatura pairs for the CPU ratio")
    parser.add_argument("--check", action="store_true", help="fail (exit 1) when a figure regressed from the baseline")
    parser.add_argument("--update", action="store_true", help="write this run's figures as the baseline")
    parser.add_argument("--baseline", type=Path, default=BASELINE, help="the benchmark baseline (bench/baseline.json)")
    args = parser.parse_args(argv)
    if not args.eval.is_file():
        parser.error(f"{args.eval}: no such archive; give the evaluation set's .tar.xz")
    if (args.check or args.update) and (args.limit or args.project_only):
        parser.error("--check and --update need the whole set and every extractor (no --limit, --project-only)")
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    with tempfile.TemporaryDirectory(prefix="bench-extract-") as tmp:
        pages = load_pages(args.eval, Path(tmp) / "set")[: args.limit]
        runs: list[Run] = []
        settings: list[tuple[str, Callable[[], Run]]] = [
            ("project", lambda: run_project(pages, Path(tmp) / "project")),
            ("trafilatura default", lambda: run_trafilatura(pages, "trafilatura default")),
            (
                "trafilatura favor_precision",
                lambda: run_trafilatura(pages, "trafilatura favor_precision", favor_precision=True),
            ),
            (
                "trafilatura include_comments=False",
                lambda: run_trafilatura(pages, "trafilatura include_comments=False", include_comments=False),
            ),
        ]
        for name, make in settings[:1] if args.project_only else settings:
            started = time.perf_counter()
            runs.append(make())
            print(f"  {name}: {time.perf_counter() - started:.0f} s", file=sys.stderr)
        # The CPU ratio: the project and the default loop alternated, the median of the pairs.
        ratios = [runs[0].cpu_seconds / runs[1].cpu_seconds] if len(runs) > 1 else []
        for repeat in range(1, args.repeats if len(runs) > 1 else 1):
            project_cpu = run_project(pages, Path(tmp) / f"project-{repeat}").cpu_seconds
            ratios.append(project_cpu / run_trafilatura(pages, "trafilatura default").cpu_seconds)
            print(f"  repeat {repeat + 1}: ratio {ratios[-1]:.3f}", file=sys.stderr)
        rows = [(run.name, score(pages, run.outputs), run.cpu_seconds) for run in runs]
        meta = score(pages, trafilatura_metadata(pages)) if not args.project_only else None
        print(_table(rows, len(pages)))
        if meta:
            print(
                f"\ntrafilatura's metadata: title exact {meta['judging']['title_exact']:.3f} (judging), "
                f"{meta['all']['title_exact']:.3f} (all); date exact {meta['judging']['date_exact']:.3f} (judging), "
                f"{meta['all']['date_exact']:.3f} (all)"
            )
        project = runs[0]
        ratio = statistics.median(ratios) if ratios else float("nan")
        spread = (max(ratios) - min(ratios)) / ratio if ratios else float("nan")
        print(
            f"CPU per page, project / trafilatura default: {ratio:.3f} (median of {len(ratios)} alternated "
            f"pairs: {', '.join(f'{r:.3f}' for r in ratios)})"
        )
        reasons = Counter(reason.split(":", 1)[0] for reason in project.rejected.values())
        print(f"\nrejected by the build: {len(project.rejected)} {dict(reasons)}")
        for key, reason in sorted(project.rejected.items()):
            print(f"  {key}: {reason[:140]}")
        removed = removed_must_keep(pages, Path(tmp) / "project")
        print(f"\nmust-keep snippets removed by a cleaning rule: {sum(map(len, removed.values()))}")
        for rule, where in sorted(removed.items()):
            print(f"  {rule}: {len(where)}")
            for line in where[:5]:
                print(f"    {line}")
        ablation = ablate(pages, Path(tmp) / "project" / "pages") if args.ablate else None
        if ablation is not None:
            print("\nF1 change with the rule switched off alone (negative: the rule helps)")
            print(f"  {'rule':<28} {'tuning':>9} {'judging':>9} {'all':>9}")
            for name, delta in ablation.items():
                print(f"  {name:<28} {delta['tuning']:>+9.5f} {delta['judging']:>+9.5f} {delta['all']:>+9.5f}")
        report: dict[str, Any] = {
            "pages": len(pages),
            "runs": {
                name: {"scores": figures, "cpu_ms_per_page": 1000 * cpu / len(pages)} for name, figures, cpu in rows
            },
            "trafilatura_metadata": meta,
            "cpu_ratio_project_vs_trafilatura": round(ratio, 3),
            "cpu_ratios": [round(r, 4) for r in ratios],
            "cpu_ratio_spread": round(spread, 4) if ratios else None,
            "rejected": project.rejected,
            "must_keep_removed": {rule: len(where) for rule, where in removed.items()},
            "ablation_f1_delta": ablation,
        }
        if args.json:
            args.json.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    if args.update and not args.limit and not args.project_only:
        write_baseline(args.baseline, figures_of(report))
        print(f"\nbaseline (extract) written to {args.baseline}")
        return 0
    if args.check:
        problems = regressions(figures_of(report), _baseline(args.baseline))
        for line in problems:
            print(f"REGRESSED: {line}")
        print("\nextract gate: " + ("regressed" if problems else "ok"))
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
