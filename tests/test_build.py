"""The build pipeline: rows, identity, duplicates, determinism and atomic writes."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import datasets
import pytest

from ceasefire_news.dataset.corpus import finish as finish_module
from ceasefire_news.dataset.corpus.build import BuildOptions, build_corpus
from ceasefire_news.dataset.corpus.clean import clean_article
from ceasefire_news.dataset.corpus.document import RawArticle
from ceasefire_news.dataset.corpus.read import embedded_sources
from ceasefire_news.dataset.corpus.versions import DATA_FILE
from ceasefire_news.dataset.corpus.workspace import MANIFEST, Workspace
from ceasefire_news.schema.errors import UsageError
from ceasefire_news.schema.records import CORPUS_FEATURES


def _files(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def _assert_identical_trees(left: Path, right: Path) -> None:
    a, b = _files(left), _files(right)
    assert sorted(a) == sorted(b)
    for name in a:
        assert a[name] == b[name], f"{name} differs between the two builds"


def test_default_build_uses_the_embedded_seeds(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "ws")
    report = build_corpus(None, workspace, progress=False)
    assert (report.version, report.read, report.kept, report.rejected) == ("1.0.0", 5, 5, 0)
    assert report.path == workspace.corpus_dir("1.0.0")

    corpus = datasets.load_from_disk(str(report.path))
    assert str(corpus.info.version) == "1.0.0"
    assert corpus.features == CORPUS_FEATURES
    assert corpus.num_rows == 5
    expected_files = [Path(p).name for p in embedded_sources()]
    assert [Path(p).name for p in corpus["source_file"]] == expected_files
    for row, source in zip(corpus, embedded_sources(), strict=True):
        raw = source.read_text(encoding="utf-8")
        clean = clean_article(RawArticle(str(source), str(source), raw))
        sha = hashlib.sha256(clean.text.encode("utf-8")).hexdigest()
        assert row["text"] == clean.text
        assert row["text_sha256"] == sha
        assert row["article_id"] == "a-" + sha[:16]
        assert row["corpus_version"] == "1.0.0"
        assert row["story_id"].startswith("s-")
    assert report.stories == len(set(corpus["story_id"]))


def _other_hash_seed() -> str:
    """A hash seed other than this process's, so that set and dict orders differ between the builds."""
    return "1" if os.environ.get("PYTHONHASHSEED") == "4242" else "4242"


def test_same_input_gives_byte_identical_versions_in_another_process(tmp_path: Path) -> None:
    first = build_corpus(None, Workspace(tmp_path / "one"), progress=False)
    script = (
        "import sys; from pathlib import Path; "
        "from ceasefire_news.dataset.corpus.build import build_corpus; "
        "from ceasefire_news.dataset.corpus.workspace import Workspace; "
        "print(build_corpus(None, Workspace(Path(sys.argv[1])), progress=False).path)"
    )
    env = {**os.environ, "PYTHONHASHSEED": _other_hash_seed()}
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "two")], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    second = Path(done.stdout.strip())
    assert second == Workspace(tmp_path / "two").corpus_dir("1.0.0")
    _assert_identical_trees(first.path, second)
    state = json.loads((first.path / "state.json").read_text())
    manifest = json.loads((first.path / MANIFEST).read_text())
    assert state["_fingerprint"] == manifest["fingerprint"]


def test_worker_processes_and_chunk_size_do_not_change_the_output(tmp_path: Path) -> None:
    inline = build_corpus(
        None,
        Workspace(tmp_path / "inline"),
        progress=False,
        options=BuildOptions(workers=1, chunk_size=256),
    )
    parallel = build_corpus(
        None,
        Workspace(tmp_path / "parallel"),
        progress=False,
        options=BuildOptions(workers=2, chunk_size=2, pool_min_bytes=1),
    )
    _assert_identical_trees(inline.path, parallel.path)


def test_exact_duplicates_keep_one_row_and_are_reported(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    seed = embedded_sources()[2]
    shutil.copy(seed, source / "a.txt")
    shutil.copy(seed, source / "b.txt")
    shutil.copy(embedded_sources()[3], source / "c.txt")
    report = build_corpus([source], Workspace(tmp_path / "ws"), progress=False)
    assert (report.read, report.kept, report.duplicates, report.rejected) == (3, 2, 1, 0)
    duplicate = report.duplicate_records[0]
    assert duplicate.where == str(source / "b.txt")
    assert duplicate.kept == str(source / "a.txt")
    corpus = datasets.load_from_disk(str(report.path))
    assert len(set(corpus["article_id"])) == corpus.num_rows == 2
    assert duplicate.article_id in corpus["article_id"]
    manifest = json.loads((report.path / MANIFEST).read_text())
    assert manifest["duplicates"] == [
        {"where": str(source / "b.txt"), "article_id": duplicate.article_id, "kept": str(source / "a.txt")}
    ]
    assert manifest["counts"]["duplicates"] == 1


def test_failed_build_leaves_no_version_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workspace = Workspace(tmp_path / "ws")

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    # The last step before the version folder would appear fails: nothing of it may remain.
    monkeypatch.setattr(finish_module, "write_dataset_files", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        build_corpus(None, workspace, progress=False)
    assert workspace.corpus_versions() == []
    assert list(workspace.corpus_root.iterdir()) == []


def test_no_usable_article_is_a_usage_error(tmp_path: Path) -> None:
    missing = tmp_path / "nothing-here.txt"
    with pytest.raises(
        UsageError,
        match=r"(?s)no usable article in the input \(1 records read, 1 "
        r"rejected\).*nothing-here\.txt",
    ):
        build_corpus([missing], Workspace(tmp_path / "ws"), progress=False)
    assert not (tmp_path / "ws" / "corpus" / "1.0.0").exists()


def test_output_batches_do_not_depend_on_chunks(tmp_path: Path) -> None:
    report = build_corpus(None, Workspace(tmp_path / "ws"), progress=False, options=BuildOptions(chunk_size=1))
    import pyarrow as pa

    with pa.OSFile(str(report.path / DATA_FILE), "rb") as source:
        sizes = [batch.num_rows for batch in pa.ipc.open_stream(source)]
    assert sizes == [5]


def test_progress_bar_goes_to_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    build_corpus(None, Workspace(tmp_path / "ws"), progress=True)
    captured = capsys.readouterr()
    assert "build 1.0.0" in captured.err
    assert "5 articles" in captured.err
    assert captured.out == ""


def test_build_options_are_validated() -> None:
    with pytest.raises(ValueError, match="workers is 0; expected a positive integer"):
        BuildOptions(workers=0)


def test_record_that_cleaning_cannot_handle_is_rejected_not_fatal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ceasefire_news.dataset.corpus import clean

    real = clean.clean_article

    def fragile(raw: RawArticle) -> object:
        if raw.where.endswith("001_8c12f4ce0dba6983.txt"):
            raise ValueError("unexpected markup")
        if raw.where.endswith("003_c9c3ac2cc4be34e7.txt"):
            article = real(raw)
            article.text = "  \n "
            return article
        return real(raw)

    monkeypatch.setattr(clean, "clean_article", fragile)
    report = build_corpus(None, Workspace(tmp_path / "ws"), progress=False)
    assert (report.read, report.kept, report.rejected) == (5, 3, 2)
    first, second = report.rejections
    assert first.where.endswith("001_8c12f4ce0dba6983.txt")
    assert (first.reason, first.detail) == (
        "cleaning_error",
        "cleaning failed (ValueError: unexpected markup); the record was skipped",
    )
    assert second.where.endswith("003_c9c3ac2cc4be34e7.txt")
    assert second.reason == "empty_text"
    assert second.detail.startswith("no article text is left after cleaning")
    assert not report.complete
