"""The files of a release folder: manifest, card, Croissant file, data file names and schemas.

Every file's sha256 matches ``manifest.json`` and no file is unlisted; the card's YAML
declares the configs with their data files and ``dataset_info`` features; the Croissant
file lists the data files with their sha256; each Parquet file's Arrow schema equals its
config's (``schema/records.py``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from datasets.info import DatasetInfosDict

from ceasefire_news.dataset.corpus.workspace import MANIFEST, file_sha256
from ceasefire_news.dataset.release.card_text import CROISSANT_LICENSE, HUB_LICENSE
from ceasefire_news.dataset.release.issues import REGENERATE, Issue
from ceasefire_news.schema.labels import SPLITS
from ceasefire_news.schema.records import DEFAULT_CONFIG, RELEASE_CONFIGS

README = "README.md"
CROISSANT = "croissant.json"
DATA_FILE_RE = re.compile(r"^data/(?P<config>[a-z_]+)/(?P<split>[a-z]+)-(?P<shard>\d{5})-of-(?P<total>\d{5})\.parquet$")


def check_manifest(root: Path, issues: list[Issue], changed: set[str] | None = None) -> dict[str, Any] | None:
    """Every file listed with its sha256 and present, nothing unlisted; the manifest, or None when unreadable.

    The names of the files whose sha256 differs are added to ``changed``.
    """
    path = root / MANIFEST
    if not path.is_file():
        issues.append(Issue(MANIFEST, "", None, f"{path} is missing", REGENERATE))
        return None
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        files = manifest["files"]
        assert isinstance(files, dict)
    except (ValueError, KeyError, AssertionError) as err:
        issues.append(Issue(MANIFEST, "", None, f"not a release manifest ({err!r})", REGENERATE))
        return None
    present = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and p.name != MANIFEST}
    for name in sorted(present - set(files)):
        issues.append(
            Issue(
                MANIFEST,
                "",
                None,
                f"{name} is in the folder but not in the manifest",
                f"remove {name}, or {REGENERATE}",
            )
        )
    for name in sorted(files):
        entry = files[name]
        file = root / name
        if name not in present:
            issues.append(
                Issue(MANIFEST, "", None, f"{name} is listed but missing", f"restore {name}, or {REGENERATE}")
            )
            continue
        actual = file_sha256(file)
        if actual != entry.get("sha256"):
            if changed is not None:
                changed.add(name)
            issues.append(
                Issue(
                    MANIFEST,
                    "",
                    None,
                    f"{name} has sha256 {actual}, the manifest says {entry.get('sha256')}",
                    f"restore the released {name}, or {REGENERATE}",
                )
            )
    return manifest


def check_card(root: Path, data_files: dict[str, dict[str, list[str]]], issues: list[Issue]) -> None:
    """The card's YAML declares each config with its data files and the features of ``schema/records.py``."""
    path = root / README
    if not path.is_file():
        issues.append(Issue(README, "", None, "the dataset card README.md is missing", REGENERATE))
        return
    from huggingface_hub import DatasetCard

    try:
        card_data = DatasetCard.load(path).data
        data = card_data.to_dict()
        infos = DatasetInfosDict.from_dataset_card_data(card_data)
    except Exception as err:  # a card the Hub would reject, whatever the parser raises
        issues.append(Issue(README, "", None, f"the card's YAML header does not parse ({err})", REGENERATE))
        return
    terms = {key: data.get(key) for key in HUB_LICENSE}
    if terms != HUB_LICENSE:
        issues.append(
            Issue(
                README,
                "",
                None,
                f"the card's license fields are {terms}; expected {HUB_LICENSE}, the terms Croissant states too "
                "(card_text.py)",
                REGENERATE,
            )
        )
    declared = {c.get("config_name"): c for c in data.get("configs") or []}
    defaults = [name for name, c in declared.items() if c.get("default")]
    if defaults != [DEFAULT_CONFIG] and DEFAULT_CONFIG in data_files:
        issues.append(
            Issue(README, "", None, f"default config is {defaults}, expected [{DEFAULT_CONFIG!r}]", REGENERATE)
        )
    for config, splits in data_files.items():
        if config not in declared:
            issues.append(Issue(README, "", None, f"config {config!r} has data files but is not declared", REGENERATE))
            continue
        listed = {d["split"]: d["path"] for d in declared[config].get("data_files", [])}
        for split in splits:
            pattern = f"data/{config}/{split}-*.parquet"
            if listed.get(split) != pattern:
                issues.append(
                    Issue(
                        README,
                        "",
                        None,
                        f"config {config!r} split {split!r} path is {listed.get(split)!r}, expected {pattern!r}",
                        REGENERATE,
                    )
                )
        for split in sorted(set(listed) - set(splits)):
            issues.append(
                Issue(README, "", None, f"config {config!r} declares split {split!r} without data files", REGENERATE)
            )
        info = infos.get(config)
        if info is None or info.features != RELEASE_CONFIGS[config]:
            issues.append(
                Issue(
                    README,
                    "",
                    None,
                    f"dataset_info of config {config!r} does not declare the features of schema/records.py",
                    REGENERATE,
                )
            )
    for config in sorted(set(declared) - set(data_files)):
        issues.append(Issue(README, "", None, f"config {config!r} is declared but has no data files", REGENERATE))


def check_croissant(root: Path, data_paths: list[str], issues: list[Issue]) -> None:
    """The Croissant file lists every data file with its sha256."""
    path = root / CROISSANT
    if not path.is_file():
        issues.append(Issue(CROISSANT, "", None, "croissant.json is missing", REGENERATE))
        return
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        objects = {d["contentUrl"]: d for d in data["distribution"] if d.get("@type") == "cr:FileObject"}
    except (ValueError, KeyError, TypeError) as err:
        issues.append(Issue(CROISSANT, "", None, f"not Croissant JSON-LD ({err!r})", REGENERATE))
        return
    for problem in croissant_problems(path):
        issues.append(Issue(CROISSANT, "", None, problem, REGENERATE))
    if data.get("license") != CROISSANT_LICENSE:
        issues.append(
            Issue(
                CROISSANT,
                "",
                None,
                f"license is {json.dumps(data.get('license'))[:200]}; expected the card's terms, CC BY 4.0 for the "
                f"annotations and the publishers' terms for the texts: {json.dumps(CROISSANT_LICENSE)[:200]}...",
                REGENERATE,
            )
        )
    for name in data_paths:
        obj = objects.get(name)
        if obj is None:
            issues.append(Issue(CROISSANT, "", None, f"{name} is not in the distribution", REGENERATE))
        elif obj.get("sha256") != file_sha256(root / name):
            issues.append(Issue(CROISSANT, "", None, f"the sha256 of {name} differs from the file", REGENERATE))


def croissant_problems(path: Path) -> list[str]:
    """What ``mlcroissant``, the reference implementation, finds wrong with the file: its errors
    (its warnings are for the tests, which demand none)."""
    import mlcroissant as mlc

    try:
        mlc.Dataset(jsonld=path)
    except mlc.ValidationError as err:
        return [f"mlcroissant rejects it: {line.strip()}" for line in str(err).splitlines() if line.strip()][:20]
    except Exception as err:  # the library raises what its parser raises; any of it means unusable
        return [f"mlcroissant cannot read it ({type(err).__name__}: {err})"]
    return []


# --- schema --------------------------------------------------------------------------------


def schema_problems(actual: pa.Schema, expected: pa.Schema) -> list[str]:
    """How ``actual`` differs from ``expected``: missing, extra, retyped or reordered columns."""
    problems = []
    names = set(actual.names)
    for field in expected:
        if field.name not in names:
            problems.append(f"column {field.name!r} is missing (expected {field.type})")
        elif not actual.field(field.name).type.equals(field.type):
            problems.append(f"column {field.name!r} is {actual.field(field.name).type}, expected {field.type}")
    problems += [f"column {n!r} is not in the schema" for n in actual.names if n not in expected.names]
    if not problems and actual.names != expected.names:
        problems.append(f"columns are in the order {actual.names}, expected {expected.names}")
    return problems


def data_files_of(root: Path, issues: list[Issue]) -> dict[str, dict[str, list[str]]]:
    """The data files by config and split; a file not named as a release config's is an issue."""
    found: dict[str, dict[str, list[str]]] = {}
    data = root / "data"
    for path in sorted(data.rglob("*")) if data.is_dir() else []:
        if not path.is_file():
            continue
        name = path.relative_to(root).as_posix()
        match = DATA_FILE_RE.match(name)
        if match is None or match["config"] not in RELEASE_CONFIGS or match["split"] not in SPLITS:
            issues.append(
                Issue(
                    name,
                    "",
                    None,
                    f"not a data file of a release config: expected data/<config>/<split>-NNNNN-of-NNNNN.parquet with "
                    f"config in {list(RELEASE_CONFIGS)} and split in {list(SPLITS.names)}",
                    f"remove {name}, or {REGENERATE}",
                )
            )
            continue
        found.setdefault(match["config"], {}).setdefault(match["split"], []).append(name)
    if "articles" not in found:
        issues.append(Issue("articles", "", None, "no data files: a release needs articles", REGENERATE))
    return found


def decode_problem(path: Path) -> str | None:
    """Why a page of the Parquet file ``path`` can't be decoded (a flipped bit); None when all can."""
    try:
        # Page by page: one row group at a time, nothing kept.
        parquet = pq.ParquetFile(path)
        for group in range(parquet.metadata.num_row_groups):
            # Full validation: a bit flipped in an uncompressed page decodes, into bytes that are no UTF-8.
            parquet.read_row_group(group).validate(full=True)
    except (OSError, pa.ArrowException) as err:
        return str(err).splitlines()[0] if str(err) else type(err).__name__
    return None


def read_footer(path: Path) -> pq.FileMetaData | None:
    """The Parquet footer of ``path``; None where it is not a readable Parquet file."""
    try:
        return pq.read_metadata(path)
    except (OSError, pa.ArrowInvalid):
        return None
