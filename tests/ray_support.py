"""Shared parts of the Ray tests: Ray itself (required under CI), corpora, version comparison."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from types import ModuleType

import pytest

from bench.build.generate import generate
from ceasefire_news.dataset.corpus.read import embedded_sources
from ceasefire_news.dataset.corpus.warc import http_response, warc_record


def require_ray() -> ModuleType:
    """Ray, or a failure under CI (where the test command installs it) and a skip elsewhere."""
    try:
        import ray
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("Ray is not installed: `bash tests/run.sh` installs the test extra, which includes it")
        pytest.skip("Ray is not installed (pip install 'ceasefire-news[ray]')")
    return ray


def folder_digests(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under a corpus version folder, by relative path."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def jsonl_parts(out: Path, articles: int, parts: int, seed: int = 2016) -> Path:
    """The synthetic bench corpus of ``articles`` articles, split into ``parts`` JSON Lines files."""
    out.mkdir(parents=True, exist_ok=True)
    whole = generate(out.parent / f"{out.name}-whole.jsonl", articles, seed=seed)
    lines = whole.read_text(encoding="utf-8").splitlines()
    size = -(-len(lines) // parts)
    for part in range(parts):
        chunk = lines[part * size : (part + 1) * size]
        (out / f"part-{part:03d}.jsonl").write_text("\n".join(chunk) + "\n", encoding="utf-8")
    whole.unlink()
    return out


def warc_of(out: Path, source: Path, files: int = 3, limit: int = 300) -> Path:
    """A crawl made of the articles of JSON Lines files, as HTML pages in ``files`` WARC.gz files."""
    out.mkdir(parents=True, exist_ok=True)
    records = []
    texts = [(p.stem, p.read_text(encoding="utf-8")) for p in embedded_sources()]
    for jsonl in sorted(source.glob("*.jsonl")):
        for line in jsonl.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            texts.append((row.get("title") or "Untitled", row["text"]))
    for n, (title, text) in enumerate(texts[:limit]):
        body = "".join(f"<p>{para}</p>" for para in text.split("\n") if para.strip())
        html = (
            f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>"
            f"<nav><a href='/syria'>Syria</a></nav><article><h1>{title}</h1>{body}</article></body></html>"
        )
        records.append(warc_record("response", f"https://crawl.example/{n}", http_response(html.encode("utf-8"))))
    per_file = -(-len(records) // files)
    for part in range(files):
        (out / f"crawl-{part}.warc.gz").write_bytes(b"".join(records[part * per_file : (part + 1) * per_file]))
    return out
