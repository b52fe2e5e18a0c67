"""Generate a synthetic workspace for the release benchmark: a corpus and an annotation log.

Articles are made of sentences from templates whose event triggers and arguments are
known, so annotations are realistic Label Studio results (stance for every target, genre,
triggers with factuality and mode, entities, relations) with controlled disagreement:
each annotator follows the article's "true" labels with some noise, drops or shifts spans
now and then. About 2% of annotations are edited (a second, newer log line), 1% cancelled,
0.5% quarantined by the pull. Deterministic for a given seed.

    python -m bench.release.generate OUT --annotations 1000000 --per-article 4
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
from pathlib import Path
from typing import Any

from bench._project import FACTUALITY, GENRES, STANCE_LABELS, STANCE_TARGETS

PEOPLE = ["Putin", "Erdogan", "Assad", "Lavrov", "Cavusoglu", "Shoigu", "de Mistura", "Kalin"]
GOVS = ["Russia", "Turkey", "the Syrian army", "Damascus", "Ankara", "Moscow", "Iran"]
GROUPS = ["rebel groups", "the militants", "the opposition fighters", "jihadist factions"]
PLACES = ["Aleppo", "Idlib", "Astana", "Geneva", "the M4 highway", "Ramouseh", "Sochi"]
TIMES = ["on Thursday", "on Friday", "last week", "in March", "at midnight"]

# (template, event type, mode, slots): slots fill {0}, {1}, ... and carry (role, entity type)
TEMPLATES: list[tuple[str, str, str | None, list[tuple[str, str, list[str]]]]] = [
    (
        "{0} and {1} agreed on a ceasefire in {2} {3}.",
        "AGREE",
        None,
        [("actor", "PER", PEOPLE), ("recipient", "PER", PEOPLE), ("location", "LOC", PLACES), ("time", "TIME", TIMES)],
    ),
    (
        "{0} held talks with {1} in {2}.",
        "CONSULT",
        "visit",
        [("actor", "PER", PEOPLE), ("recipient", "PER", PEOPLE), ("location", "LOC", PLACES)],
    ),
    (
        "{0} shelled positions of {1} near {2} {3}.",
        "ASSAULT",
        "heavy-weapons",
        [
            ("actor", "GOV", GOVS),
            ("recipient", "ARMED_GROUP", GROUPS),
            ("location", "LOC", PLACES),
            ("time", "TIME", TIMES),
        ],
    ),
    (
        "{0} accused {1} of violating the truce.",
        "ACCUSE",
        None,
        [("actor", "GOV", GOVS), ("recipient", "ARMED_GROUP", GROUPS)],
    ),
    (
        "{0} called for a humanitarian corridor in {1}.",
        "REQUEST",
        None,
        [("actor", "PER", PEOPLE), ("location", "LOC", PLACES)],
    ),
    (
        "{0} sent troops to {1} {2}.",
        "MOBILIZE",
        "troops",
        [("actor", "GOV", GOVS), ("location", "LOC", PLACES), ("time", "TIME", TIMES)],
    ),
]
FILLER = [
    "The war has displaced millions of people since 2011.",
    "Observers said the situation on the ground remained tense.",
    "Aid agencies warned of a growing humanitarian crisis.",
    "The statement gave no further details.",
]
TRIGGER_WORDS = {
    "AGREE": "agreed",
    "CONSULT": "held talks",
    "ASSAULT": "shelled",
    "ACCUSE": "accused",
    "REQUEST": "called for",
    "MOBILIZE": "sent troops",
}


def make_article(rng: random.Random, index: int) -> tuple[str, list[dict[str, Any]]]:
    """Text of one article and its true events (trigger and argument spans)."""
    parts: list[str] = []
    events: list[dict[str, Any]] = []
    cursor = 0
    for n in range(rng.randint(5, 7)):
        if n % 2:
            sentence = rng.choice(FILLER)
        else:
            template, event_type, mode, slots = rng.choice(TEMPLATES)
            values = [rng.choice(choices) for _, _, choices in slots]
            sentence = template.format(*values)
            args = []
            search = 0
            for (role, entity_type, _), value in zip(slots, values, strict=True):
                at = sentence.index(value, search)
                search = at + len(value)
                args.append({"role": role, "type": entity_type, "start": cursor + at, "end": cursor + at + len(value)})
            word = TRIGGER_WORDS[event_type]
            at = sentence.index(word)
            events.append(
                {
                    "type": event_type,
                    "mode": mode,
                    "start": cursor + at,
                    "end": cursor + at + len(word),
                    "factuality": rng.choice(["asserted", "asserted", "claimed"]),
                    "args": args,
                }
            )
        parts.append(sentence)
        cursor += len(sentence) + 1
    text = f"Report {index}. " + " ".join(parts)
    shift = len(f"Report {index}. ")
    for event in events:
        event["start"] += shift
        event["end"] += shift
        for arg in event["args"]:
            arg["start"] += shift
            arg["end"] += shift
    return text, events


def annotate(rng: random.Random, text: str, truth: dict[str, Any]) -> list[dict[str, Any]]:
    """One annotator's Label Studio result for an article, with noise."""
    items: list[dict[str, Any]] = []
    for target, true_label in truth["stance"].items():
        label = true_label if rng.random() <= 0.8 else rng.choice(STANCE_LABELS.names)
        items.append(
            {"from_name": f"stance_{target}", "to_name": "text", "type": "choices", "value": {"choices": [label]}}
        )
    genre = truth["genre"] if rng.random() < 0.9 else rng.choice(GENRES.names)
    items.append({"from_name": "genre", "to_name": "text", "type": "choices", "value": {"choices": [genre]}})
    for i, event in enumerate(truth["events"]):
        if rng.random() > 0.85:
            continue
        start, end = event["start"], event["end"]
        if rng.random() < 0.1:  # a wider span: the word before too
            start = text.rfind(" ", 0, start - 1) + 1
        event_type = event["type"] if rng.random() < 0.92 else rng.choice(list(TRIGGER_WORDS))
        tid = f"t{i}"
        value = {"start": start, "end": end, "text": text[start:end]}
        items.append(
            {
                "id": tid,
                "from_name": "trigger",
                "to_name": "text",
                "type": "labels",
                "value": {**value, "labels": [event_type]},
            }
        )
        factuality = event["factuality"] if rng.random() < 0.85 else rng.choice(FACTUALITY.names)
        items.append(
            {
                "id": tid,
                "from_name": "factuality",
                "to_name": "text",
                "type": "choices",
                "value": {**value, "choices": [factuality]},
            }
        )
        if event["mode"] and event_type == event["type"] and rng.random() < 0.9:
            items.append(
                {
                    "id": tid,
                    "from_name": f"mode_{event_type.lower()}",
                    "to_name": "text",
                    "type": "choices",
                    "value": {**value, "choices": [event["mode"]]},
                }
            )
        for j, arg in enumerate(event["args"]):
            if rng.random() > 0.8:
                continue
            eid = f"e{i}_{j}"
            items.append(
                {
                    "id": eid,
                    "from_name": "entity",
                    "to_name": "text",
                    "type": "labels",
                    "value": {
                        "start": arg["start"],
                        "end": arg["end"],
                        "text": text[arg["start"] : arg["end"]],
                        "labels": [arg["type"]],
                    },
                }
            )
            items.append(
                {"type": "relation", "from_id": tid, "to_id": eid, "direction": "right", "labels": [arg["role"]]}
            )
    return items


def generate(out: Path, annotations: int, per_article: int, annotators: int = 24, seed: int = 7) -> dict[str, Any]:
    """Write ``out/workspace`` (corpus 1.0.0 and annotations/log.jsonl); return counts."""
    import datasets
    import pyarrow as pa

    from bench._project import CORPUS_FEATURES, LoggedAnnotation, Workspace

    rng = random.Random(seed)
    workspace = Workspace(out / "workspace")
    n_articles = annotations // per_article
    names = [f"annotator-{i:02d}" for i in range(annotators)]
    rows: dict[str, list[Any]] = {name: [] for name in CORPUS_FEATURES}
    workspace.log_path.parent.mkdir(parents=True, exist_ok=True)
    lines = 0
    with open(workspace.log_path, "w", encoding="utf-8") as log:
        for index in range(n_articles):
            text, events = make_article(rng, index)
            digest = hashlib.sha256(text.encode()).hexdigest()
            article_id = f"a-{digest[:16]}"
            story = f"s-{index // 3:07d}"  # three articles per story
            for name, value in (
                ("article_id", article_id),
                ("title", f"Report {index}"),
                ("outlet", f"Outlet {index % 7}"),
                ("url", f"https://example.org/{index}"),
                ("published_date", None),
                ("fetched_date", None),
                ("language", "en"),
                ("text", text),
                ("text_sha256", digest),
                ("story_id", story),
                ("quality_flags", []),
                ("removed", []),
                ("source_file", f"articles/{index}.txt"),
                ("corpus_version", "1.0.0"),
            ):
                rows[name].append(value)
            truth = {
                "stance": {t: rng.choice(STANCE_LABELS.names) for t in STANCE_TARGETS.names},
                "genre": rng.choice(GENRES.names),
                "events": events,
            }
            for who in rng.sample(names, per_article):
                entry = LoggedAnnotation(
                    annotation_id=f"{index}-{who}",
                    task_id=index,
                    article_id=article_id,
                    text_sha256=digest,
                    corpus_version="1.0.0",
                    annotator=who,
                    created_at="2024-03-01T10:00:00Z",
                    updated_at="2024-03-01T10:05:00Z",
                    lead_time=round(rng.uniform(30, 600), 1),
                    was_cancelled=rng.random() < 0.01,
                    ground_truth=rng.random() < 0.02,
                    result=annotate(rng, text, truth),
                )
                if rng.random() < 0.005:
                    entry.status = "quarantined"
                    entry.quarantine_reasons = ["span_text_mismatch"]
                log.write(entry.to_json() + "\n")
                lines += 1
                if rng.random() < 0.02:  # edited later in Label Studio
                    entry.updated_at = "2024-03-02T09:00:00Z"
                    entry.result = annotate(rng, text, truth)
                    log.write(entry.to_json() + "\n")
                    lines += 1
    table = pa.Table.from_pydict(rows, schema=CORPUS_FEATURES.arrow_schema)
    info = datasets.DatasetInfo(version="1.0.0", features=CORPUS_FEATURES)
    datasets.Dataset(table, info=info).save_to_disk(str(workspace.corpus_dir("1.0.0")))
    counts = {
        "articles": n_articles,
        "annotations": n_articles * per_article,
        "log_lines": lines,
        "log_bytes": workspace.log_path.stat().st_size,
    }
    (out / "generated.json").write_text(json.dumps(counts, indent=2))
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--annotations", type=int, default=1_000_000)
    parser.add_argument("--per-article", type=int, default=4)
    args = parser.parse_args()
    print(json.dumps(generate(args.out, args.annotations, args.per_article)))


if __name__ == "__main__":
    main()
