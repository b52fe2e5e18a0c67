"""The committed card of the embedded default release: ``DATASET_CARD.md`` at the repository root.

``python -m ceasefire_news.dataset.release.seed_card`` regenerates it: the card of
``ceasefire-news build && ceasefire-news release`` on a fresh workspace.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from ceasefire_news.dataset.corpus.build import build_corpus
from ceasefire_news.dataset.corpus.read import embedded_sources
from ceasefire_news.dataset.corpus.workspace import Workspace, atomic_write_text
from ceasefire_news.dataset.release.pipeline import release_corpus


def default_card() -> str:
    """The card of ``ceasefire-news build && ceasefire-news release`` on a fresh workspace."""

    with tempfile.TemporaryDirectory(prefix="ceasefire-card-") as tmp:
        workspace = Workspace(Path(tmp) / "workspace")
        build_corpus(embedded_sources(), workspace, progress=False)
        report = release_corpus(workspace, progress=False)
        return (report.path / "README.md").read_text(encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Command line: regenerate the committed card (default ``DATASET_CARD.md``)."""
    parser = argparse.ArgumentParser(
        prog="python -m ceasefire_news.dataset.release.seed_card",
        description="Write the card of the embedded default release (the committed DATASET_CARD.md).",
    )
    parser.add_argument(
        "path",
        nargs="?",
        type=Path,
        default=Path("DATASET_CARD.md"),
        help="where to write it (default: DATASET_CARD.md of this checkout)",
    )
    target = parser.parse_args(argv).path
    atomic_write_text(target, default_card())
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
