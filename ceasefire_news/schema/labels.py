"""The annotation scheme: every closed vocabulary of the project, defined once.

Everything else derives from these objects: the Label Studio config, the Arrow
schemas and ``datasets.Features`` (``ClassLabel`` per vocabulary), the validators,
the pre-annotator's label set and the label tables of the card and guidelines.

>>> STANCE_LABELS.names
('favor', 'against', 'neutral', 'not_addressed')
>>> EVENT_TYPES.index("CONSULT")
1
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Label:
    """One value of a closed vocabulary, with the one-line definition shown to people."""

    name: str
    description: str


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """An ordered closed vocabulary. The order fixes the ``ClassLabel`` integer ids."""

    name: str
    description: str
    labels: tuple[Label, ...]
    standard: str = ""
    _index: dict[str, int] = field(init=False, repr=False, compare=False)
    _names: tuple[str, ...] = field(init=False, repr=False, compare=False)
    #: name -> ``ClassLabel`` id, for code that looks up millions of labels (no error message).
    ids: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = [label.name for label in self.labels]
        if not names:
            raise ValueError(f"vocabulary {self.name!r} has no labels")
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ValueError(f"vocabulary {self.name!r} repeats labels {duplicated}")
        object.__setattr__(self, "_index", {n: i for i, n in enumerate(names)})
        object.__setattr__(self, "_names", tuple(names))
        object.__setattr__(self, "ids", dict(self._index))

    @property
    def names(self) -> tuple[str, ...]:
        return self._names

    def __contains__(self, name: object) -> bool:
        return name in self._index

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.labels)

    def __len__(self) -> int:
        return len(self.labels)

    def index(self, name: str) -> int:
        """The ``ClassLabel`` id of ``name``; a clear error for an unknown label."""
        try:
            return self._index[name]
        except KeyError:
            raise ValueError(f"{name!r} is not a {self.name} label; expected one of {list(self.names)}") from None

    def describe(self, name: str) -> str:
        return self.labels[self.index(name)].description


def _vocab(name: str, description: str, items: list[tuple[str, str]], standard: str = "") -> Vocabulary:
    return Vocabulary(name, description, tuple(Label(n, d) for n, d in items), standard)


STANCE_TARGETS = _vocab(
    "stance_target",
    "The actors and the issue whose stance is judged, one judgment per target per article.",
    [
        ("syrian_government", "The Syrian government of Bashar al-Assad, its army and officials."),
        ("russia", "The Russian state: the Kremlin, its ministries, armed forces and officials."),
        ("turkey", "The Turkish state: its president, government, armed forces and officials."),
        ("armed_opposition", "Armed groups fighting the Syrian government (rebels, militants, jihadist groups)."),
        ("ceasefire", "The ceasefire, truce or cessation of hostilities under discussion."),
    ],
    standard="SemEval-2016 Task 6",
)

STANCE_LABELS = _vocab(
    "stance",
    "The article's own stance toward a target (SemEval-2016 Task 6 style).",
    [
        ("favor", "The article's own voice supports, defends or praises the target."),
        ("against", "The article's own voice opposes, blames or disparages the target."),
        ("neutral", "The target is discussed, but the article's own voice takes no side."),
        ("not_addressed", "The article does not discuss the target."),
    ],
    standard="SemEval-2016 Task 6",
)

GENRES = _vocab(
    "genre",
    "The genre of the whole article (SemEval-2023 Task 3, subtask 1).",
    [
        ("reporting", "Reports events and statements; aims to inform."),
        ("opinion", "Argues a position: editorials, commentary, analysis with a thesis."),
        ("satire", "Imitates news to mock its subject."),
    ],
    standard="SemEval-2023 Task 3",
)

EVENT_TYPES = _vocab(
    "event_type",
    "PLOVER 2.0 event types, as used by the POLECAT event data.",
    [
        ("AGREE", "Agree to, sign or announce an agreement, including a declared ceasefire."),
        ("CONSULT", "Meet, talk, phone, visit or negotiate."),
        ("SUPPORT", "Express support, praise, endorse or congratulate."),
        ("CONCEDE", "Make a concession: ease restrictions, accede to demands, apologise."),
        ("COOPERATE", "Cooperate in practice: joint operations, patrols, coordination."),
        ("AID", "Give economic, military or humanitarian aid."),
        ("RETREAT", "De-escalate in practice: ceasefire put in place, withdrawal, release, access."),
        ("REQUEST", "Ask, appeal or call for an action (a call for a ceasefire or for talks)."),
        ("ACCUSE", "Accuse, blame, criticise or denounce."),
        ("REJECT", "Reject, refuse or deny a proposal, demand or accusation."),
        ("THREATEN", "Threaten force, sanctions or other harm."),
        ("PROTEST", "Demonstrate, riot, strike or boycott."),
        ("SANCTION", "Impose sanctions, break relations, expel or convict."),
        ("MOBILIZE", "Deploy or put forces or weapons on alert."),
        ("COERCE", "Seize, arrest, besiege, ban or otherwise coerce without assault."),
        ("ASSAULT", "Use physical force: air strikes, shelling, fighting, killing."),
    ],
    standard="PLOVER 2.0",
)

_MODES_BY_TYPE: dict[str, list[tuple[str, str]]] = {
    "CONSULT": [
        ("phone", "A phone or video call."),
        ("visit", "One side travels to meet the other."),
        ("third-party", "Talks hosted or mediated by a third party."),
        ("multilateral", "A meeting of three or more parties (summits, conferences)."),
    ],
    "AID": [
        ("economic", "Money, loans, trade concessions."),
        ("military", "Weapons, training, air support to an ally."),
        ("humanitarian", "Food, medicine, shelter, evacuation help."),
        ("asylum", "Refuge for people fleeing."),
    ],
    "RETREAT": [
        ("ceasefire", "A ceasefire or truce actually put in place or observed."),
        ("withdraw", "Forces pulled back."),
        ("release", "Prisoners or hostages released."),
        ("return", "Territory or property returned."),
        ("disarm", "Weapons given up."),
        ("access", "Humanitarian or other access allowed (corridors, evacuation)."),
    ],
    "MOBILIZE": [
        ("troops", "Troops deployed or massed."),
        ("weapons", "Weapons moved or put on alert."),
        ("police", "Police or security forces deployed."),
    ],
    "COERCE": [
        ("seize", "Territory, people or property seized."),
        ("arrest", "People arrested or detained."),
        ("siege", "An area besieged or blockaded."),
        ("ban", "Activities or groups banned or censored."),
    ],
    "ASSAULT": [
        ("aerial", "Air strikes, drones, helicopters."),
        ("heavy-weapons", "Artillery, tanks, rockets, shelling."),
        ("firearms", "Small arms fire, ground fighting."),
        ("explosives", "Bombs, IEDs, mines."),
        ("chemical", "Chemical, biological or radiological weapons."),
        ("suicide", "Suicide attacks."),
    ],
    "PROTEST": [
        ("demonstrate", "Peaceful demonstration or rally."),
        ("riot", "Violent protest."),
        ("strike", "Labour or hunger strike."),
        ("boycott", "Boycott or walk-out."),
    ],
}

EVENT_MODES: dict[str, Vocabulary] = {
    event_type: _vocab(
        f"mode_{event_type.lower()}",
        f"PLOVER 2.0 modes of {event_type}.",
        modes,
        standard="PLOVER 2.0",
    )
    for event_type, modes in _MODES_BY_TYPE.items()
}
for _event_type in EVENT_MODES:
    EVENT_TYPES.index(_event_type)  # a mode table for an unknown type fails at import

# All modes in one vocabulary, for the Arrow column (a mode is checked against its type
# by the validators through ``EVENT_MODES``).
MODES = _vocab(
    "mode",
    "PLOVER 2.0 event modes; which ones apply depends on the event type.",
    sorted({(m.name, m.description) for v in EVENT_MODES.values() for m in v.labels}),
    standard="PLOVER 2.0",
)

FACTUALITY = _vocab(
    "factuality",
    "Whether the article presents the event as having happened.",
    [
        ("asserted", "Stated in the article's own voice as having happened."),
        ("claimed", 'Attributed to a source ("X said that ...") without the article vouching for it.'),
        ("negated", "Said not to have happened."),
        ("hypothetical", "Conditional, possible or hoped for."),
        ("future", "Planned or announced for the future."),
    ],
)

ENTITY_TYPES = _vocab(
    "entity_type",
    "Types of the entity spans that fill event roles.",
    [
        ("PER", "A named or described person."),
        ("GOV", "A government, state, ministry, or its armed forces or officials as a body."),
        ("ARMED_GROUP", "A non-state armed group: rebels, militants, jihadist organisations."),
        ("IGO", "An intergovernmental organisation: the UN, NATO, the EU."),
        ("ORG", "Any other organisation: NGOs, media, companies, parties."),
        ("LOC", "A place: city, region, country as a location, road, border."),
        ("TIME", "A date or time expression."),
    ],
)

ROLES = _vocab(
    "role",
    "Argument roles linking an entity span to an event trigger.",
    [
        ("actor", "Who does the event."),
        ("recipient", "Who the event is done to or with."),
        ("location", "Where the event happens."),
        ("time", "When the event happens."),
    ],
)

QUALITY_FLAGS = _vocab(
    "quality_flag",
    "Flags an annotator sets on the article.",
    [
        ("off_topic", "The article is not about the Syrian war or ceasefire diplomacy."),
        ("damaged_text", "Words, numbers or sentences are missing or garbled."),
        ("foreign_content", "Text from another article or page remains in the text."),
        ("duplicate", "The article repeats another article of the corpus."),
    ],
)

TEXT_FLAGS = _vocab(
    "text_flag",
    "Flags the corpus build sets from what the text shows.",
    [
        ("numbers_stripped", 'Numbers were lost from sentences in the source ("killed at least people").'),
        ("foreign_content_removed", "Cleaning removed text from other articles or pages."),
        ("missing_spaces", 'Words are run together in the source ("achievingan").'),
        ("missing_apostrophes", 'Apostrophes are missing in the source ("Russias").'),
        ("truncated", "The source text ends or breaks off mid-sentence."),
    ],
)

PROVENANCE = _vocab(
    "provenance",
    "Who made a label.",
    [
        ("human", "Made by one human annotator, or agreed by all human annotators of the item."),
        ("adjudicated", "Decided among disagreeing human annotations by the adjudication policy."),
        ("machine", "No human made it: a pre-annotation or a machine-made annotation."),
    ],
)

SPLITS = _vocab(
    "split",
    "Release splits, assigned by story.",
    [
        ("train", "Training split."),
        ("validation", "Validation split."),
        ("test", "Test split."),
    ],
)

ANNOTATION_STATUS = _vocab(
    "annotation_status",
    "What the span-integrity check made of an annotation.",
    [
        ("accepted", "Every region checked against the text (some possibly repaired)."),
        ("partial", "Accepted, with some regions quarantined."),
        ("quarantined", "The whole annotation was rejected."),
    ],
)

#: Every vocabulary, by name, for tables and validators.
VOCABULARIES: dict[str, Vocabulary] = {
    v.name: v
    for v in (
        STANCE_TARGETS,
        STANCE_LABELS,
        GENRES,
        EVENT_TYPES,
        MODES,
        FACTUALITY,
        ENTITY_TYPES,
        ROLES,
        QUALITY_FLAGS,
        TEXT_FLAGS,
        PROVENANCE,
        SPLITS,
        ANNOTATION_STATUS,
    )
}
