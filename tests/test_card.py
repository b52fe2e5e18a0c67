"""The dataset card: generated from schema/ and the data, committed for the default release."""

from __future__ import annotations

from pathlib import Path

import huggingface_hub
from datasets.info import DatasetInfosDict
from huggingface_hub import DatasetCard

from ceasefire_news.dataset.release.adjudicate import POLICY
from ceasefire_news.dataset.release.card import write_plots
from ceasefire_news.dataset.release.card_sections import TABLE_ROWS, bounded_table
from ceasefire_news.dataset.release.pipeline import release_corpus
from ceasefire_news.dataset.release.validate import validate_release
from ceasefire_news.schema.labels import VOCABULARIES
from ceasefire_news.schema.records import RELEASE_CONFIGS
from tests.fixtures.release import REPO, SeedRelease, Span, corpus_row, logged, result, write_corpus, write_log

MACHINE_HEADLINE = "Every label in this release is machine-generated"


def test_committed_card_is_the_card_of_the_default_release(seed_release: SeedRelease) -> None:
    generated = (seed_release.folder / "README.md").read_text(encoding="utf-8")
    committed = (REPO / "DATASET_CARD.md").read_text(encoding="utf-8")
    assert committed == generated, (
        "DATASET_CARD.md is stale: regenerate it with `python -m ceasefire_news.dataset.release.seed_card`"
    )


def test_card_yaml_declares_configs_and_class_label_features(seed_release: SeedRelease) -> None:
    data = DatasetCard.load(seed_release.folder / "README.md").data.to_dict()
    configs = {c["config_name"]: c for c in data["configs"]}
    assert list(configs) == list(RELEASE_CONFIGS)
    assert [name for name, c in configs.items() if c.get("default")] == ["articles"]
    assert configs["stance"]["data_files"] == [{"split": "train", "path": "data/stance/train-*.parquet"}]
    infos = DatasetInfosDict.from_dataset_card_data(DatasetCard.load(seed_release.folder / "README.md").data)
    for name, features in RELEASE_CONFIGS.items():
        assert infos[name].features == features
        rows = seed_release.manifest["configs"][name]["splits"]
        assert {s.name: s.num_examples for s in infos[name].splits.values()} == rows
    assert data["license"] == "other"
    assert data["license_name"]
    assert data["language"] == ["en"]
    assert data["annotations_creators"] == ["machine-generated"]  # the seed's labels: no person made them
    assert (data["multilinguality"], data["language_creators"]) == (["monolingual"], ["found"])
    # Byte sizes depend on the Parquet writer's version; the committed card must not.
    header = (seed_release.folder / "README.md").read_text(encoding="utf-8").split("\n---\n", 1)[0]
    assert "download_size" not in header
    assert "dataset_size" not in header
    assert {line.strip() for line in header.splitlines() if "num_bytes" in line} == {"num_bytes: 0"}


def _template_headings() -> list[str]:
    """The section headings of huggingface_hub's dataset card template, without "[optional]"."""
    template = Path(huggingface_hub.__file__).parent / "templates" / "datasetcard_template.md"
    body = template.read_text(encoding="utf-8").split("---", 2)[2]
    headings = [line.replace(" [optional]", "").strip() for line in body.splitlines() if line.startswith("##")]
    assert len(headings) > 15, "the template's headings were not found"
    return headings


def test_card_has_every_section_of_the_hub_template(seed_release: SeedRelease) -> None:
    path = seed_release.folder / "README.md"
    card = DatasetCard.load(path)
    lines = set(card.text.splitlines())
    assert [h for h in _template_headings() if h not in lines] == []
    assert card.text.lstrip().startswith("# Dataset Card for ")
    assert "More Information Needed" not in path.read_text(encoding="utf-8")
    assert "year         = {2025}" in card.text  # the year of the seed annotations, not of the clock


def test_scheme_tables_come_from_schema(seed_release: SeedRelease) -> None:
    card = (seed_release.folder / "README.md").read_text(encoding="utf-8")
    for vocabulary in VOCABULARIES.values():
        for label in vocabulary:
            assert label.name in card, (vocabulary.name, label.name)
    for vocabulary_name in ("stance_target", "event_type", "entity_type", "role", "quality_flag", "provenance"):
        for index, label in enumerate(VOCABULARIES[vocabulary_name]):
            description = label.description.replace("|", "\\|")
            assert f"| {index} | `{label.name}` | {description} |" in card


def test_card_sections_and_truthful_provenance(seed_release: SeedRelease) -> None:
    card = (seed_release.folder / "README.md").read_text(encoding="utf-8")
    for heading in (
        "#### Who are the source data producers?",
        "#### Data Collection and Processing",
        "### Annotation scheme",
        "#### Annotation process",
        "##### Agreement",
        "### Splits",
        "### Label distributions",
        "## Bias, Risks, and Limitations",
        "## Citation",
    ):
        assert heading in card
    assert MACHINE_HEADLINE in card
    assert "not computable (0 human annotators)" in card
    assert POLICY[0] in card
    assert "Outlet bias" in card
    # An article whose page names no outlet is counted as such, not as one more outlet.
    outlets = seed_release.manifest["corpus"]["outlets"]
    unknown = outlets["(unknown)"]
    assert f"from {len(outlets) - 1} named outlets ({unknown} articles name no outlet" in card
    assert "copyright of their publishers" in card
    assert "![stance](images/stance.png)" in card
    assert "/work/" not in card
    assert "/tmp/" not in card


def test_card_of_a_human_annotated_release(tmp_path: Path) -> None:
    workspace_root = tmp_path / "ws"
    from ceasefire_news.dataset.corpus.workspace import Workspace

    workspace = Workspace(workspace_root)
    texts = [f"Russia and Turkey agreed on talks number {i} in Astana." for i in range(4)]
    rows = [corpus_row(t, f"s-{i}") for i, t in enumerate(texts)]
    write_corpus(workspace, rows)
    entries = []
    for i, row in enumerate(rows):
        for annotator, label in (("ann1", "neutral"), ("ann2", "neutral" if i % 2 else "favor")):
            entries.append(
                logged(
                    row,
                    annotator,
                    result(
                        row["text"], stance={"russia": label}, genre="reporting", triggers=[Span("t", 18, 24, "AGREE")]
                    ),
                )
            )
    # ann1 kept the pre-annotated trigger as it was, ann2 drew it (Label Studio's region origin).
    for entry in entries:
        for item in entry.result:
            if item["type"] == "labels":
                item["origin"] = "prediction" if entry.annotator == "ann1" else "manual"
    write_log(workspace, entries)
    report = release_corpus(workspace, progress=False)
    card = (report.path / "README.md").read_text(encoding="utf-8")
    assert MACHINE_HEADLINE not in card
    origins = report.manifest["annotations"]["human_regions_by_origin"]
    assert origins == {"manual": 4, "prediction-changed": 0, "prediction": 4, "unknown": 0}
    assert "8 in all; 4 drawn by the annotator, 0 pre-annotations the annotator changed, 4 pre-annotations " in card
    assert "submitted unchanged (50.0%)" in card
    assert "Computed over human annotations only (2 human annotators)" in card
    alpha = report.manifest["agreement"]["stance_alpha"]["russia"]
    assert alpha["value"] is not None
    assert f"| stance alpha: `russia` | {alpha['value']:.3f} (4 articles) |" in card
    assert "| trigger span F1, exact | 1.000 (1 annotator pairs) |" in card
    assert "2 annotators: 4 articles" in card
    assert "| stance | 2 | 2 | 0 |" in card  # 2 unanimous (human), 2 ties left to the policy (adjudicated)
    assert validate_release(report.path) == []


def test_release_without_annotations_declares_only_articles(tmp_path: Path) -> None:
    from ceasefire_news.dataset.corpus.workspace import Workspace

    workspace = Workspace(tmp_path / "ws")
    write_corpus(workspace, [corpus_row("A text nobody annotated yet.", "s-1")])
    report = release_corpus(workspace, progress=False)
    data = DatasetCard.load(report.path / "README.md").data.to_dict()
    assert [c["config_name"] for c in data["configs"]] == ["articles"]
    card = (report.path / "README.md").read_text(encoding="utf-8")
    assert (
        "Configs without rows in this release (no annotations yet), not declared above: stance, events, annotations_raw"
        in card
    )
    assert validate_release(report.path) == []


def test_plots_are_png_and_deterministic(seed_release: SeedRelease, tmp_path: Path) -> None:
    first = write_plots(seed_release.manifest, tmp_path / "a")
    second = write_plots(seed_release.manifest, tmp_path / "b")
    assert first == second == seed_release.manifest["plots"]
    for relative in first.values():
        data = (tmp_path / "a" / relative).read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n")
        assert data == (tmp_path / "b" / relative).read_bytes()
        assert data == (seed_release.folder / relative).read_bytes()
        assert b"matplotlib" not in data  # no software/version chunk


def test_card_tables_are_bounded_and_point_to_the_manifest() -> None:
    rows = [[f"outlet {i:02d}", i] for i in range(25)]
    text = bounded_table(["outlet", "articles"], rows, "outlets", "`corpus.outlets`")
    assert text.count("\n| outlet ") == TABLE_ROWS
    assert "| outlet 19 | 19 |" in text
    assert "outlet 20" not in text
    assert text.endswith("... and 5 more outlets: all 25 are in `manifest.json` (`corpus.outlets`).")
    assert "more" not in bounded_table(["outlet", "articles"], rows[:TABLE_ROWS], "outlets", "x")
