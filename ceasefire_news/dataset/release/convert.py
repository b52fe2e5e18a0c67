"""Convert a release to spaCy, doccano or Prodigy files, one file per split, every span kept.

- ``spacy``: ``<split>.spacy``, a ``DocBin`` with user data. Span groups ``triggers``
  (labels: event types), ``entities`` (entity types) and ``evidence`` (stance targets);
  ``doc.cats`` one-hot per stance target (``stance:<target>:<label>``) and for the genre
  (``genre:<label>``), only where the release has the label; ``doc.user_data`` holds the
  article and story ids, the split and the events with their argument roles.
- ``doccano``: ``<split>.jsonl`` for doccano's relation extraction import: ``entities``
  (``id``, ``label``, ``start_offset``, ``end_offset``) and ``relations`` (``id``,
  ``from_id``, ``to_id``, ``type``); the labels and ids of the article ride along as
  extra keys (doccano keeps them as metadata).
- ``prodigy``: ``<split>.jsonl`` of Prodigy tasks: ``tokens``, ``spans`` (``token_end``
  inclusive, as Prodigy has it), ``relations`` (``head`` and ``child`` are the last token
  of each span, as in Prodigy's ``rel.manual``), and ``accept``: the positive document
  categories.

In the two flat formats a span's label is its event type, its entity type, or
``evidence:<target>`` for stance evidence. Offsets are Python code points, as in the
release; the tokens are cut at every span edge (:func:`export_docs.tokenize`).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ceasefire_news.dataset.corpus.workspace import atomic_directory
from ceasefire_news.dataset.release.export_docs import (
    SPAN_KINDS,
    ExportDoc,
    ExportSpan,
    TokenIndex,
    read_release,
    tokenize,
)
from ceasefire_news.schema.errors import DataError, UsageError

FORMATS = ("spacy", "doccano", "prodigy")
#: spaCy span group of each span kind.
SPAN_GROUPS = {"trigger": "triggers", "entity": "entities", "evidence": "evidence"}
SPACY_EXTRA = "pip install 'ceasefire-news[spacy]'"


@dataclass(slots=True)
class ConvertReport:
    """What was written: the folder, and per file the number of documents."""

    to: str
    out: Path
    files: dict[str, int] = field(default_factory=dict)
    spans: int = 0


def flat_label(span: ExportSpan) -> str:
    """The label of ``span`` in doccano and Prodigy files."""
    return f"evidence:{span.label}" if span.kind == "evidence" else span.label


def doccano_records(docs: Iterable[ExportDoc]) -> Iterator[dict[str, Any]]:
    """doccano JSONL records; entity and relation ids are unique within the file."""
    counter = itertools.count(1)
    for doc in docs:
        ids = {span: next(counter) for span in doc.spans}
        yield {
            "text": doc.text,
            "entities": [
                {"id": ids[s], "label": flat_label(s), "start_offset": s.start, "end_offset": s.end} for s in doc.spans
            ],
            "relations": [
                {"id": next(counter), "from_id": ids[r.head], "to_id": ids[r.child], "type": r.label}
                for r in doc.relations
            ],
            **_meta(doc),
        }


def prodigy_records(docs: Iterable[ExportDoc]) -> Iterator[dict[str, Any]]:
    """Prodigy tasks with tokens, spans, relations and the accepted document categories."""
    for doc in docs:
        index = TokenIndex(tokenize(doc.text, doc.spans))
        spans = {s: _prodigy_span(index, s, f"article {doc.article_id}") for s in doc.spans}
        yield {
            "text": doc.text,
            "tokens": [
                {"text": t.text, "start": t.start, "end": t.end, "id": i, "ws": t.ws}
                for i, t in enumerate(index.tokens)
            ],
            "spans": list(spans.values()),
            "relations": [
                {
                    "head": spans[r.head]["token_end"],
                    "child": spans[r.child]["token_end"],
                    "head_span": spans[r.head],
                    "child_span": spans[r.child],
                    "label": r.label,
                }
                for r in doc.relations
            ],
            "accept": [name for name, value in doc.categories().items() if value == 1.0],
            "answer": "accept",
            "meta": _meta(doc),
        }


def _prodigy_span(index: TokenIndex, span: ExportSpan, where: str) -> dict[str, Any]:
    first, last = index.bounds(span, where)
    return {"start": span.start, "end": span.end, "token_start": first, "token_end": last, "label": flat_label(span)}


def _meta(doc: ExportDoc) -> dict[str, Any]:
    return {
        "article_id": doc.article_id,
        "story_id": doc.story_id,
        "split": doc.split,
        "genre": doc.genre,
        "stance": doc.stance,
    }


def _load_spacy() -> Any:
    try:
        import spacy
        import spacy.tokens
    except ImportError as err:
        raise UsageError(f"--to spacy needs spaCy, which is not installed: {SPACY_EXTRA}") from err
    return spacy


def write_spacy(docs: Iterable[ExportDoc], path: Path, spacy: Any) -> int:
    """Write ``docs`` as a ``DocBin`` with user data at ``path``; the number of documents."""
    vocab = spacy.blank("en").vocab
    binary = spacy.tokens.DocBin(store_user_data=True)
    n = 0
    for source in docs:
        tokens = tokenize(source.text, source.spans)
        doc = spacy.tokens.Doc(vocab, words=[t.text for t in tokens], spaces=[t.ws for t in tokens])
        if doc.text != source.text:
            raise DataError(f"article {source.article_id}: the spaCy tokens do not rebuild the text; a converter bug")
        for kind in SPAN_KINDS:
            group = []
            for span in source.spans:
                if span.kind != kind:
                    continue
                made = doc.char_span(span.start, span.end, label=span.label)
                if made is None:
                    raise DataError(
                        f"article {source.article_id}: spaCy lost the {kind} span [{span.start}, {span.end}); "
                        "a converter bug, please report it with the release"
                    )
                group.append(made)
            doc.spans[SPAN_GROUPS[kind]] = group
        doc.cats = source.categories()
        doc.user_data.update(
            {
                "article_id": source.article_id,
                "story_id": source.story_id,
                "split": source.split,
                "events": source.events,
            }
        )
        binary.add(doc)
        n += 1
    binary.to_disk(path)
    return n


def _write_jsonl(records: Iterable[dict[str, Any]], path: Path) -> int:
    n = 0
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False, sort_keys=False))
            fh.write("\n")
            n += 1
    return n


def convert_release(folder: Path, to: str, out: Path) -> ConvertReport:
    """Write the release ``folder`` in format ``to`` (one of :data:`FORMATS`) into the new folder ``out``."""
    folder, out = Path(folder), Path(out)
    if to not in FORMATS:
        raise UsageError(f"--to {to!r} is not a format; choose one of {', '.join(FORMATS)}")
    spacy = _load_spacy() if to == "spacy" else None
    if out.exists():
        raise UsageError(f"{out} already exists; give --out a new folder (convert never writes into an existing one)")
    if not folder.is_dir():
        raise UsageError(f"{folder} is not a folder; give a release folder such as workspace/release/1.0.0")
    writers: dict[str, Callable[[list[ExportDoc], Path], int]] = {
        "spacy": lambda docs, path: write_spacy(docs, path, spacy),
        "doccano": lambda docs, path: _write_jsonl(doccano_records(docs), path),
        "prodigy": lambda docs, path: _write_jsonl(prodigy_records(docs), path),
    }
    suffix = ".spacy" if to == "spacy" else ".jsonl"
    report = ConvertReport(to, out)
    with atomic_directory(out) as stage:
        for split, docs in read_release(folder):
            name = f"{split}{suffix}"
            report.files[name] = writers[to](docs, stage / name)
            report.spans += sum(len(d.spans) for d in docs)
    return report
