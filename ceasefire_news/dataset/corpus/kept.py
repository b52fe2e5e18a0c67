"""What the build keeps of the articles while they stream to the staging file.

Per article only its id (as a number), where it was read and, when there is a parent
version to compare with, its identity key; plus its story sketches in the index. Exact
duplicates of a kept article are dropped and reported here.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, overload

import numpy as np
import pyarrow as pa

from ceasefire_news.dataset.corpus.chunks import ChunkResult
from ceasefire_news.dataset.corpus.stories import StoryIndex


@dataclass(frozen=True, slots=True)
class Duplicate:
    """An article whose clean text repeats one already kept (``kept`` names where)."""

    where: str
    article_id: str
    kept: str


class _Strings:
    """Many strings in one buffer: a Python ``str`` per kept article would cost ~60 bytes more."""

    def __init__(self) -> None:
        self._data = bytearray()
        self._ends = array("Q")

    def __len__(self) -> int:
        return len(self._ends)

    def append(self, value: str) -> None:
        self._data += value.encode("utf-8")
        self._ends.append(len(self._data))

    def __getitem__(self, index: int) -> str:
        start = self._ends[index - 1] if index > 0 else 0
        return self._data[start : self._ends[index]].decode("utf-8")


class _ArticleIds(Sequence[str]):
    """Article ids kept as their 64-bit numbers; ``"a-"`` + 16 hex digits on access."""

    def __init__(self) -> None:
        self.numbers = array("Q")

    def __len__(self) -> int:
        return len(self.numbers)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [f"a-{number:016x}" for number in self.numbers[index]]
        return f"a-{self.numbers[index]:016x}"


@dataclass(slots=True)
class Kept:
    """What the build keeps of the articles while they stream to the staging file.

    Per article: its id number, where it was read, and (only when there is a parent version
    to compare with) its identity key; plus its story sketches in the index.
    """

    index: StoryIndex
    collect_keys: bool
    read: int = 0
    article_ids: _ArticleIds = field(default_factory=_ArticleIds)
    wheres: _Strings = field(default_factory=_Strings)
    keys: list[str] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    # Exact duplicates are found by article id (the first 64 bits of the text's SHA-256):
    # two different texts sharing them would also share an id, which the corpus forbids.
    row_of: dict[int, int] = field(default_factory=dict)
    content: Any = field(default_factory=hashlib.sha256)

    def take(self, result: ChunkResult, writer: pa.ipc.RecordBatchStreamWriter) -> None:
        """Drop exact duplicates of kept articles, write the rest, index their sketches."""
        self.read += result.consumed
        keep = np.ones(len(result.shas), dtype=np.bool_)
        for row, sha in enumerate(result.shas):
            number = int(sha[:16], 16)
            first = self.row_of.get(number)
            if first is None:
                self.row_of[number] = len(self.article_ids)
                self.article_ids.numbers.append(number)
                self.wheres.append(result.wheres[row])
                if self.collect_keys:
                    self.keys.append(result.keys[row])
                self.content.update(result.digests[row])
            else:
                keep[row] = False
                kept_where = self.wheres[first]
                self.duplicates.append(Duplicate(result.wheres[row], "a-" + sha[:16], kept_where))
        everything = bool(keep.all())
        batch = result.batch if everything else result.batch.filter(pa.array(keep))
        if batch.num_rows:
            writer.write_batch(batch)
            self.index.add(result.sketches if everything else result.sketches.select(keep))
