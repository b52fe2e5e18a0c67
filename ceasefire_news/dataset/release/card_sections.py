"""The body of the dataset card, section by section, from the manifest and ``schema/``.

Structure, sources and outlets, collection and cleaning, the annotation scheme (tables
generated from :mod:`ceasefire_news.schema.labels`), annotation process and provenance,
agreement, splits and label distributions. :func:`body_sections` gives them by name, without
headings; the card places them under the Hub template's sections. Long tables are bounded
(:func:`bounded_table`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ceasefire_news.dataset.release.agreement import format_measure
from ceasefire_news.dataset.release.card_text import CONFIG_DESCRIPTIONS
from ceasefire_news.schema.labels import (
    ENTITY_TYPES,
    EVENT_MODES,
    EVENT_TYPES,
    FACTUALITY,
    GENRES,
    PROVENANCE,
    QUALITY_FLAGS,
    ROLES,
    STANCE_LABELS,
    STANCE_TARGETS,
    TEXT_FLAGS,
    Vocabulary,
)
from ceasefire_news.schema.records import UNKNOWN_OUTLET


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def table(header: list[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(_cell(h) for h in header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


#: Rows a card table shows at most; the rest are counted and left to ``manifest.json``.
TABLE_ROWS = 20


def bounded_table(header: list[str], rows: Sequence[Sequence[object]], what: str, where: str) -> str:
    """A Markdown table of the first :data:`TABLE_ROWS` rows, and a line naming how many more
    there are and where ``manifest.json`` lists them all."""
    shown = table(header, rows[:TABLE_ROWS])
    if len(rows) <= TABLE_ROWS:
        return shown
    return (
        shown + f"\n\n... and {len(rows) - TABLE_ROWS} more {what}: all {len(rows)} are in `manifest.json` ({where})."
    )


def vocabulary_table(vocabulary: Vocabulary) -> str:
    """``id | label | definition`` for one vocabulary, in ``ClassLabel`` order."""
    return table(
        ["id", "label", "definition"], [[i, f"`{lab.name}`", lab.description] for i, lab in enumerate(vocabulary)]
    )


def _structure(manifest: dict[str, Any]) -> str:
    rows = []
    for name, entry in manifest["configs"].items():
        splits = entry["splits"]
        rows.append(
            [
                f"`{name}`" + (" (default)" if entry["default"] else ""),
                CONFIG_DESCRIPTIONS[name],
                splits.get("train", 0),
                splits.get("validation", 0),
                splits.get("test", 0),
            ]
        )
    empty = [name for name, entry in manifest["configs"].items() if not entry["rows"]]
    note = (
        f"\n\nConfigs without rows in this release (no annotations yet), not declared above: {', '.join(empty)}."
        if empty
        else ""
    )
    return (
        table(["config", "one row per ...", "train", "validation", "test"], rows)
        + note
        + "\n\n```python\nfrom datasets import load_dataset\n\n"
        + 'stance = load_dataset("path/or/hub-id", "stance", split="train")\n'
        + 'label_names = stance.features["label"].names\n```\n\n'
        + "Spans are Python code-point offsets into the article's `text`, end exclusive: "
        + "`text[start:end]` equals the span's `text` everywhere. Labels are `ClassLabel` ids; "
        + "`features[column].names` gives their names."
    )


def _sources(manifest: dict[str, Any]) -> str:
    corpus = manifest["corpus"]
    by_size = sorted(corpus["outlets"].items(), key=lambda item: (-item[1], item[0]))
    outlets = bounded_table(["outlet", "articles"], by_size, "outlets", "`corpus.outlets`")
    published = corpus["published"]
    span = (
        f"Publication dates run from {published['first']} to {published['last']} (where the page gave one)."
        if published["first"]
        else "No publication date could be read from the pages."
    )
    sources = ""
    if corpus["sources"]:
        sources = "\n\nRaw inputs of corpus version {v}:\n\n".format(v=manifest["corpus_version"]) + bounded_table(
            ["file", "bytes", "sha256"],
            [[s["file"], s["bytes"], f"`{s['sha256']}`"] for s in corpus["sources"]],
            "raw inputs",
            "`corpus.sources`",
        )
    unknown = corpus["outlets"].get(UNKNOWN_OUTLET, 0)
    named = len(corpus["outlets"]) - (1 if unknown else 0)
    without = (
        " (1 article names no outlet in its text or URL)"
        if unknown == 1
        else f" ({unknown} articles name no outlet in their text or URL)"
    )
    return (
        f"{corpus['articles']} articles in {corpus['stories']} stories from {named} named "
        f"outlet{'' if named == 1 else 's'}{without if unknown else ''}. {span}\n\n{outlets}{sources}"
    )


def _cleaning(manifest: dict[str, Any]) -> str:
    corpus = manifest["corpus"]
    rules = corpus["cleaning_rules"]
    rule_list = ", ".join(f"`{v}`" for v in sorted(rules.values())) if rules else "(not recorded)"
    stories = corpus["stories_method"]
    story_text = (
        f"Stories (near-duplicates and syndicated copies) are found with `{stories.get('method')}`: MinHash over "
        f"word {stories.get('shingle_words')}-shingles ({stories.get('num_perm')} permutations, LSH "
        f"{stories.get('bands')} x {stories.get('rows')}, Jaccard threshold {stories.get('threshold')}) or a shared "
        f"paragraph of at least {stories.get('min_paragraph_words')} words."
        if stories
        else "Stories group near-duplicate articles."
    )
    flags = table(
        ["flag", "articles", "meaning"],
        [[f"`{f.name}`", corpus["text_flags"].get(f.name, 0), f.description] for f in TEXT_FLAGS],
    )
    return (
        "The raw articles are scraped web pages, noise and all: navigation, related headlines, comment forms, "
        "PHP dumps, captions. `ceasefire-news build` cleans them with small named rules, each versioned; what a "
        "rule removes is kept in the `removed` column with its offsets in the raw text and the rule's name, so "
        "nothing is lost silently. Metadata (title, outlet, URL, date, language) is read from the page.\n\n"
        f"Cleaning rules of this corpus version: {rule_list}.\n\n"
        f"Article ids are derived from the content ({corpus.get('article_id') or 'a hash of the clean text'}). "
        f"{story_text}\n\nFlags the build sets from what the text shows (`articles.quality_flags`):\n\n{flags}"
    )


def _scheme() -> str:
    modes = table(
        ["event type", "modes"],
        [[f"`{t}`", ", ".join(f"`{m.name}` ({m.description.rstrip('.')})" for m in v)] for t, v in EVENT_MODES.items()],
    )
    parts = [
        "Generated from `schema/labels.py`, the single source of every label list. The ids are the `ClassLabel` "
        "ids of the Parquet columns.",
        f"#### Stance targets ({STANCE_TARGETS.standard})\n\n{vocabulary_table(STANCE_TARGETS)}",
        f"#### Stance labels\n\nOne judgment per target: the article's own voice, not the quoted sources'. Each "
        f"judgment may cite evidence spans (loaded wording).\n\n{vocabulary_table(STANCE_LABELS)}",
        f"#### Genre ({GENRES.standard})\n\n{vocabulary_table(GENRES)}",
        f"#### Event types ({EVENT_TYPES.standard})\n\nA trigger span with one type, an optional mode and a "
        f"factuality.\n\n{vocabulary_table(EVENT_TYPES)}",
        f"#### Event modes ({EVENT_TYPES.standard})\n\nA mode is valid only for its event type.\n\n{modes}",
        f"#### Factuality\n\n{vocabulary_table(FACTUALITY)}",
        f"#### Argument entity types\n\n{vocabulary_table(ENTITY_TYPES)}",
        f"#### Argument roles\n\nAn entity span linked to a trigger by a relation whose label is the role.\n\n"
        f"{vocabulary_table(ROLES)}",
        f"#### Article quality flags (set by annotators)\n\n{vocabulary_table(QUALITY_FLAGS)}",
        f"#### Provenance\n\n{vocabulary_table(PROVENANCE)}",
    ]
    return "\n\n".join(parts)


def _process(manifest: dict[str, Any]) -> str:
    annotations = manifest["annotations"]
    adjudication = manifest["adjudication"]
    dist = manifest["distributions"]["provenance"]
    prov_rows = [
        [unit, *(counts.get(p, 0) for p in PROVENANCE.names)] for unit, counts in dist.items() if sum(counts.values())
    ]
    raw = annotations["by_provenance"]
    machine_all = (
        all(sum(v for k, v in c.items() if k != "machine") == 0 for c in dist.values())
        and raw.get("human", 0) == 0
        and raw.get("adjudicated", 0) == 0
    )
    headline = (
        "**Every label in this release is machine-generated: no human annotation has been released yet.** "
        "The labels of the seed articles come from the embedded annotations shipped with the package "
        '(`annotations_raw.source = "embedded"`), made by following the annotation scheme but not in the '
        "labeling loop; they are marked `machine`."
        if machine_all
        else "Labels that no human made are marked `machine`; the table counts the labels by provenance."
    )
    status = table(["status", "annotations"], [[f"`{k}`", v] for k, v in annotations["by_status"].items()])
    origins = annotations.get("human_regions_by_origin", {})
    regions = sum(origins.values())
    if regions:
        kept = origins.get("prediction", 0)
        headline += (
            f"\n\nSpan regions in the human annotations, by their Label Studio origin: {regions} in all; "
            f"{origins.get('manual', 0)} drawn by the annotator, {origins.get('prediction-changed', 0)} "
            f"pre-annotations the annotator changed, {kept} pre-annotations submitted unchanged "
            f"({100 * kept / regions:.1f}%), {origins.get('unknown', 0)} without an origin (imported from elsewhere). "
            "The guidelines ask annotators to check every pre-annotation, and a submitted one counts as the "
            "annotator's label (provenance `human`); agreement between annotators who both kept a pre-annotation "
            "may be higher than it would be without them."
        )
    policy = "\n".join(f"{i}. {line}" for i, line in enumerate(adjudication["policy"], start=1))
    reasons = (
        ", ".join(f"{k}: {v}" for k, v in adjudication["review_by_reason"].items())
        if adjudication["review_items"]
        else "none"
    )
    return (
        "Annotators work in Label Studio with a labeling config generated from `schema/`, pre-annotations and the "
        "guidelines. Every annotation pulled or imported is appended to the workspace annotation log after a "
        "span-integrity check: each region must equal its slice of the article text; provably shifted offsets "
        "(emoji, CRLF, repeated spaces) are repaired, the rest is quarantined with a reason code. The release "
        "checks every region again against the corpus text before adjudicating.\n\n"
        f"{headline}\n\n"
        + table(["labels", *PROVENANCE.names], prov_rows)
        + f"\n\nAnnotations released in `annotations_raw`: {annotations['released']} "
        f"({annotations['embedded']} embedded seed annotations; {annotations['superseded_versions']} older versions "
        f"of edited annotations superseded; {annotations['not_in_corpus']} annotations of articles outside this "
        f"corpus version left out; {annotations['log_unreadable_lines']} unreadable log lines).\n\n"
        + status
        + f"\n\n##### Adjudication policy\n\n{policy}\n\n"
        f"Units sent to review in this release: {adjudication['review_items']} ({reasons}), in "
        f"{adjudication['articles_needing_review']} articles."
    )


def _agreement(manifest: dict[str, Any]) -> str:
    agreement = manifest["agreement"]
    rows = [[f"stance alpha: `{t}`", format_measure(m)] for t, m in agreement["stance_alpha"].items()]
    rows += [
        ["genre alpha", format_measure(agreement["genre_alpha"])],
        ["trigger span F1, exact", format_measure(agreement["trigger_span_f1"]["exact"])],
        ["trigger span F1, overlap", format_measure(agreement["trigger_span_f1"]["overlap"])],
        ["entity span F1, exact", format_measure(agreement["entity_span_f1"]["exact"])],
        ["entity span F1, overlap", format_measure(agreement["entity_span_f1"]["overlap"])],
        ["event-type alpha on matched triggers", format_measure(agreement["event_type_alpha"])],
        ["role F1 on matched events", format_measure(agreement["role_f1"])],
    ]
    per_item = ", ".join(f"{n} annotators: {count} articles" for n, count in agreement["annotators_per_item"].items())
    return (
        f"Computed over human annotations only ({agreement['human_annotators']} human annotators); machine labels "
        "never count. Krippendorff's alpha is nominal (`krippendorff` package); span F1 is averaged over annotator "
        "pairs, on the articles both annotated; spans are matched by the overlap clustering of adjudication.\n\n"
        + table(["measure", "value"], rows)
        + f"\n\nHuman annotators per article: {per_item or 'no articles'}."
    )


def _splits(manifest: dict[str, Any]) -> str:
    method = manifest["splits"]
    ratios = ", ".join(f"{k} {v:.0%}" for k, v in method["ratios"].items())
    return (
        f"Splits are assigned by `story_id` with a salted hash (`{method['method']}`, salt `{method['salt']}`; "
        f"target shares {ratios} of stories): all articles of a story share a split, an article keeps its split "
        "across versions, and a new copy of an old story joins that story's split. With few stories the shares "
        "are far from the targets."
    )


def _distributions(manifest: dict[str, Any]) -> str:
    dist = manifest["distributions"]
    stance = table(
        ["target", *STANCE_LABELS.names],
        [[f"`{t}`", *(c.get(label, 0) for label in STANCE_LABELS.names)] for t, c in dist["stance"].items()],
    )
    events = table(["event type", "events"], [[f"`{t}`", n] for t, n in dist["event_type"].items() if n])
    other = table(
        ["label", "count"],
        [[f"genre `{k}`", v] for k, v in dist["genre"].items() if v]
        + [[f"factuality `{k}`", v] for k, v in dist["factuality"].items()]
        + [[f"role `{k}`", v] for k, v in dist["role"].items() if v]
        + [[f"annotation flag `{k}`", v] for k, v in dist["annotation_flags"].items() if v],
    )
    plots = manifest.get("plots", {})
    images = "\n".join(f"![{name}]({path})" for name, path in plots.items())
    return (
        "Gold labels over all splits (tied labels are not counted).\n\n"
        f"{stance}\n\n{events or 'No events.'}\n\n{other}\n\n"
        + (f"Plots (in the release folder):\n\n{images}" if images else "")
    )


def body_sections(manifest: dict[str, Any]) -> dict[str, str]:
    """The parts of the card made from the manifest and ``schema/``, without their headings
    (the card places them under the Hub template's), by name."""
    return {
        "structure": _structure(manifest),
        "sources": _sources(manifest),
        "cleaning": _cleaning(manifest),
        "scheme": _scheme(),
        "process": _process(manifest),
        "agreement": _agreement(manifest),
        "splits": _splits(manifest),
        "distributions": _distributions(manifest),
    }
