"""Label Studio tasks, one per article, with the pre-annotator's predictions.

A task's ``data`` carries everything an annotator sees and everything a pull needs to
check an annotation against the corpus: ``text``, ``title``, ``outlet``, ``date``, ``url``,
``article_id``, ``text_sha256``, ``story_id``, ``corpus_version`` and ``meta`` (the one
line under the title in the labeling view).

Predictions are validated before they leave: every region's offsets against the text,
and every result shape (control, type, labels) against the labeling config with the
SDK's ``LabelInterface``. Label Studio itself only logs an invalid prediction and drops
it, so an unchecked one would disappear without a word.

>>> import datasets
>>> from ceasefire_news.schema.records import CORPUS_FEATURES
>>> row = {"article_id": "a-1", "title": "Talks", "outlet": "Example", "url": None,
...        "published_date": None, "fetched_date": None, "language": "en", "text": "Putin and Erdogan agreed.",
...        "text_sha256": "x", "story_id": "s-1", "quality_flags": [], "removed": [],
...        "source_file": "a.txt", "corpus_version": "1.0.0"}
>>> task = build_tasks(datasets.Dataset.from_list([row], features=CORPUS_FEATURES))[0]
>>> task["data"]["article_id"], task["predictions"][0]["model_version"]
('a-1', 'ceasefire-rules-v1')
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ceasefire_news.labeling.config import SPAN_CONTROLS, label_config
from ceasefire_news.labeling.preannotate import MODEL_VERSION, preannotate, prediction_score

if TYPE_CHECKING:
    import datasets

logger = logging.getLogger(__name__)

#: Columns of the corpus a task is made from.
TASK_COLUMNS = (
    "article_id",
    "title",
    "outlet",
    "url",
    "published_date",
    "text",
    "text_sha256",
    "story_id",
    "corpus_version",
)

_TITLE_FALLBACK_CHARS = 120


def _date(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _title(row: dict[str, Any]) -> str:
    title = row.get("title")
    if title:
        return str(title)
    # An untitled article shows its first line, so the labeling view never reads "$title".
    first = next((line.strip() for line in str(row.get("text") or "").splitlines() if line.strip()), "")
    return first[:_TITLE_FALLBACK_CHARS] or f"Article {row.get('article_id')}"


def task_data(row: dict[str, Any]) -> dict[str, Any]:
    """The ``data`` of the task for one corpus row."""
    date = _date(row.get("published_date"))
    outlet = str(row.get("outlet") or "")
    meta = " · ".join(
        part
        for part in (
            outlet or "unknown outlet",
            date or "undated",
            str(row["article_id"]),
            f"story {row.get('story_id')}" if row.get("story_id") else "",
            f"corpus {row.get('corpus_version')}",
        )
        if part
    )
    return {
        "article_id": str(row["article_id"]),
        "corpus_version": str(row.get("corpus_version") or ""),
        "date": date,
        "meta": meta,
        "outlet": outlet,
        "story_id": str(row.get("story_id") or ""),
        "text": str(row["text"]),
        "text_sha256": str(row["text_sha256"]),
        "title": _title(row),
        "url": str(row.get("url") or ""),
    }


# --- prediction validation -----------------------------------------------------------------


@lru_cache(maxsize=1)
def _interface() -> Any:
    try:
        from label_studio_sdk.label_interface.interface import LabelInterface
    except ImportError as err:  # pragma: no cover - a dependency of the project
        raise ImportError(
            "label-studio-sdk is needed to validate predictions; install the project with `pip install -e .`"
        ) from err
    return LabelInterface(label_config())


def _shape(item: dict[str, Any]) -> tuple[Any, ...]:
    value = item.get("value")
    labels: tuple[Any, ...] = ()
    keys: tuple[str, ...] = ()
    if isinstance(value, dict):
        keys = tuple(sorted(value))
        for key in ("labels", "choices"):
            if isinstance(value.get(key), list):
                labels = (key, *map(str, value[key]))
    return (item.get("from_name"), item.get("to_name"), item.get("type"), labels, keys)


@dataclass(slots=True)
class PredictionValidator:
    """Checks predictions against the labeling config and the task text.

    The config check (``LabelInterface.validate_region``) depends only on a result item's
    shape (control, object, type, labels), so it runs once per shape; offsets are checked
    per item.
    """

    _verdicts: dict[tuple[Any, ...], list[str]] = field(default_factory=dict)

    def errors(self, prediction: dict[str, Any], text: str) -> list[str]:
        """Every reason ``prediction`` would be dropped; empty when it is valid."""
        found: list[str] = []
        result = prediction.get("result")
        if not isinstance(result, list):
            return [f"result must be a list, got {type(result).__name__}"]
        if not isinstance(prediction.get("model_version"), str) or not prediction["model_version"]:
            found.append("model_version must be a non-empty string")
        score = prediction.get("score")
        if not isinstance(score, int | float) or isinstance(score, bool) or not 0.0 <= score <= 1.0:
            found.append(f"score must be a number in [0, 1], got {score!r}")
        for position, item in enumerate(result):
            if not isinstance(item, dict):
                found.append(f"item {position} is not an object")
                continue
            shape = _shape(item)
            verdict = self._verdicts.get(shape)
            if verdict is None:
                verdict = [str(e) for e in _interface().validate_region(item, return_errors=True)]
                self._verdicts[shape] = verdict
            found.extend(f"item {position}: {error}" for error in verdict)
            if item.get("from_name") in SPAN_CONTROLS:
                value = item.get("value") or {}
                start, end = value.get("start"), value.get("end")
                if not isinstance(start, int) or not isinstance(end, int) or text[start:end] != value.get("text"):
                    found.append(f"item {position}: text[{start}:{end}] is not the region's text {value.get('text')!r}")
        return found


# --- tasks ---------------------------------------------------------------------------------


@dataclass(slots=True)
class TaskBuild:
    """What building tasks made: how many, and the predictions that failed validation."""

    tasks: int = 0
    predictions: int = 0
    dropped_predictions: list[tuple[str, list[str]]] = field(default_factory=list)


def make_prediction(text: str) -> dict[str, Any]:
    """The pre-annotator's prediction for ``text``: result, ``model_version`` and ``score``."""
    result = preannotate(text)
    return {"model_version": MODEL_VERSION, "score": prediction_score(result), "result": result}


def iter_rows(corpus: datasets.Dataset, batch_size: int = 1000) -> Iterator[dict[str, Any]]:
    """The corpus rows a task needs, in corpus order, a batch at a time."""
    columns = [c for c in TASK_COLUMNS if c in corpus.column_names]
    for batch in corpus.select_columns(columns).iter(batch_size=batch_size):
        names = list(batch)
        for values in zip(*(batch[name] for name in names), strict=True):
            yield dict(zip(names, values, strict=True))


def iter_tasks(
    rows: Iterable[dict[str, Any]],
    *,
    with_predictions: bool = True,
    report: TaskBuild | None = None,
    validator: PredictionValidator | None = None,
) -> Iterator[dict[str, Any]]:
    """One task per row; predictions that fail validation are left out and counted in ``report``."""
    report = report if report is not None else TaskBuild()
    validator = validator or PredictionValidator()
    for row in rows:
        task: dict[str, Any] = {"data": task_data(row)}
        if with_predictions:
            prediction = make_prediction(task["data"]["text"])
            errors = validator.errors(prediction, task["data"]["text"])
            if errors:
                report.dropped_predictions.append((task["data"]["article_id"], errors))
                logger.warning(
                    "prediction for article %s left out: %s", task["data"]["article_id"], "; ".join(errors[:3])
                )
                task["predictions"] = []
            else:
                task["predictions"] = [prediction]
                report.predictions += 1
        report.tasks += 1
        yield task


def build_tasks(corpus: datasets.Dataset, *, with_predictions: bool = True) -> list[dict[str, Any]]:
    """One Label Studio task per corpus row, in corpus order, with validated predictions.

    Each task is ``{"data": {...}, "predictions": [{"model_version", "score", "result"}]}``
    (no ``predictions`` key when ``with_predictions`` is False).
    """
    return list(iter_tasks(iter_rows(corpus), with_predictions=with_predictions))
