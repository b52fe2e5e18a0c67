"""The pre-annotator's trigger lexicon: word forms -> (PLOVER type, mode or None, score).

Data only; :mod:`ceasefire_news.labeling.preannotate` matches it. Every type and mode is
checked against :mod:`ceasefire_news.schema.labels` when this module is imported.
"""

from __future__ import annotations

from dataclasses import dataclass

from ceasefire_news.schema.labels import EVENT_MODES, EVENT_TYPES


@dataclass(frozen=True, slots=True)
class TriggerRule:
    """One lexicon entry: word forms (matched case-insensitively) of one PLOVER type and mode."""

    phrases: tuple[str, ...]
    event_type: str
    mode: str | None = None
    score: float = 0.6

    def __post_init__(self) -> None:
        EVENT_TYPES.index(self.event_type)
        if self.mode is not None and (
            self.event_type not in EVENT_MODES or self.mode not in EVENT_MODES[self.event_type]
        ):
            raise ValueError(f"{self.mode!r} is not a PLOVER mode of {self.event_type}")


def _forms(*words: str) -> tuple[str, ...]:
    return tuple(words)


TRIGGER_RULES: tuple[TriggerRule, ...] = (
    TriggerRule(
        _forms(
            "agree",
            "agrees",
            "agreed",
            "agreement",
            "agreements",
            "signed",
            "sign",
            "signs",
            "signing",
            "accord",
            "accords",
            "deal",
            "deals",
            "brokered",
        ),
        "AGREE",
        score=0.7,
    ),
    TriggerRule(
        _forms("phone call", "phone conversation", "phone talks", "telephone call", "telephone conversation", "phoned"),
        "CONSULT",
        "phone",
        0.8,
    ),
    TriggerRule(
        _forms("visit", "visits", "visited", "visiting", "traveled to", "travelled to", "arrived in"),
        "CONSULT",
        "visit",
        0.6,
    ),
    TriggerRule(_forms("summit", "summits", "conference", "conferences"), "CONSULT", "multilateral", 0.6),
    TriggerRule(
        _forms(
            "talks",
            "talked",
            "met",
            "meeting",
            "meetings",
            "negotiated",
            "negotiation",
            "negotiations",
            "negotiating",
            "discussed",
            "discussion",
            "discussions",
            "conversation",
        ),
        "CONSULT",
    ),
    TriggerRule(
        _forms("praised", "welcomed", "endorsed", "congratulated", "backed", "supported", "supporting"),
        "SUPPORT",
        score=0.5,
    ),
    TriggerRule(
        _forms("conceded", "concession", "concessions", "eased", "apologised", "apologized"), "CONCEDE", score=0.5
    ),
    TriggerRule(
        _forms("joint patrol", "joint patrols", "coordinated", "coordination", "cooperated", "cooperation", "jointly"),
        "COOPERATE",
        score=0.5,
    ),
    TriggerRule(
        _forms(
            "humanitarian aid",
            "humanitarian assistance",
            "humanitarian supplies",
            "humanitarian convoy",
            "humanitarian convoys",
        ),
        "AID",
        "humanitarian",
        0.8,
    ),
    TriggerRule(
        _forms(
            "arms supplies",
            "weapons supplies",
            "arms shipments",
            "weapons shipments",
            "arms deliveries",
            "weapons deliveries",
            "military aid",
        ),
        "AID",
        "military",
        0.7,
    ),
    TriggerRule(_forms("aid", "assistance"), "AID", score=0.4),
    TriggerRule(
        _forms(
            "ceasefire took effect",
            "ceasefire came into effect",
            "ceasefire went into effect",
            "ceasefire came into force",
            "ceasefire takes effect",
        ),
        "RETREAT",
        "ceasefire",
        0.8,
    ),
    TriggerRule(_forms("truce", "ceasefire", "cease-fire", "cessation of hostilities"), "RETREAT", "ceasefire", 0.3),
    TriggerRule(
        _forms(
            "withdraw",
            "withdrew",
            "withdrawal",
            "withdrawn",
            "withdraws",
            "pulled back",
            "pulled out",
            "retreat",
            "retreated",
        ),
        "RETREAT",
        "withdraw",
        0.6,
    ),
    TriggerRule(
        _forms(
            "evacuated", "evacuation", "evacuations", "humanitarian corridor", "humanitarian corridors", "safe passage"
        ),
        "RETREAT",
        "access",
        0.6,
    ),
    TriggerRule(_forms("released", "swap", "swapped"), "RETREAT", "release", 0.4),
    TriggerRule(
        _forms("called for", "urged", "urges", "appealed", "demanded", "demands", "asked", "requested"),
        "REQUEST",
        score=0.6,
    ),
    TriggerRule(
        _forms("accused", "accuses", "blamed", "condemned", "condemns", "denounced", "criticised", "criticized"),
        "ACCUSE",
        score=0.7,
    ),
    TriggerRule(_forms("rejected", "rejects", "refused", "denied", "denies", "dismissed"), "REJECT", score=0.6),
    TriggerRule(_forms("threaten", "threatens", "threatened", "warned", "warns", "ultimatum"), "THREATEN", score=0.6),
    TriggerRule(
        _forms("demonstration", "demonstrations", "demonstrators", "demonstrated", "rally", "rallies", "rallied"),
        "PROTEST",
        "demonstrate",
        0.5,
    ),
    TriggerRule(_forms("protest", "protests", "protested", "protesters"), "PROTEST", score=0.5),
    TriggerRule(_forms("sanction", "sanctions", "expelled", "embargo"), "SANCTION", score=0.6),
    TriggerRule(
        _forms(
            "deployed", "deployment", "deployments", "reinforcements", "sent troops", "massed", "mobilised", "mobilized"
        ),
        "MOBILIZE",
        "troops",
        0.6,
    ),
    TriggerRule(_forms("besieged", "siege", "blockade", "blockaded", "encircled"), "COERCE", "siege", 0.7),
    TriggerRule(_forms("arrested", "detained", "detention"), "COERCE", "arrest", 0.6),
    TriggerRule(_forms("seized", "captured", "took control"), "COERCE", "seize", 0.5),
    TriggerRule(
        _forms(
            "air strike",
            "air strikes",
            "airstrike",
            "airstrikes",
            "air raid",
            "air raids",
            "bombed",
            "bombing",
            "bombardment",
            "shot down",
        ),
        "ASSAULT",
        "aerial",
        0.7,
    ),
    TriggerRule(
        _forms(
            "shelling", "shelled", "artillery", "rocket fire", "rocket attack", "rocket attacks", "mortar", "mortars"
        ),
        "ASSAULT",
        "heavy-weapons",
        0.7,
    ),
    TriggerRule(
        _forms(
            "car bomb",
            "car bombing",
            "suicide attack",
            "suicide attacks",
            "suicide bombing",
            "suicide bomber",
            "suicide bombers",
        ),
        "ASSAULT",
        "suicide",
        0.7,
    ),
    TriggerRule(_forms("chemical attack", "chemical attacks", "chemical weapons"), "ASSAULT", "chemical", 0.7),
    TriggerRule(
        _forms("clashes", "clashed", "fighting", "attack", "attacked", "attacks", "offensive", "killed", "battle"),
        "ASSAULT",
        score=0.5,
    ),
)
