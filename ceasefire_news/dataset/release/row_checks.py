"""The meaning of release rows: spans, stories, splits and ids.

Spans in range and equal to their text slice; relation endpoints present in raw results;
every row's article present in ``articles`` with the same story and split; splits
disjoint by story; ids unique over each config (found with Arrow over the whole config).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ceasefire_news.dataset.release.issues import REGENERATE, Issue
from ceasefire_news.dataset.release.pseudonyms import DAY, is_released_annotator
from ceasefire_news.labeling.results import Region, Trigger, parse_result
from ceasefire_news.schema.labels import ANNOTATION_STATUS, EVENT_MODES, EVENT_TYPES, MODES, SPLITS


@dataclass(slots=True)
class Article:
    """What the rows that refer to an article check against."""

    text: str
    story_id: str
    split: str


class Checker:
    """The row checks. ``texts=False``: articles are known without their texts (the rows that
    refer to them are checked by worker processes)."""

    def __init__(self, issues: list[Issue], *, texts: bool = True) -> None:
        self.issues = issues
        self.texts = texts
        self.articles: dict[str, Article] = {}
        self.story_split: dict[str, tuple[str, str, str, int]] = {}  # story -> (split, config, file split, row)

    def add(self, config: str, split: str, row: int, problem: str, fix: str = REGENERATE) -> None:
        self.issues.append(Issue(config, split, row, problem, fix))

    def story(self, config: str, split: str, row: int, story_id: str | None) -> None:
        if story_id is None:
            return
        seen = self.story_split.setdefault(story_id, (split, config, split, row))
        if seen[0] != split:
            self.add(
                config,
                split,
                row,
                f"story {story_id} is in split {split!r} here and in {seen[0]!r} ({seen[1]}/{seen[2]} row {seen[3]}); "
                "splits must be disjoint by story",
                "splits are assigned by story_id in release; " + REGENERATE,
            )

    def span(self, where: tuple[str, str, int], what: str, text: str, *, start: Any, end: Any, span_text: Any) -> None:
        config, split, row = where
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
            self.add(config, split, row, f"{what} offsets [{start}, {end}) are outside the text (length {len(text)})")
        elif text[start:end] != span_text:
            self.add(
                config,
                split,
                row,
                f"{what} text {span_text!r} differs from text[{start}:{end}] = {text[start:end]!r}",
            )

    def article_of(self, config: str, split: str, row: int, values: dict[str, Any]) -> Article | None:
        article = self.articles.get(values["article_id"])
        if article is None:
            self.add(
                config,
                split,
                row,
                f"article {values['article_id']} is not in the articles config",
                "release rows only for articles of the corpus; " + REGENERATE,
            )
            return None
        if values["story_id"] != article.story_id:
            self.add(
                config,
                split,
                row,
                f"story_id {values['story_id']} differs from the article's {article.story_id}",
            )
        if split != article.split:
            self.add(config, split, row, f"row is in split {split!r}, its article in {article.split!r}")
        return article

    def article_texts(self, config: str, split: str, offset: int, batch: pa.Table) -> list[str | None]:
        """Each row's article text; None, with the issue, where the article is not in ``articles``.
        Also reports a story or split that differs from the article's."""
        texts: list[str | None] = []
        articles = self.articles
        ids, stories = pylists(batch, ["article_id", "story_id"])
        for i, (article_id, story_id) in enumerate(zip(ids, stories, strict=True)):
            article = articles.get(article_id)
            if article is None or article.story_id != story_id or article.split != split:
                article = self.article_of(config, split, offset + i, {"article_id": article_id, "story_id": story_id})
            texts.append(None if article is None else article.text)
        return texts

    def spans(self, where: tuple[str, str, int], what: str, texts: list[str | None], spans: Spans) -> None:
        """Check spans given column-wise; ``where`` is (config, split, offset of the batch) and
        ``texts`` each row's article text (None: the row has no article, already reported)."""
        config, split, offset = where
        for row, j, start, end, span_text in zip(
            spans.rows, spans.positions, spans.starts, spans.ends, spans.texts, strict=True
        ):
            text = texts[row]
            if text is None:
                continue
            if (
                type(start) is int
                and type(end) is int
                and 0 <= start < end <= len(text)
                and text[start:end] == span_text
            ):
                continue
            self.span(
                (config, split, offset + row),
                what if j is None else f"{what}[{j}]",
                text,
                start=start,
                end=end,
                span_text=span_text,
            )

    def articles_rows(self, split: str, offset: int, batch: pa.Table) -> None:
        columns = pylists(batch, ["article_id", "text", "text_sha256", "story_id", "split"])
        split_id = SPLITS.index(split)
        for i, (article_id, value, sha256, story_id, split_value) in enumerate(zip(*columns, strict=True)):
            row = offset + i
            if split_value != split_id and split_value is not None:
                self.add("articles", split, row, f"split column says {split_value}, the file is {split!r}")
            if article_id in self.articles:
                self.add("articles", split, row, f"article_id {article_id} is not unique")
                continue
            text = value or ""
            if hashlib.sha256(text.encode("utf-8")).hexdigest() != sha256:
                self.add("articles", split, row, f"text_sha256 of {article_id} does not match its text")
            self.articles[article_id] = Article(text if self.texts else "", story_id, split)
            self.story("articles", split, row, story_id)

    def annotators(self, config: str, split: str, offset: int, column: pa.ChunkedArray | pa.Array) -> None:
        """Every name in ``column`` (strings, or lists of them) must be a pseudonym or a machine's name."""
        flat = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
        while pa.types.is_list(flat.type):
            flat = flat.flatten()
        bad = [name for name in pc.unique(flat).to_pylist() if not is_released_annotator(name)]
        if bad:
            self.add(
                config,
                split,
                offset,
                f"{len(bad)} annotator names in rows from {offset} on are neither pseudonyms (annotator-<16 hex>) "
                f"nor machine names, e.g. {str(bad[0])[:3]}... (not shown in full: it may be personal data)",
                "release again from the workspace (`ceasefire-news release` writes pseudonyms); do not publish this",
            )

    def timestamps(self, split: str, offset: int, batch: pa.Table) -> None:
        for name in ("created_at", "updated_at"):
            values = pc.unique(batch.column(name)).to_pylist()
            fine = [v for v in values if not v or DAY.fullmatch(v)]  # "": a time the log could not parse
            if len(fine) != len(values):
                self.add(
                    "annotations_raw",
                    split,
                    offset,
                    f"{name} holds times of day, e.g. {next(v for v in values if v not in fine)!r}; "
                    "expected days only (YYYY-MM-DDT00:00:00+00:00)",
                    "release again from the workspace: `ceasefire-news release` coarsens timestamps",
                )

    def stance_rows(self, split: str, offset: int, batch: pa.Table) -> None:
        self.annotators(
            "stance", split, offset, pc.struct_field(batch.column("votes").combine_chunks().flatten(), "annotator")
        )
        labels, review = pylists(batch, ["label", "needs_review"])
        for i, (label, needs_review) in enumerate(zip(labels, review, strict=True)):
            if label is None and not needs_review:
                self.add("stance", split, offset + i, "label is null but needs_review is false")
        texts = self.article_texts("stance", split, offset, batch)
        self.spans(("stance", split, offset), "evidence", texts, Spans.of_list(batch.column("evidence")))

    def events_rows(self, split: str, offset: int, batch: pa.Table) -> None:
        self.annotators("events", split, offset, batch.column("annotators"))
        event_types, modes = pylists(batch, ["event_type", "mode"])
        for i, (event_type, mode) in enumerate(zip(event_types, modes, strict=True)):
            row = offset + i
            if (
                mode is not None
                and event_type is not None
                and 0 <= event_type < len(EVENT_TYPES)
                and 0 <= mode < len(MODES)
            ):
                type_name, mode_name = EVENT_TYPES.names[event_type], MODES.names[mode]
                if type_name not in EVENT_MODES or mode_name not in EVENT_MODES[type_name]:
                    allowed = list(EVENT_MODES[type_name].names) if type_name in EVENT_MODES else []
                    self.add(
                        "events", split, row, f"mode {mode_name!r} is not a mode of {type_name} (modes: {allowed})"
                    )
        texts = self.article_texts("events", split, offset, batch)
        self.spans(("events", split, offset), "trigger", texts, Spans.of_struct(batch.column("trigger")))
        self.spans(("events", split, offset), "arguments", texts, Spans.of_list(batch.column("arguments")))

    def raw_rows(self, split: str, offset: int, batch: pa.Table, *, parse: bool) -> None:
        self.annotators("annotations_raw", split, offset, batch.column("annotator"))
        self.timestamps(split, offset, batch)
        texts = self.article_texts("annotations_raw", split, offset, batch)
        if not parse:
            return
        checked = {ANNOTATION_STATUS.index("accepted"), ANNOTATION_STATUS.index("partial")}
        statuses, results = pylists(batch, ["status", "result_json"])
        for i, (text, status, result_json) in enumerate(zip(texts, statuses, results, strict=True)):
            row = offset + i
            try:
                result = json.loads(result_json)
            except (TypeError, ValueError) as err:
                self.add("annotations_raw", split, row, f"result_json is not JSON ({err})")
                continue
            if text is None or status not in checked:
                continue  # a quarantined annotation is released as made
            parsed = parse_result(result)
            for problem in parsed.problems:
                self.add(
                    "annotations_raw",
                    split,
                    row,
                    f"result of an {ANNOTATION_STATUS.names[status]} annotation: {problem.reason}: {problem.detail}",
                )
            regions: list[Trigger | Region] = [*parsed.triggers, *parsed.entities]
            regions += [r for found in parsed.evidence.values() for r in found]
            for region in regions:
                self.span(
                    ("annotations_raw", split, row),
                    f"region {region.id}",
                    text,
                    start=region.start,
                    end=region.end,
                    span_text=region.text,
                )


def check_rows(checker: Checker, config: str, split: str, *, offset: int, batch: pa.Table, raw_results: bool) -> None:
    """The row checks of ``config`` for ``batch``; ``raw_results``: parse raw annotations' results again."""
    if config == "articles":
        checker.articles_rows(split, offset, batch)
    elif config == "stance":
        checker.stance_rows(split, offset, batch)
    elif config == "events":
        checker.events_rows(split, offset, batch)
    else:
        checker.raw_rows(split, offset, batch, parse=raw_results)


def pylists(batch: pa.Table, names: list[str]) -> list[list[Any]]:
    """Columns as Python lists: far cheaper than a dict per row."""
    return [batch.column(name).to_pylist() for name in names]


@dataclass(slots=True)
class Spans:
    """Spans of a span column, flattened: row in the batch, position in its list (None for a
    single span), start, end and text."""

    rows: list[int]
    positions: list[int | None]
    starts: list[Any]
    ends: list[Any]
    texts: list[Any]

    @classmethod
    def of_struct(cls, column: pa.ChunkedArray) -> Spans:
        spans = column.combine_chunks()
        rows = list(range(len(spans)))
        return cls(rows, [None] * len(rows), *_span_fields(spans))

    @classmethod
    def of_list(cls, column: pa.ChunkedArray) -> Spans:
        lists = column.combine_chunks()
        parents = pc.list_parent_indices(lists).to_numpy()
        # A span's position in its list: its index in the flattened values less its list's start.
        offsets = lists.offsets.to_numpy()
        positions = np.arange(len(parents)) + offsets[0] - offsets[parents]
        return cls(parents.tolist(), positions.tolist(), *_span_fields(pc.list_flatten(lists)))


def _span_fields(spans: pa.Array) -> tuple[list[Any], list[Any], list[Any]]:
    return (
        pc.struct_field(spans, "start").to_pylist(),
        pc.struct_field(spans, "end").to_pylist(),
        pc.struct_field(spans, "text").to_pylist(),
    )


#: The columns that must be unique over a config, all splits together.
UNIQUE = {"stance": ("article_id", "target"), "events": ("event_id",), "annotations_raw": ("annotation_id",)}


def check_unique(root: Path, config: str, files: list[tuple[str, str]], issues: list[Issue]) -> None:
    """Rows whose key repeats one of an earlier row of the config (in split, then file order)."""
    keys = UNIQUE[config]
    tables = [pq.read_table(root / name, columns=list(keys)) for _, name in files]
    if not tables:
        return
    every = pa.concat_tables(tables)
    distinct = every.group_by(list(keys)).aggregate([]).num_rows
    if distinct == every.num_rows:
        return  # the usual release: nothing repeats
    seen: set[Any] = set()
    for (split, _), table in zip(files, tables, strict=True):
        for row, key in enumerate(zip(*pylists(table, list(keys)), strict=True)):
            if key in seen:
                if config == "stance":
                    problem = f"article {key[0]} has two rows for target id {key[1]}"
                else:
                    problem = f"{keys[0]} {key[0]} is not unique"
                issues.append(Issue(config, split, row, problem, REGENERATE))
            seen.add(key)
