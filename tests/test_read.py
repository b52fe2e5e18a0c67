"""Reading: the seed scrape format, JSON Lines, saved HTML, folders, and every kind of bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ceasefire_news.dataset.corpus.document import RawArticle
from ceasefire_news.dataset.corpus.read import embedded_sources, iter_sources
from ceasefire_news.schema.errors import RecordRejected
from tests.fixtures.corpus import JSONL_RECORDS, SCRAPE_ARTICLE, BadInputs


def _articles(items: list[RawArticle | RecordRejected]) -> list[RawArticle]:
    return [item for item in items if isinstance(item, RawArticle)]


def _rejections(items: list[RawArticle | RecordRejected]) -> list[RecordRejected]:
    return [item for item in items if isinstance(item, RecordRejected)]


def _only_rejection(path: Path) -> RecordRejected:
    items = list(iter_sources([path]))
    assert len(items) == 1, items
    (item,) = items
    assert isinstance(item, RecordRejected), item
    return item


# --- the embedded seeds --------------------------------------------------------------------


def test_embedded_sources_are_the_five_seeds_in_order() -> None:
    paths = embedded_sources()
    assert [p.name[:4] for p in paths] == ["000_", "001_", "002_", "003_", "004_"]
    assert all(p.is_file() and p.suffix == ".txt" for p in paths)


def test_seeds_read_as_one_raw_article_each() -> None:
    items = list(iter_sources(embedded_sources()))
    articles = _articles(items)
    assert len(articles) == 5
    assert not _rejections(items)
    for path, article in zip(embedded_sources(), articles, strict=True):
        assert article.where == article.source_file == f"dataset/seeds/{path.name}"
        assert article.raw_text == path.read_text(encoding="utf-8")
        assert article.given_title is article.given_url is article.given_date is None


# --- formats -------------------------------------------------------------------------------


def test_scrape_text_file(scrape_file: Path) -> None:
    (article,) = list(iter_sources([scrape_file]))
    assert isinstance(article, RawArticle)
    assert article.raw_text == SCRAPE_ARTICLE


def test_byte_order_mark_is_not_part_of_the_text(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffTitle line\n\nBody.".encode())
    (article,) = list(iter_sources([path]))
    assert isinstance(article, RawArticle)
    assert article.raw_text == "Title line\n\nBody."


def test_jsonl_lines_carry_their_metadata_and_line_numbers(jsonl_file: Path) -> None:
    items = list(iter_sources([jsonl_file]))
    assert not _rejections(items)
    first, second = _articles(items)
    assert first.where == f"{jsonl_file}:1"
    assert second.where == f"{jsonl_file}:3"
    assert first.source_file == second.source_file == jsonl_file.name
    record = JSONL_RECORDS[0]
    assert first.raw_text == record["text"]
    assert (first.given_title, first.given_url, first.given_date, first.given_outlet) == (
        record["title"],
        record["url"],
        record["date"],
        record["outlet"],
    )
    assert second.given_title is second.given_url is second.given_date is second.given_outlet is None


def test_html_page_main_text_and_metadata(html_file: Path) -> None:
    (article,) = list(iter_sources([html_file]))
    assert isinstance(article, RawArticle), article
    assert "six hours of talks in Moscow" in article.raw_text
    assert "worst of the war" in article.raw_text
    assert "Home" not in article.raw_text
    assert "Copyright" not in article.raw_text
    assert article.given_title == "Putin and Erdogan agree Idlib ceasefire"
    assert article.given_url == "https://news.example.com/2020/03/05/idlib-ceasefire"
    assert article.given_date == "2020-03-05"
    assert article.given_outlet == "Example News"


def test_html_in_a_declared_charset_is_read(tmp_path: Path) -> None:
    page = (
        '<html><head><meta charset="windows-1252"><title>Café talks</title></head><body><article>'
        + "<p>The café in Aleppo reopened after the ceasefire, its owner said on Friday morning.</p>" * 4
        + "</article></body></html>"
    )
    path = tmp_path / "cp1252.html"
    path.write_bytes(page.encode("windows-1252"))
    (article,) = list(iter_sources([path]))
    assert isinstance(article, RawArticle), article
    assert "The café in Aleppo reopened" in article.raw_text


# --- folders -------------------------------------------------------------------------------


def test_folder_is_walked_recursively_in_sorted_order(source_tree: Path) -> None:
    items = list(iter_sources([source_tree]))
    assert not _rejections(items), _rejections(items)
    wheres = [item.where for item in items]
    assert wheres == [
        f"{source_tree / 'a' / '0.jsonl'}:1",
        str(source_tree / "a" / "deep" / "1.txt"),
        str(source_tree / "b" / "2.txt"),
        str(source_tree / "c.htm"),
    ]
    assert [item.where for item in iter_sources([source_tree])] == wheres  # deterministic


def test_files_and_folders_mix_and_str_paths_are_accepted(source_tree: Path, scrape_file: Path) -> None:
    items = list(iter_sources([str(scrape_file), source_tree]))  # type: ignore[list-item]
    assert items[0].where == str(scrape_file)
    assert len(_articles(items)) == 5


def test_empty_folder_is_reported(tmp_path: Path) -> None:
    (tmp_path / "only_hidden").mkdir()
    (tmp_path / "only_hidden" / ".keep").write_text("", encoding="utf-8")
    rejection = _only_rejection(tmp_path / "only_hidden")
    assert rejection.reason == "empty_folder"
    assert rejection.where == str(tmp_path / "only_hidden")
    assert "holds no .txt, .jsonl, .html, .htm, .warc or .warc.gz files" in rejection.detail


# --- bad input: one clear line each, and reading goes on -----------------------------------


@pytest.mark.parametrize(
    ("kind", "reason", "message"),
    [
        ("binary", "binary_file", r"binary data, not text \(a NUL byte .*\); expected UTF-8 text: export"),
        ("not_utf8", "not_utf8", r"not UTF-8 \(byte 0xF0 at byte offset 4\); re-save the file as UTF-8"),
        ("empty", "empty_file", r"empty file \(0 bytes\); expected article text: fill the file or remove it"),
        ("whitespace_only", "empty_file", r"only whitespace \(4 bytes\); expected article text"),
        (
            "unknown_extension",
            "unknown_format",
            r"unknown extension '\.pdf'; expected \.txt, \.jsonl, \.html, \.htm, \.warc or \.warc\.gz",
        ),
        ("missing", "missing_path", r"does not exist \(no such file or folder\); check the path"),
        ("html_without_text", "no_article_text", r"no article text found in the HTML page; save the article page"),
    ],
)
def test_bad_file_gives_one_clear_rejection(bad_inputs: BadInputs, kind: str, reason: str, message: str) -> None:
    path: Path = getattr(bad_inputs, kind)
    rejection = _only_rejection(path)
    assert rejection.reason == reason
    assert rejection.where == str(path)
    assert "\n" not in str(rejection)
    with pytest.raises(RecordRejected, match=rf"^{path}: {message}"):
        raise rejection


def test_bad_jsonl_lines_are_each_rejected_and_good_lines_still_read(bad_inputs: BadInputs) -> None:
    items = list(iter_sources([bad_inputs.jsonl]))
    source = str(bad_inputs.jsonl)
    assert [item.where for item in _articles(items)] == [f"{source}:1", f"{source}:9"]
    expected = {
        2: ("bad_json", r"not valid JSON \(Expecting property name enclosed in double quotes at column 2\); each line"),
        3: ("missing_text", r"no text field; expected a non-empty string field 'text'"),
        4: ("missing_text", r"text '   '; expected a non-empty string field 'text'"),
        5: ("not_an_object", r"a JSON list, not an object; each line must be one JSON object"),
        6: ("bad_date", r"date 'last Thursday' is not a date; expected YYYY-MM-DD"),
        7: ("bad_field", r"field 'url' is a int \(42\); expected a string or null"),
        8: ("not_utf8", r"not UTF-8 \(byte 0xE9 at byte offset 13\)"),
    }
    rejections = _rejections(items)
    assert [r.where for r in rejections] == [f"{source}:{n}" for n in expected]
    for rejection, (line, (reason, message)) in zip(rejections, expected.items(), strict=True):
        assert rejection.reason == reason, line
        with pytest.raises(RecordRejected, match=rf"^{source}:{line}: {message}"):
            raise rejection


def test_reading_goes_on_after_every_bad_input(bad_inputs: BadInputs, scrape_file: Path) -> None:
    paths = [
        bad_inputs.missing,
        bad_inputs.binary,
        bad_inputs.not_utf8,
        bad_inputs.empty,
        bad_inputs.unknown_extension,
        bad_inputs.html_without_text,
        bad_inputs.jsonl,
        scrape_file,
    ]
    items = list(iter_sources(paths))
    assert [a.where for a in _articles(items)][-1] == str(scrape_file)
    assert len(_rejections(items)) == 6 + 7


def test_folder_named_like_a_file_is_walked(tmp_path: Path) -> None:
    folder = tmp_path / "article.txt"
    folder.mkdir()
    (folder / "inner.txt").write_text("Inner article text.", encoding="utf-8")
    (article,) = list(iter_sources([folder]))
    assert isinstance(article, RawArticle)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300), suffix=st.sampled_from([".txt", ".jsonl", ".html", ".htm", ".md"]))
def test_reader_never_raises_on_any_bytes(tmp_path: Path, data: bytes, suffix: str) -> None:
    path = tmp_path / f"input{suffix}"
    path.write_bytes(data)
    for item in iter_sources([path]):
        assert isinstance(item, RawArticle | RecordRejected)
        if isinstance(item, RecordRejected):
            assert item.reason
            assert item.detail
            assert "\n" not in item.detail


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    value=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(st.sampled_from(["text", "title", "url", "date", "outlet", "x"]), children, max_size=4)
        ),
        max_leaves=8,
    )
)
def test_jsonl_reader_never_raises_on_any_json(tmp_path: Path, value: object) -> None:
    path = tmp_path / "any.jsonl"
    path.write_text(json.dumps(value) + "\n", encoding="utf-8")
    items = list(iter_sources([path]))
    assert len(items) == 1
    item = items[0]
    if isinstance(item, RawArticle):
        assert isinstance(value, dict)
        assert isinstance(value.get("text"), str)
        assert value["text"].strip()
