"""Story clustering: near-duplicates and shared paragraphs, and ids stable across versions."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from ceasefire_news.dataset.corpus.build import build_corpus
from ceasefire_news.dataset.corpus.clean import clean_article
from ceasefire_news.dataset.corpus.document import RawArticle
from ceasefire_news.dataset.corpus.read import embedded_sources
from ceasefire_news.dataset.corpus.stories import (
    NUM_PERM,
    Clusters,
    StoryIndex,
    StoryOptions,
    assign_story_ids,
    band_links,
    bucket_links,
    estimated_jaccard,
    sketch_texts,
)
from ceasefire_news.dataset.corpus.versions import load_corpus
from ceasefire_news.dataset.corpus.workspace import Workspace

SEEDS = {path.name[:3]: path for path in embedded_sources()}

COPY_HEADER = "Levant Wire Service\nHome | World | Middle East | Opinion\nPublished by the Levant Wire desk\n\n"
COPY_FOOTER = (
    "\n\nCopyright 2016 Levant Wire Service. All rights reserved.\n"
    "Share this story on Facebook, Twitter and WhatsApp\n"
    "Subscribe to our daily newsletter\n"
)


def clean_seed(name: str) -> str:
    path = SEEDS[name]
    raw = path.read_text(encoding="utf-8")
    return clean_article(RawArticle(str(path), str(path), raw)).text


def stories_of(texts: list[str], options: StoryOptions | None = None) -> list[int]:
    options = options or StoryOptions()
    index = StoryIndex(options)
    index.add(sketch_texts(texts, options))
    roots: list[int] = index.cluster().roots.tolist()
    return roots


def syndicated_copy(text: str) -> str:
    """The same paragraphs under another outlet's header and footer."""
    return COPY_HEADER + text + COPY_FOOTER


def edited_copy(text: str) -> str:
    """Every paragraph edited by one word, so no paragraph is shared verbatim."""
    lines = []
    for line in text.splitlines():
        words = line.split(" ")
        if len(words) > 6:
            words[len(words) // 2] = "reportedly"
        lines.append(" ".join(words))
    return "\n".join(lines)


NO_PARAGRAPH_RULE = StoryOptions(min_paragraph_words=100_000)


def test_seeds_000_and_001_share_a_story_through_their_shared_paragraph() -> None:
    texts = [clean_seed(n) for n in ("000", "001")]
    assert stories_of(texts) == [0, 0]
    # MinHash alone does not link them: the shared paragraph does.
    assert stories_of(texts, NO_PARAGRAPH_RULE) == [0, 1]


def test_unrelated_seed_articles_are_separate_stories() -> None:
    texts = [clean_seed(n) for n in ("000", "002", "003", "004")]
    assert stories_of(texts) == [0, 1, 2, 3]


@pytest.mark.parametrize("seed", ["002", "003", "004"])
def test_syndicated_copy_with_other_boilerplate_shares_the_story(seed: str) -> None:
    original = clean_seed(seed)
    copy = syndicated_copy(original)
    other = clean_seed("000")
    assert stories_of([original, other, copy]) == [0, 1, 0]


@pytest.mark.parametrize("seed", ["002", "004"])
def test_edited_copy_is_found_by_minhash_alone(seed: str) -> None:
    original = clean_seed(seed)
    copy = syndicated_copy(edited_copy(original))
    sketches = sketch_texts([original, copy], NO_PARAGRAPH_RULE)
    similarity = estimated_jaccard(sketches.signatures[0], sketches.signatures[1])
    assert similarity >= NO_PARAGRAPH_RULE.threshold
    assert stories_of([original, copy], NO_PARAGRAPH_RULE) == [0, 0]


def test_threshold_decides_a_near_duplicate() -> None:
    original = clean_seed("002")
    copy = syndicated_copy(edited_copy(original))
    strict = StoryOptions(threshold=1.0, min_paragraph_words=100_000)
    assert stories_of([original, copy], strict) == [0, 1]


def test_short_shared_paragraph_links_nothing() -> None:
    shared = "Your email address will not be published."
    texts = [f"{clean_seed('002')}\n\n{shared}", f"{clean_seed('003')}\n\n{shared}"]
    assert stories_of(texts) == [0, 1]


def test_paragraph_in_too_many_articles_is_boilerplate() -> None:
    shared = " ".join(f"word{i}" for i in range(30))
    texts = [f"{clean_seed(n)}\n\n{shared}" for n in ("000", "002", "003", "004")]
    assert stories_of(texts, StoryOptions(max_paragraph_articles=3)) == [0, 1, 2, 3]
    assert stories_of(texts, StoryOptions(max_paragraph_articles=4)) == [0, 0, 0, 0]
    index = StoryIndex(StoryOptions(max_paragraph_articles=3))
    index.add(sketch_texts(texts, index.options))
    assert index.cluster().boilerplate_paragraphs == 1


def test_text_without_words_links_to_nothing() -> None:
    assert stories_of(["...", "!!!", clean_seed("002")]) == [0, 1, 2]


def test_batches_added_separately_cluster_like_one_batch() -> None:
    texts = [clean_seed(n) for n in ("000", "002", "001")] + [syndicated_copy(clean_seed("002"))]
    options = StoryOptions()
    index = StoryIndex(options)
    for text in texts:
        index.add(sketch_texts([text], options))
    assert index.cluster().roots.tolist() == stories_of(texts) == [0, 1, 0, 1]


def test_options_are_validated_with_a_clear_message() -> None:
    with pytest.raises(ValueError, match=r"threshold is 1\.5; expected a number in \(0, 1\]"):
        StoryOptions(threshold=1.5)
    with pytest.raises(ValueError, match="max_paragraph_articles is 1; expected at least 2"):
        StoryOptions(max_paragraph_articles=1)


# --- story ids -----------------------------------------------------------------------------


def test_new_story_ids_derive_from_content_and_avoid_taken_ids() -> None:
    clusters = Clusters(roots=np.array([0, 0, 2]))
    first = assign_story_ids(clusters, ["a-2", "a-1", "a-3"])
    assert first[0] == first[1] != first[2]
    assert first == assign_story_ids(clusters, ["a-2", "a-1", "a-3"])
    # The same members in another order give the same id.
    again = assign_story_ids(Clusters(roots=np.array([0, 1, 1])), ["a-3", "a-1", "a-2"])
    assert again[1] == first[0]
    avoided = assign_story_ids(clusters, ["a-2", "a-1", "a-3"], taken={first[0]})
    assert avoided[0] != first[0]
    assert avoided[0].startswith("s-")


def test_new_article_bridging_two_old_stories_takes_the_nearest() -> None:
    # rows 0 and 3 are old (stories s-a and s-b); 1 links to 0, 2 links to 3, 1 links 2.
    clusters = Clusters(roots=np.array([0, 0, 0, 0]), links=[(0, 1), (1, 2), (2, 3)])
    ids = assign_story_ids(clusters, ["a-0", "a-1", "a-2", "a-3"], inherited={0: "s-a", 3: "s-b"})
    assert ids == ["s-a", "s-a", "s-b", "s-b"]


def _copy_seeds(folder: Path, *names: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(SEEDS[name], folder / SEEDS[name].name)
    return folder


def _story_by_file(workspace: Workspace, version: str) -> dict[str, str]:
    rows = load_corpus(workspace, version)
    return {Path(f).name: s for f, s in zip(rows["source_file"], rows["story_id"], strict=True)}


def test_story_ids_are_stable_when_a_version_adds_articles(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "ws")
    first = _copy_seeds(tmp_path / "v1", "000", "002", "003")
    build_corpus([first], workspace, progress=False)
    before = _story_by_file(workspace, "1.0.0")

    second = _copy_seeds(tmp_path / "v2", "000", "001", "002", "003", "004")
    (second / "zz_copy_of_002.txt").write_text(syndicated_copy(clean_seed("002")), encoding="utf-8")
    report = build_corpus([second], workspace, progress=False)
    assert report.version == "1.1.0"
    after = _story_by_file(workspace, "1.1.0")

    for name, story in before.items():
        assert after[name] == story, f"{name} moved from {story} to {after[name]}"
    assert after["001_8c12f4ce0dba6983.txt"] == before["000_559dc2287e83f200.txt"]
    assert after["zz_copy_of_002.txt"] == before["002_c5ce46074616caca.txt"]
    assert after["004_3624e5ef41cb84d9.txt"] not in before.values()
    assert report.stories == 4


def test_article_with_changed_text_keeps_its_story(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "ws")
    source = tmp_path / "articles.jsonl"

    def write(extra: str) -> None:
        rows = [
            {"url": "https://example.org/a", "title": "A", "text": clean_seed("002") + extra},
            {"url": "https://example.org/b", "title": "B", "text": clean_seed("004")},
        ]
        source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")

    write("")
    build_corpus([source], workspace, progress=False)
    old = load_corpus(workspace, "1.0.0")
    write("\n\nThis article was updated with a correction on the casualty figures.")
    report = build_corpus([source], workspace, progress=False)
    new = load_corpus(workspace, "1.1.0")
    assert old["article_id"][0] != new["article_id"][0]
    assert new["story_id"] == old["story_id"]
    assert report.diff is not None
    assert report.diff["changed"] == [
        {"key": "https://example.org/a", "from": old["article_id"][0], "to": new["article_id"][0]}
    ]


def _partition(texts: list[str], order: list[int], max_bucket_checks: int) -> set[frozenset[str]]:
    """Stories of ``texts`` added in ``order``, ranked by a key of each text (not its position)."""
    options = StoryOptions(max_bucket_checks=max_bucket_checks)
    shuffled = [texts[i] for i in order]
    index = StoryIndex(options)
    index.add(sketch_texts(shuffled, options))
    rank = np.array([int.from_bytes(text.encode()[:8].ljust(8, b"\0"), "big") ^ len(text) for text in shuffled])
    roots = index.cluster(rank.astype(np.uint64)).roots.tolist()
    groups: dict[int, set[str]] = {}
    for text, root in zip(shuffled, roots, strict=True):
        groups.setdefault(root, set()).add(text)
    return {frozenset(group) for group in groups.values()}


def test_stories_do_not_depend_on_the_order_articles_are_read_in() -> None:
    seeds = [clean_seed(name) for name in sorted(SEEDS)]
    # Many copies of one story fill its buckets beyond the anchors verified against.
    texts = [*seeds, *(syndicated_copy(seeds[0]).replace("Levant", f"Levant {i}") for i in range(6))]
    texts += [edited_copy(seeds[1]), edited_copy(seeds[2])]
    rng = np.random.default_rng(7)
    forward = _partition(texts, list(range(len(texts))), max_bucket_checks=2)
    for _ in range(5):
        assert _partition(texts, rng.permutation(len(texts)).tolist(), max_bucket_checks=2) == forward
    assert any(len(group) >= 7 for group in forward)


def test_links_found_band_by_band_equal_those_found_bucket_by_bucket() -> None:
    rng = np.random.default_rng(3)
    n = 400
    keys = rng.integers(0, 40, size=n).astype(np.uint32)  # buckets of about ten rows
    rows = np.arange(n, dtype=np.int64)
    rank = rng.permutation(n).astype(np.uint64)
    base = rng.integers(0, 256, size=(8, NUM_PERM), dtype=np.uint8)
    signatures = base[rng.integers(0, 8, size=n)].copy()
    noise = rng.random((n, NUM_PERM)) < 0.3
    signatures[noise] = rng.integers(0, 256, size=int(noise.sum()), dtype=np.uint8)
    options = StoryOptions(max_bucket_checks=3)
    expected = sorted(
        edge for key in np.unique(keys) for edge in bucket_links(rows[keys == key], rank, signatures, options)
    )
    found = sorted(band_links(keys, rows, rank, signatures, options))
    assert found == expected
    assert len(found) > 20
