"""``croissant.json``: Croissant 1.0 metadata of a release, with the Responsible AI fields.

One ``cr:FileObject`` per Parquet file (with its sha256), one ``cr:FileSet`` per config and
one ``cr:RecordSet`` per config whose fields are derived from the ``datasets`` features of
``schema/records.py`` (``ClassLabel`` columns are integers whose names are given in the
field description; lists are ``repeated`` fields, structs have ``subField``s). The RAI
fields that apply to a scraped, annotated news corpus are filled from the manifest.
``mlcroissant`` validates the file offline (the tests do).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from datasets import ClassLabel, List, Sequence, Value

from ceasefire_news.dataset.corpus.workspace import atomic_write_text, file_sha256
from ceasefire_news.dataset.release.agreement import format_measure
from ceasefire_news.dataset.release.card import citation
from ceasefire_news.dataset.release.card_text import (
    CONFIG_DESCRIPTIONS,
    CROISSANT_LICENSE,
    LIMITATIONS,
    PERSONAL_INFORMATION,
    PRETTY_NAME,
    SUMMARY,
)
from ceasefire_news.schema.records import RELEASE_CONFIGS

CROISSANT = "croissant.json"

#: The standard Croissant 1.0 JSON-LD context (as published by MLCommons).
CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}

_VALUE_TYPES = {
    "string": "sc:Text",
    "bool": "sc:Boolean",
    "int32": "sc:Integer",
    "int64": "sc:Integer",
    "float64": "sc:Float",
    "date32": "sc:Date",
}


def _field(
    record_set: str, name: str, feature: Any, *, file_set: str, column: str, json_path: str | None
) -> dict[str, Any]:
    field_id = f"{record_set}/{name}"
    source: dict[str, Any] = {"fileSet": {"@id": file_set}, "extract": {"column": column}}
    if json_path is not None:
        source["transform"] = {"jsonPath": json_path}
    out: dict[str, Any] = {"@type": "cr:Field", "@id": field_id, "name": name}
    repeated = False
    while isinstance(feature, List | Sequence):
        repeated = True
        feature = feature.feature
    if isinstance(feature, ClassLabel):
        out["description"] = "ClassLabel id: " + ", ".join(f"{i} = {n}" for i, n in enumerate(feature.names))
        out["dataType"] = "sc:Integer"
    elif isinstance(feature, Value):
        out["dataType"] = _VALUE_TYPES[feature.dtype]
    elif isinstance(feature, dict):
        sub_fields = []
        for key, sub in feature.items():
            path = key if json_path is None else f"{json_path}.{key}"
            sub_fields.append(_field(field_id, key, sub, file_set=file_set, column=column, json_path=path))
        out["subField"] = sub_fields
    else:  # pragma: no cover - every release feature is one of the above
        raise TypeError(f"no Croissant type for {feature!r}")
    if repeated:
        out["repeated"] = True
    if "subField" not in out:
        out["source"] = source
    return out


def croissant_metadata(manifest: dict[str, Any], root: Path) -> dict[str, Any]:
    """The JSON-LD document for the release folder ``root`` described by ``manifest``."""
    version = manifest["version"]
    distribution: list[dict[str, Any]] = []
    record_sets: list[dict[str, Any]] = []
    for config, entry in manifest["configs"].items():
        if not entry["rows"]:
            continue
        file_set = f"{config}-parquet"
        for split, path in entry["data_files"].items():
            distribution.append(
                {
                    "@type": "cr:FileObject",
                    "@id": f"{config}-{split}",
                    "name": f"{config}-{split}",
                    "description": f"{config} config, {split} split ({entry['splits'][split]} rows)",
                    "contentUrl": path,
                    "encodingFormat": "application/x-parquet",
                    "sha256": file_sha256(root / path),
                }
            )
        distribution.append(
            {
                "@type": "cr:FileSet",
                "@id": file_set,
                "name": file_set,
                "description": f"Parquet files of the {config} config",
                "containedIn": [{"@id": f"{config}-{split}"} for split in entry["data_files"]],
                "encodingFormat": "application/x-parquet",
                "includes": f"data/{config}/*.parquet",
            }
        )
        record_sets.append(
            {
                "@type": "cr:RecordSet",
                "@id": config,
                "name": config,
                "description": CONFIG_DESCRIPTIONS[config],
                "field": [
                    _field(config, name, feature, file_set=file_set, column=name, json_path=None)
                    for name, feature in RELEASE_CONFIGS[config].items()
                ],
            }
        )
    # A FileSet's files come from "includes"; "containedIn" would need a zip archive.
    for item in distribution:
        item.pop("containedIn", None)
    agreement = manifest["agreement"]
    analysis = [f"stance alpha {t}: {format_measure(m)}" for t, m in agreement["stance_alpha"].items()]
    analysis += [
        f"genre alpha: {format_measure(agreement['genre_alpha'])}",
        f"trigger span F1 (overlap): {format_measure(agreement['trigger_span_f1']['overlap'])}",
        f"entity span F1 (overlap): {format_measure(agreement['entity_span_f1']['overlap'])}",
        f"event-type alpha: {format_measure(agreement['event_type_alpha'])}",
        f"role F1: {format_measure(agreement['role_f1'])}",
    ]
    annotations = manifest["annotations"]
    corpus = manifest["corpus"]
    published = corpus["published"]
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "name": "ceasefire-news",
        "alternateName": PRETTY_NAME,
        "description": SUMMARY,
        "conformsTo": "http://mlcommons.org/croissant/1.0",
        "version": version,
        "license": CROISSANT_LICENSE,
        "citeAs": citation(manifest),
        "keywords": ["news", "stance detection", "event extraction", "PLOVER", "Syria", "ceasefire"],
        "inLanguage": "en",
        "isLiveDataset": False,
        "distribution": distribution,
        "recordSet": record_sets,
        "rai:dataCollection": (
            "Web pages of news articles on ceasefire diplomacy in the Syrian war, scraped as text with their page "
            "noise; cleaned by named, versioned rules that record every removal."
        ),
        "rai:dataCollectionType": ["Web Scraping"],
        "rai:dataCollectionRawData": (
            "Raw scraped pages (" + ", ".join(f"{s['file']} sha256 {s['sha256']}" for s in corpus["sources"]) + ")"
            if corpus["sources"]
            else "Raw scraped pages; their digests are in the corpus manifest."
        ),
        "rai:dataPreprocessingProtocol": [
            "Cleaning rules: " + ", ".join(sorted(corpus["cleaning_rules"].values()) or ["(not recorded)"]),
            "Stories (near-duplicate clusters) by MinHash LSH or a shared paragraph; splits by story, salted hash",
        ],
        "rai:dataAnnotationProtocol": [
            "Stance per target (SemEval-2016 Task 6 style), genre (SemEval-2023 Task 3), PLOVER 2.0 events with "
            "mode, factuality and arguments; the label lists are generated from schema/labels.py.",
            *manifest["adjudication"]["policy"],
        ],
        "rai:dataAnnotationPlatform": ["Label Studio"],
        "rai:dataAnnotationAnalysis": analysis,
        "rai:annotationsPerItem": "Human annotators per article: "
        + (", ".join(f"{n}: {c} articles" for n, c in agreement["annotators_per_item"].items()) or "none"),
        "rai:machineAnnotationTools": [
            f"Embedded seed annotations shipped with the package ({annotations['embedded']} annotations, provenance "
            "machine); labels no human made are marked machine in every config."
        ],
        "rai:dataBiases": [LIMITATIONS[0]],
        "rai:dataLimitations": list(LIMITATIONS[1:]),
        "rai:dataUseCases": [
            "Training and evaluating stance detection, genre classification and event extraction (PLOVER) on news.",
            "Studying media framing of the Syrian war across outlets.",
        ],
        "rai:dataSocialImpact": (
            "The corpus documents how outlets frame a war; models trained on it inherit the outlets' framing and "
            "should not be used to judge the truth of claims."
        ),
        "rai:personalSensitiveInformation": PERSONAL_INFORMATION.split("\n\n"),
        "rai:dataReleaseMaintenancePlan": (
            "Versioned releases that are never overwritten; each release's manifest records the corpus version, "
            "the schema version and the sha256 of every file."
        ),
    }
    if published["first"]:
        document["temporalCoverage"] = f"{published['first']}/{published['last']}"
    return document


def write_croissant(manifest: dict[str, Any], root: Path) -> Path:
    """Write ``croissant.json`` into the release folder ``root`` (deterministic JSON)."""
    path = root / CROISSANT
    document = croissant_metadata(manifest, root)
    atomic_write_text(path, json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    return path
