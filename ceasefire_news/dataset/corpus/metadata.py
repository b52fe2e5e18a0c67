"""Article metadata taken from what the text or a URL says: dates, title suffixes, outlets, language.

Everything here is cheap (precompiled regular expressions and dictionary look-ups) because it
runs once per article on the build's hot path. Nothing is guessed: a function that finds no
evidence returns ``None``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

_MONTHS: Mapping[str, int] = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_WEEKDAY = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|rsday|urday)?"
_TIME = (
    r"(?:\s*(?:[-–—|,@]|\bat\b)?\s*\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?"
    r"(?:\s*(?:gmt|utc|[a-z]{2,4})(?:\s*[+-]\d{1,2}(?::?\d{2})?)?)?)"
)

#: A line that is nothing but a date, optionally with a weekday, a time and a label.
DATE_LINE = re.compile(
    rf"""^(?:(?:published|updated|posted|date|last\ updated)\s*(?:on)?\s*:?\s*)?
    (?P<weekday>{_WEEKDAY}\.?,?\s+)?
    (?:
        (?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m1>{_MONTH})\.?,?\s+(?P<y1>\d{{4}})
      | (?P<m2>{_MONTH})\.?\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y2>\d{{4}})
      | (?P<y3>\d{{4}})-(?P<m3>\d{{1,2}})-(?P<d3>\d{{1,2}})
    )
    (?P<time>{_TIME})?
    \s*$""",
    re.IGNORECASE | re.VERBOSE,
)

#: The scraper's own stamp in the seed format: "29 Mar 2024" alone on the first line (day,
#: abbreviated month, year; no weekday, no time). It is when the page was saved, not published.
SCRAPE_STAMP = re.compile(r"^\d{1,2} (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec) \d{4}$", re.IGNORECASE)

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$")
_URL_DATE = re.compile(r"/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})(?:/|$)")


#: First three letters of a date line that does not start with a digit.
_DATE_LINE_STARTS = frozenset(
    [name[:3] for name in _MONTHS]
    + ["mon", "tue", "wed", "thu", "fri", "sat", "sun", "pub", "upd", "pos", "dat", "las"]
)


@dataclass(frozen=True, slots=True)
class DateLine:
    """A date line found in the text: the date and whether it carries a time or weekday."""

    date: dt.date
    has_time: bool
    has_weekday: bool


def safe_date(year: int | str, month: int | str, day: int | str) -> dt.date | None:
    """The date, or ``None`` where there is none ("31.02.2020")."""
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def parse_date_line(line: str) -> DateLine | None:
    """Parse a line that is only a date ("Fri Sep 9, 2016 10:34:21"); ``None`` otherwise.

    >>> parse_date_line("Saturday 10 September 2016 - 05:28").date
    datetime.date(2016, 9, 10)
    """
    if len(line) > 80 or not (line[:1].isdigit() or line[:3].lower() in _DATE_LINE_STARTS):
        return None
    match = DATE_LINE.match(line)
    if match is None:
        return None
    groups = match.groupdict()
    if groups["y1"]:
        date = safe_date(int(groups["y1"]), _MONTHS[groups["m1"].lower()], int(groups["d1"]))
    elif groups["y2"]:
        date = safe_date(int(groups["y2"]), _MONTHS[groups["m2"].lower()], int(groups["d2"]))
    else:
        date = safe_date(int(groups["y3"]), int(groups["m3"]), int(groups["d3"]))
    if date is None:
        return None
    return DateLine(date, bool(groups["time"]), bool(groups["weekday"]))


def is_scrape_stamp(line: str) -> bool:
    """True for the scraper's "29 Mar 2024" stamp (see :data:`SCRAPE_STAMP`)."""
    return SCRAPE_STAMP.match(line) is not None and parse_date_line(line) is not None


def parse_date(value: str) -> dt.date | None:
    """A date given as metadata: ISO ``YYYY-MM-DD`` (optionally with a time) or a date line.

    >>> parse_date("2020-03-05T18:00:00Z")
    datetime.date(2020, 3, 5)
    """
    value = value.strip()
    match = _ISO_DATE.match(value)
    if match:
        return safe_date(int(match[1]), int(match[2]), int(match[3]))
    found = parse_date_line(value)
    return found.date if found else None


def date_from_url(url: str) -> dt.date | None:
    """The date in a URL path of the form ``/2020/3/5/`` (Al Jazeera and many others)."""
    match = _URL_DATE.search(urlsplit(url).path)
    if match is None:
        return None
    return safe_date(int(match[1]), int(match[2]), int(match[3]))


# --- outlets -------------------------------------------------------------------------------

#: Hosts of outlets that cover the Syrian war, with the name the outlet uses for itself.
#: A host not listed here is reported as the host itself (the URL says no more).
OUTLET_HOSTS: Mapping[str, str] = {
    "aa.com.tr": "Anadolu Agency",
    "aawsat.com": "Asharq Al-Awsat",
    "alalam.ir": "Al-Alam",
    "alaraby.co.uk": "The New Arab",
    "alarabiya.net": "Al Arabiya",
    "aljazeera.com": "Al Jazeera English",
    "aljazeera.net": "Al Jazeera",
    "almasdarnews.com": "Al-Masdar News",
    "apnews.com": "Associated Press",
    "bbc.co.uk": "BBC News",
    "bbc.com": "BBC News",
    "dailysabah.com": "Daily Sabah",
    "enabbaladi.net": "Enab Baladi",
    "farsnews.ir": "Fars News Agency",
    "farsnews.com": "Fars News Agency",
    "france24.com": "France 24",
    "hurriyetdailynews.com": "Hurriyet Daily News",
    "irna.ir": "IRNA",
    "mehrnews.com": "Mehr News Agency",
    "middleeasteye.net": "Middle East Eye",
    "presstv.com": "Press TV",
    "presstv.ir": "Press TV",
    "reuters.com": "Reuters",
    "rt.com": "RT",
    "rudaw.net": "Rudaw",
    "sana.sy": "SANA",
    "sky.com": "Sky News",
    "sputniknews.com": "Sputnik",
    "syriadirect.org": "Syria Direct",
    "tasnimnews.com": "Tasnim News Agency",
    "tass.com": "TASS",
    "theguardian.com": "The Guardian",
    "theiranproject.com": "The Iran Project",
    "trtworld.com": "TRT World",
}

_OUTLET_WORDS = re.compile(
    r"\b(?:News|English|TV|Times|Post|Agency|Daily|Online|Network|Tribune|Herald|Journal|"
    r"Magazine|Press|Monitor|Observer|Today|Gazette|Telegraph|Guardian|Reuters|BBC|Sky|"
    r"Al Jazeera|Sputnik|Anadolu)\b"
)
_DOMAIN = re.compile(r"\b[\w-]+(?:\.[\w-]+)*\.(?:com|net|org|ir|tr|uk|ru|sy|info|news|tv|lb)\b", re.I)
_SUFFIX_SPLIT = re.compile(r"\s+[–—|]\s+|\s+-\s+(?=[^-]*$)")


def outlet_from_url(url: str) -> str | None:
    """The outlet a URL names: a known outlet's name, else the host without ``www.``."""
    try:
        host = (urlsplit(url.strip()).hostname or "").lower()
    except ValueError:
        return None
    host = host.removeprefix("www.")
    if "." not in host:
        return None
    parts = host.split(".")
    for i in range(len(parts) - 1):
        name = OUTLET_HOSTS.get(".".join(parts[i:]))
        if name:
            return name
    return host


def _outlet_from_site(site: str) -> str | None:
    """``"Aljazeera.com, Al Jazeera English"`` -> ``"Al Jazeera English"``; None if not an outlet."""
    parts = [p.strip() for p in site.split(",") if p.strip()]
    if not parts or any(len(p.split()) > 5 for p in parts):
        return None
    names = [p for p in parts if not _DOMAIN.fullmatch(p)]
    domains = [p for p in parts if _DOMAIN.fullmatch(p)]
    if names and (domains or all(_OUTLET_WORDS.search(n) for n in names)):
        return names[-1]
    if domains:
        return outlet_from_url("https://" + domains[0])
    return None


def split_title_suffix(title: str) -> tuple[str, str | None]:
    """Split an outlet suffix off a page title.

    >>> split_title_suffix("Erdogan, Putin announce Idlib ceasefire – Aljazeera.com, Al Jazeera English")
    ('Erdogan, Putin announce Idlib ceasefire', 'Al Jazeera English')
    >>> split_title_suffix("Syria – the war nobody wins")
    ('Syria – the war nobody wins', None)
    """
    if "–" not in title and "—" not in title and "|" not in title and " - " not in title:
        return title, None  # no separator: the common case, decided without a regex
    pieces = _SUFFIX_SPLIT.split(title)
    if len(pieces) < 2:
        return title, None
    outlet = _outlet_from_site(pieces[-1])
    if outlet is None:
        return title, None
    head = title[: len(title) - len(pieces[-1])].rstrip(" –—|-")
    if not head:
        return title, None
    return head, outlet


_TITLE_SEPARATOR = re.compile(r"\s+(?:[|›»·•:]{1,2}|[-–—]{1,2})\s+")
_TITLE_SEPARATOR_END = re.compile(r"\S\s+(?:[|›»·•:]{1,2}|[-–—]{1,2})\s+$")
_DOMAIN_LIKE = re.compile(r"(?:www\.)?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,6}", re.IGNORECASE)


def _site_key(text: str) -> str:
    key = re.sub(r"[\W_]+", "", text.casefold())
    return key.removeprefix("www")


def _is_site(piece: str, site_keys: frozenset[str]) -> bool:
    key = _site_key(piece)
    if not key:
        return False
    return _DOMAIN_LIKE.fullmatch(piece.strip()) is not None or any(
        key == site or (len(key) >= 4 and (site.startswith(key) or key.startswith(site))) for site in site_keys
    )


_TYPOGRAPHY = str.maketrans(
    {
        "–": "-",
        "—": "-",
        "‒": "-",
        "’": "'",
        "‘": "'",
        "‚": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "«": '"',
        "»": '"',
        "\xad": None,
    }
)


def _fold(text: str) -> str:
    """``text`` compared loosely: case, typographic dashes, quotes and ellipses, soft hyphens."""
    return " ".join(text.replace("…", "...").translate(_TYPOGRAPHY).casefold().split())


#: Share of a headline's words that the page title must hold for the headline to be the title.
_HEADLINE_OVERLAP = 0.3
_WORD = re.compile(r"\w+")


def page_title(
    title: str | None,
    headings: list[str],
    site: str | None,
    url: str | None,
    subheadings: list[str] | None = None,
) -> str | None:
    """The article's title: the page's headline where the page title names it, else the page title.

    The headline is the first ``<h1>`` that is not the site's name (the first ``<h2>``, from
    ``subheadings``, on a page without one). A page title is often an editor's SEO version of
    the headline ("Reise-ABC Singapur mit allgemeinen Reise Tipps" for "Reise ABC für
    Singapur"): when at least 30% of the headline's words are in it, the headline as shown on
    the page is the title. Otherwise the page title without the site's name is.

    >>> page_title("Reise-ABC Singapur mit Tipps | Blog", ["Reise ABC für Singapur"], "Blog", None)
    'Reise ABC für Singapur'
    >>> page_title("Truce holds in Idlib - Aerobuzz.de", ["Most read today"], "Aerobuzz.de", None)
    'Truce holds in Idlib'
    """
    found = _title_from_page(title, headings, site, url)
    keys = _site_keys(site, url)
    heads = [" ".join(h.split()) for h in headings if h and h.strip()]
    if not heads:
        heads = [" ".join(h.split()) for h in subheadings or [] if h and h.strip()][:1]
    heads = [head for head in heads if not _is_site(head, keys)]
    if not found or not heads or len(heads[0]) < 8 or _fold(heads[0]) == _fold(found):
        return found
    headline = set(_WORD.findall(_fold(heads[0])))
    shared = headline & set(_WORD.findall(_fold(found)))
    return heads[0] if headline and len(shared) >= _HEADLINE_OVERLAP * len(headline) else found


def _site_keys(site: str | None, url: str | None) -> frozenset[str]:
    site_keys = {_site_key(site)} if site else set()
    if url:
        host = (urlsplit(url).hostname or "").removeprefix("www.")
        site_keys |= {_site_key(host), _site_key(host.rsplit(".", 1)[0])}
    return frozenset(key for key in site_keys if len(key) >= 3)


def _title_from_page(title: str | None, headings: list[str], site: str | None, url: str | None) -> str | None:
    """The article's title from a page's title, its ``<h1>`` headings, site name and URL.

    The page title usually carries the site's name ("Headline - Site", "SITE | Headline"); a
    heading that the title starts with is the headline itself. A title that is only the site's
    name gives way to the first heading that is not.

    >>> _title_from_page("Truce holds in Idlib - Aerobuzz.de", [], None, None)
    'Truce holds in Idlib'
    >>> _title_from_page("Krimiblog-Archiv", ["Krimiblog-Archiv", "Truce holds"], "Krimiblog-Archiv", None)
    'Truce holds'
    >>> _title_from_page("Syria – the war nobody wins", [], None, None)
    'Syria – the war nobody wins'
    """
    heads = [" ".join(h.split()) for h in headings if h and h.strip()]
    keys = _site_keys(site, url)
    if not title or not title.strip():
        return heads[0] if heads else None
    text = " ".join(title.split())
    folded = _fold(text)
    if _is_site(text, keys):
        others = [head for head in heads if not _is_site(head, keys)]
        return others[0] if others else text
    for head in heads:
        # Compared with the typography folded ("…" and "...", "–" and "-", curly and straight
        # quotes): the page title is often typed plainer than the headline it names, and the
        # headline shown on the page is the article's title as written.
        key = _fold(head)
        if folded == key:
            return head
        if folded.startswith(key) and _TITLE_SEPARATOR.match(folded, len(key)):
            return head  # "Headline - Site"
        if folded.endswith(key) and _TITLE_SEPARATOR_END.search(folded[: len(folded) - len(key)]):
            return head  # "Site | Headline"
    cuts = list(_TITLE_SEPARATOR.finditer(text))
    start, end = 0, len(text)
    if cuts and _is_site(text[: cuts[0].start()], keys):
        start = cuts[0].end()  # "SITE | Headline"
        cuts = cuts[1:]
    for n, cut in enumerate(cuts):
        piece = text[cut.end() : cuts[n + 1].start() if n + 1 < len(cuts) else len(text)]
        if _is_site(piece, keys):
            end = cut.start()  # "Headline - Site - Site's motto"
            break
    return text[start:end] if start < end else text


# --- language ------------------------------------------------------------------------------

#: Frequent English function words, spaced, for counting on a prefix of the text.
_ENGLISH_MARKERS = (" the ", " of ", " and ", " to ", " in ", " a ")
_FAST_PREFIX = 600
_LANGID_PREFIX = 300


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, ``None`` if there is too little text to say.

    English, the corpus's own language, is recognised by counting its function words on a
    bounded prefix (six ``str.count`` calls, microseconds: in English news these six are
    a fifth of the words, in other languages almost none). Anything else goes to py3langid on
    a bounded prefix (about 0.7 µs per character, hence the short prefix).
    """
    prefix = text[:_FAST_PREFIX]
    words = prefix.count(" ") + 1
    if words < 4 or len(prefix) < 20:
        return None
    if words >= 20:
        hits = sum([prefix.count(marker) for marker in _ENGLISH_MARKERS])
        if hits * 8 >= words:
            return "en"
    return _langid(text[:_LANGID_PREFIX])


_IDENTIFIER: Any = None


def _langid(text: str) -> str | None:
    global _IDENTIFIER  # noqa: PLW0603 -- the model loads once, on first use (about 1 s)
    if _IDENTIFIER is None:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        _IDENTIFIER = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    language, confidence = _IDENTIFIER.classify(text)
    if language == "und" or confidence < 0.5:
        return None
    return str(language)
