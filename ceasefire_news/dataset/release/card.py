"""The dataset card (``README.md`` of a release), generated from ``schema/`` and the manifest.

The YAML header is built with ``huggingface_hub``'s ``DatasetCardData`` and ``datasets``'
``DatasetInfosDict``: the Hub's metadata computed from the release (languages, annotation
creators from provenance, size), one config per non-empty release config (``articles`` is the
default) with its data files, and ``dataset_info`` with the features and the rows of each
split, so that ``load_dataset`` gives ``ClassLabel`` columns. The body has the sections of the
Hub's dataset card template, in its order: facts from the manifest and ``schema/``
(:mod:`.card_sections`) and the project's prose for the rest (:mod:`.card_text`). Nothing in it
depends on the clock, the machine or the Parquet writer's version.

The committed ``DATASET_CARD.md`` is this card for the release of the embedded seed articles
(:mod:`ceasefire_news.dataset.release.seed_card` regenerates it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from datasets import DatasetInfo, SplitDict, SplitInfo
from datasets.info import DatasetInfosDict
from huggingface_hub import DatasetCard, DatasetCardData

from ceasefire_news.dataset.corpus.workspace import atomic_write_bytes, atomic_write_text
from ceasefire_news.dataset.release.card_sections import body_sections
from ceasefire_news.dataset.release.card_text import (
    ANNOTATORS,
    CITATION,
    CONTACT,
    CREATOR,
    CURATED_BY,
    CURATION_RATIONALE,
    DIRECT_USE,
    GLOSSARY,
    HUB_LICENSE,
    LICENSE_FILE,
    LICENSE_STATEMENT,
    LICENSE_TEXT,
    LIMITATIONS,
    OUT_OF_SCOPE,
    PERSONAL_INFORMATION,
    PLOTS,
    PRETTY_NAME,
    RECOMMENDATIONS,
    SOURCE_PRODUCERS,
    SOURCES,
    SUMMARY,
)
from ceasefire_news.schema.labels import EVENT_TYPES, FACTUALITY, GENRES, STANCE_LABELS, STANCE_TARGETS
from ceasefire_news.schema.records import DEFAULT_CONFIG, RELEASE_CONFIGS


def size_category(n: int) -> str:
    """The Hub's ``size_categories`` value for ``n`` rows."""
    for bound, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")):
        if n < bound:
            return name
    return "1M<n<10M"


def languages(manifest: dict[str, Any]) -> list[str]:
    """The languages of the release's articles (ISO 639-1, as the build detected them)."""
    return sorted(lang for lang in manifest["corpus"].get("languages", {}) if lang != "und")


def annotations_creators(manifest: dict[str, Any]) -> list[str]:
    """The Hub's ``annotations_creators``, from the provenance of the released annotations."""
    raw = manifest["annotations"]["by_provenance"]
    creators = []
    if raw.get("human", 0) or raw.get("adjudicated", 0):
        creators.append("expert-generated")
    if raw.get("machine", 0):
        creators.append("machine-generated")
    return creators or ["no-annotation"]


def timeframe(manifest: dict[str, Any]) -> tuple[str, str] | None:
    """The first and last day the release's data shows: publication and annotation days (the
    data's dates, never the clock's, so a release made again is the same)."""
    days = [
        *manifest["corpus"]["published"].values(),
        *manifest["annotations"].get("days", {}).values(),
    ]
    known = sorted(d[:10] for d in days if d)
    return (known[0], known[-1]) if known else None


def citation_year(manifest: dict[str, Any]) -> str:
    """The year of the release's latest annotation or publication day."""
    frame = timeframe(manifest)
    return frame[1][:4] if frame else "n.d."


def card_data(manifest: dict[str, Any]) -> DatasetCardData:
    """The YAML header: the Hub's metadata, the configs with their data files, and ``dataset_info``
    (features and split sizes in rows) through ``datasets``' own writer."""
    configs, infos = [], {}
    for name, entry in manifest["configs"].items():
        if not entry["rows"]:
            continue
        config: dict[str, Any] = {"config_name": name}
        if name == DEFAULT_CONFIG:
            config["default"] = True
        config["data_files"] = [{"split": s, "path": f"data/{name}/{s}-*.parquet"} for s in entry["splits"]]
        configs.append(config)
        splits = SplitDict()
        for split, rows in entry["splits"].items():
            # No byte counts: they depend on the Parquet writer's version, the card must not.
            splits.add(SplitInfo(name=split, num_examples=rows))
        infos[name] = DatasetInfo(features=RELEASE_CONFIGS[name], splits=splits, config_name=name)
    langs = languages(manifest)
    data = DatasetCardData(
        pretty_name=PRETTY_NAME,
        language=langs or None,
        license=HUB_LICENSE["license"],
        license_name=HUB_LICENSE["license_name"],
        license_link=HUB_LICENSE["license_link"],
        annotations_creators=annotations_creators(manifest),
        language_creators=["found"],
        multilinguality=["monolingual" if len(langs) <= 1 else "multilingual"],
        source_datasets=["original"],
        task_categories=["text-classification", "token-classification"],
        task_ids=["multi-class-classification", "named-entity-recognition"],
        tags=["news", "stance-detection", "event-extraction", "plover", "syria", "ceasefire", "label-studio"],
        size_categories=[size_category(manifest["corpus"]["articles"])],
        configs=configs,
    )
    DatasetInfosDict(infos).to_dataset_card_data(data)
    return data


def _details(manifest: dict[str, Any]) -> str:
    version = manifest["version"]
    langs = ", ".join(languages(manifest)) or "not detected"
    return (
        f"### Dataset Description\n\n{SUMMARY}\n\nRelease {version} of corpus version {manifest['corpus_version']} "
        f"(schema {manifest['schema_version']}): {manifest['corpus']['articles']} articles, "
        f"{manifest['configs']['stance']['rows']} stance judgments, {manifest['configs']['events']['rows']} events, "
        f"{manifest['configs']['annotations_raw']['rows']} raw annotations. Built with the `ceasefire-news` package: "
        "raw articles -> corpus -> Label Studio -> annotation log -> this release.\n\n"
        f"- **Curated by:** {CURATED_BY}\n- **Language(s) (NLP):** {langs}\n- **License:** {LICENSE_STATEMENT}\n\n"
        f"### Dataset Sources\n\n{SOURCES}"
    )


def render_card(manifest: dict[str, Any]) -> str:
    """The whole card text (YAML header and Markdown body) of a release, in the sections of the
    Hub's dataset card template."""
    version = manifest["version"]
    part = body_sections(manifest)
    humans = manifest["agreement"]["human_annotators"]
    body = [
        f"# Dataset Card for {PRETTY_NAME}",
        "## Dataset Details\n\n" + _details(manifest),
        f"## Uses\n\n### Direct Use\n\n{DIRECT_USE}\n\n### Out-of-Scope Use\n\n{OUT_OF_SCOPE}",
        "## Dataset Structure\n\n"
        + part["structure"]
        + "\n\n### Splits\n\n"
        + part["splits"]
        + "\n\n### Annotation scheme\n\n"
        + part["scheme"]
        + "\n\n### Label distributions\n\n"
        + part["distributions"],
        f"## Dataset Creation\n\n### Curation Rationale\n\n{CURATION_RATIONALE}\n\n### Source Data\n\n"
        f"#### Data Collection and Processing\n\n{part['cleaning']}\n\n"
        f"#### Who are the source data producers?\n\n{SOURCE_PRODUCERS}\n\n{part['sources']}\n\n"
        f"### Annotations\n\n#### Annotation process\n\n{part['process']}\n\n##### Agreement\n\n"
        f"{part['agreement']}\n\n#### Who are the annotators?\n\n{ANNOTATORS} Human annotators in this release: "
        f"{humans}.\n\n#### Personal and Sensitive Information\n\n{PERSONAL_INFORMATION}",
        "## Bias, Risks, and Limitations\n\n"
        + "\n\n".join(f"- {item}" for item in LIMITATIONS)
        + f"\n\n### Recommendations\n\n{RECOMMENDATIONS}",
        "## Citation\n\n**BibTeX:**\n\n```bibtex\n" + citation(manifest) + "\n```",
        f"## Glossary\n\n{GLOSSARY}",
        "## More Information\n\n`data/<config>/<split>-*.parquet` (Parquet, zstd), `croissant.json` (Croissant 1.0 "
        "with the Responsible AI fields), `manifest.json` (versions, counts, agreement and the sha256 of every file), "
        f"`LICENSE` (terms of use). `ceasefire-news validate DIR` checks a copy. Card of release {version}.",
        f"## Dataset Card Authors\n\n{CREATOR}, generated by `ceasefire-news release` from the release's data.",
        f"## Dataset Card Contact\n\n{CONTACT}",
    ]
    content = f"---\n{card_data(manifest).to_yaml()}\n---\n\n" + "\n\n".join(body) + "\n"
    return str(DatasetCard(content))


def citation(manifest: dict[str, Any]) -> str:
    """The release's BibTeX entry (the card's and Croissant's ``citeAs``)."""
    return CITATION.replace("{VERSION}", manifest["version"]).replace("{YEAR}", citation_year(manifest))


def write_card(manifest: dict[str, Any], root: Path) -> Path:
    """Write ``README.md`` and the ``LICENSE`` it links to into the release folder ``root``."""
    path = root / "README.md"
    atomic_write_text(path, render_card(manifest))
    atomic_write_text(root / LICENSE_FILE, LICENSE_TEXT)
    return path


# --- plots ---------------------------------------------------------------------------------


def write_plots(manifest: dict[str, Any], root: Path) -> dict[str, str]:
    """Label distribution plots (PNG, deterministic bytes); ``{name: relative path}``."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    dist = manifest["distributions"]
    out: dict[str, str] = {}
    with plt.rc_context({"svg.hashsalt": "ceasefire-news", "font.family": "DejaVu Sans", "font.size": 9}):
        fig, ax = plt.subplots(figsize=(7, 3.2), dpi=100)
        left = [0] * len(STANCE_TARGETS)
        for label in STANCE_LABELS.names:
            values = [dist["stance"][t].get(label, 0) for t in STANCE_TARGETS.names]
            ax.barh(list(STANCE_TARGETS.names), values, left=left, label=label)
            left = [a + b for a, b in zip(left, values, strict=True)]
        ax.set_xlabel("articles")
        ax.set_title("Stance per target (gold)")
        ax.legend(loc="lower right", fontsize=7)
        ax.invert_yaxis()
        fig.tight_layout()
        out["stance"] = _save(fig, root, PLOTS["stance"], io)
        plt.close(fig)

        fig, ax = plt.subplots(figsize=(7, 3.6), dpi=100)
        ax.bar(list(EVENT_TYPES.names), [dist["event_type"].get(t, 0) for t in EVENT_TYPES.names], color="#4363d8")
        ax.set_ylabel("events")
        ax.set_title("PLOVER event types (gold)")
        ax.tick_params(axis="x", labelrotation=60)
        fig.tight_layout()
        out["events"] = _save(fig, root, PLOTS["events"], io)
        plt.close(fig)

        fig, (left_ax, right_ax) = plt.subplots(1, 2, figsize=(7, 2.8), dpi=100)
        left_ax.bar(list(GENRES.names), [dist["genre"].get(g, 0) for g in GENRES.names], color="#3cb44b")
        left_ax.set_title("Genre (gold)")
        names = [*FACTUALITY.names, "(none)"]
        right_ax.bar(names, [dist["factuality"].get(f, 0) for f in names], color="#f58231")
        right_ax.set_title("Event factuality (gold)")
        right_ax.tick_params(axis="x", labelrotation=45)
        fig.tight_layout()
        out["article_labels"] = _save(fig, root, PLOTS["article_labels"], io)
        plt.close(fig)
    return out


def _save(fig: Any, root: Path, relative: str, io: Any) -> str:
    buffer = io.BytesIO()
    # No "Software" or date chunk: the bytes depend only on the data and the fonts.
    fig.savefig(buffer, format="png", metadata={"Software": None})
    atomic_write_bytes(root / relative, buffer.getvalue())
    return relative
