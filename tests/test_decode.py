"""Decoding saved pages and text files: stated charsets, stray bytes, UTF-16, and what is refused."""

from __future__ import annotations

import codecs
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from ceasefire_news.dataset.corpus.decode import decode_page, decode_text
from ceasefire_news.dataset.corpus.document import RawArticle
from ceasefire_news.dataset.corpus.read import iter_sources
from ceasefire_news.schema.errors import RecordRejected

ARTICLE = (
    "Russian and Turkish officials met in Sochi on Monday to discuss the ceasefire in Idlib. "
    "The talks, the third round this year, ended without a joint statement, a café owner said. "
)


def _page(body: str, head: str = "") -> str:
    return f"<html><head>{head}<title>Talks in Sochi</title></head><body><article><p>{body}</p></article></body></html>"


def _one(path: Path) -> RawArticle | RecordRejected:
    [record] = list(iter_sources([path]))
    return record


def test_a_stray_byte_in_a_utf8_page_is_replaced_not_rejected(tmp_path: Path) -> None:
    page = tmp_path / "stray.html"
    data = _page(ARTICLE * 3 + "Zürich, São Paulo, Kraków, İstanbul, Алеппо.").encode("utf-8")
    page.write_bytes(data.replace(b"third round", b"third \xff round"))
    record = _one(page)
    assert isinstance(record, RawArticle), record
    assert "café owner" in record.raw_text
    assert "third \ufffd round" in record.raw_text


def test_a_charset_declared_after_the_first_kilobytes_is_used(tmp_path: Path) -> None:
    text = "Переговоры о прекращении огня в Идлибе продолжились в Сочи в понедельник. " * 4
    script = "<script>var x = '" + "a" * 6000 + "';</script>"
    page = tmp_path / "cp1251.html"
    page.write_bytes(
        _page(text, head=script + '<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">').encode(
            "cp1251"
        )
    )
    record = _one(page)
    assert isinstance(record, RawArticle), record
    assert "Переговоры о прекращении огня" in record.raw_text


def test_the_http_charset_comes_before_the_markup() -> None:
    data = _page("Идлиб").encode("koi8-r")
    assert decode_page(data, http_charset="koi8-r").text.endswith(_page("Идлиб")[-40:])
    assert decode_page(data, http_charset="koi8-r").how == "http koi8-r"


def test_a_wrong_declaration_falls_back_to_utf8() -> None:
    data = _page("café in Aleppo", head='<meta charset="x-no-such-charset">').encode("utf-8")
    assert "café in Aleppo" in decode_page(data).text


def test_an_undeclared_legacy_page_is_detected() -> None:
    text = "Die Waffenruhe in Idlib hält nicht; Gespräche über Übergänge und Flüchtlinge gehen weiter. " * 5
    decoded = decode_page(_page(text).encode("cp1252"))
    assert "Gespräche über Übergänge" in decoded.text
    assert decoded.how.startswith("detected")


def test_utf16_text_files_with_and_without_byte_order_mark(tmp_path: Path) -> None:
    for name, data in {
        "le-bom.txt": codecs.BOM_UTF16_LE + ARTICLE.encode("utf-16-le"),
        "be-bom.txt": codecs.BOM_UTF16_BE + ARTICLE.encode("utf-16-be"),
        "le.txt": ARTICLE.encode("utf-16-le"),
        "be.txt": ARTICLE.encode("utf-16-be"),
    }.items():
        path = tmp_path / name
        path.write_bytes(data)
        record = _one(path)
        assert isinstance(record, RawArticle), (name, record)
        assert record.raw_text == ARTICLE, name


def test_a_utf16_page_without_byte_order_mark(tmp_path: Path) -> None:
    page = tmp_path / "utf16.html"
    page.write_bytes(_page(ARTICLE * 3).encode("utf-16-le"))
    record = _one(page)
    assert isinstance(record, RawArticle), record
    assert "café owner" in record.raw_text


def test_a_cp1252_text_file_is_still_refused_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "legacy.txt"
    path.write_bytes(ARTICLE.encode("cp1252"))
    record = _one(path)
    assert isinstance(record, RecordRejected)
    assert record.reason == "not_utf8"
    assert "iconv" in record.detail


def test_binary_data_is_still_binary(tmp_path: Path) -> None:
    path = tmp_path / "blob.txt"
    path.write_bytes(bytes(range(256)) * 8)
    record = _one(path)
    assert isinstance(record, RecordRejected)
    assert record.reason == "binary_file"


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1))
def test_utf8_round_trips(text: str) -> None:
    data = text.encode("utf-8")
    assert decode_page(data).text == text.removeprefix("\ufeff")
    decoded = decode_text(data)
    assert not isinstance(decoded, UnicodeDecodeError)
    assert decoded.text == text.removeprefix("\ufeff")
