"""Pseudonymous annotators and day-coarse timestamps in a release.

The annotation log keeps who annotated as Label Studio reported it (an e-mail, a username or
``user:<id>``); a release never does. Each human annotator is released as
``annotator-<16 hex>``, the HMAC-SHA256 of their name under a key made once per workspace
(``annotations/pseudonym.key``, readable by its owner only, never released), so the same
person has the same pseudonym in every release of that workspace and nobody without the key
can test a guessed e-mail against it. Which pseudonym is whom stays in the workspace
(``annotations/pseudonyms.json``). Machine annotators (the embedded seed annotations, the
pre-annotator) are no persons and keep their readable names. Released timestamps keep the
day only (``YYYY-MM-DDT00:00:00+00:00``, UTC): the hour of each annotation says when a
person worked.

>>> p = Pseudonyms(bytes(32))
>>> p.name("admin@example.org", "human")
'annotator-5c9edfcb52c084d5'
>>> p.name("seed-annotations", "machine")
'seed-annotations'
>>> day_of("2024-03-05T23:30:00-02:00")
'2024-03-06T00:00:00+00:00'
>>> is_released_annotator("annotator-5c9edfcb52c084d5"), is_released_annotator("admin@example.org")
(True, False)
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from ceasefire_news.dataset.corpus.workspace import Workspace
from ceasefire_news.dataset.release.embedded import load_seed_annotations
from ceasefire_news.labeling.preannotate import MODEL_VERSION
from ceasefire_news.labeling.pseudonym import pseudonym_of
from ceasefire_news.schema.records import LoggedAnnotation

PSEUDONYM = re.compile(r"annotator-[0-9a-f]{16}")
#: A released timestamp: a day at midnight UTC.
DAY = re.compile(r"\d{4}-\d{2}-\d{2}T00:00:00\+00:00")


def machine_annotators() -> frozenset[str]:
    """The names that are no persons: the embedded seed annotations and the pre-annotator."""
    return frozenset({str(load_seed_annotations()["annotator"]), MODEL_VERSION})


def is_released_annotator(name: object) -> bool:
    """Whether ``name`` may stand in a release's annotator field: a pseudonym or a machine name."""
    return isinstance(name, str) and (PSEUDONYM.fullmatch(name) is not None or name in machine_annotators())


def day_of(timestamp: str) -> str:
    """``timestamp`` (ISO 8601; naive means UTC) coarsened to its day in UTC; "" when it has no date."""
    try:
        moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        return timestamp[:10] + "T00:00:00+00:00" if re.match(r"\d{4}-\d{2}-\d{2}", timestamp) else ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT00:00:00+00:00")


class Pseudonyms:
    """Released names of annotators under one key; remembers whom it named (``mapping``)."""

    def __init__(self, key: bytes) -> None:
        self.key = key
        self.mapping: dict[str, str] = {}
        self._machine = machine_annotators()

    def name(self, annotator: str, provenance: str) -> str:
        if provenance == "machine" or annotator in self._machine:
            return annotator
        pseudonym = pseudonym_of(self.key, annotator)
        self.mapping[pseudonym] = annotator
        return pseudonym

    def entry(self, entry: LoggedAnnotation) -> LoggedAnnotation:
        """``entry`` as released: its annotator pseudonymous, its timestamps coarsened to the day."""
        return replace(
            entry,
            annotator=self.name(entry.annotator, entry.provenance),
            created_at=day_of(entry.created_at),
            updated_at=day_of(entry.updated_at),
        )


def mapping_path(workspace: Workspace) -> Path:
    return workspace.log_path.with_name("pseudonyms.json")


def save_mapping(workspace: Workspace, mapping: dict[str, str]) -> None:
    """Add ``mapping`` (pseudonym -> annotator) to the workspace's ``annotations/pseudonyms.json``."""
    if not mapping:
        return
    path = mapping_path(workspace)
    known: dict[str, str] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    if all(known.get(k) == v for k, v in mapping.items()):
        return
    known.update(mapping)
    # Written private from the start: the mapping names the annotators.
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(dict(sorted(known.items())), out, indent=2, ensure_ascii=False)
        out.write("\n")
    os.replace(tmp, path)
