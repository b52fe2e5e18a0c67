"""Reading raw articles: seed scrape text, JSON Lines, saved HTML pages, directories of these."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from importlib import resources
from pathlib import Path

from dataset.document import RawArticle
from schema.errors import RecordRejected


def embedded_sources() -> list[Path]:
    """The seed articles shipped inside the package, sorted by name."""
    root = resources.files("dataset") / "seeds"
    return sorted(Path(str(p)) for p in root.iterdir() if p.name.endswith(".txt"))


def iter_sources(paths: Sequence[Path]) -> Iterator[RawArticle | RecordRejected]:
    """Yield one RawArticle per article found, or a RecordRejected per bad input."""
    for path in paths:
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if not file.exists():
                yield RecordRejected(str(file), "missing", f"{file} does not exist")
                continue
            text = file.read_text(encoding="utf-8")
            if file.suffix == ".jsonl":
                for n, line in enumerate(text.splitlines(), 1):
                    obj = json.loads(line)
                    yield RawArticle(str(file), f"{file}:{n}", obj["text"], obj.get("title"),
                                     obj.get("url"), obj.get("date"), obj.get("outlet"))
            else:
                yield RawArticle(str(file), str(file), text)
