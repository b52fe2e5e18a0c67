"""The seed release, byte for byte: the sha256 of every file of ``build && release`` on the seeds.

``tests/golden/seed_release.json`` holds the digests and the versions of the libraries whose
writers make the bytes (pyarrow for Parquet, matplotlib for the plots). A change that alters
the seed release updates the golden, with the reason in the commit message:

    CEASEFIRE_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_seed_golden.py
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden" / "seed_release.json"
#: The libraries whose versions the bytes of the release depend on.
WRITERS = ("pyarrow", "matplotlib")


def _digests(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _seed_release(tmp_path: Path, hash_seed: str) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    command = Path(sys.executable).parent / "ceasefire-news"
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    for args in (["build"], ["release"]):
        subprocess.run([str(command), *args, "--no-progress"], cwd=tmp_path, env=env, check=True, capture_output=True)
    return tmp_path / "workspace" / "release" / "1.0.0"


def test_seed_release_matches_its_golden(tmp_path: Path) -> None:
    made = _digests(_seed_release(tmp_path, hash_seed="1"))
    writers = {name: version(name) for name in WRITERS}
    if os.environ.get("CEASEFIRE_UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps({"writers": writers, "files": made}, indent=2) + "\n", encoding="utf-8")
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert writers == golden["writers"], (
        f"the golden was made with {golden['writers']}, these tests run {writers}: compare the release by hand, "
        "then update the golden (CEASEFIRE_UPDATE_GOLDEN=1) and say why in the commit message"
    )
    assert made == golden["files"]


def test_seed_release_is_the_same_in_another_process_with_another_hash_seed(tmp_path: Path) -> None:
    first = _digests(_seed_release(tmp_path / "a", hash_seed="1"))
    second = _digests(_seed_release(tmp_path / "b", hash_seed="4242"))
    assert first == second
    assert len(first) >= 10
