"""Bytes to text: one decoder for saved pages (HTML files, WARC records) and one for text files.

A web page states its encoding in the HTTP header (``Content-Type: text/html; charset=…``,
given by the caller for a WARC record) or in its markup (``<meta charset>`` or the
``http-equiv`` form, anywhere in the head, which may be well past the first kilobytes), and
that statement is taken first. Then UTF-8; a page that is UTF-8 but for a stray byte or two
is read as UTF-8 with those bytes replaced (U+FFFD), not rejected and not guessed as another
encoding, which would garble every non-ASCII letter. Only then is the encoding detected
(``charset_normalizer``, as trafilatura does). UTF-16 is recognised with or without a byte
order mark.

Text files are stricter: UTF-8 (with or without BOM) or UTF-16; anything else is the
maintainer's to convert, and :func:`decode_text` says how.

>>> decode_page("<meta charset='windows-1251'>\\u041c\\u0438\\u0440".encode("cp1251")).text[-3:]
'Мир'
>>> decode_page(b"<p>caf\\xc3\\xa9 and one stray \\xff byte</p>").how
'utf-8 with 1 bad byte replaced'
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

#: Bytes searched for a charset statement: the head of a page, however much script precedes it.
HEAD_BYTES = 64 << 10
#: Invalid UTF-8 sequences per byte below which a page is UTF-8 with stray bytes.
STRAY_RATE = 1 / 1000
#: Or: valid non-ASCII characters per invalid byte above which a page is UTF-8 with stray bytes.
STRAY_VALID = 4

_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""",
    re.IGNORECASE,
)
_HEAD_END = re.compile(rb"</head\s*>|<body[\s>]", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True, slots=True)
class Decoded:
    """Text decoded from bytes, and how (``"utf-8"``, ``"declared windows-1251"``, …)."""

    text: str
    how: str


def _codec(name: bytes | str | None) -> str | None:
    if not name:
        return None
    label = name.decode("ascii", "ignore") if isinstance(name, bytes) else name
    try:
        return codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None


def _bom(data: bytes) -> Decoded | None:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return Decoded(data[len(bom) :].decode(codec, "replace"), f"{codec} (byte order mark)")
    return None


def utf16_without_bom(data: bytes) -> str | None:
    """``"utf-16-le"`` or ``"utf-16-be"`` when ``data`` looks like UTF-16 text without a byte
    order mark (mostly Latin text: a NUL in every other byte), else None."""
    probe = data[:4096]
    if len(probe) < 4:
        return None
    even, odd = probe[0::2], probe[1::2]
    half = len(probe) // 2
    if odd.count(0) > 0.4 * half and even.count(0) < 0.05 * half:
        return "utf-16-le"
    if even.count(0) > 0.4 * half and odd.count(0) < 0.05 * half:
        return "utf-16-be"
    return None


def declared_charset(data: bytes) -> str | None:
    """The charset a page's markup declares in its head (``<meta charset>`` or ``http-equiv``)."""
    head = data[:HEAD_BYTES]
    end = _HEAD_END.search(head)
    found = _META_CHARSET.search(head[: end.start()] if end else head)
    return _codec(found.group(1)) if found else None


def decode_page(data: bytes, http_charset: str | None = None) -> Decoded:
    """Decode a saved web page. ``http_charset``: the charset of the HTTP response, if known.

    Never fails: the last resort is UTF-8 with replacement characters, and ``how`` says so.
    """
    if bom := _bom(data):
        return bom
    if utf16 := utf16_without_bom(data):
        return Decoded(data.decode(utf16, "replace"), f"{utf16} (no byte order mark)")
    for source, codec in (("http", _codec(http_charset)), ("declared", declared_charset(data))):
        if codec is None:
            continue
        try:
            return Decoded(data.decode(codec), f"{source} {codec}")
        except UnicodeDecodeError:
            if codec != "utf-8":
                continue  # a wrong statement: fall through to UTF-8 and detection
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    replaced = data.decode("utf-8", "replace")
    # Each invalid sequence becomes one U+FFFD; the page's own encoded U+FFFDs are not errors.
    bad = replaced.count("\ufffd") - data.count("\ufffd".encode())
    # UTF-8 with stray bytes: few of them, or far fewer than the valid non-ASCII letters
    # around them (a legacy 8-bit page has no valid multi-byte sequences at all).
    valid = sum(1 for char in replaced if char > "\x7f") - replaced.count("\ufffd")
    if bad <= STRAY_RATE * len(data) + 1 or valid >= STRAY_VALID * bad:
        return Decoded(replaced, f"utf-8 with {bad} bad byte{'s' * (bad != 1)} replaced")
    from charset_normalizer import from_bytes  # heavy: only pages that are not UTF-8 need it

    best = from_bytes(data).best()
    if best is not None and best.encoding:
        try:
            return Decoded(data.decode(best.encoding), f"detected {best.encoding}")
        except (UnicodeDecodeError, LookupError):
            pass
    return Decoded(replaced, f"utf-8 with {bad} bad bytes replaced")


def decode_text(data: bytes) -> Decoded | UnicodeDecodeError:
    """Decode a text file: UTF-8 (BOM or not) or UTF-16 (BOM or not); else the UTF-8 error."""
    if bom := _bom(data):
        return bom
    if utf16 := utf16_without_bom(data):
        return Decoded(data.decode(utf16, "replace"), f"{utf16} (no byte order mark)")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as err:
        return err
