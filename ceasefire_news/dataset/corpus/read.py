"""Reading raw articles: the seed scrape text, JSON Lines, saved HTML pages, and folders of these.

:func:`iter_sources` streams one :class:`~ceasefire_news.dataset.corpus.document.RawArticle` per article, in a
deterministic order, and one :class:`~ceasefire_news.schema.errors.RecordRejected` per input it cannot
use (yielded, never raised), so a build reports every bad input and still builds the rest.

Formats, by file extension:

- ``.txt``: one article per file, the plain-text scrape format of the seed articles;
- ``.jsonl``: one article per line, a JSON object with ``text`` and optional ``url``,
  ``title``, ``date`` (ISO ``YYYY-MM-DD`` or a date such as ``5 March 2020``) and ``outlet``;
- ``.html`` / ``.htm``: a saved article page; trafilatura takes out the main text and the
  page's metadata (title, canonical URL, site name, and a date only where the page's markup
  states it);
- ``.warc`` / ``.warc.gz``: a web crawl; each HTML response is read as a saved page
  (:mod:`ceasefire_news.dataset.corpus.warc`), other records are counted and left out.
"""

from __future__ import annotations

import codecs
import errno
import json
import os
import reprlib
from collections.abc import Iterator, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from ceasefire_news.dataset.corpus.decode import decode_text, utf16_without_bom
from ceasefire_news.dataset.corpus.document import RawArticle, RawPage, Skipped
from ceasefire_news.dataset.corpus.metadata import parse_date
from ceasefire_news.dataset.corpus.pages import extract_page
from ceasefire_news.dataset.corpus.safe_json import JSONTooDeep, loads_bounded
from ceasefire_news.dataset.corpus.warc import is_warc, read_warc
from ceasefire_news.schema.errors import RecordRejected

SUFFIXES = (".txt", ".jsonl", ".html", ".htm", ".warc", ".warc.gz")
_SUFFIX_LIST = ".txt, .jsonl, .html, .htm, .warc or .warc.gz"
_OPTIONAL_FIELDS = ("url", "title", "date", "outlet")
_BINARY_PROBE = 8192
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def embedded_sources() -> list[Path]:
    """The seed articles shipped inside the package (``dataset/seeds/*.txt``), sorted by name.

    Works from a source checkout and from an installed (non-editable) package alike.
    """
    root = resources.files("ceasefire_news.dataset") / "seeds"
    return sorted(
        (Path(str(entry)) for entry in root.iterdir() if entry.name.endswith(".txt")),
        key=lambda path: path.name,
    )


#: How the corpus names an embedded seed file, wherever the package is installed.
EMBEDDED_PREFIX = "dataset/seeds/"


@lru_cache(maxsize=1)
def _seeds_folder() -> Path:
    return Path(str(resources.files("ceasefire_news.dataset") / "seeds")).resolve()


def source_name(path: Path) -> str:
    """The name a file gets in the corpus (``source_file``) and in messages.

    A file is named as it was given, except the embedded seeds: they are named
    ``dataset/seeds/<file>``, so that where the package is installed is no part of the corpus
    and the same seeds give the same bytes on every machine.

    >>> source_name(embedded_sources()[0])
    'dataset/seeds/000_559dc2287e83f200.txt'
    >>> source_name(Path("raw/a.txt"))
    'raw/a.txt'
    """
    if path.parent.resolve() == _seeds_folder():
        return EMBEDDED_PREFIX + path.name
    return printable_name(str(path))


def root_name(path: Path) -> str:
    """The name of a source (a file or a folder given to the build): its own name, resolved.

    A file in a source folder is stored (``source_file``) as ``<root name>/<path inside>``,
    a source file as its name, so that where the sources lie and how their path was typed
    (``../my_articles``, an absolute path, ``.``) is no part of the corpus. The embedded
    seeds keep ``dataset/seeds/<file>``.

    >>> root_name(Path("raw/my_articles/"))
    'my_articles'
    """
    if path.is_file() and path.parent.resolve() == _seeds_folder():
        return EMBEDDED_PREFIX + path.name
    return printable_name(path.resolve().name or path.resolve().as_posix())


def clashing_sources(paths: Sequence[Path]) -> str | None:
    """A one-line problem when two sources get the same name in the corpus, else None.

    Files are stored under their source's own name (:func:`root_name`), so ``a/news`` and
    ``b/news`` would give their files the same ``source_file`` and the same identity.
    """
    by_name: dict[str, list[Path]] = {}
    for path in map(Path, paths):
        if path.exists():
            by_name.setdefault(root_name(path), []).append(path)
    for name, same in by_name.items():
        distinct = {p.resolve() for p in same}
        if len(distinct) > 1:
            listed = ", ".join(str(p) for p in same)
            return (
                f"{len(distinct)} sources are named {name!r} ({listed}): their files would share names "
                "in the corpus; rename one folder, or give their common parent folder as the source"
            )
    return None


def _inside(root: str, folder: Path, file: Path) -> str:
    return printable_name(f"{root}/{file.relative_to(folder).as_posix()}")


def printable_name(name: str) -> str:
    """``name`` with the bytes of a non-UTF-8 file name shown as ``\\xNN``.

    Python gives such a name lone surrogates (``caf\\udce9.txt``), which Arrow, JSON files
    and the terminal all refuse; ``caf\\xe9.txt`` still tells the user which file it is.

    >>> printable_name(os.fsdecode(b"caf\\xe9.txt"))
    'caf\\\\xe9.txt'
    """
    try:
        return os.fsencode(name).decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate no file system gave: not from a file name
        return name.encode("utf-8", "backslashreplace").decode("utf-8")


def iter_sources(paths: Sequence[Path]) -> Iterator[RawArticle | RecordRejected | Skipped]:
    """Yield every article under ``paths`` (files or folders), or a rejection per bad input.

    Saved pages are extracted here, one after the other; the build reads with
    :func:`iter_records` instead and extracts pages in its workers.

    Folders are walked recursively in sorted order (hidden files and folders are skipped), so
    the same inputs always give the same sequence. Bad input never raises: a missing path, an
    unknown extension, an empty, binary or non-UTF-8 file, a JSON Lines line that is not a
    JSON object or has no text, and an HTML page without article text each give one
    :class:`RecordRejected` whose ``where`` names the file (``file:LINE`` for JSON Lines),
    ``reason`` is a short code and ``detail`` says what is wrong and what to do.

    >>> from ceasefire_news.dataset.corpus.read import embedded_sources, iter_sources
    >>> [type(item).__name__ for item in iter_sources(embedded_sources()[:1])]
    ['RawArticle']
    """
    for record in iter_records(paths):
        yield extract_page(record) if isinstance(record, RawPage) else record


def iter_records(paths: Sequence[Path]) -> Iterator[RawArticle | RawPage | RecordRejected | Skipped]:
    """:func:`iter_sources`, with saved pages as :class:`RawPage` (bytes not yet extracted)."""
    for unit in iter_units(paths):
        if isinstance(unit, RecordRejected):
            yield unit
        else:
            yield from read_file(*unit)


def iter_units(paths: Sequence[Path]) -> Iterator[tuple[Path, str] | RecordRejected]:
    """The files under ``paths`` with their corpus names, and the problems of walking them.

    In the order :func:`iter_records` reads them: reading each file with :func:`read_file`
    in this order gives the same records, so files can be read in parallel, elsewhere.
    """
    for path in paths:
        path = Path(path)  # noqa: PLW2901 -- accept str paths from callers too
        if path.is_dir():
            files, problems = walk(path)
            yield from problems
            if not files and not problems:
                yield RecordRejected(
                    str(path),
                    "empty_folder",
                    f"folder holds no {_SUFFIX_LIST} files; point the sources at the articles, or leave it out",
                )
            root = root_name(path)
            for file in files:
                yield file, _inside(root, path, file)
        elif path.exists():
            yield path, root_name(path)
        else:
            yield RecordRejected(
                str(path),
                "missing_path",
                "does not exist (no such file or folder); check the path, or leave it out of the sources",
            )


def walk(folder: Path) -> tuple[list[Path], list[RecordRejected]]:
    """The files under ``folder`` in sorted order, and one rejection per entry that can't be walked.

    Hidden files and folders are skipped. Links to folders are followed, once: a link back
    to a folder already walked (a loop) is reported, as are folders that can't be listed
    and links that lead nowhere, so that nothing is left out without a word.
    """
    files: list[Path] = []
    problems: list[RecordRejected] = []
    seen: set[tuple[int, int]] = set()
    pending = [folder]
    while pending:
        directory = pending.pop()
        try:
            status = directory.stat()
            if (status.st_dev, status.st_ino) in seen:
                problems.append(_symlink_loop(directory))
                continue
            seen.add((status.st_dev, status.st_ino))
            with os.scandir(directory) as listing:
                entries = [(entry.name, Path(entry.path), _kind(entry)) for entry in listing]
        except OSError as err:
            problems.append(_unreadable_folder(directory, err))
            continue
        for name, path, kind in entries:
            if name.startswith("."):
                continue
            if kind == "dir":
                pending.append(path)
            elif kind == "file":
                files.append(path)
            elif kind == "loop":
                problems.append(_symlink_loop(path))
            elif kind == "dangling":
                problems.append(
                    RecordRejected(
                        source_name(path),
                        "broken_link",
                        "a symbolic link to nothing (its target does not exist); fix the link or remove it",
                    )
                )

    def order(path: Path) -> str:
        return path.relative_to(folder).as_posix()

    return sorted(files, key=order), sorted(problems, key=lambda problem: problem.where)


def _kind(entry: os.DirEntry[str]) -> str:
    try:
        if entry.is_dir():
            return "dir"
        if entry.is_file():
            return "file"
        if entry.is_symlink():
            os.stat(entry.path)  # raises for a loop or a missing target
    except OSError as err:
        return "loop" if err.errno == errno.ELOOP else "dangling"
    return "other"  # a socket, a device, a FIFO: never an article


def _symlink_loop(path: Path) -> RecordRejected:
    return RecordRejected(
        source_name(path),
        "symlink_loop",
        "a symbolic link loop (it leads back to a folder already read); skipped: "
        "remove the link, or point the sources at the folder itself",
    )


def _unreadable_folder(path: Path, err: OSError) -> RecordRejected:
    return RecordRejected(
        source_name(path),
        "unreadable_folder",
        f"cannot list the folder ({err.strerror or err}); its files were skipped: check its permissions",
    )


def read_file(path: Path, name: str) -> Iterator[RawArticle | RawPage | RecordRejected | Skipped]:
    """The records of one source file, named ``name`` in the corpus."""
    where = source_name(path)
    suffix = path.suffix.lower()
    if is_warc(path):
        try:
            path.open("rb").close()
        except OSError as err:
            yield _unreadable(where, err)
            return
        yield from read_warc(path, name, where)
        return
    if suffix not in SUFFIXES:
        yield RecordRejected(
            where,
            "unknown_format",
            f"unknown extension {path.suffix or '(none)'!r}; expected {_SUFFIX_LIST}: "
            "convert or rename the file, or leave it out",
        )
        return
    if suffix == ".jsonl":
        # Streamed line by line: a JSON Lines file can be far larger than the memory one
        # article needs, and holding it whole made the build's peak grow with the corpus.
        yield from _read_jsonl(path, name)
        return
    try:
        data = path.read_bytes()
    except OSError as err:
        yield _unreadable(where, err)
        return
    if not data.strip():
        yield _empty_file(where, len(data))
        return
    if suffix == ".txt":
        decoded = decode_text(data)
        if isinstance(decoded, UnicodeDecodeError):
            yield _binary_file(where) if b"\x00" in data[:_BINARY_PROBE] else _not_utf8(where, decoded)
        elif "\x00" in decoded.text[:_BINARY_PROBE]:
            yield _binary_file(where)
        else:
            yield RawArticle(source_file=name, where=where, raw_text=decoded.text.removeprefix("\ufeff"))
    elif b"\x00" in data[:_BINARY_PROBE] and utf16_without_bom(data) is None and not data.startswith(_UTF16_BOMS):
        yield _binary_file(where)
    else:
        yield RawPage(source_file=name, where=where, data=data)


def _not_utf8(where: str, err: UnicodeDecodeError) -> RecordRejected:
    byte = err.object[err.start : err.start + 1].hex().upper()
    return RecordRejected(
        where,
        "not_utf8",
        f"not UTF-8 (byte 0x{byte} at byte offset {err.start}); re-save the file as "
        "UTF-8 (for example `iconv -f WINDOWS-1252 -t UTF-8`)",
    )


def _unreadable(where: str, err: OSError) -> RecordRejected:
    return RecordRejected(where, "unreadable", f"cannot read the file ({err.strerror or err}); check its permissions")


def _empty_file(where: str, size: int) -> RecordRejected:
    return RecordRejected(
        where,
        "empty_file",
        ("empty file (0 bytes)" if not size else f"only whitespace ({size} bytes)")
        + "; expected article text: fill the file or remove it",
    )


def _binary_file(where: str) -> RecordRejected:
    return RecordRejected(
        where,
        "binary_file",
        f"binary data, not text (a NUL byte within the first {_BINARY_PROBE} bytes); "
        "expected UTF-8 text: export the article as text",
    )


def _read_jsonl(path: Path, name: str) -> Iterator[RawArticle | RecordRejected]:
    """Stream a JSON Lines file with the same checks, in the same order, as a whole-file read.

    A file of whitespace only is one ``empty_file`` rejection (known only at its end, since
    blank lines yield nothing); a NUL byte within the first ``_BINARY_PROBE`` bytes rejects the
    file before any line is read (a NUL is not whitespace, so such a file is never "empty").
    """
    source = source_name(path)
    try:
        with path.open("rb") as stream:
            if b"\x00" in stream.read(_BINARY_PROBE):
                yield _binary_file(source)
                return
            stream.seek(0)
            size = 0
            any_text = False
            for number, raw in enumerate(stream, start=1):
                size += len(raw)
                # Only the newline separates records: a "\r" stays part of the line, as with split(b"\n").
                line = raw[:-1] if raw.endswith(b"\n") else raw
                if not line.strip():
                    continue  # blank lines between records carry nothing
                any_text = True
                yield _jsonl_line(line, name, f"{source}:{number}")
    except OSError as err:
        yield _unreadable(source, err)
        return
    if not any_text:
        yield _empty_file(source, size)


def _jsonl_line(line: bytes, source: str, where: str) -> RawArticle | RecordRejected:
    try:
        decoded = line.decode("utf-8")
    except UnicodeDecodeError as err:
        return _not_utf8(where, err)
    try:
        record = loads_bounded(decoded)
    except JSONTooDeep as err:
        return RecordRejected(where, "too_deep", str(err))
    except json.JSONDecodeError as err:
        return RecordRejected(
            where,
            "bad_json",
            f"not valid JSON ({err.msg} at column {err.colno}); each line "
            'must be one JSON object such as {"text": "..."}',
        )
    return _jsonl_article(record, source, where)


def _jsonl_article(record: Any, source: str, where: str) -> RawArticle | RecordRejected:
    if not isinstance(record, dict):
        return RecordRejected(
            where,
            "not_an_object",
            f"a JSON {type(record).__name__}, not an object; each line must be "
            'one JSON object such as {"text": "..."}',
        )
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        got = "no text field" if "text" not in record else f"text {text!r:.40}"
        return RecordRejected(
            where,
            "missing_text",
            f"{got}; expected a non-empty string field 'text' with the article: add it or remove the line",
        )
    given: dict[str, str | None] = {}
    for name in _OPTIONAL_FIELDS:
        value = record.get(name)
        if value is not None and not isinstance(value, str):
            return RecordRejected(
                where,
                "bad_field",
                f"field {name!r} is a {type(value).__name__} ({_short_repr(value)}); "
                "expected a string or null: fix or drop the field",
            )
        given[name] = (value.strip() or None) if isinstance(value, str) else None
    for name, value in (("text", text), *given.items()):
        if value is not None and (surrogate := _lone_surrogate(value)) is not None:
            return RecordRejected(
                where,
                "lone_surrogate",
                f"field {name!r} holds a lone surrogate (\\u{ord(value[surrogate]):04x} at character "
                f"{surrogate}), which is no character (a broken \\u escape); expected UTF-8 text: "
                "re-export the line from its source, or remove the escape",
            )
    date = given["date"]
    if date is not None and parse_date(date) is None:
        return RecordRejected(
            where,
            "bad_date",
            f"date {date!r} is not a date; expected YYYY-MM-DD (or a date such "
            "as '5 March 2020'): fix it or drop the field",
        )
    return RawArticle(
        source_file=source,
        where=where,
        raw_text=text,
        given_title=given["title"],
        given_url=given["url"],
        given_date=date,
        given_outlet=given["outlet"],
        kind="jsonl",
    )


def _lone_surrogate(value: str) -> int | None:
    """Where ``value`` holds a lone surrogate (JSON's ``"\\ud800"`` escape decodes to one), or None."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as err:
        return err.start
    return None


def _short_repr(value: object) -> str:
    # reprlib bounds depth and length: a field's value may be a large nested structure.
    return reprlib.repr(value)[:40]
