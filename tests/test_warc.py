"""Building from web crawls: WARC input, the topic filter and the language filter."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from fastwarc.warc import ArchiveIterator, WarcRecordType

from ceasefire_news.cli.app import main
from ceasefire_news.dataset.corpus.build import BuildOptions, build_corpus
from ceasefire_news.dataset.corpus.document import RawPage, Skipped
from ceasefire_news.dataset.corpus.topic import default_topic, main_text, parse_topic
from ceasefire_news.dataset.corpus.versions import load_corpus, read_manifest
from ceasefire_news.dataset.corpus.warc import http_response, read_warc, warc_record
from ceasefire_news.dataset.corpus.workspace import Workspace
from ceasefire_news.dataset.release.pipeline import release_corpus
from ceasefire_news.schema.errors import RecordRejected

MENU = "<nav><ul><li><a href='/syria'>Syria</a></li><li><a href='/aleppo'>Aleppo</a></li>" + (
    "<li><a href='/idlib'>Idlib ceasefire news</a></li></ul></nav>"
)

ON_TOPIC = [
    "Russian and Turkish envoys met in Astana on Tuesday to extend the ceasefire in Idlib province, "
    "where shelling had resumed along the front line south of Aleppo.",
    "The talks ended with a joint statement promising new monitoring posts, and diplomats said the "
    "truce would be reviewed again before the end of the month in Sochi.",
    "Aid groups asked both delegations to open a humanitarian corridor for the families who fled "
    "the fighting in the north-west of Syria over the winter.",
]
OFF_TOPIC = [
    "The home side scored twice in the second half to win the cup final on Saturday evening, "
    "ending a run of three defeats at the national stadium.",
    "Their coach praised the young striker, who joined the club last summer from a second division "
    "team and has now scored eleven goals in the league this season.",
    "Tickets for the next round go on sale on Monday morning, and the club expects a full ground "
    "for the visit of the league leaders in two weeks.",
]


def page(title: str, paragraphs: list[str], *, charset: str | None = "utf-8", canonical: str | None = None) -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html><head>{meta}<title>{title}</title>{link}</head><body>"
        f"<header>{MENU}</header><main><article><h1>{title}</h1>{body}</article></main>"
        "<footer><p>Copyright the outlet. All rights reserved.</p></footer></body></html>"
    )


def response(uri: str, html: bytes, *, content_type: str = "text/html; charset=utf-8", status: str = "200 OK") -> bytes:
    return warc_record("response", uri, http_response(html, content_type, status), date="2020-03-06T08:30:00Z")


def crawl(*records: bytes) -> bytes:
    return warc_record(
        "warcinfo", "", b"software: test crawler\r\n", content_type="application/warc-fields"
    ) + b"".join(records)


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["build", "--no-progress", *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def build(sources: list[Path], ws: Workspace, **options: Any) -> Any:
    return build_corpus(sources, ws, progress=False, options=BuildOptions(workers=1, **options))


def rows(ws: Workspace) -> list[dict[str, Any]]:
    return list(load_corpus(ws))


ARTICLE = page("Envoys extend the Idlib ceasefire", ON_TOPIC)


def test_a_page_from_a_warc_reads_as_the_same_page_saved_as_html(tmp_path: Path) -> None:
    html_dir = tmp_path / "saved"
    html_dir.mkdir()
    (html_dir / "envoys.html").write_text(ARTICLE, encoding="utf-8")
    warc = tmp_path / "crawl.warc.gz"
    warc.write_bytes(crawl(response("https://news.example/2020/envoys", ARTICLE.encode("utf-8"))))

    build([html_dir], Workspace(tmp_path / "a"))
    build([warc], Workspace(tmp_path / "b"))
    [saved] = rows(Workspace(tmp_path / "a"))
    [crawled] = rows(Workspace(tmp_path / "b"))
    assert crawled["text"] == saved["text"]
    assert crawled["title"] == saved["title"] == "Envoys extend the Idlib ceasefire"
    assert "Astana" in crawled["text"]


def test_the_url_comes_from_the_warc_header_and_the_fetch_date_has_its_own_column(tmp_path: Path) -> None:
    warc = tmp_path / "crawl.warc.gz"
    warc.write_bytes(crawl(response("https://news.example/envoys", ARTICLE.encode("utf-8"))))
    build([warc], Workspace(tmp_path / "ws"))
    [row] = rows(Workspace(tmp_path / "ws"))
    assert row["url"] == "https://news.example/envoys"
    assert str(row["fetched_date"]) == "2020-03-06"
    assert row["published_date"] is None
    assert row["source_file"].startswith("crawl.warc.gz#")


def test_the_http_header_charset_decodes_a_page_that_states_none(tmp_path: Path) -> None:
    russian = page(
        "Перемирие в Идлибе продлено",
        ["Переговоры в Астане завершились соглашением о перемирии в Сирии. " * 3] * 3,
        charset=None,
    )
    warc = tmp_path / "crawl.warc"
    warc.write_bytes(
        warc_record(
            "response",
            "https://ru.example/a",
            http_response(russian.encode("cp1251"), "text/html; charset=windows-1251"),
            compress=False,
        )
    )
    build([warc], Workspace(tmp_path / "ws"))
    [row] = rows(Workspace(tmp_path / "ws"))
    assert row["title"] == "Перемирие в Идлибе продлено"
    assert "Астане" in row["text"]
    assert row["language"] == "ru"


def test_records_that_are_not_html_pages_are_counted_by_reason_and_not_listed(tmp_path: Path) -> None:
    warc = tmp_path / "crawl.warc.gz"
    warc.write_bytes(
        crawl(
            warc_record("request", "https://news.example/a", b"GET /a HTTP/1.1\r\nHost: news.example\r\n\r\n"),
            response("https://news.example/a", ARTICLE.encode("utf-8")),
            response("https://news.example/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(64), content_type="image/png"),
            response("https://news.example/gone", b"<html>gone</html>", status="404 Not Found"),
            warc_record(
                "metadata", "https://news.example/a", b"fetchTimeMs: 12\r\n", content_type="application/warc-fields"
            ),
        )
    )
    report = build([warc], Workspace(tmp_path / "ws"))
    assert report.kept == 1
    assert report.rejected == 0
    assert report.filtered == {
        "http_status": 1,
        "not_html": 1,
        "warc_metadata": 1,
        "warc_request": 1,
        "warc_warcinfo": 1,
    }
    manifest = read_manifest(Workspace(tmp_path / "ws"))
    assert manifest["filtered"] == report.filtered
    assert manifest["counts"]["filtered"] == 5
    assert manifest["rejections"] == []


def other_article(n: int) -> bytes:
    paragraphs = [p.replace("Idlib", f"Idlib ({n})") for p in ON_TOPIC]
    return page(f"Talks on the truce, day {n}", [f"Day {n}. " + p for p in reversed(paragraphs)]).encode("utf-8")


def test_a_truncated_gzip_member_is_one_counted_reason_and_the_rest_is_built(tmp_path: Path) -> None:
    damaged = response("https://news.example/2", other_article(2))
    warc = tmp_path / "crawl.warc.gz"
    warc.write_bytes(
        crawl(
            response("https://news.example/1", other_article(1)),
            damaged[: len(damaged) // 2],
            response("https://news.example/3", other_article(3)),
        )
    )
    report = build([warc], Workspace(tmp_path / "ws"))
    assert sorted(row["url"] for row in rows(Workspace(tmp_path / "ws"))) == [
        "https://news.example/1",
        "https://news.example/3",
    ]
    assert [r.reason for r in report.rejections] == ["damaged_warc"]
    assert "crawl.warc.gz#" in report.rejections[0].where


def test_a_record_with_a_wrong_content_length_is_skipped_and_the_rest_is_built(tmp_path: Path) -> None:
    good = response("https://news.example/2", other_article(2))
    raw = gzip.decompress(good)
    length = str(len(http_response(other_article(2)))).encode()
    wrong = gzip.compress(raw.replace(b"Content-Length: " + length, b"Content-Length: 40", 1))
    warc = tmp_path / "crawl.warc.gz"
    warc.write_bytes(
        crawl(
            response("https://news.example/1", other_article(1)),
            wrong,
            response("https://news.example/3", other_article(3)),
        )
    )
    report = build([warc], Workspace(tmp_path / "ws"))
    urls = sorted(row["url"] for row in rows(Workspace(tmp_path / "ws")))
    assert urls == ["https://news.example/1", "https://news.example/3"]
    assert [r.reason for r in report.rejections] == ["damaged_warc"]


def test_a_non_html_payload_labelled_html_is_not_an_article(tmp_path: Path) -> None:
    warc = tmp_path / "crawl.warc.gz"
    warc.write_bytes(
        crawl(
            response("https://news.example/blob", bytes(range(256)) * 8),
            response("https://news.example/1", other_article(1)),
        )
    )
    report = build([warc], Workspace(tmp_path / "ws"))
    assert report.kept == 1
    # The binary payload is rejected (listed, with its reason), or dropped as off topic: never built.
    assert report.rejected + report.filtered.get("off_topic", 0) == 1


def test_a_menu_that_names_the_topic_does_not_make_a_page_on_topic(tmp_path: Path) -> None:
    sport = page("Cup final: home side wins", OFF_TOPIC)
    assert default_topic().hits(sport, enough=10) >= 3  # the whole page names the places
    assert not default_topic().on_topic_html(sport)
    assert default_topic().on_topic_html(ARTICLE)
    warc = tmp_path / "crawl.warc.gz"
    warc.write_bytes(
        crawl(
            response("https://news.example/sport", sport.encode()), response("https://news.example/a", ARTICLE.encode())
        )
    )
    report = build([warc], Workspace(tmp_path / "ws"))
    assert [row["url"] for row in rows(Workspace(tmp_path / "ws"))] == ["https://news.example/a"]
    assert report.filtered["off_topic"] == 1
    assert read_manifest(Workspace(tmp_path / "ws"))["filters"]["topic"]["name"] == "ceasefire.topic"


def test_topic_none_keeps_every_page_and_a_topic_file_replaces_the_query(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sport = page("Cup final: home side wins", OFF_TOPIC)
    warc = tmp_path / "crawl.warc.gz"
    warc.write_bytes(
        crawl(
            response("https://news.example/sport", sport.encode()), response("https://news.example/a", ARTICLE.encode())
        )
    )
    kept_all = cli(capsys, "--source", str(warc), "--workspace", str(tmp_path / "all"), "--topic", "none")
    assert kept_all[0] == 0, kept_all[1]
    assert len(rows(Workspace(tmp_path / "all"))) == 2
    assert read_manifest(Workspace(tmp_path / "all"))["filters"]["topic"] is None

    terms = tmp_path / "football.topic"
    terms.write_text("# football\nmin_hits = 2\nstriker\ngoals\ncup final\n", encoding="utf-8")
    football = cli(capsys, "--source", str(warc), "--workspace", str(tmp_path / "fb"), "--topic", str(terms))
    assert football[0] == 0, football[1]
    assert [row["url"] for row in rows(Workspace(tmp_path / "fb"))] == ["https://news.example/sport"]
    assert "1 off_topic" in football[1]


def test_the_topic_filter_leaves_files_the_maintainer_chose_alone(tmp_path: Path) -> None:
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "sport.html").write_text(page("Cup final: home side wins", OFF_TOPIC), encoding="utf-8")
    report = build([folder], Workspace(tmp_path / "ws"))
    assert report.kept == 1
    assert report.filtered == {}


def test_a_bad_topic_file_is_a_one_line_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    terms = tmp_path / "empty.topic"
    terms.write_text("# nothing\nmin_hits = 2\n", encoding="utf-8")
    result = cli(capsys, "--workspace", str(tmp_path / "ws"), "--topic", str(terms))
    assert result[0] == 2
    assert "no terms" in result[1]
    with pytest.raises(Exception, match="min_hits"):
        parse_topic("min_hits = many\nSyria\n", "x.topic")


def test_languages_keeps_only_the_languages_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "en.html").write_text(ARTICLE, encoding="utf-8")
    (folder / "ru.html").write_text(
        page("Перемирие в Идлибе", ["Переговоры в Астане завершились соглашением о перемирии в Сирии. " * 3] * 3),
        encoding="utf-8",
    )
    result = cli(capsys, "--source", str(folder), "--workspace", str(tmp_path / "ws"), "--languages", "en,ar")
    assert result[0] == 0, result[1]
    assert [row["language"] for row in rows(Workspace(tmp_path / "ws"))] == ["en"]
    assert read_manifest(Workspace(tmp_path / "ws"))["filtered"] == {"other_language": 1}
    bad = cli(capsys, "--workspace", str(tmp_path / "x"), "--languages", "english!")
    assert bad[0] == 2


def test_main_text_reads_paragraphs_and_headings_not_chrome() -> None:
    text = main_text(ARTICLE)
    assert "Envoys extend the Idlib ceasefire" in text
    assert "Astana" in text
    assert "Aleppo</a>" not in text
    assert "Idlib ceasefire news" not in text
    assert "Copyright" not in text


def test_a_corpus_written_before_fetched_date_existed_still_loads(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    build_corpus(None, ws, progress=False)
    folder = ws.corpus_dir("1.0.0")
    [data] = list(folder.glob("*.arrow"))
    with pa.OSFile(str(data), "rb") as source:
        table = pa.ipc.open_stream(source).read_all()
    old = table.drop_columns(["fetched_date"])
    with pa.OSFile(str(data), "wb") as sink, pa.ipc.new_stream(sink, old.schema) as writer:
        writer.write_table(old)
    info = json.loads((folder / "dataset_info.json").read_text())
    del info["features"]["fetched_date"]
    (folder / "dataset_info.json").write_text(json.dumps(info))

    loaded = load_corpus(ws)
    assert loaded.column_names.index("fetched_date") == loaded.column_names.index("published_date") + 1
    assert set(loaded["fetched_date"]) == {None}
    assert len(loaded) == 5
    report = release_corpus(ws, progress=False)
    assert report.version == "1.0.0"


def record_at(path: Path, source_file: str) -> tuple[bytes, str | None]:
    """The first bytes of the file at the offset ``source_file`` names, and that record's target URI."""
    offset = int(source_file.rsplit("#", 1)[1])
    with path.open("rb") as stream:
        stream.seek(offset)
        head = stream.read(8)
        stream.seek(offset)
        record = next(iter(ArchiveIterator(stream, record_types=WarcRecordType.any_type, fsspec_args=False)))
        return head, record.headers.get("WARC-Target-URI")


@pytest.mark.parametrize("compress", [True, False], ids=["warc.gz", "warc"])
def test_record_offsets_name_the_records_after_a_damaged_one(tmp_path: Path, compress: bool) -> None:
    records = [response(f"https://news.example/{n}", other_article(n)) for n in range(1, 5)]
    head = crawl()
    if not compress:
        records, head = [gzip.decompress(r) for r in records], gzip.decompress(head)
    damaged = records[1][: len(records[1]) // 2]
    warc = tmp_path / ("crawl.warc.gz" if compress else "crawl.warc")
    warc.write_bytes(head + records[0] + damaged + records[2] + records[3])
    starts = [len(head), len(head) + len(records[0])]
    starts += [starts[1] + len(damaged), starts[1] + len(damaged) + len(records[2])]

    items = list(read_warc(warc, warc.name, warc.name))
    pages = [item for item in items if isinstance(item, RawPage)]
    damage = [item for item in items if isinstance(item, RecordRejected)]
    assert [page.source_file for page in pages] == [f"{warc.name}#{starts[n]}" for n in (0, 2, 3)]
    assert [page.url for page in pages] == [f"https://news.example/{n}" for n in (1, 3, 4)]
    for item in pages:
        assert record_at(warc, item.source_file)[1] == item.url
    assert [item.where for item in damage] == [f"{warc.name}#{starts[1]}"]


@pytest.mark.parametrize("compress", [True, False], ids=["warc.gz", "warc"])
def test_a_content_length_past_the_next_records_loses_only_that_record(tmp_path: Path, compress: bool) -> None:
    records = [gzip.decompress(response(f"https://news.example/{n}", other_article(n))) for n in range(1, 5)]
    length = str(len(http_response(other_article(2)))).encode()
    records[1] = records[1].replace(b"Content-Length: " + length, b"Content-Length: 90000", 1)
    head = gzip.decompress(crawl())
    warc = tmp_path / ("crawl.warc.gz" if compress else "crawl.warc")
    parts = [head, *records]
    warc.write_bytes(b"".join(gzip.compress(part) for part in parts) if compress else b"".join(parts))

    items = list(read_warc(warc, warc.name, warc.name))
    assert [item.url for item in items if isinstance(item, RawPage)] == [f"https://news.example/{n}" for n in (1, 3, 4)]
    [damage] = [item for item in items if isinstance(item, RecordRejected)]
    assert damage.reason == "damaged_warc"
    assert record_at(warc, damage.where)[1] == "https://news.example/2"


def test_a_crawled_page_without_a_usable_warc_date_is_still_filtered_by_topic(tmp_path: Path) -> None:
    sport = page("Cup final: home side wins", OFF_TOPIC).encode()
    warc = tmp_path / "crawl.warc.gz"
    warc.write_bytes(
        crawl(
            warc_record("response", "https://news.example/sport", http_response(sport), date="yesterday"),
            response("https://news.example/a", ARTICLE.encode()),
        )
    )
    report = build([warc], Workspace(tmp_path / "ws"))
    assert [row["url"] for row in rows(Workspace(tmp_path / "ws"))] == ["https://news.example/a"]
    assert report.filtered == {"off_topic": 1, "warc_warcinfo": 1}


def test_a_response_without_a_content_type_is_read_when_its_body_is_html(tmp_path: Path) -> None:
    def untyped(uri: str, body: bytes) -> bytes:
        head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode("ascii")
        return warc_record("response", uri, head + body)

    warc = tmp_path / "crawl.warc.gz"
    warc.write_bytes(
        crawl(
            untyped("https://news.example/a", ARTICLE.encode("utf-8")),
            untyped("https://news.example/data.bin", b"\x00\x01PK\x03\x04" + bytes(200)),
        )
    )
    items = list(read_warc(warc, warc.name, warc.name))
    assert [item.url for item in items if isinstance(item, RawPage)] == ["https://news.example/a"]
    assert [item.reason for item in items if isinstance(item, Skipped)] == ["warc_warcinfo", "not_html"]
