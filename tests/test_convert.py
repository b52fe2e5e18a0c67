"""convert: every span of the release is in each export, at the same offsets, read by the tool's own reader."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
import spacy
from spacy.tokens import DocBin

from ceasefire_news.cli.app import main
from ceasefire_news.dataset.corpus.workspace import Workspace
from ceasefire_news.dataset.release.convert import convert_release
from ceasefire_news.dataset.release.export_docs import ExportSpan, tokenize
from ceasefire_news.dataset.release.pipeline import release_corpus
from ceasefire_news.schema.errors import UsageError
from ceasefire_news.schema.labels import ENTITY_TYPES, EVENT_TYPES, GENRES, ROLES, SPLITS, STANCE_LABELS, STANCE_TARGETS
from tests.fixtures.release import SeedRelease, Span, corpus_row, logged, read_config, result, write_corpus, write_log

#: (article_id, kind, start, end, label)
SpanKey = tuple[str, str, int, int, str]
#: (article_id, (trigger start, end), (entity start, end), role)
RoleKey = tuple[str, tuple[int, int], tuple[int, int], str]

# A flag emoji (two code points) glued to a word, words cut inside, and a CRLF line break.
TRICKY = "🇷🇺Russia and Türkiye re-agreed a ceasefire\r\nin Idlib after talks in Moscow."
#: Text, and the words of its trigger, its entity and the start of its evidence.
OTHERS = [
    ("Talks in Astana ended 🙂without a deal; the opposition walked out.", "Talks", "Astana", "without"),
    ("Damascus\r\nshelled rebel-held Idlib despite the truce.", "shelled", "Idlib", "rebel"),
    ("Ankara and Moscow co-signed the Sochi memorandum on Thursday.", "signed", "Sochi", "memo"),
]


def _at(text: str, word: str, skip: int = 0, size: int | None = None) -> tuple[int, int]:
    start = text.index(word) + skip
    return start, start + (size if size is not None else len(word) - skip)


def _tricky_items(text: str) -> list[dict[str, Any]]:
    return result(
        text,
        stance={"russia": "favor", "turkey": "neutral"},
        genre="reporting",
        triggers=[Span("t1", *_at(text, "agreed", size=5), "AGREE"), Span("t2", *_at(text, "talks"), "CONSULT")],
        entities=[
            Span("e1", *_at(text, "Russia"), "GOV"),
            Span("e2", *_at(text, "Türkiye", size=4), "GOV"),
            Span("e3", *_at(text, "Moscow"), "LOC"),
        ],
        # Moscow fills a role in two events: one entity span, two relations.
        relations=[
            ("t1", "e1", "actor"),
            ("t1", "e2", "recipient"),
            ("t1", "e3", "location"),
            ("t2", "e3", "location"),
        ],
        evidence=[Span("v1", *_at(text, "fire\r\nin Idlib"), "russia"), Span("v2", *_at(text, "ceasefire"), "turkey")],
    )


def _other_items(text: str, trigger: str, entity: str, evidence: str) -> list[dict[str, Any]]:
    return result(
        text,
        stance={"ceasefire": "against"},
        genre="opinion",
        triggers=[Span("t1", *_at(text, trigger), "CONSULT")],
        entities=[Span("e1", *_at(text, entity), "LOC")],
        relations=[("t1", "e1", "location")],
        evidence=[Span("v1", *_at(text, evidence, skip=1, size=5), "ceasefire")],
    )


@pytest.fixture(scope="module")
def tricky_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    workspace = Workspace(tmp_path_factory.mktemp("convert") / "ws")
    rows = [corpus_row(text, f"s-{i}") for i, text in enumerate([TRICKY, *(o[0] for o in OTHERS)])]
    write_corpus(workspace, rows)
    items = [_tricky_items(TRICKY), *(_other_items(*o) for o in OTHERS)]
    write_log(workspace, [logged(row, "ann1", its) for row, its in zip(rows, items, strict=True)])
    return release_corpus(workspace, progress=False).path


def release_spans(folder: Path) -> tuple[set[SpanKey], set[RoleKey], dict[str, str]]:
    """Every span and role of the release, read from its Parquet files; and the texts by article."""
    texts = {row["article_id"]: row["text"] for row in read_config(folder, "articles")}
    spans: set[SpanKey] = set()
    roles: set[RoleKey] = set()
    for row in read_config(folder, "events"):
        aid, trigger = row["article_id"], row["trigger"]
        spans.add((aid, "trigger", trigger["start"], trigger["end"], EVENT_TYPES.names[row["event_type"]]))
        for arg in row["arguments"]:
            spans.add((aid, "entity", arg["start"], arg["end"], ENTITY_TYPES.names[arg["entity_type"]]))
            head, child = (trigger["start"], trigger["end"]), (arg["start"], arg["end"])
            roles.add((aid, head, child, ROLES.names[arg["role"]]))
    for row in read_config(folder, "stance"):
        for ev in row["evidence"]:
            spans.add((row["article_id"], "evidence", ev["start"], ev["end"], STANCE_TARGETS.names[row["target"]]))
    for aid, kind, start, end, _ in spans:
        assert texts[aid][start:end], (aid, kind, start, end)
    return spans, roles, texts


def _kind(label: str) -> tuple[str, str]:
    """Kind and release label of a flat (doccano, Prodigy) label."""
    if label.startswith("evidence:"):
        return "evidence", label.removeprefix("evidence:")
    if label in EVENT_TYPES:
        return "trigger", label
    assert label in ENTITY_TYPES, label
    return "entity", label


def read_spacy(out: Path) -> tuple[set[SpanKey], set[RoleKey], dict[str, str], dict[str, dict[str, float]]]:
    kinds = {"triggers": "trigger", "entities": "entity", "evidence": "evidence"}
    spans: set[SpanKey] = set()
    roles: set[RoleKey] = set()
    texts: dict[str, str] = {}
    cats: dict[str, dict[str, float]] = {}
    vocab = spacy.blank("en").vocab
    for split in SPLITS.names:
        for doc in DocBin(store_user_data=True).from_disk(out / f"{split}.spacy").get_docs(vocab):
            aid = doc.user_data["article_id"]
            assert doc.user_data["split"] == split
            texts[aid], cats[aid] = doc.text, dict(doc.cats)
            assert set(doc.spans) == set(kinds)
            for group, kind in kinds.items():
                for span in doc.spans[group]:
                    spans.add((aid, kind, span.start_char, span.end_char, span.label_))
            for event in doc.user_data["events"]:
                head = (event["trigger"]["start"], event["trigger"]["end"])
                for arg in event["arguments"]:
                    roles.add((aid, head, (arg["start"], arg["end"]), arg["role"]))
    return spans, roles, texts, cats


def _jsonl(out: Path) -> list[tuple[str, dict[str, Any]]]:
    """``(split, record)`` for every line of every split file."""
    records = []
    for split in SPLITS.names:
        with open(out / f"{split}.jsonl", encoding="utf-8") as fh:
            records += [(split, json.loads(line)) for line in fh]
    return records


def read_doccano(out: Path) -> tuple[set[SpanKey], set[RoleKey], dict[str, str]]:
    spans: set[SpanKey] = set()
    roles: set[RoleKey] = set()
    texts: dict[str, str] = {}
    ids: dict[str, set[int]] = {split: set() for split in SPLITS.names}
    for split, record in _jsonl(out):
        aid = record["article_id"]
        assert record["split"] == split
        texts[aid] = record["text"]
        by_id = {}
        for entity in record["entities"]:
            assert set(entity) == {"id", "label", "start_offset", "end_offset"}
            kind, label = _kind(entity["label"])
            by_id[entity["id"]] = (entity["start_offset"], entity["end_offset"])
            spans.add((aid, kind, entity["start_offset"], entity["end_offset"], label))
        for relation in record["relations"]:
            assert set(relation) == {"id", "from_id", "to_id", "type"}
            roles.add((aid, by_id[relation["from_id"]], by_id[relation["to_id"]], relation["type"]))
        new = [e["id"] for e in record["entities"]] + [r["id"] for r in record["relations"]]
        assert len(set(new)) == len(new)
        assert not ids[split] & set(new)  # unique within the file, as doccano links relations by id
        ids[split] |= set(new)
    return spans, roles, texts


def read_prodigy(out: Path) -> tuple[set[SpanKey], set[RoleKey], dict[str, str]]:
    spans: set[SpanKey] = set()
    roles: set[RoleKey] = set()
    texts: dict[str, str] = {}
    for split, record in _jsonl(out):
        aid, text, tokens = record["meta"]["article_id"], record["text"], record["tokens"]
        assert record["meta"]["split"] == split
        texts[aid] = text
        assert "".join(t["text"] + (" " if t["ws"] else "") for t in tokens) == text
        assert [t["id"] for t in tokens] == list(range(len(tokens)))
        for token in tokens:
            assert text[token["start"] : token["end"]] == token["text"]
        for span in [*record["spans"], *(r[k] for r in record["relations"] for k in ("head_span", "child_span"))]:
            # token_end is inclusive, as Prodigy has it
            assert tokens[span["token_start"]]["start"] == span["start"]
            assert tokens[span["token_end"]]["end"] == span["end"]
        for span in record["spans"]:
            kind, label = _kind(span["label"])
            spans.add((aid, kind, span["start"], span["end"], label))
        for relation in record["relations"]:
            head, child = relation["head_span"], relation["child_span"]
            assert (relation["head"], relation["child"]) == (head["token_end"], child["token_end"])
            roles.add((aid, (head["start"], head["end"]), (child["start"], child["end"]), relation["label"]))
    return spans, roles, texts


def test_the_tricky_release_has_spans_a_plain_tokenizer_loses(tricky_release: Path) -> None:
    # Without cuts at span edges, spaCy's own tokens lose these spans: the exports below must not.
    spans, _, texts = release_spans(tricky_release)
    nlp = spacy.blank("en")
    lost = {
        (kind, texts[aid][start:end])
        for aid, kind, start, end, _ in spans
        if nlp(texts[aid]).char_span(start, end) is None
    }
    assert {("trigger", "agree"), ("entity", "Türk"), ("evidence", "fire\r\nin Idlib"), ("evidence", "ithou")} <= lost


@pytest.mark.parametrize("to", ["spacy", "doccano", "prodigy"])
@pytest.mark.parametrize("which", ["tricky", "seed"])
def test_every_span_and_role_is_exported_at_its_offsets(
    to: str, which: str, tricky_release: Path, seed_release: SeedRelease, tmp_path: Path
) -> None:
    folder = tricky_release if which == "tricky" else seed_release.folder
    spans, roles, texts = release_spans(folder)
    assert spans
    assert roles
    out = tmp_path / to
    report = convert_release(folder, to, out)
    if to == "spacy":
        got_spans, got_roles, got_texts, _ = read_spacy(out)
    else:
        got_spans, got_roles, got_texts = read_doccano(out) if to == "doccano" else read_prodigy(out)
    assert got_texts == texts
    assert got_spans == spans
    assert got_roles == roles
    assert report.spans == len(spans)
    assert sum(report.files.values()) == len(texts)


def test_spacy_categories_are_the_release_stance_and_genre(tricky_release: Path, tmp_path: Path) -> None:
    convert_release(tricky_release, "spacy", tmp_path / "out")
    _, _, _, cats = read_spacy(tmp_path / "out")
    genres = {row["article_id"]: row["genre"] for row in read_config(tricky_release, "articles")}
    expected = {aid: {f"genre:{GENRES.names[g]}"} for aid, g in genres.items()}
    for row in read_config(tricky_release, "stance"):
        target, label = STANCE_TARGETS.names[row["target"]], STANCE_LABELS.names[row["label"]]
        expected[row["article_id"]].add(f"stance:{target}:{label}")
    assert {aid: {k for k, v in c.items() if v == 1.0} for aid, c in cats.items()} == expected
    tricky = next(c for c in cats.values() if c.get("stance:turkey:neutral") == 1.0)
    assert tricky["stance:turkey:favor"] == 0.0
    assert not any(k.startswith("stance:ceasefire:") for k in tricky)  # not annotated: no category


def test_tokens_are_cut_at_span_edges_and_rebuild_the_text() -> None:
    text = "a  re-agreed\r\n🇷🇺x y"
    spans = [ExportSpan("trigger", 6, 11, "AGREE"), ExportSpan("evidence", 1, 12, "russia")]
    tokens = tokenize(text, spans)
    assert "".join(t.text + (" " if t.ws else "") for t in tokens) == text
    assert [t.text for t in tokens] == ["a", "  ", "re", "-", "agree", "d", "\r\n", "🇷", "🇺", "x", "y"]
    assert tokens[-2].ws
    # A space where a span starts is a token of its own, not the previous token's trailing space.
    edge = tokenize("x y", [ExportSpan("evidence", 1, 3, "russia")])
    assert [(t.text, t.ws) for t in edge] == [("x", False), (" ", False), ("y", False)]


def test_cli_convert_by_version_and_its_usage_errors(
    tricky_release: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace = tricky_release.parents[1]
    out = tmp_path / "doccano"
    code = main(["convert", "1.0.0", "--to", "doccano", "--out", str(out), "--workspace", str(workspace)])
    assert code == 0
    assert "train.jsonl" in capsys.readouterr().out
    assert main(["convert", str(tricky_release), "--to", "doccano", "--out", str(out)]) == 2
    assert "already exists; give --out a new folder" in capsys.readouterr().err
    assert main(["convert", str(tricky_release), "--to", "conll", "--out", str(tmp_path / "x")]) == 2
    assert "choose one of spacy, doccano, prodigy" in capsys.readouterr().err
    assert main(["convert", str(tmp_path), "--to", "prodigy", "--out", str(tmp_path / "y")]) == 2
    assert "is not a release folder" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
    assert not (tmp_path / "y").exists()


def test_without_spacy_one_line_names_the_extra(
    tricky_release: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "spacy", None)  # import spacy raises ImportError
    with pytest.raises(UsageError, match="pip install 'ceasefire-news\\[spacy\\]'"):
        convert_release(tricky_release, "spacy", tmp_path / "a")
    assert main(["convert", str(tricky_release), "--to", "spacy", "--out", str(tmp_path / "b")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "pip install 'ceasefire-news[spacy]'" in err
    assert not (tmp_path / "a").exists()
    assert not (tmp_path / "b").exists()
