"""Texts that are no article: a page of navigation, a login form, encoded data, random characters.

:func:`junk_reason` looks at a clean text and names what it is instead of an article; the
build rejects such a record with that reason. Each test looks for the shape of the thing
(menu items, form fields, a long unbroken run of base64 letters, tokens that are no words)
and every one requires that no paragraph reads as a sentence of some length, so an article
that merely mentions a password or ends with a menu is kept.
"""

from __future__ import annotations

import re
import unicodedata

from ceasefire_news.dataset.corpus.clean_page import is_body_line

#: Separators of menu items and breadcrumbs: "Home / World / Syria", "News | Sport".
_NAV_SEPARATORS = re.compile(r"\s+[/|>»›·•]\s+|\s*[|»›•]\s*")
_FORM_WORDS = re.compile(
    r"\b(?:log\s?in|sign\s?in|sign\s?up|password|username|user\s?name|e-?mail address|"
    r"remember me|forgot|create (?:an )?account|register)\b",
    re.IGNORECASE,
)
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/=_-]{200,}")
_WORD = re.compile(r"[\"'“‘(\[]*[^\W\d_]+(?:['’-][^\W\d_]+)*[\"'”’)\].,;:!?]*")
_NUMBER = re.compile(r"[\"'“‘(\[$€£]*[-+]?\d[\d.,:/%-]*[^\W\d_]{0,3}[\"'”’)\].,;:!?%]*")

#: Reference marks ("[13]") and currency signs that tables and references put next to words.
_MARKS = re.compile(r"\[\d{1,4}\]|[$€£¥₹]")

_MIN_TOKENS = 12
_WORDLIKE_SHARE = 0.6
_NAV_MAX_WORDS = 3
_NAV_MAX_CHARS = 30


def _has_sentences(text: str) -> bool:
    return any(is_body_line(paragraph) for paragraph in text.split("\n"))


def _navigation(text: str) -> bool:
    items = [item for line in text.split("\n") for item in _NAV_SEPARATORS.split(line) if item.strip()]
    short = sum(1 for item in items if len(item.split()) <= _NAV_MAX_WORDS and len(item) <= _NAV_MAX_CHARS)
    return len(items) >= 4 and short >= 0.8 * len(items)


def _login_form(text: str) -> bool:
    found = {" ".join(match.lower().split()) for match in _FORM_WORDS.findall(text)}
    return len(found) >= 2 and len(text.split()) <= 80


def _encoded(text: str) -> bool:
    compact = "".join(text.split())
    return len(compact) >= 200 and sum(map(len, _BASE64_RUN.findall(compact))) >= 0.5 * len(compact)


def _random(text: str) -> bool:
    """Most tokens that carry letters or digits are no words or numbers.

    Random characters mix letters, digits and punctuation inside one token. Tokens without a
    letter or digit (table rules "|", "---", currency signs, "。") are layout, not letters, and
    are left out of the count; reference marks ("[13]") and currency signs are taken off the
    token before it is judged, so "zones.[3]" and "US$" read as words.
    """
    tokens = text.split()
    if len(tokens) < _MIN_TOKENS:
        return False
    if sum(map(str.isalpha, tokens)) >= _WORDLIKE_SHARE * len(tokens):
        return False  # the common case, decided without a pattern: most tokens are bare words
    odd = [token for token in tokens if not _wordlike(token)]
    if len(odd) <= (1 - _WORDLIKE_SHARE) * len(tokens):
        return False  # the common case: an article's tokens are words, decided in one pass
    marked = [_MARKS.sub("", token) for token in odd]
    layout = sum(1 for token in marked if not any(ch.isalnum() for ch in token))
    odd_words = sum(1 for token in marked if token and _wordlike(token))
    judged = len(tokens) - layout
    if judged < _MIN_TOKENS:
        return False
    return len(odd) - layout - odd_words > (1 - _WORDLIKE_SHARE) * judged


def _wordlike(token: str) -> bool:
    if _WORD.fullmatch(token) or _NUMBER.fullmatch(token):
        return True
    # Scripts written without spaces make long tokens with their own punctuation inside;
    # Indic scripts write vowels as combining marks, which are letters' parts, not symbols.
    letters = sum(1 for ch in token if ch.isalpha() or unicodedata.category(ch)[0] == "M")
    return not token.isascii() and letters >= 0.6 * len(token)


def junk_reason(text: str) -> tuple[str, str] | None:
    """What the text is instead of an article, as (reason code, detail), or None for an article.

    >>> junk_reason("Home / World / Syria / Middle East / Log in")[0]
    'navigation_only'
    >>> junk_reason("Russian and Turkish officials met in Moscow on Thursday to discuss the truce.") is None
    True
    """
    if _encoded(text):
        return (
            "encoded_data",
            "the text is encoded data (a long run of base64-like characters), not an article; "
            "decode it or drop the file",
        )
    if _random(text):
        return (
            "random_characters",
            "most of the text's tokens are no words or numbers; check that the file holds an article",
        )
    if _has_sentences(text):
        return None
    if _login_form(text):
        return (
            "login_form",
            "the text is a login or sign-up form; save the article page itself, after logging in",
        )
    if _navigation(text):
        return (
            "navigation_only",
            "the text is only menu or breadcrumb items, no sentence; save the article page itself",
        )
    return None
