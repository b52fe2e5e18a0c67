"""Where articles come from: source names that don't depend on the current folder, and adding or removing sources."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from ceasefire_news.cli.app import main
from ceasefire_news.dataset.corpus.read import embedded_sources
from ceasefire_news.dataset.corpus.versions import DATA_FILE, load_corpus
from ceasefire_news.dataset.corpus.workspace import Workspace

SEEDS = embedded_sources()


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["build", "--no-progress", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _article(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# --- item 16: source_file does not depend on how the path was typed ------------------------


def test_same_files_given_from_another_folder_are_the_same_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    articles = tmp_path / "my_articles"
    _article(articles, "a.txt", "Delegates met in Astana on Monday to discuss a ceasefire in Idlib.\n")
    _article(articles / "more", "b.txt", "Talks on a truce in Daraa resumed in Amman on Tuesday.\n")
    ws = tmp_path / "ws"
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    code, _, err = run(capsys, "--workspace", str(ws), "--source", "../my_articles")
    assert code == 0, err
    assert sorted(load_corpus(Workspace(ws))["source_file"]) == ["my_articles/a.txt", "my_articles/more/b.txt"]
    code, out, err = run(capsys, "--workspace", str(ws), "--source", str(articles))
    assert code == 0, err
    assert "unchanged" in out
    monkeypatch.chdir(articles)
    code, out, err = run(capsys, "--workspace", str(ws), "--source", ".")
    assert code == 0, err
    assert "unchanged" in out
    assert Workspace(ws).corpus_versions() == ["1.0.0"]


def test_seed_names_stay_as_they_were(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--workspace", str(tmp_path / "ws"))[0] == 0
    names = load_corpus(Workspace(tmp_path / "ws"))["source_file"]
    assert names == [f"dataset/seeds/{seed.name}" for seed in SEEDS]


def _rename_sources(version_folder: Path, names: list[str]) -> None:
    """Rewrite a version's source_file column as a build before named sources wrote it."""
    data = version_folder / DATA_FILE
    with pa.OSFile(str(data), "rb") as source:
        table = pa.ipc.open_stream(source).read_all()
    column = [names[i] for i in range(table.num_rows)]
    index = table.schema.get_field_index("source_file")
    table = table.set_column(index, table.schema.field(index), pa.array(column, type=pa.string()))
    with pa.OSFile(str(data), "wb") as sink, pa.ipc.new_stream(sink, table.schema) as writer:
        for batch in table.to_batches(max_chunksize=1000):
            writer.write_batch(batch)


def test_workspace_from_before_named_sources_migrates_without_removals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    articles = tmp_path / "my_articles"
    _article(articles, "a.txt", "Delegates met in Astana on Monday to discuss a ceasefire in Idlib.\n")
    _article(articles, "b.txt", "Talks on a truce in Daraa resumed in Amman on Tuesday.\n")
    ws = tmp_path / "ws"
    assert run(capsys, "--workspace", str(ws), "--source", str(articles))[0] == 0
    # As typed then: one path relative to another folder, one absolute.
    legacy = ["../my_articles/a.txt", "/home/someone/my_articles/b.txt"]
    _rename_sources(ws / "corpus" / "1.0.0", legacy)
    assert sorted(load_corpus(Workspace(ws))["source_file"]) == legacy
    _article(articles, "b.txt", "Talks on a truce in Daraa resumed in Amman on Wednesday.\n")
    code, out, err = run(capsys, "--workspace", str(ws), "--source", str(articles))
    assert code == 0, err
    assert "against 1.0.0: 0 added, 0 removed, 1 changed" in out


# --- item 15: add articles, remove them -------------------------------------------------------


def test_add_adds_articles_to_the_workspace_sources_and_remove_takes_them_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = str(tmp_path / "ws")
    articles = tmp_path / "my_articles"
    _article(articles, "a.txt", "Delegates met in Astana on Monday to discuss a ceasefire in Idlib.\n")
    _article(articles, "b.txt", "Talks on a truce in Daraa resumed in Amman on Tuesday.\n")
    assert run(capsys, "--workspace", ws)[0] == 0
    code, out, err = run(capsys, "--workspace", ws, "--add", str(articles))
    assert code == 0, err
    assert "against 1.0.0: 2 added, 0 removed, 0 changed" in out
    assert "articles kept: 7 of 7 read" in out
    code, out, err = run(capsys, "--workspace", ws)
    assert code == 0, err
    assert "unchanged" in out
    code, out, err = run(capsys, "--workspace", ws, "--remove", "my_articles")
    assert code == 0, err
    assert "against 1.1.0: 0 added, 2 removed, 0 changed" in out
    code, _, err = run(capsys, "--workspace", ws, "--remove", "seeds")
    assert code == 2
    assert "no source" in err


def test_remove_of_a_source_the_workspace_does_not_have_lists_its_sources(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = str(tmp_path / "ws")
    assert run(capsys, "--workspace", ws)[0] == 0
    code, _, err = run(capsys, "--workspace", ws, "--remove", str(tmp_path / "elsewhere"))
    assert code == 2
    assert "elsewhere" in err
    assert "seeds" in err


def test_source_replaces_the_sources_and_says_how_to_add(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = str(tmp_path / "ws")
    articles = tmp_path / "my_articles"
    _article(articles, "a.txt", "Delegates met in Astana on Monday to discuss a ceasefire in Idlib.\n")
    assert run(capsys, "--workspace", ws)[0] == 0
    code, out, err = run(capsys, "--workspace", ws, "--source", str(articles))
    assert code == 0, err
    assert "1 added, 5 removed" in out
    assert "--add" in err


def test_workspace_from_before_remembered_sources_is_not_rebuilt_from_the_seeds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    articles = tmp_path / "my_articles"
    _article(articles, "a.txt", "Delegates met in Astana on Monday to discuss a ceasefire in Idlib.\n")
    ws = tmp_path / "ws"
    assert run(capsys, "--workspace", str(ws), "--source", str(articles))[0] == 0
    (ws / "sources.json").unlink()  # as a workspace built before sources were remembered
    for args in ([], ["--add", str(_article(tmp_path / "more", "b.txt", "A truce held in Daraa.\n"))]):
        code, out, err = run(capsys, "--workspace", str(ws), *args)
        assert code == 2, (args, out, err)
        assert "my_articles/a.txt" in err, err
        assert "--source" in err, err
    assert Workspace(ws).corpus_versions() == ["1.0.0"]
    code, out, err = run(capsys, "--workspace", str(ws), "--source", str(articles))
    assert code == 0, err
    assert "unchanged" in out
    assert run(capsys, "--workspace", str(ws))[0] == 0  # remembered from now on


def test_workspace_from_before_remembered_sources_built_from_the_seeds_still_builds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = tmp_path / "ws"
    assert run(capsys, "--workspace", str(ws))[0] == 0
    (ws / "sources.json").unlink()
    code, out, err = run(capsys, "--workspace", str(ws))
    assert code == 0, err
    assert "unchanged" in out


def test_two_sources_with_the_same_name_are_refused_with_both_paths(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _article(tmp_path / "a" / "news", "x.txt", "Delegates met in Astana to discuss a ceasefire.\n").parent
    second = _article(tmp_path / "b" / "news", "x.txt", "A truce held in Daraa on Tuesday.\n").parent
    ws = tmp_path / "ws"
    code, out, err = run(capsys, "--workspace", str(ws), "--source", str(first), "--source", str(second))
    assert code == 2, (out, err)
    assert "'news'" in err, err
    assert str(first) in err, err
    assert str(second) in err, err
    assert not (ws / "corpus").exists() or Workspace(ws).corpus_versions() == []
