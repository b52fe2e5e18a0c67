"""The date a saved page was published: what its markup states, checked against what it shows.

A page's markup (``article:published_time``, JSON-LD, ``<time>``; found by htmldate) states a
date that is often not the one a reader sees: a time in UTC a day off the local date the
page prints, or the date of the page's last change. The page's own words are the better
witness, so :func:`page_date` reads the dates the page shows (its body text, scripts and
styles left out) and decides, in this order:

1. the stated date, when the page shows it next to its headline;
2. else the date shown next to the headline (the byline), when there is one;
3. else the stated date, when the page shows it anywhere, or when nothing is shown within a
   day of it; a date shown within a day of it is the same moment in another time zone, and
   is taken instead;
4. nothing, when the markup states none and no date is next to the headline: a date the
   page shows far from its headline (an event, an archive) is not its own.

The distances were chosen on one half of a public set of real pages and checked on the
other (``bench/extract``). Dates are read in the forms news pages print them: ISO, day-first
with dots (also with a two-digit year), either order with slashes or bars (both readings
kept when both are valid), and with month names in English, German, French, Spanish,
Italian, Portuguese and Dutch.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from ceasefire_news.dataset.corpus.metadata import parse_date, safe_date

#: Characters after the headline's start within which a date is its byline, and before it.
BYLINE_AFTER = 600
BYLINE_BEFORE = 100
#: A date shown this many days from the stated one is the same moment in another time zone.
NEAR_DAYS = 1
_ANCHOR = "\ufdd0"  # a noncharacter: never in a page's text
#: The body's text nodes, each followed by a space (adjacent elements, "Aleppo</h1><time>May 3,
#: 2022", stay apart as the page shows them), without scripts, styles and their fallbacks, and
#: with the anchor where the first headline with text starts. libxslt walks the tree in C: a
#: third of the time of collecting the text nodes in Python.
_SHOWN_TEXT_XSLT = f"""<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="text" encoding="UTF-8"/>
  <xsl:variable name="headline" select="generate-id((//h1[normalize-space()])[1])"/>
  <xsl:template match="/">
    <xsl:choose>
      <xsl:when test="//body"><xsl:apply-templates select="(//body)[1]"/></xsl:when>
      <xsl:otherwise><xsl:apply-templates/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>
  <xsl:template match="script|style|noscript|template"/>
  <xsl:template match="h1">
    <xsl:if test="generate-id() = $headline">&#x{ord(_ANCHOR):X};</xsl:if>
    <xsl:apply-templates/>
  </xsl:template>
  <xsl:template match="text()"><xsl:value-of select="."/><xsl:text> </xsl:text></xsl:template>
</xsl:stylesheet>"""


@cache
def _shown_text_transform() -> Any:
    from lxml.etree import XML, XSLT  # lxml loads with the first page, not with the package

    return XSLT(XML(_SHOWN_TEXT_XSLT))


_MONTH_NAMES = (
    "january jan januar janvier enero gennaio janeiro januari jänner",
    "february feb februar février fevrier febrero febbraio fevereiro februari",
    "march mar märz maerz mars marzo março maart",
    "april apr avril abril aprile",
    "may mai mayo maggio maio mei",
    "june jun juni juin junio giugno junho",
    "july jul juli juillet julio luglio julho",
    "august aug août aout agosto augustus",
    "september sep sept septembre septiembre settembre setembro",
    "october oct oktober octobre octubre ottobre outubro okt",
    "november nov novembre noviembre novembro",
    "december dec dezember décembre decembre diciembre dicembre dezembro dez",
)
_MONTHS = {name: number for number, names in enumerate(_MONTH_NAMES, 1) for name in names.split()}
_MONTH = "|".join(sorted(map(re.escape, _MONTHS), key=len, reverse=True))
_YEAR = r"(?:19|20)\d\d"
#: Every date has a four-digit year: the text is scanned for years only, and each year is
#: read with what surrounds it (a date's other parts lie within :data:`_BEFORE_YEAR`).
_YEARS = re.compile(rf"(?<!\d){_YEAR}(?!\d)")
_BEFORE_YEAR = 32
_ISO_DATE = re.compile(r"(?P<y>\d{4})-(?P<m>\d\d)-(?P<d>\d\d)(?!\d)")
_ENDS_IN_YEAR = re.compile(
    rf"""(?:
    (?<![\d.])(?P<a>\d{{1,2}})\s?(?P<sep>[./|-])\s?(?P<b>\d{{1,2}})\s?(?P=sep)\s?(?P<num_y>{_YEAR})
  | (?<!\d)(?P<dmy_d>\d{{1,2}})(?:\.|st|nd|rd|th|er|º)?\s*(?:de\s+)?(?P<dmy_m>{_MONTH})\.?,?\s*(?:de\s+)?
      (?P<dmy_y>{_YEAR})
  | \b(?P<mdy_m>{_MONTH})\.?\s+(?P<mdy_d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<mdy_y>{_YEAR})
    )\Z""",
    re.IGNORECASE | re.VERBOSE,
)

#: Day, month and a two-digit year with dots, as German-language pages print a byline
#: ("19.10.19, 11:29"), and not part of a longer run of numbers (a version, an address). The
#: text is scanned for a dot before two digits that end the run (a scan that starts with a
#: literal is a fifth of the cost of one for the whole form), and each is read with the day
#: and month before it.
_SHORT_YEAR = re.compile(r"\.\s?(\d\d)(?!\d|[.,]\d|\s?\.\s?\d)")
_DAY_MONTH_BEFORE = re.compile(r"(?<![\w.,:/])(\d{1,2})\s?\.\s?(\d{1,2})\s?\Z")
#: A two-digit year up to this one is in this century, a later one in the last (as POSIX reads them).
_SHORT_YEAR_PIVOT = 68


def dates_in_text(text: str) -> list[tuple[int, dt.date]]:
    """Every date written in ``text``, with where it starts; a slashed date that reads both
    ways ("05/03/2020") gives both readings, day first.

    >>> dates_in_text("Berlin, 26. Januar 2022 (dpa)")
    [(8, datetime.date(2022, 1, 26))]
    """
    found: list[tuple[int, dt.date]] = []
    for year in _YEARS.finditer(text):
        match = _ENDS_IN_YEAR.search(text, max(0, year.start() - _BEFORE_YEAR), year.end())
        if match is not None:
            g = match.groupdict()
            if g["num_y"]:
                day_first = safe_date(g["num_y"], g["b"], g["a"])
                readings = [day_first] if g["sep"] == "." else [day_first, safe_date(g["num_y"], g["a"], g["b"])]
            elif g["dmy_y"]:
                readings = [safe_date(g["dmy_y"], _MONTHS[g["dmy_m"].lower()], g["dmy_d"])]
            else:
                readings = [safe_date(g["mdy_y"], _MONTHS[g["mdy_m"].lower()], g["mdy_d"])]
            where = match.start()
        elif (iso := _ISO_DATE.match(text, year.start())) is not None:
            readings, where = [safe_date(iso["y"], iso["m"], iso["d"])], year.start()
        else:
            continue
        found.extend((where, date) for date in dict.fromkeys(readings) if date is not None)
    for short in _SHORT_YEAR.finditer(text):
        day_month = _DAY_MONTH_BEFORE.search(text, max(0, short.start() - 8), short.start())
        if day_month is not None:
            century = 2000 if int(short[1]) <= _SHORT_YEAR_PIVOT else 1900
            if (date := safe_date(century + int(short[1]), day_month[2], day_month[1])) is not None:
                found.append((day_month.start(), date))
    found.sort(key=lambda item: item[0])
    return found


def shown_text(tree: Any) -> tuple[str, int | None]:
    """The text a reader sees in the page's body, spaces folded, and where its first headline
    (``<h1>`` with text) starts in it. ``tree`` is only read."""
    text = " ".join(str(_shown_text_transform()(tree)).split())
    anchor = text.find(_ANCHOR)
    if anchor < 0:
        return text, None
    return text.replace(_ANCHOR, "", 1), anchor


def choose_date(stated: dt.date | None, shown: list[tuple[int, dt.date]], headline: int | None) -> dt.date | None:
    """The page's date from the stated one and the shown ones (see the module's order).

    >>> choose_date(dt.date(2022, 5, 4), [(120, dt.date(2022, 5, 3))], 100)
    datetime.date(2022, 5, 3)
    """
    if stated is not None and any(date == stated for _, date in _by_headline(shown, headline)):
        return stated
    byline = _byline(shown, headline)
    if byline is not None:
        return byline
    dates = {date for _, date in shown}
    if stated is None or stated in dates:
        return stated
    near = [date for date in dates if 0 < abs((date - stated).days) <= NEAR_DAYS]
    return min(near, key=lambda date: (abs((date - stated).days), date)) if near else stated


def _by_headline(shown: list[tuple[int, dt.date]], headline: int | None) -> list[tuple[int, dt.date]]:
    """The dates shown next to the headline, each with its distance from the headline's start:
    after it within :data:`BYLINE_AFTER` characters, or before it within
    :data:`BYLINE_BEFORE` (counted twice as far)."""
    if headline is None:
        return []
    found = []
    for where, date in shown:
        distance = where - headline
        if -BYLINE_BEFORE <= distance <= BYLINE_AFTER:
            found.append((distance if distance >= 0 else -2 * distance, date))
    return found


def _byline(shown: list[tuple[int, dt.date]], headline: int | None) -> dt.date | None:
    """The date shown closest to the headline (the first of those as close)."""
    best: tuple[int, dt.date] | None = None
    for weight, date in _by_headline(shown, headline):
        if best is None or weight < best[0]:
            best = (weight, date)
    return best[1] if best is not None else None


@dataclass(frozen=True, slots=True)
class ShownDates:
    """The dates a page shows, with where each starts in its text, and where its headline starts."""

    dates: list[tuple[int, dt.date]]
    headline: int | None


def shown_dates(tree: Any) -> ShownDates:
    """The dates the page in ``tree`` shows (scripts and styles left out)."""
    text, headline = shown_text(tree)
    return ShownDates(dates_in_text(text), headline)


def page_date(stated: str | None, shown: ShownDates) -> str | None:
    """The page's date (ISO) from the date its markup states (ISO or ``None``) and the dates it
    shows."""
    given = parse_date(stated) if stated else None
    date = choose_date(given, shown.dates, shown.headline)
    return date.isoformat() if date is not None else None
