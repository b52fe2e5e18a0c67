"""How a build runs, and what it did: the options and the report every engine shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ceasefire_news.dataset.corpus.chunks import MAX_ARTICLE_BYTES, WARN_ARTICLE_BYTES, ChunkOptions, Rejection
from ceasefire_news.dataset.corpus.kept import Duplicate
from ceasefire_news.dataset.corpus.parallel import usable_cores
from ceasefire_news.dataset.corpus.stories import StoryOptions
from ceasefire_news.dataset.corpus.topic import Topic, default_topic

#: Where a build runs: worker processes on this machine, or a Ray cluster.
Engine = Literal["local", "ray"]


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildOptions:
    """How a build runs.

    ``workers``, ``chunk_size`` and ``max_pending`` never change the output (the version's
    files are byte-identical); ``stories`` does, and the manifest records it.

    ``workers``: processes that clean and sketch (default: the usable cores); an input of at
    most one chunk is processed in this process. Workers are started with ``spawn``, so a
    script that calls :func:`build_corpus` on a large input needs the usual
    ``if __name__ == "__main__":`` guard. ``chunk_size``: articles per task.
    ``max_pending``: chunks in flight per worker, which bounds memory.
    """

    workers: int = field(default_factory=usable_cores)
    chunk_size: int = 256
    max_pending: int = 3
    stories: StoryOptions = field(default_factory=StoryOptions)
    #: An article with more UTF-8 bytes of text than this is rejected (``too_large``).
    max_article_bytes: int = MAX_ARTICLE_BYTES
    #: An article with more bytes than this (and at most the limit) is built, with a warning.
    warn_article_bytes: int = WARN_ARTICLE_BYTES
    #: Pages of a WARC crawl off this topic are dropped before extraction; None keeps them all.
    topic: Topic | None = field(default_factory=default_topic)
    #: Only articles in these languages are kept (ISO 639-1 codes); None keeps every language.
    languages: frozenset[str] | None = None
    #: ``local``: worker processes on this machine; ``ray``: tasks on a Ray cluster. The
    #: version written is the same, byte for byte.
    engine: Engine = "local"
    #: The Ray cluster to join (``HOST:PORT``); None starts Ray on this machine.
    ray_address: str | None = None
    #: Reuse each unchanged source file's result from the workspace's cache (``cache/units/``).
    cache: bool = True
    #: New input (not in the cache) below this many bytes is processed in this process:
    #: starting a worker costs about a second of CPU.
    pool_min_bytes: int = 4_000_000

    def __post_init__(self) -> None:
        if self.engine not in ("local", "ray"):
            raise ValueError(f"engine is {self.engine!r}; expected 'local' or 'ray'")
        for name in ("workers", "chunk_size", "max_pending", "max_article_bytes", "warn_article_bytes"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} is {value!r}; expected a positive integer")

    def chunk_options(self) -> ChunkOptions:
        """What each chunk's work needs of these options."""
        return ChunkOptions(
            stories=self.stories,
            max_article_bytes=self.max_article_bytes,
            warn_article_bytes=self.warn_article_bytes,
            topic=self.topic,
            languages=self.languages,
        )

    def describe_filters(self) -> dict[str, Any]:
        """The filters, for the manifest."""
        return {
            "topic": self.topic.describe() if self.topic is not None else None,
            "languages": sorted(self.languages) if self.languages is not None else None,
        }


@dataclass(slots=True)
class BuildReport:
    """What a build did. ``unchanged``: nothing was written, the latest version has this content."""

    version: str
    path: Path
    parent: str | None
    read: int
    kept: int
    rejected: int
    duplicates: int
    stories: int
    unchanged: bool = False
    rejections: list[Rejection] = field(default_factory=list)
    duplicate_records: list[Duplicate] = field(default_factory=list)
    #: Records built with a warning (an article above ``warn_article_bytes``).
    warnings: list[Rejection] = field(default_factory=list)
    diff: dict[str, Any] | None = None
    #: Records left out on purpose (crawl records that are not HTML pages, pages off the
    #: topic, other languages), counted by reason.
    filtered: dict[str, int] = field(default_factory=dict)
    #: How the engine ran: for Ray, the nodes its tasks ran on, the bytes the driver fetched
    #: and the bytes read to link stories.
    engine_stats: dict[str, Any] = field(default_factory=dict)
    #: Source files read and processed by this build, and files whose result came from the cache.
    files_processed: int = 0
    files_cached: int = 0

    @property
    def complete(self) -> bool:
        """True when every input record was used (duplicates count as used)."""
        return self.rejected == 0
