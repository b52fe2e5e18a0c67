"""Corpus versions: the on-disk layout, manifests, diffs between versions, and loading.

A corpus version is a folder ``<workspace>/corpus/X.Y.Z/`` that
``datasets.load_from_disk`` opens: one Arrow stream file (``data-00000-of-00001.arrow``),
``dataset_info.json`` (``info.version == "X.Y.Z"``), ``state.json`` (with a fingerprint
derived from the content, so two builds of the same input are byte-identical), and
``manifest.json`` (docs/ARCHITECTURE.md, "The workspace").

Identity across versions. ``article_id`` derives from the clean text, so an article whose
text changed gets a new id. To tell "changed" from "removed + added", each row also has an
identity key: its ``url`` when it has one, else its ``source_file``. A key names one
article only when exactly one row of each version carries it; an article whose key is
shared by several rows (for example the lines of a JSON Lines file without urls) can be
added or removed, never "changed".
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from ceasefire_news.dataset.corpus.workspace import MANIFEST, Workspace, atomic_write_text, parse_version
from ceasefire_news.schema.errors import UsageError
from ceasefire_news.schema.records import CORPUS_FEATURES

if TYPE_CHECKING:
    import datasets

DATA_FILE = "data-00000-of-00001.arrow"
DATASET_INFO_FILE = "dataset_info.json"
STATE_FILE = "state.json"
FIRST_VERSION = "1.0.0"
IDENTITY_KEY_RULE = "url if present, else source_file"


@dataclass(frozen=True, slots=True)
class Identity:
    """What a diff needs of one corpus row."""

    article_id: str
    key: str
    story_id: str | None = None


def identity_key(url: str | None, source_file: str) -> str:
    """The identity key of a row: its url when it has one, else its source file."""
    return url if url else source_file


# --- versions ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VersionPlan:
    """Which version a build writes and what it builds on."""

    version: str
    parent: str | None
    #: True when the version was chosen by the build (no ``--version``): an unchanged
    #: corpus is then not written again.
    automatic: bool


def bump_minor(version: str) -> str:
    """``"1.2.3"`` -> ``"1.3.0"``."""
    major, minor, _ = parse_version(version)
    return f"{major}.{minor + 1}.0"


def plan_version(workspace: Workspace, requested: str | None) -> VersionPlan:
    """The version to build: ``requested``, or 1.0.0 first, or the latest with a minor bump.

    The parent is always the latest existing version. A requested version must not exist
    and must be newer than the parent, so versions sort in the order they were built.
    """
    existing = workspace.corpus_versions()
    parent = existing[-1] if existing else None
    if requested is None:
        version = bump_minor(parent) if parent else FIRST_VERSION
        return VersionPlan(version=version, parent=parent, automatic=True)
    wanted = parse_version(requested)
    if workspace.corpus_dir(requested).exists():
        raise UsageError(
            f"corpus version {requested} already exists in {workspace.corpus_root}; "
            "a version once written is never overwritten. Choose a new version with "
            f"--version (the latest is {parent})."
        )
    if parent is not None and wanted <= parse_version(parent):
        raise UsageError(
            f"--version {requested} is not newer than the latest corpus version {parent}; "
            f"choose a version above it, for example {bump_minor(parent)}."
        )
    return VersionPlan(version=requested, parent=parent, automatic=False)


def _existing_version(workspace: Workspace, version: str | None) -> str:
    if version is None:
        return workspace.latest_corpus_version()
    parse_version(version)
    folder = workspace.corpus_dir(version)
    if not (folder / STATE_FILE).is_file():
        available = ", ".join(workspace.corpus_versions()) or "none"
        raise UsageError(
            f"corpus version {version} not found in {workspace.corpus_root} "
            f"(available: {available}); run `ceasefire-news build` or pick one of these."
        )
    return version


# --- the files of a version ----------------------------------------------------------------


def content_fingerprint(content_sha256: str, version: str) -> str:
    """The ``datasets`` fingerprint of a version: derived from content, never random."""
    return hashlib.sha256(f"{content_sha256}:{version}".encode()).hexdigest()[:16]


def write_dataset_files(folder: Path, version: str, fingerprint: str, description: str) -> None:
    """``dataset_info.json`` and ``state.json`` as ``Dataset.save_to_disk`` writes them."""
    from datasets import DatasetInfo
    from datasets.utils.py_utils import asdict as info_asdict

    info = DatasetInfo(
        description=description,
        features=CORPUS_FEATURES,
        version=version,
        dataset_name="ceasefire_news",
        config_name="corpus",
    )
    info_dict = info_asdict(info)
    sorted_info = {key: info_dict[key] for key in sorted(info_dict)}
    atomic_write_text(folder / DATASET_INFO_FILE, json.dumps(sorted_info, indent=2))
    state: dict[str, Any] = {
        "_data_files": [{"filename": DATA_FILE}],
        "_fingerprint": fingerprint,
        "_format_columns": None,
        "_format_kwargs": {},
        "_format_type": None,
        "_output_all_columns": False,
        "_split": None,
    }
    atomic_write_text(folder / STATE_FILE, json.dumps(state, indent=2, sort_keys=True))


def data_files(folder: Path) -> list[Path]:
    """The Arrow files of a version folder, as its ``state.json`` lists them."""
    state_path = folder / STATE_FILE
    try:
        state = json.loads(state_path.read_text(encoding="utf-8"))
        return [folder / entry["filename"] for entry in state["_data_files"]]
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise UsageError(
            f"{state_path} is missing or not a datasets state file ({err}); "
            "the corpus version is damaged: build a new version."
        ) from err


def iter_batches(folder: Path, columns: list[str]) -> Iterator[pa.RecordBatch]:
    """Record batches of ``columns`` from a version folder, one at a time (no memory map)."""
    for path in data_files(folder):
        with pa.OSFile(str(path), "rb") as source:
            reader = pa.ipc.open_stream(source)
            for batch in reader:
                yield batch.select(columns)


def read_identities(folder: Path) -> list[Identity]:
    """Article id, identity key and story id of every row of a version folder.

    Raises :class:`~ceasefire_news.schema.errors.UsageError` naming the folder when its data
    can't be read (a truncated or damaged Arrow file).
    """
    found: list[Identity] = []
    try:
        for batch in iter_batches(folder, ["article_id", "url", "source_file", "story_id"]):
            data = batch.to_pydict()
            for article_id, url, source_file, story_id in zip(
                data["article_id"], data["url"], data["source_file"], data["story_id"], strict=True
            ):
                found.append(Identity(article_id, identity_key(url, source_file), story_id))
    except (pa.ArrowException, OSError, ValueError, KeyError) as err:
        raise UsageError(
            f"corpus version {folder} is damaged: its data can't be read ({type(err).__name__}: "
            f"{' '.join(str(err).split())[:200]}); nothing was written. Restore the folder from a backup, or move it "
            "out of the workspace's corpus/ folder so that the build builds on the version before it."
        ) from err
    return found


def read_manifest(workspace: Workspace, version: str | None = None) -> dict[str, Any]:
    """The manifest of a corpus version (the latest when ``version`` is None)."""
    version = _existing_version(workspace, version)
    path = workspace.corpus_dir(version) / MANIFEST
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise UsageError(
            f"{path} is missing or not JSON ({err}); the corpus version is damaged: build a new version."
        ) from err
    return data


# --- diff ----------------------------------------------------------------------------------


def _unique_keys(rows: list[Identity]) -> dict[str, Identity]:
    counts = Counter(row.key for row in rows)
    return {row.key: row for row in rows if counts[row.key] == 1}


def _migrated_keys(old_by_key: dict[str, Identity], new_by_key: dict[str, Identity]) -> dict[str, Identity]:
    """``old_by_key`` with keys from before named sources renamed to the new names.

    Versions built before sources were named stored ``source_file`` as typed
    (``../my_articles/a.txt``, ``/home/someone/my_articles/a.txt``); now it is
    ``my_articles/a.txt``. An old key that no new row carries takes the one new key it ends
    with, so the first build after the change tells a changed article from a removed one.
    """
    migrated: dict[str, Identity] = {}
    for key, row in old_by_key.items():
        if key not in new_by_key:
            parts = key.split("/")
            tails = ("/".join(parts[start:]) for start in range(1, len(parts)))
            key = next((tail for tail in tails if tail in new_by_key and tail not in old_by_key), key)  # noqa: PLW2901
        migrated.setdefault(key, row)
    return migrated


def changed_pairs(old: list[Identity], new: list[Identity]) -> list[tuple[Identity, Identity]]:
    """``(old, new)`` rows with the same unique identity key and different article ids."""
    new_by_key = _unique_keys(new)
    old_by_key = _migrated_keys(_unique_keys(old), new_by_key)
    pairs = []
    for key in sorted(old_by_key.keys() & new_by_key.keys()):
        before, after = old_by_key[key], new_by_key[key]
        if before.article_id != after.article_id:
            pairs.append((before, after))
    return pairs


def diff_identities(
    old: list[Identity], new: list[Identity], old_version: str | None, new_version: str
) -> dict[str, Any]:
    """Added, removed and changed articles from ``old`` to ``new``.

    ``changed`` lists ``{"key", "from", "to"}``: one article (same identity key) whose text,
    and so whose article id, changed. ``added`` and ``removed`` list article ids, sorted.
    """
    old_ids = {row.article_id for row in old}
    new_ids = {row.article_id for row in new}
    changed = [
        pair
        for pair in changed_pairs(old, new)
        if pair[0].article_id not in new_ids and pair[1].article_id not in old_ids
    ]
    changed_old = {before.article_id for before, _ in changed}
    changed_new = {after.article_id for _, after in changed}
    added = sorted(new_ids - old_ids - changed_new)
    removed = sorted(old_ids - new_ids - changed_old)
    return {
        "from": old_version,
        "to": new_version,
        "added": added,
        "removed": removed,
        "changed": [{"key": after.key, "from": before.article_id, "to": after.article_id} for before, after in changed],
        "counts": {
            "added": len(added),
            "removed": len(removed),
            "changed": len(changed),
            "unchanged": len(old_ids & new_ids),
        },
    }


def diff_corpora(workspace: Workspace, v1: str, v2: str) -> dict[str, Any]:
    """What changed from corpus version ``v1`` to ``v2``.

    Returns ``{"from": v1, "to": v2, "added": [article_id, ...], "removed": [...],
    "changed": [{"key": identity key, "from": old article_id, "to": new article_id}],
    "counts": {"added", "removed", "changed", "unchanged"}}``; lists are sorted.
    The identity key is the url when a row has one, else its source file.
    """
    v1 = _existing_version(workspace, v1)
    v2 = _existing_version(workspace, v2)
    return diff_identities(
        read_identities(workspace.corpus_dir(v1)),
        read_identities(workspace.corpus_dir(v2)),
        v1,
        v2,
    )


# --- loading -------------------------------------------------------------------------------


def load_corpus(workspace: Workspace, version: str | None = None) -> datasets.Dataset:
    """Open a corpus version (the latest when ``version`` is None) as a ``datasets.Dataset``.

    >>> ds = load_corpus(Workspace(Path("workspace")))  # doctest: +SKIP
    >>> str(ds.info.version), ds.column_names[0]  # doctest: +SKIP
    ('1.0.0', 'article_id')
    """
    import datasets

    version = _existing_version(workspace, version)
    loaded = datasets.load_from_disk(str(workspace.corpus_dir(version)))
    if not isinstance(loaded, datasets.Dataset):  # pragma: no cover - we never write a DatasetDict
        raise UsageError(f"{workspace.corpus_dir(version)} holds a DatasetDict, not a corpus")
    missing = [name for name in CORPUS_FEATURES if name not in loaded.column_names]
    if missing:
        # A version written before a column existed reads with that column empty.
        table = with_missing_columns(loaded.data.table)
        info = loaded.info.copy()
        info.features = CORPUS_FEATURES
        loaded = datasets.Dataset(table, info=info)
    return loaded


def with_missing_columns(table: pa.Table) -> pa.Table:
    """``table`` with every corpus column it lacks added as nulls, in the schema's order.

    Versions written before a column was added to the corpus (``fetched_date``) keep working.
    """
    schema = CORPUS_FEATURES.arrow_schema
    for position, field in enumerate(schema):
        if field.name not in table.column_names:
            table = table.add_column(
                min(position, table.num_columns), field.remove_metadata(), pa.nulls(table.num_rows, field.type)
            )
    return table
