"""Web crawls as WARC files (``.warc``, ``.warc.gz``): one saved page per HTML response.

The reader streams a WARC file with fastwarc and hands each HTML response on as a
:class:`~ceasefire_news.dataset.corpus.document.RawPage` with the HTTP header's charset, the
record's target URI and its date (the fetch date, never a publication date). Everything else
a crawl holds is counted by reason (:class:`~ceasefire_news.dataset.corpus.document.Skipped`),
not listed: requests, metadata and other record types (``warc_<type>``), responses that are
not HTML by their Content-Type, or by their first bytes where they state none (``not_html``),
and responses that are not a success (``http_status``).

A damaged stretch of a file (a truncated gzip member, a record whose Content-Length is
wrong) is reported once, as a ``damaged_warc`` rejection with its byte offset, and reading
resumes at the next record that can be found after it: one bad record does not lose the
rest of the crawl.

:func:`warc_record` writes one record, as its own gzip member where asked: crawls made for
tests and benchmarks use it.
"""

from __future__ import annotations

import datetime as dt
import gzip
import uuid
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from fastwarc.warc import ArchiveIterator, WarcRecordType

from ceasefire_news.dataset.corpus.document import RawPage, Skipped
from ceasefire_news.schema.errors import RecordRejected

#: The reader's version: part of what a cached result of a WARC file depends on.
READER_VERSION = "warc_v2"

_HTML_TYPES = ("text/html", "application/xhtml+xml")
#: Bytes searched at once for the next record after a damaged one.
_SCAN_BLOCK = 1 << 20


def is_warc(path: Path) -> bool:
    """True for a ``.warc`` or ``.warc.gz`` file name."""
    name = path.name.lower()
    return name.endswith((".warc", ".warc.gz"))


class _BodyError(OSError):
    """A record whose header was read and whose body could not be: the record is damaged."""

    def __init__(self, offset: int, problem: str) -> None:
        super().__init__(problem)
        self.offset = offset


def read_warc(path: Path, name: str, where: str) -> Iterator[RawPage | Skipped | RecordRejected]:
    """Every HTML response in the WARC file at ``path``, in file order.

    ``name`` is the file's name in the corpus and ``where`` its name in messages; a page's
    ``source_file`` is ``name#OFFSET`` (the record's byte offset in the file), stable across
    builds of the same file.

    A record is handed on once the next record has been found where its Content-Length says
    it ends (or no other record follows it in the file): a record whose length is wrong is part
    of the damage, not a page with the next record's bytes in it.
    """
    gzipped = path.name.lower().endswith(".gz")
    offset = 0
    damage: tuple[int, str] | None = None  # where a damaged stretch starts, and why
    while True:
        last: int | None = None
        held: RawPage | Skipped | None = None
        try:
            with path.open("rb") as stream:
                stream.seek(offset)
                for record_offset, item in _records(stream, name, offset):
                    if held is not None:
                        yield held
                    if damage is not None:
                        yield _damaged(where, damage, record_offset)
                        damage = None
                    last, held = record_offset, item
        except _BodyError as err:
            # The record before this one ended where it should: it is whole.
            if held is not None:
                yield held
            start, problem = err.offset, str(err)
        except OSError as err:
            # Past the last record read: it is whole if it ends where its Content-Length says.
            problem = " ".join(str(err).split())
            end = None if last is None else _record_end(path, last, gzipped)
            if held is not None and end is not None:
                yield held
            start = offset if last is None else (last if end is None else end)
        else:
            if held is None or last is None:
                return
            swallowed = _next_record(path, last + 1, gzipped)
            if swallowed is None:
                yield held
                return
            start, problem = last, f"the record runs into the record at byte {swallowed}: its Content-Length is wrong"
        if damage is None:
            damage = (start, problem[:120])
        resume = _next_record(path, start + 1, gzipped)
        if resume is None:
            yield _damaged(where, damage, None)
            return
        offset = resume


def _damaged(where: str, damage: tuple[int, str], resumed: int | None) -> RecordRejected:
    start, problem = damage
    lost = "the rest of the file was skipped" if resumed is None else f"reading resumed at byte {resumed}"
    return RecordRejected(
        f"{where}#{start}",
        "damaged_warc",
        f"damaged WARC data after byte {start} ({problem}); {lost}, the other records were read: "
        "re-download the file or repair it with a WARC tool",
    )


def _records(stream: BinaryIO, name: str, base: int) -> Iterator[tuple[int, RawPage | Skipped]]:
    records = ArchiveIterator(
        stream,
        record_types=WarcRecordType.any_type,
        parse_http=True,
        auto_decode="all",
        fsspec_args=False,
    )
    shift: int | None = None
    for record in records:
        position = int(record.stream_pos)
        if shift is None:
            # fastwarc gives positions in the file (the stream's tell); count from ``base`` where not.
            shift = base if position < base else 0
        offset = shift + position
        try:
            item = _page(record, f"{name}#{offset}")
        except OSError as err:
            raise _BodyError(offset, " ".join(str(err).split())) from err
        yield offset, item


def _page(record: object, source_file: str) -> RawPage | Skipped:
    kind = record.record_type  # type: ignore[attr-defined]
    if kind != WarcRecordType.response:
        return Skipped(f"warc_{_type_name(kind)}")
    http = record.http_headers  # type: ignore[attr-defined]
    if http is None:
        return Skipped("not_http")
    status = http.status_code
    if status is None or not 200 <= int(status) < 300:
        return Skipped("http_status")
    content_type = (http.get("Content-Type") or "").strip()
    mime, _, params = content_type.partition(";")
    if content_type and mime.strip().lower() not in _HTML_TYPES:
        return Skipped("not_html")
    data = record.reader.read()  # type: ignore[attr-defined]
    if not content_type and not _looks_like_html(data):
        return Skipped("not_html")
    if not data.strip():
        return Skipped("empty_response")
    date = record.record_date  # type: ignore[attr-defined]
    return RawPage(
        source_file=source_file,
        where=source_file,
        data=bytes(data),
        http_charset=_charset(params),
        url=record.headers.get("WARC-Target-URI") or None,  # type: ignore[attr-defined]
        fetched_date=date.astimezone(dt.UTC).date() if isinstance(date, dt.datetime) else None,
        crawled=True,
    )


def _looks_like_html(data: bytes) -> bool:
    """True when a body sent without a Content-Type starts as an HTML document does."""
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<!--", b"<meta", b"<title"))


def _type_name(kind: object) -> str:
    name = getattr(kind, "name", None) or str(kind).rsplit(".", 1)[-1]
    return str(name).lower()


def _charset(params: str) -> str | None:
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip("\"'") or None
    return None


def _record_end(path: Path, offset: int, gzipped: bool) -> int | None:
    """Where the record at ``offset`` ends, when it ends where its Content-Length says; else None."""
    with path.open("rb") as stream:
        stream.seek(offset)
        if not gzipped:
            head = stream.read(_SCAN_BLOCK)
            length, body = _declared(head)
            if length is None:
                return None
            stream.seek(offset + body + length)
            return offset + body + length + 4 if stream.read(4) == b"\r\n\r\n" else None
        inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
        parts: list[bytes] = []
        used = 0
        try:
            while not inflate.eof:
                block = stream.read(_SCAN_BLOCK)
                if not block:
                    return None
                parts.append(inflate.decompress(block))
                used += len(block)
        except zlib.error:
            return None
        member = b"".join(parts)
        length, body = _declared(member)
        if length is None or len(member) != body + length + 4:
            return None
        return offset + used - len(inflate.unused_data)


def _declared(head: bytes) -> tuple[int | None, int]:
    """A record header's Content-Length, and where its block starts."""
    end = head.find(b"\r\n\r\n")
    if not head.startswith(b"WARC/1.") or end == -1:
        return None, 0
    for line in head[:end].split(b"\r\n"):
        key, _, value = line.partition(b":")
        if key.strip().lower() == b"content-length" and value.strip().isdigit():
            return int(value), end + 4
    return None, 0


def _next_record(path: Path, start: int, gzipped: bool) -> int | None:
    """The byte offset of the first readable record at or after ``start``, or None."""
    marker = b"\x1f\x8b\x08" if gzipped else b"WARC/1."
    with path.open("rb") as stream:
        position = start
        while True:
            stream.seek(position)
            block = stream.read(_SCAN_BLOCK + len(marker))
            if len(block) < len(marker):
                return None
            found = block.find(marker)
            while found != -1 and found < _SCAN_BLOCK:
                candidate = position + found
                if _starts_record(stream, candidate, gzipped):
                    return candidate
                found = block.find(marker, found + 1)
            position += _SCAN_BLOCK


def _starts_record(stream: BinaryIO, offset: int, gzipped: bool) -> bool:
    stream.seek(offset)
    head = stream.read(4096)
    if not gzipped:
        return head.startswith((b"WARC/1.0\r\n", b"WARC/1.1\r\n"))
    try:
        text = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 16)
    except zlib.error:
        return False
    return text.startswith(b"WARC/1.")


def warc_record(
    kind: str,
    uri: str,
    block: bytes,
    *,
    date: str = "2020-03-05T12:00:00Z",
    content_type: str = "application/http; msgtype=response",
    compress: bool = True,
) -> bytes:
    """One WARC/1.0 record (a gzip member when ``compress``), with a Content-Length that fits.

    >>> warc_record("warcinfo", "", b"software: x", compress=False).startswith(b"WARC/1.0")
    True
    """
    record_id = uuid.uuid5(uuid.NAMESPACE_URL, f"{kind}:{uri}:{date}:{len(block)}")
    header = (
        "WARC/1.0\r\n"
        f"WARC-Type: {kind}\r\n" + (f"WARC-Target-URI: {uri}\r\n" if uri else "") + f"WARC-Date: {date}\r\n"
        f"WARC-Record-ID: <urn:uuid:{record_id}>\r\n"
        f"Content-Type: {content_type}\r\n"
        f"Content-Length: {len(block)}\r\n\r\n"
    ).encode("ascii")
    raw = header + block + b"\r\n\r\n"
    return gzip.compress(raw, mtime=0) if compress else raw


def http_response(body: bytes, content_type: str = "text/html; charset=utf-8", status: str = "200 OK") -> bytes:
    """An HTTP/1.1 response message (the block of a WARC response record)."""
    head = f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode("ascii") + body
