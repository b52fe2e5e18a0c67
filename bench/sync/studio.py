"""Benchmark of the Label Studio round trip at 20,000 tasks, against a real server.

Each pair is measured in the same run, on the same server:

1. **export**: our ``push`` (``ceasefire-news export --url``) of N tasks with their
   predictions, against a raw SDK bulk import (``LabelStudio.projects.import_tasks``) of
   the same payload into a second project. Target: ours at most 1.2 times the SDK's.
   The payload (tasks file with pre-annotations) is built first and timed on its own:
   both sides send the same bytes.
2. **pull**: our incremental ``pull`` after 100 new annotations, against a full JSON
   export of the project (``GET /api/projects/ID/export?exportType=JSON``). Target: at
   most 1/20 of the export's time.
3. **peak RSS** of each of our steps: every timed step runs in its own Python process
   and reports its own ``ru_maxrss``.

The corpus is synthetic and deterministic: N short articles (3 to 6 sentences) drawn
from the sentences of the embedded seed articles, written as corpus version 1.0.0.

    python bench/sync/studio.py                      # 20,000 tasks, a fresh local server
    python bench/sync/studio.py --tasks 2000         # quicker
    python bench/sync/studio.py --url URL            # an existing server (LABEL_STUDIO_API_KEY)

Results go to ``bench/out/sync/results.json`` and a table on stdout.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._project import CORPUS_FEATURES, Workspace, studio  # noqa: E402

EXPORT_TARGET = 1.2
PULL_TARGET = 1 / 20


def seed_sentences() -> list[str]:
    """Sentences of the embedded seed articles, long enough to read as news."""
    embedded_sources = studio().embedded_sources

    sentences: list[str] = []
    for path in embedded_sources():
        text = path.read_text(encoding="utf-8")
        for piece in re.split(r"(?<=[.!?])\s+", text):
            sentence = " ".join(piece.split())
            if 40 <= len(sentence) <= 300 and not sentence.startswith(("string(", "[", "{")):
                sentences.append(sentence)
    return sorted(set(sentences))


def write_corpus(workspace: Workspace, count: int, seed: int = 7) -> None:
    """N synthetic articles as corpus version 1.0.0 (loadable with ``load_corpus``)."""
    import datasets

    rng = random.Random(seed)
    sentences = seed_sentences()
    rows: dict[str, list[Any]] = {name: [] for name in CORPUS_FEATURES}
    for i in range(count):
        text = f"Report {i}. " + " ".join(rng.sample(sentences, rng.randint(3, 6)))
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        row = {
            "article_id": f"a-{sha[:16]}",
            "title": f"Bench article {i}",
            "outlet": rng.choice(["Example News", "Press Wire", "Daily Bench"]),
            "url": f"https://bench.example/{i}",
            "published_date": None,
            "fetched_date": None,
            "language": "en",
            "text": text,
            "text_sha256": sha,
            "story_id": f"s-{i:06d}",
            "quality_flags": [],
            "removed": [],
            "source_file": "bench",
            "corpus_version": "1.0.0",
        }
        for name, column in rows.items():
            column.append(row[name])
    info = datasets.DatasetInfo(version="1.0.0", description="synthetic bench corpus", features=CORPUS_FEATURES)
    dataset = datasets.Dataset.from_dict(rows, features=CORPUS_FEATURES, info=info)
    dataset.save_to_disk(str(workspace.corpus_dir("1.0.0")))


# --- steps, each in its own process -----------------------------------------------------------

STEP = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from bench._project import Workspace, studio
api = studio()
ws = Workspace(Path({workspace!r}))
step = {step!r}
import os
url, token = os.environ.get("BENCH_URL", ""), os.environ.get("LABEL_STUDIO_API_KEY", "")
out = {{}}
if step == "tasks":
    t = time.perf_counter(); path, build = api.ensure_tasks_file(ws); out["seconds"] = time.perf_counter() - t
    out["bytes"] = path.stat().st_size
elif step == "sdk_import":
    from label_studio_sdk import LabelStudio
    path, _ = api.ensure_tasks_file(ws)
    tasks = list(api.iter_tasks_file(path))
    sdk = LabelStudio(base_url=url, api_key=token, timeout=3600)
    project = sdk.projects.create(title="bench raw SDK import", label_config=api.label_config())
    t = time.perf_counter()
    answer = sdk.projects.import_tasks(id=project.id, request=tasks)
    out["seconds"] = time.perf_counter() - t
    out["project_id"] = project.id
    out["tasks"] = answer.task_count
elif step == "push":
    t = time.perf_counter(); report = api.push(ws, url, token); out["seconds"] = time.perf_counter() - t
    out["project_id"] = report.project_id
    out["tasks"] = report.tasks_created
    out["batches"] = report.batches
elif step == "pull":
    t = time.perf_counter(); report = api.pull(ws, url, token); out["seconds"] = time.perf_counter() - t
    out["tasks"] = report.tasks
    out["server_seconds"] = report.server_seconds
    out["new"] = report.new
    out["unchanged"] = report.unchanged
elif step == "export":
    import httpx
    project_id = json.loads(ws.state_path.read_text())["project_id"]
    t = time.perf_counter()
    size = 0
    with httpx.Client(base_url=url, headers={{"Authorization": "Token " + token}}, timeout=3600) as client:
        with client.stream("GET", f"/api/projects/{{project_id}}/export",
                           params={{"exportType": "JSON", "download_all_tasks": "true"}}) as answer:
            answer.raise_for_status()
            for chunk in answer.iter_bytes():
                size += len(chunk)
    out["seconds"] = time.perf_counter() - t
    out["bytes"] = size
out["peak_rss_mb"] = int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]) / 1024
print("RESULT " + json.dumps(out))
"""


def run_step(step: str, workspace: Workspace, url: str, token: str) -> dict[str, Any]:
    code = STEP.format(root=str(ROOT), workspace=str(workspace.root), step=step)
    env = {**os.environ, "BENCH_URL": url, "LABEL_STUDIO_API_KEY": token}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"step {step} failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(lines[-1].removeprefix("RESULT "))
    print(f"  {step:<11} {result['seconds']:8.2f} s   peak RSS {result['peak_rss_mb']:7.1f} MB   {result}", flush=True)
    return result


def annotate(url: str, token: str, project_id: int, count: int, seed: int = 11) -> None:
    """``count`` annotations on distinct tasks, as a person would make them (one request each)."""
    import httpx

    with httpx.Client(base_url=url, headers={"Authorization": f"Token {token}"}, timeout=120) as client:
        ids: list[int] = []
        page = 1
        while len(ids) < count * 5:
            answer = client.get(
                "/api/tasks/", params={"project": project_id, "page": page, "page_size": 1000, "include": "id"}
            )
            batch = answer.json().get("tasks", []) if answer.status_code == 200 else []
            ids += [task["id"] for task in batch]
            if len(batch) < 1000:
                break
            page += 1
        for task_id in random.Random(seed).sample(ids, count):
            result = [
                {"from_name": "stance_russia", "to_name": "text", "type": "choices", "value": {"choices": ["neutral"]}}
            ]
            answer = client.post(f"/api/tasks/{task_id}/annotations/", json={"result": result, "lead_time": 5.0})
            answer.raise_for_status()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=20_000)
    parser.add_argument("--annotations", type=int, default=100)
    parser.add_argument("--url", default=None, help="an existing server (token from LABEL_STUDIO_API_KEY)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "sync")
    args = parser.parse_args(argv)

    api = studio()
    StudioServer, free_port = api.StudioServer, api.free_port

    with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp:
        workspace = Workspace(Path(tmp) / "workspace")
        started = time.perf_counter()
        write_corpus(workspace, args.tasks)
        print(f"corpus of {args.tasks} articles written in {time.perf_counter() - started:.1f} s", flush=True)

        server: Any = None
        url = args.url
        token = os.environ.get("LABEL_STUDIO_API_KEY", "")
        if url is None:
            server = StudioServer(Path(tmp) / "label-studio", port=free_port(), admin_email="bench@example.com")
            started = time.perf_counter()
            server.start()
            print(f"Label Studio started in {time.perf_counter() - started:.1f} s at {server.url}", flush=True)
            url, token = server.url, server.token
        try:
            results: dict[str, Any] = {"tasks": args.tasks, "annotations": args.annotations}
            print("steps (each in its own process):", flush=True)
            results["build_tasks"] = run_step("tasks", workspace, url, token)
            results["sdk_import"] = run_step("sdk_import", workspace, url, token)
            results["push"] = run_step("push", workspace, url, token)
            results["first_pull"] = run_step("pull", workspace, url, token)
            time.sleep(4)  # the next pull's window starts at the first pull's start, less 3 s
            project_id = int(results["push"]["project_id"])
            started = time.perf_counter()
            annotate(url, token, project_id, args.annotations)
            print(f"  {args.annotations} annotations made in {time.perf_counter() - started:.1f} s", flush=True)
            results["pull"] = run_step("pull", workspace, url, token)
            results["full_export"] = run_step("export", workspace, url, token)
        finally:
            if server is not None:
                server.stop()

    export_ratio = results["push"]["seconds"] / results["sdk_import"]["seconds"]
    pull_ratio = results["pull"]["seconds"] / results["full_export"]["seconds"]
    results["export_ratio"] = export_ratio
    results["pull_ratio"] = pull_ratio
    results["export_target_met"] = export_ratio <= EXPORT_TARGET
    results["pull_target_met"] = pull_ratio <= PULL_TARGET
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")

    print()
    print(f"{'measure':<46}{'seconds':>10}{'peak RSS MB':>13}")
    for label, key in (
        ("tasks file (pre-annotation + validation)", "build_tasks"),
        ("raw SDK bulk import", "sdk_import"),
        ("our export --url (push)", "push"),
        ("our first pull (whole project)", "first_pull"),
        (f"our pull after {args.annotations} new annotations", "pull"),
        ("full JSON export of the project", "full_export"),
    ):
        print(f"{label:<46}{results[key]['seconds']:>10.2f}{results[key]['peak_rss_mb']:>13.1f}")
    verdict = {True: "met", False: "MISSED"}
    export_ok, pull_ok = export_ratio <= EXPORT_TARGET, pull_ratio <= PULL_TARGET
    print(f"export / SDK import = {export_ratio:.2f} (target <= {EXPORT_TARGET}) {verdict[export_ok]}")
    print(f"pull / full export  = {pull_ratio:.3f} (target <= {PULL_TARGET:.3f}) {verdict[pull_ok]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
