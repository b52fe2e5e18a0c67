"""The labeling config: generated from schema/, checked offline with the SDK and by a real server."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from label_studio_sdk.label_interface import LabelInterface

from ceasefire_news.labeling.config import (
    ENTITY,
    EVIDENCE,
    FACTUALITY_CONTROL,
    GENRE,
    NOTES,
    QUALITY,
    TRIGGER,
    label_config,
    mode_control,
    stance_control,
)
from ceasefire_news.schema.labels import (
    ENTITY_TYPES,
    EVENT_MODES,
    EVENT_TYPES,
    FACTUALITY,
    GENRES,
    QUALITY_FLAGS,
    ROLES,
    STANCE_LABELS,
    STANCE_TARGETS,
)


@pytest.fixture(scope="module")
def interface() -> LabelInterface:
    return LabelInterface(label_config())


def test_the_xml_names_every_label_of_the_schema_under_its_control() -> None:
    # Read with ElementTree, not with Label Studio's parser: the config must say this on its own.
    root = ET.fromstring(label_config())
    found = {
        element.attrib["name"]: [child.attrib["value"] for child in element if child.tag in ("Label", "Choice")]
        for element in root.iter()
        if element.tag in ("Labels", "Choices")
    }
    expected = {
        TRIGGER: list(EVENT_TYPES.names),
        ENTITY: list(ENTITY_TYPES.names),
        EVIDENCE: list(STANCE_TARGETS.names),
        GENRE: list(GENRES.names),
        QUALITY: list(QUALITY_FLAGS.names),
        FACTUALITY_CONTROL: list(FACTUALITY.names),
        **{stance_control(target): list(STANCE_LABELS.names) for target in STANCE_TARGETS.names},
        **{mode_control(event_type): list(modes.names) for event_type, modes in EVENT_MODES.items()},
    }
    assert found == expected


def test_config_is_the_same_in_another_process_with_another_hash_seed() -> None:
    # Set and dict orders change with the hash seed: a config built from one would differ.
    seed = "1" if os.environ.get("PYTHONHASHSEED") == "4242" else "4242"
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from ceasefire_news.labeling.config import label_config; sys.stdout.write(label_config())",
        ],
        env={**os.environ, "PYTHONHASHSEED": seed},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == label_config()


def test_span_controls_carry_the_schema_vocabularies(interface: LabelInterface) -> None:
    assert interface.get_control(TRIGGER).labels == list(EVENT_TYPES.names)
    assert len(EVENT_TYPES) == 16
    assert interface.get_control(ENTITY).labels == list(ENTITY_TYPES.names)
    assert interface.get_control(EVIDENCE).labels == list(STANCE_TARGETS.names)


def test_document_controls(interface: LabelInterface) -> None:
    for target in STANCE_TARGETS.names:
        control = interface.get_control(stance_control(target))
        assert control.tag == "Choices"
        assert control.labels == list(STANCE_LABELS.names)
    assert interface.get_control(GENRE).labels == list(GENRES.names)
    quality = interface.get_control(QUALITY)
    assert quality.labels == list(QUALITY_FLAGS.names)
    assert quality.attr["choice"] == "multiple"
    assert interface.get_control(NOTES).tag == "TextArea"


def test_per_region_controls_follow_the_trigger(interface: LabelInterface) -> None:
    factuality = interface.get_control(FACTUALITY_CONTROL)
    assert factuality.labels == list(FACTUALITY.names)
    assert factuality.attr["perRegion"] == "true"
    assert factuality.attr["whenTagName"] == TRIGGER
    for event_type, modes in EVENT_MODES.items():
        control = interface.get_control(mode_control(event_type))
        assert control.labels == list(modes.names)
        assert control.attr["perRegion"] == "true"
        assert control.attr["whenLabelValue"] == event_type


def test_relations_are_the_roles() -> None:
    root = ET.fromstring(label_config())
    relations = [r.attrib["value"] for r in root.iter("Relation")]
    assert relations == list(ROLES.names)


def test_every_control_points_at_the_article_text(interface: LabelInterface) -> None:
    names = {c.name for c in interface.controls}
    assert {TRIGGER, ENTITY, EVIDENCE, FACTUALITY_CONTROL, GENRE, QUALITY, NOTES} <= names
    for control in interface.controls:
        assert control.to_name == ["text"], control.name


def test_sample_prediction_is_valid(interface: LabelInterface) -> None:
    prediction = {
        "model_version": "test",
        "score": 0.5,
        "result": [
            {
                "id": "t1",
                "from_name": TRIGGER,
                "to_name": "text",
                "type": "labels",
                "value": {"start": 0, "end": 6, "text": "agreed", "labels": ["AGREE"]},
            },
            {
                "id": "t1",
                "from_name": FACTUALITY_CONTROL,
                "to_name": "text",
                "type": "choices",
                "value": {"start": 0, "end": 6, "text": "agreed", "choices": ["asserted"]},
            },
        ],
    }
    assert interface.validate_prediction(prediction, return_errors=True) == []
    prediction["result"][0]["value"]["labels"] = ["NEGOTIATE"]
    assert interface.validate_prediction(prediction, return_errors=True) != []


@pytest.mark.studio
def test_server_accepts_the_config(label_studio) -> None:  # type: ignore[no-untyped-def]
    project = label_studio.create_project("config check")
    parsed = project["parsed_label_config"]
    assert set(parsed) >= {TRIGGER, ENTITY, EVIDENCE, FACTUALITY_CONTROL, GENRE, QUALITY, NOTES}
    assert parsed[TRIGGER]["labels"] == list(EVENT_TYPES.names)
    assert parsed[stance_control("russia")]["labels"] == list(STANCE_LABELS.names)
