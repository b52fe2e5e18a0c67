"""``croissant.json``: Croissant 1.0 metadata of a release, with the Responsible AI fields.

One ``cr:FileObject`` per Parquet file (with its sha256), one ``cr:FileSet`` per config and
one ``cr:RecordSet`` per config whose fields are derived from the ``datasets`` features of
``schema/records.py`` (``ClassLabel`` columns are integers that reference an enumeration record
set of their vocabulary; lists are ``repeated`` fields, structs have ``subField``s). The RAI
fields that apply to a scraped, annotated news corpus are filled from the manifest; dates come
from the data, never the clock. ``validate`` runs ``mlcroissant`` on the file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from datasets import ClassLabel, List, Sequence, Value

from ceasefire_news.dataset.corpus.workspace import atomic_write_text, file_sha256
from ceasefire_news.dataset.release.agreement import format_measure
from ceasefire_news.dataset.release.card import citation, timeframe
from ceasefire_news.dataset.release.card_sections import TABLE_ROWS
from ceasefire_news.dataset.release.card_text import (
    ANNOTATORS,
    CONFIG_DESCRIPTIONS,
    CREATOR,
    CROISSANT_LICENSE,
    LIMITATIONS,
    PERSONAL_INFORMATION,
    PRETTY_NAME,
    SUMMARY,
)
from ceasefire_news.labeling.preannotate import MODEL_VERSION
from ceasefire_news.schema.labels import VOCABULARIES, Vocabulary
from ceasefire_news.schema.records import RELEASE_CONFIGS, UNKNOWN_OUTLET

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


#: The vocabulary of a ``ClassLabel``, found by its names (each vocabulary's are its own).
_VOCABULARY_OF = {v.names: v for v in VOCABULARIES.values()}


def _vocabulary(feature: ClassLabel) -> Vocabulary:
    try:
        return _VOCABULARY_OF[tuple(feature.names)]
    except KeyError:  # pragma: no cover - every ClassLabel of schema/records.py is made from a vocabulary
        raise TypeError(f"no vocabulary in schema/labels.py has the names {feature.names}") from None


def _enumeration_id(vocabulary: Vocabulary) -> str:
    return f"labels-{vocabulary.name}"


def _class_labels(feature: Any) -> Iterator[ClassLabel]:
    while isinstance(feature, List | Sequence):
        feature = feature.feature
    if isinstance(feature, ClassLabel):
        yield feature
    elif isinstance(feature, dict):
        for sub in feature.values():
            yield from _class_labels(sub)


def enumerations(configs: list[str]) -> list[dict[str, Any]]:
    """One enumeration record set per label vocabulary the ``configs`` use: its ids, names and
    definitions, inline; the label fields reference its ``id`` field."""
    used = {_vocabulary(c).name: _vocabulary(c) for config in configs for c in _class_labels(RELEASE_CONFIGS[config])}
    out = []
    for name in sorted(used):
        vocabulary = used[name]
        record_set = _enumeration_id(vocabulary)
        out.append(
            {
                "@type": "cr:RecordSet",
                "@id": record_set,
                "name": record_set,
                "description": f"{vocabulary.description} The ClassLabel ids of the columns that reference it.",
                "dataType": "sc:Enumeration",
                "key": {"@id": f"{record_set}/id"},
                "field": [
                    {"@type": "cr:Field", "@id": f"{record_set}/{column}", "name": column, "dataType": data_type}
                    for column, data_type in (("id", "sc:Integer"), ("name", "sc:Text"), ("description", "sc:Text"))
                ],
                "data": [
                    {
                        f"{record_set}/id": i,
                        f"{record_set}/name": label.name,
                        f"{record_set}/description": label.description,
                    }
                    for i, label in enumerate(vocabulary)
                ],
            }
        )
    return out


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
        vocabulary = _vocabulary(feature)
        out["description"] = f"ClassLabel id in {_enumeration_id(vocabulary)}: " + ", ".join(
            f"{i} = {n}" for i, n in enumerate(feature.names)
        )
        out["dataType"] = "sc:Integer"
        if not repeated and json_path is None:
            # mlcroissant joins a reference while reading records, and its join fails on lists
            # and nested fields: those name their vocabulary in the description only.
            out["references"] = {"field": {"@id": f"{_enumeration_id(vocabulary)}/id"}}
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
    record_sets += enumerations([r["@id"] for r in record_sets])
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
    unannotated = corpus["articles"] - annotations.get("articles_annotated", 0)
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
        "creator": [{"@type": "sc:Organization", "name": CREATOR}],
        "url": "README.md",
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
        "rai:dataCollectionRawData": _raw_data(corpus["sources"]),
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
            "machine); labels no human made are marked machine in every config.",
            f"The rule-based pre-annotator {MODEL_VERSION} (ceasefire_news/labeling/preannotate.py): its suggestions "
            "are shown in Label Studio, and a person accepts, changes or deletes each; "
            + _kept(annotations.get("human_regions_by_origin", {})),
        ],
        "rai:annotatorDemographics": [ANNOTATORS],
        "rai:dataCollectionMissingData": (
            f"Of {corpus['articles']} articles, {unannotated} have no annotation yet and "
            f"{corpus['outlets'].get(UNKNOWN_OUTLET, 0)} name no outlet; publication dates are "
            "missing where the page gave none (published_date null); fetched_date is the crawl date of pages read "
            "from WARC files and null for other input. Cleaning removes text with a record of each "
            f"removal (removed); {sum(corpus['text_flags'].values())} text flags mark text damaged at the source; "
            f"{annotations['by_status'].get('quarantined', 0)} annotations are quarantined (released as made, "
            "not adjudicated) and ties are left null with needs_review."
        ),
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
    frame = timeframe(manifest)
    if frame is not None:
        # The data's own last day: a release made again from the same data is the same file.
        document["datePublished"] = frame[1]
        document["rai:dataCollectionTimeframe"] = list(frame)
    return document


def _raw_data(sources: list[dict[str, Any]]) -> str:
    if not sources:
        return "Raw scraped pages; their digests are in the corpus manifest."
    shown = ", ".join(f"{s['file']} sha256 {s['sha256']}" for s in sources[:TABLE_ROWS])
    more = f", and {len(sources) - TABLE_ROWS} more" if len(sources) > TABLE_ROWS else ""
    return (
        f"{len(sources)} raw input files ({shown}{more}); manifest.json lists all with their sha256 (corpus.sources)."
    )


def _kept(origins: dict[str, int]) -> str:
    regions = sum(origins.values())
    if not regions:
        return "no human span regions in this release."
    return (
        f"of {regions} span regions in the human annotations, {origins.get('prediction', 0)} are pre-annotations "
        "submitted unchanged."
    )


def write_croissant(manifest: dict[str, Any], root: Path) -> Path:
    """Write ``croissant.json`` into the release folder ``root`` (deterministic JSON)."""
    path = root / CROISSANT
    document = croissant_metadata(manifest, root)
    atomic_write_text(path, json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    return path
