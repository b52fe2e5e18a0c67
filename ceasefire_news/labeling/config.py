"""The Label Studio labeling config, generated from :mod:`ceasefire_news.schema.labels`.

Control names are the contract between the config, the pre-annotator, the result
parser (:mod:`ceasefire_news.labeling.results`) and the release; they are defined here once.

>>> "stance_russia" in label_config()
True
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

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
    Vocabulary,
)

TEXT = "text"  # the object tag holding the article text
TRIGGER = "trigger"  # Labels: event trigger spans, one PLOVER type each
ENTITY = "entity"  # Labels: argument entity spans
EVIDENCE = "evidence"  # Labels: evidence spans, the label is the stance target
FACTUALITY_CONTROL = "factuality"  # per-region Choices on triggers
GENRE = "genre"
QUALITY = "quality"
NOTES = "notes"
STANCE_PREFIX = "stance_"
MODE_PREFIX = "mode_"


def stance_control(target: str) -> str:
    """``"russia"`` -> ``"stance_russia"``."""
    STANCE_TARGETS.index(target)
    return f"{STANCE_PREFIX}{target}"


def mode_control(event_type: str) -> str:
    """``"CONSULT"`` -> ``"mode_consult"``: per-region mode choices shown for that type only."""
    EVENT_TYPES.index(event_type)
    return f"{MODE_PREFIX}{event_type.lower()}"


#: mode control name -> event type
MODE_CONTROLS: dict[str, str] = {mode_control(t): t for t in EVENT_MODES}
#: stance control name -> target
STANCE_CONTROLS: dict[str, str] = {stance_control(t.name): t.name for t in STANCE_TARGETS}
#: Labels controls -> the vocabulary of their labels
SPAN_CONTROLS: dict[str, Vocabulary] = {
    TRIGGER: EVENT_TYPES,
    ENTITY: ENTITY_TYPES,
    EVIDENCE: STANCE_TARGETS,
}

# Distinct, readable background colours for span labels (cycled).
_COLOURS = (
    "#e6194b",
    "#3cb44b",
    "#4363d8",
    "#f58231",
    "#911eb4",
    "#42d4f4",
    "#f032e6",
    "#bfef45",
    "#fabed4",
    "#469990",
    "#dcbeff",
    "#9a6324",
    "#800000",
    "#aaffc3",
    "#808000",
    "#000075",
)


def _attrs(**attrs: str) -> str:
    return " ".join(f"{key.rstrip('_')}={quoteattr(value)}" for key, value in attrs.items())


def _choices(name: str, vocabulary: Vocabulary, indent: str, **attrs: str) -> list[str]:
    lines = [f"{indent}<Choices {_attrs(name=name, toName=TEXT, **attrs)}>"]
    lines += [f"{indent}  <Choice {_attrs(value=label.name, hint=label.description)}/>" for label in vocabulary]
    lines.append(f"{indent}</Choices>")
    return lines


def _labels(name: str, vocabulary: Vocabulary, indent: str) -> list[str]:
    lines = [f"{indent}<Labels {_attrs(name=name, toName=TEXT)}>"]
    lines += [
        f"{indent}  <Label {_attrs(value=label.name, hint=label.description, background=_COLOURS[i % len(_COLOURS)])}/>"
        for i, label in enumerate(vocabulary)
    ]
    lines.append(f"{indent}</Labels>")
    return lines


def label_config() -> str:
    """The whole labeling config as XML text (deterministic)."""
    out = ["<View>"]
    out.append("  <Style>.ceasefire-meta { color: #555; font-size: 90%; }</Style>")
    out.append('  <Header value="$title"/>')
    out.append('  <View className="ceasefire-meta"><Text name="meta" value="$meta" /></View>')
    out.append('  <Header value="Event triggers (PLOVER 2.0)" size="6"/>')
    out += _labels(TRIGGER, EVENT_TYPES, "  ")
    out.append('  <Header value="Argument entities" size="6"/>')
    out += _labels(ENTITY, ENTITY_TYPES, "  ")
    out.append('  <Header value="Stance evidence (label = target)" size="6"/>')
    out += _labels(EVIDENCE, STANCE_TARGETS, "  ")
    out.append(f"  <Text {_attrs(name=TEXT, value='$text', granularity='symbol')}/>")
    out.append("  <Relations>")
    out += [f"    <Relation {_attrs(value=role.name)}/>" for role in ROLES]
    out.append("  </Relations>")
    out.append('  <View visibleWhen="region-selected" whenTagName="trigger">')
    out.append('    <Header value="Factuality of the selected trigger" size="6"/>')
    out += _choices(
        FACTUALITY_CONTROL,
        FACTUALITY,
        "    ",
        perRegion="true",
        choice="single-radio",
        whenTagName=TRIGGER,
        visibleWhen="region-selected",
    )
    for event_type, modes in EVENT_MODES.items():
        # A Header has no visibility of its own: the View around it shows it with its choices.
        out.append(f'    <View visibleWhen="region-selected" whenTagName="{TRIGGER}" whenLabelValue="{event_type}">')
        out.append(f'      <Header value="Mode of the selected {event_type} trigger" size="6"/>')
        out += _choices(
            mode_control(event_type),
            modes,
            "      ",
            perRegion="true",
            choice="single-radio",
            whenTagName=TRIGGER,
            visibleWhen="region-selected",
            whenLabelValue=event_type,
        )
        out.append("    </View>")
    out.append("  </View>")
    out.append('  <Header value="Stance of the article\'s own voice, per target" size="5"/>')
    for target in STANCE_TARGETS:
        out.append(f'  <Header value={quoteattr(target.name + ": " + target.description)} size="6"/>')
        out += _choices(stance_control(target.name), STANCE_LABELS, "  ", choice="single-radio", showInline="true")
    out.append('  <Header value="Genre" size="5"/>')
    out += _choices(GENRE, GENRES, "  ", choice="single-radio", showInline="true")
    out.append('  <Header value="Article quality" size="5"/>')
    out += _choices(QUALITY, QUALITY_FLAGS, "  ", choice="multiple", showInline="true")
    out.append('  <Header value="Notes" size="5"/>')
    out.append(f"  <TextArea {_attrs(name=NOTES, toName=TEXT, rows='3', editable='true', maxSubmissions='1')}/>")
    out.append("</View>")
    return "\n".join(out) + "\n"
