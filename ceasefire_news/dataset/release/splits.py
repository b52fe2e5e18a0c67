"""Release splits by story, with a salted hash: no leakage, and stable across versions.

An article's split is a pure function of its ``story_id`` and a constant salt, so

- every article of a story lands in the same split (no near-duplicate leaks from train
  into test);
- adding articles never moves an existing one (its story id is kept by the build);
- a new copy of an old story (a syndicated reprint) takes that story's id in the build,
  and so joins that story's split.

The salt and the ratios are recorded in every release manifest. Changing either would
reshuffle every split, so they are versioned together (``SPLIT_METHOD``).

>>> split_of_story("s-0001") in SPLITS.names
True
>>> split_of_story("s-0001") == split_of_story("s-0001")
True
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from ceasefire_news.schema.labels import SPLITS

#: Name and version of the method; a change of salt or ratios needs a new one.
SPLIT_METHOD = "salted_sha256_story_v1"
#: Constant salt: the split of a story never depends on the run or the corpus.
SPLIT_SALT = "ceasefire-news/splits/v1"
#: Target share of stories per split, in ``SPLITS`` order.
SPLIT_RATIOS: dict[str, float] = {"train": 0.8, "validation": 0.1, "test": 0.1}

_SCALE = float(2**64)


def _check_ratios(ratios: dict[str, float]) -> None:
    if tuple(ratios) != SPLITS.names:
        raise ValueError(f"split ratios name {list(ratios)}; expected exactly {list(SPLITS.names)} in that order")
    total = sum(ratios.values())
    if abs(total - 1.0) > 1e-9 or any(r < 0 for r in ratios.values()):
        raise ValueError(f"split ratios {ratios} must be non-negative and sum to 1, not {total}")


_check_ratios(SPLIT_RATIOS)


def story_fraction(story_id: str, *, salt: str = SPLIT_SALT) -> float:
    """Where a story falls in [0, 1): the first 8 bytes of sha256(salt, story id)."""
    digest = hashlib.sha256(f"{salt}\x1f{story_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / _SCALE


def split_of_story(story_id: str, *, salt: str = SPLIT_SALT, ratios: dict[str, float] | None = None) -> str:
    """The split of every article of story ``story_id``."""
    if not story_id:
        raise ValueError("story_id is empty; every corpus row needs a story id (run `ceasefire-news build`)")
    ratios = SPLIT_RATIOS if ratios is None else ratios
    if ratios is not SPLIT_RATIOS:
        _check_ratios(ratios)
    fraction = story_fraction(story_id, salt=salt)
    bound = 0.0
    for name, share in ratios.items():
        bound += share
        if fraction < bound:
            return name
    return SPLITS.names[-1]  # fraction within rounding of 1.0


def assign_splits(story_ids: Iterable[str], *, salt: str = SPLIT_SALT) -> dict[str, str]:
    """``story_id -> split`` for every distinct story id given."""
    return {story: split_of_story(story, salt=salt) for story in sorted(set(story_ids))}


def describe() -> dict[str, object]:
    """The method, salt and ratios, for the manifest and the card."""
    return {"method": SPLIT_METHOD, "salt": SPLIT_SALT, "ratios": dict(SPLIT_RATIOS), "unit": "story_id"}
