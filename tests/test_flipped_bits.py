"""A single flipped bit inside a release's Parquet data: listed as a problem with that file, never a crash."""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from ceasefire_news.dataset.release.diff import diff_releases
from ceasefire_news.dataset.release.publish import publish_release
from ceasefire_news.dataset.release.validate import validate_release
from ceasefire_news.schema.errors import DataError
from tests.fixtures.release import SeedRelease

SEEDS = range(int(os.environ.get("CEASEFIRE_FLIPS", "12")))


def flip_a_bit(path: Path, seed: int) -> int:
    """Flip one bit of a data page (between the magic bytes and the footer); the byte's offset."""
    footer = pq.read_metadata(path)
    first = min(footer.row_group(0).column(c).data_page_offset for c in range(footer.num_columns))
    data = bytearray(path.read_bytes())
    footer_start = len(data) - 8 - int.from_bytes(data[-8:-4], "little")
    offset = random.Random(seed).randrange(first, footer_start)
    data[offset] ^= 1 << random.Random(seed + 1000).randrange(8)
    path.write_bytes(bytes(data))
    return offset


@pytest.mark.parametrize("seed", SEEDS)
def test_validate_diff_and_publish_name_the_damaged_file(seed: int, seed_release: SeedRelease, tmp_path: Path) -> None:
    folder = tmp_path / "release"
    shutil.copytree(seed_release.folder, folder)
    files = sorted((folder / "data").rglob("*.parquet"))
    damaged = files[seed % len(files)]
    flip_a_bit(damaged, seed)
    name = damaged.relative_to(folder).as_posix()

    issues = validate_release(folder)
    assert any(name in issue.render() for issue in issues)

    result = diff_releases(seed_release.workspace, str(seed_release.folder), str(folder))
    assert set(result) >= {"articles", "labels"}
    assert all(name in line for line in result.get("unreadable", []))

    with pytest.raises(DataError, match=name):
        publish_release(folder, "owner/name", dry_run=tmp_path / "out")
