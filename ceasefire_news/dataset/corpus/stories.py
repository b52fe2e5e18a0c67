"""Stories: clusters of articles that tell the same story, so splits never leak across them.

Two articles belong to one story when either

- their texts are near-duplicates: the Jaccard similarity of their word 5-shingles,
  estimated with MinHash (``rensa``, 128 permutations) and found through LSH banding
  (32 bands of 4 rows), is at least ``StoryOptions.threshold``. This catches syndicated
  copies: the same paragraphs under another outlet's boilerplate, with small edits; or
- they share a whole paragraph verbatim (a line of at least ``min_paragraph_words``
  words, compared ignoring case, typographic quotes and runs of whitespace). Splits are made by story, and a
  paragraph shared between train and test would leak. A paragraph found in more than
  ``max_paragraph_articles`` articles is boilerplate that cleaning left in, not a story,
  and links nothing.

Stories are the connected components of these links.

Memory stays small as the corpus grows: per article the index keeps 32 band keys
(``uint32``) and a 128-byte b-bit signature (the low 8 bits of each MinHash value, enough
to verify an LSH candidate, Li & König 2010), plus one ``uint64`` per long paragraph.
No text is kept.

Story ids are stable across versions (:func:`assign_story_ids`): an article that existed in
the parent version keeps its story id, a new article that joins an old story takes that
story's id, and a new story gets a new id derived from its content.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import rensa

#: Word n-gram length of the shingles MinHash compares.
SHINGLE_WORDS = 5
#: MinHash permutations; ``BANDS * ROWS`` must equal it.
NUM_PERM = 128
BANDS = 32
ROWS = 4
#: Fixed so that signatures, and therefore stories, are the same in every run.
MINHASH_SEED = 1_062_016
#: Bits of each MinHash value kept to verify LSH candidates.
SIGNATURE_BITS = 8

# Odd 64-bit multipliers that fold the four 32-bit values of a band into one key.
_BAND_MULTIPLIERS = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93],
    dtype=np.uint64,
)

# Declared aliases: they stay types where numpy's own types are not seen (setup.py's type check).
U64Array: TypeAlias = npt.NDArray[np.uint64]
U8Array: TypeAlias = npt.NDArray[np.uint8]
U32Array: TypeAlias = npt.NDArray[np.uint32]
I64Array: TypeAlias = npt.NDArray[np.int64]
BoolArray: TypeAlias = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True, kw_only=True)
class StoryOptions:
    """How stories are found. Recorded in every corpus manifest.

    >>> StoryOptions(threshold=0.6).threshold
    0.6
    """

    threshold: float = 0.5
    min_paragraph_words: int = 20
    max_paragraph_articles: int = 100
    #: Members of one LSH bucket are verified against at most this many of its first members
    #: (ordered by article id), the bucket's anchors.
    max_bucket_checks: int = 8

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError(f"threshold is {self.threshold}; expected a number in (0, 1]")
        if self.min_paragraph_words < 1:
            raise ValueError(f"min_paragraph_words is {self.min_paragraph_words}; expected at least 1")
        if self.max_paragraph_articles < 2:
            raise ValueError(f"max_paragraph_articles is {self.max_paragraph_articles}; expected at least 2")
        if self.max_bucket_checks < 1:
            raise ValueError(f"max_bucket_checks is {self.max_bucket_checks}; expected at least 1")

    def describe(self) -> dict[str, object]:
        """The method and its parameters, for the manifest."""
        return {
            "method": "minhash_lsh_or_shared_paragraph_v2",
            "minhash": f"rensa.RMinHash (algorithm {rensa.RMinHash.ALGORITHM_VERSION})",
            "num_perm": NUM_PERM,
            "bands": BANDS,
            "rows": ROWS,
            "seed": MINHASH_SEED,
            "shingle_words": SHINGLE_WORDS,
            "signature_bits": SIGNATURE_BITS,
            "threshold": self.threshold,
            "min_paragraph_words": self.min_paragraph_words,
            "max_paragraph_articles": self.max_paragraph_articles,
            "max_bucket_checks": self.max_bucket_checks,
        }


@dataclass(slots=True)
class Sketches:
    """What the story index keeps of a batch of articles (rows ``0..n-1`` of the batch)."""

    band_keys: U32Array  # (n, BANDS)
    signatures: U8Array  # (n, NUM_PERM), low bits of each MinHash value
    indexed: BoolArray  # (n,), False for a text without words: it links by nothing
    paragraph_hashes: U64Array  # (m,)
    paragraph_rows: U32Array  # (m,), row of each paragraph hash

    def __len__(self) -> int:
        return int(self.indexed.shape[0])

    def select(self, keep: BoolArray) -> Sketches:
        """The rows where ``keep`` is true, renumbered from 0."""
        new_row = np.cumsum(keep, dtype=np.int64) - 1
        para_keep = keep[self.paragraph_rows]
        return Sketches(
            band_keys=self.band_keys[keep],
            signatures=self.signatures[keep],
            indexed=self.indexed[keep],
            paragraph_hashes=self.paragraph_hashes[para_keep],
            paragraph_rows=new_row[self.paragraph_rows[para_keep]].astype(np.uint32),
        )


def normalize(text: str) -> str:
    """Lower case, typographic quotes as ASCII: what copies of one story may differ in."""
    return text.lower().replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')


def shingles(tokens: Sequence[str]) -> list[str]:
    """Word 5-shingles; a text shorter than that is one shingle of all its words."""
    if len(tokens) < SHINGLE_WORDS:
        return [" ".join(tokens)] if tokens else []
    return list(map(" ".join, zip(*(tokens[i:] for i in range(SHINGLE_WORDS)), strict=False)))


def _hash64(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")


def tokens_and_paragraphs(text: str, min_words: int) -> tuple[list[str], list[int]]:
    """Whitespace tokens of the normalized text, and hashes of its long lines.

    A line with at least ``min_words`` tokens is hashed (64 bits) with its whitespace runs
    collapsed, after :func:`normalize`; the hashes are distinct and sorted.
    """
    tokens: list[str] = []
    found: set[int] = set()
    for line in normalize(text).splitlines():
        words = line.split()
        if len(words) >= min_words:
            found.add(_hash64(" ".join(words)))
        tokens += words
    return tokens, sorted(found)


def sketch_texts(texts: Sequence[str], options: StoryOptions) -> Sketches:
    """MinHash band keys, b-bit signatures and long-paragraph hashes of each text."""
    n = len(texts)
    shingle_sets: list[list[str]] = []
    hashes: list[int] = []
    rows: list[int] = []
    for row, text in enumerate(texts):
        # Whitespace tokens: cheap, and punctuation that differs between copies costs only
        # the few shingles it touches.
        tokens, found = tokens_and_paragraphs(text, options.min_paragraph_words)
        shingle_sets.append(shingles(tokens))
        hashes.extend(found)
        rows.extend([row] * len(found))
    indexed = np.array([bool(s) for s in shingle_sets], dtype=np.bool_)
    if n:
        matrix = rensa.RMinHash.digest_matrix_from_token_sets(
            [s if s else ["\x00"] for s in shingle_sets], NUM_PERM, MINHASH_SEED
        )
        values = np.array(matrix.to_rows(), dtype=np.uint64).reshape(n, NUM_PERM)
    else:
        values = np.zeros((0, NUM_PERM), dtype=np.uint64)
    del shingle_sets
    # Wrapping multiply-add, high 32 bits kept: a fast, well-mixed key per band. 32 bits
    # keep the index small; a chance collision only adds a candidate, and candidates are
    # verified against the signatures.
    with np.errstate(over="ignore"):
        mixed = (values.reshape(n, BANDS, ROWS) * _BAND_MULTIPLIERS).sum(axis=2, dtype=np.uint64)
    band_keys = (mixed >> np.uint64(32)).astype(np.uint32)
    signatures = (values & np.uint64((1 << SIGNATURE_BITS) - 1)).astype(np.uint8)
    return Sketches(
        band_keys=np.ascontiguousarray(band_keys),
        signatures=signatures,
        indexed=indexed,
        paragraph_hashes=np.array(hashes, dtype=np.uint64),
        paragraph_rows=np.array(rows, dtype=np.uint32),
    )


def estimated_jaccard(a: U8Array, b: U8Array) -> float:
    """Jaccard similarity estimated from two b-bit signatures (corrected for chance matches)."""
    chance = 1.0 / (1 << SIGNATURE_BITS)
    equal = float(np.count_nonzero(a == b)) / len(a)
    return max(0.0, (equal - chance) / (1.0 - chance))


class _UnionFind:
    """Union by smaller root index, so a component's root is its first row."""

    def __init__(self, n: int) -> None:
        self.parent = np.arange(n, dtype=np.int64)

    def find(self, x: int) -> int:
        parent = self.parent
        root = x
        while parent[root] != root:
            root = int(parent[root])
        while parent[x] != root:
            parent[x], x = root, int(parent[x])
        return root

    def union(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        if rb < ra:
            ra, rb = rb, ra
        self.parent[rb] = ra
        return True


def _drain(parts: list[Any]) -> Any:
    """Concatenate and empty a list of arrays (the parts are freed as soon as possible)."""
    joined = np.concatenate(parts)
    parts.clear()
    return joined


def groups(keys: U64Array | U32Array) -> list[I64Array]:
    """Row indices of each run of two or more equal keys, in key order."""
    if keys.shape[0] < 2:
        return []
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    bounds = np.flatnonzero(ordered[1:] != ordered[:-1]) + 1
    starts = np.concatenate(([0], bounds))
    ends = np.concatenate((bounds, [ordered.shape[0]]))
    return [order[s:e] for s, e in zip(starts, ends, strict=True) if e - s > 1]


@dataclass(slots=True)
class Clusters:
    """Stories found in one build: a component root per row, and the links that made them."""

    roots: I64Array  # (n,), the first row of each row's component
    links: list[tuple[int, int]] = field(default_factory=list)
    boilerplate_paragraphs: int = 0

    @property
    def count(self) -> int:
        return int(np.unique(self.roots).shape[0]) if self.roots.shape[0] else 0


class StoryIndex:
    """Accumulates the sketches of the kept articles, in output order, then clusters them."""

    def __init__(self, options: StoryOptions) -> None:
        self.options = options
        # One list per field, so that clustering can concatenate (and free) one at a time.
        self._band_keys: list[U32Array] = []
        self._signatures: list[U8Array] = []
        self._indexed: list[BoolArray] = []
        self._paragraph_hashes: list[U64Array] = []
        self._paragraph_rows: list[U32Array] = []
        self._rows = 0

    def __len__(self) -> int:
        return self._rows

    def add(self, sketches: Sketches) -> None:
        """Append a batch; its rows follow the rows added before."""
        if len(sketches):
            self._band_keys.append(sketches.band_keys)
            self._signatures.append(sketches.signatures)
            self._indexed.append(sketches.indexed)
            self._paragraph_hashes.append(sketches.paragraph_hashes)
            self._paragraph_rows.append(sketches.paragraph_rows + np.uint32(self._rows))
            self._rows += len(sketches)

    def cluster(self, order: U64Array | None = None) -> Clusters:
        """Connected components of the near-duplicate and shared-paragraph links.

        ``order`` gives each row its place in a bucket (the article id's number; default: the
        row). The links found do not depend on the order in which rows were added or buckets
        are visited, so any engine that applies :func:`bucket_links` and
        :func:`paragraph_links` to the same groups finds the same stories.

        The index is consumed: it is empty afterwards.
        """
        n = self._rows
        if n == 0:
            return Clusters(roots=np.zeros(0, dtype=np.int64))
        rank = np.arange(n, dtype=np.uint64) if order is None else np.asarray(order, dtype=np.uint64)
        edges: list[tuple[int, int]] = []

        para_hashes = _drain(self._paragraph_hashes)
        para_rows = _drain(self._paragraph_rows)
        boilerplate = 0
        for group in groups(para_hashes):
            found = paragraph_links(para_rows[group].astype(np.int64), rank, self.options)
            if found is None:
                boilerplate += 1
            else:
                edges.extend(found)
        del para_hashes, para_rows

        signatures = _drain(self._signatures)
        rows = np.flatnonzero(_drain(self._indexed))
        for band in range(BANDS):
            column = np.concatenate([keys[:, band] for keys in self._band_keys])
            edges.extend(band_links(column[rows], rows, rank, signatures, self.options))
        self._band_keys.clear()
        self._rows = 0
        return components(n, edges, boilerplate)


def paragraph_links(members: I64Array, rank: U64Array, options: StoryOptions) -> list[tuple[int, int]] | None:
    """Links between the articles that share one paragraph: each to the first by ``rank``.

    None when the paragraph is in more than ``max_paragraph_articles`` articles (boilerplate).
    """
    unique = np.unique(members)
    if unique.shape[0] > options.max_paragraph_articles:
        return None
    ordered = unique[np.lexsort((unique, rank[unique]))]
    first = int(ordered[0])
    return [_edge(first, int(other)) for other in ordered[1:]]


def bucket_links(
    members: I64Array, rank: U64Array, signatures: U8Array, options: StoryOptions
) -> list[tuple[int, int]]:
    """Verified links among the members of one LSH bucket.

    The members are ordered by ``rank``; the first ``max_bucket_checks`` are the bucket's
    anchors. Each member is compared with every anchor before it, and linked where the
    estimated Jaccard similarity reaches the threshold: a bucket of many copies of one
    story costs linear, not quadratic, time, and the result depends only on the members.
    """
    ordered = members[np.lexsort((members, rank[members]))]
    anchors = ordered[: options.max_bucket_checks]
    chance = 1.0 / (1 << SIGNATURE_BITS)
    found: list[tuple[int, int]] = []
    anchor_signatures = signatures[anchors]
    for position in range(1, ordered.shape[0]):
        row = int(ordered[position])
        before = min(position, anchors.shape[0])
        equal = np.count_nonzero(anchor_signatures[:before] == signatures[row], axis=1) / NUM_PERM
        similarity = np.maximum(0.0, (equal - chance) / (1.0 - chance))
        for anchor in np.flatnonzero(similarity >= options.threshold):
            found.append(_edge(int(anchors[anchor]), row))
    return found


def band_links(
    keys: U32Array, rows: I64Array, rank: U64Array, signatures: U8Array, options: StoryOptions
) -> list[tuple[int, int]]:
    """:func:`bucket_links` of every bucket (``rows`` of equal ``keys``) of one band, at once."""
    if rows.shape[0] < 2:
        return []
    order = np.lexsort((rows, rank[rows], keys))
    ordered_keys, ordered = keys[order], rows[order]
    first = np.ones(ordered.shape[0], dtype=np.bool_)
    first[1:] = ordered_keys[1:] != ordered_keys[:-1]
    starts = np.flatnonzero(first)
    group = np.cumsum(first) - 1
    position = np.arange(ordered.shape[0]) - starts[group]
    shared = np.diff(np.append(starts, ordered.shape[0]))[group] > 1
    chance = 1.0 / (1 << SIGNATURE_BITS)
    found: list[tuple[int, int]] = []
    for anchor in range(options.max_bucket_checks):
        members = np.flatnonzero(shared & (position > anchor))
        if not members.shape[0]:
            break
        anchors = ordered[starts[group[members]] + anchor]
        others = ordered[members]
        equal = np.count_nonzero(signatures[anchors] == signatures[others], axis=1) / NUM_PERM
        linked = np.maximum(0.0, (equal - chance) / (1.0 - chance)) >= options.threshold
        pairs = np.sort(np.stack((anchors[linked], others[linked]), axis=1), axis=1)
        found.extend((int(a), int(b)) for a, b in pairs.tolist())
    return found


def _edge(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def components(n: int, edges: list[tuple[int, int]], boilerplate: int = 0) -> Clusters:
    """Stories as the connected components of ``edges`` over rows ``0..n-1``.

    Each row's root is the smallest row of its component; the links are the distinct edges,
    sorted, so the result does not depend on the order the edges were found in.
    """
    forest = _UnionFind(n)
    links = sorted(set(edges))
    for a, b in links:
        forest.union(a, b)
    roots = np.array([forest.find(i) for i in range(n)], dtype=np.int64)
    return Clusters(roots=roots, links=links, boilerplate_paragraphs=boilerplate)


def new_story_id(article_ids: Sequence[str], taken: set[str]) -> str:
    """A story id derived from the smallest article id of the story, unique among ``taken``."""
    seed = min(article_ids)
    attempt = 0
    while True:
        material = f"story:{seed}" if attempt == 0 else f"story:{seed}:{attempt}"
        candidate = "s-" + hashlib.sha256(material.encode("utf-8")).hexdigest()[:16]
        if candidate not in taken:
            return candidate
        attempt += 1


def assign_story_ids(
    clusters: Clusters,
    article_ids: Sequence[str],
    inherited: Mapping[int, str] | None = None,
    taken: set[str] | None = None,
) -> list[str]:
    """One story id per row.

    ``inherited`` maps rows that existed in the parent version (same article, or the same
    identity key with changed text) to their parent story id; they keep it. A new row in
    a component with inherited rows takes the story of the nearest inherited row along
    the links (ties: the smaller story id). A component without inherited rows is a new
    story: its id derives from its smallest article id and avoids every id in ``taken``
    (the parent's story ids), so a new story never merges into an old one by accident.

    >>> c = Clusters(roots=np.array([0, 0, 2]))
    >>> ids = assign_story_ids(c, ["a-1", "a-2", "a-3"], inherited={0: "s-old"})
    >>> ids[:2], ids[2] != "s-old"
    (['s-old', 's-old'], True)
    """
    inherited = dict(inherited or {})
    taken = set(taken or ())
    taken.update(inherited.values())
    n = clusters.roots.shape[0]
    if len(article_ids) != n:
        raise ValueError(f"{len(article_ids)} article ids for {n} clustered rows")
    story: list[str | None] = [None] * n
    for row, sid in inherited.items():
        story[row] = sid

    members: dict[int, list[int]] = {}
    for row, root in enumerate(clusters.roots.tolist()):
        members.setdefault(root, []).append(row)

    needs_walk = False
    for root in sorted(members):
        rows = members[root]
        old = sorted({inherited[r] for r in rows if r in inherited})
        if not old:
            sid = new_story_id([article_ids[r] for r in rows], taken)
            taken.add(sid)
            for r in rows:
                story[r] = sid
        elif len(old) == 1:
            for r in rows:
                story[r] = old[0]
        else:
            needs_walk = True

    if needs_walk:
        _nearest_inherited(clusters.links, story)
    if any(s is None for s in story):  # pragma: no cover - every component is handled above
        raise RuntimeError("a row was left without a story id")
    return [s for s in story if s is not None]


def _nearest_inherited(links: list[tuple[int, int]], story: list[str | None]) -> None:
    """Multi-source breadth-first walk: each row without a story takes the nearest one's."""
    adjacency: dict[int, list[int]] = {}
    for a, b in links:
        adjacency.setdefault(a, []).append(b)
        adjacency.setdefault(b, []).append(a)
    sources = sorted(
        (row for row, sid in enumerate(story) if sid is not None and row in adjacency),
        key=lambda row: (story[row], row),
    )
    queue = deque(sources)
    while queue:
        row = queue.popleft()
        for nxt in sorted(adjacency[row]):
            if story[nxt] is None:
                story[nxt] = story[row]
                queue.append(nxt)
