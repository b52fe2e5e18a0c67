"""The topic filter: pages of a crawl that are not about the corpus's topic, dropped early.

A news crawl holds every story an outlet published; a few in a hundred are about ceasefire
diplomacy in Syria. Extraction costs tens of milliseconds a page, so the build drops the
others first, from a cheap reading of the page: its title, headings and paragraphs, with
the site's chrome (scripts, navigation, header, footer, sidebars, forms) cut out. A site
menu that says "Syria" on every page does not make a page about Syria.

A topic is a list of terms (``ceasefire.topic`` is the default; ``build --topic FILE``
replaces it): a term matches at the start of a word, in any case, with any ending (a term in
double quotes matches the whole word only), after an Arabic proclitic (و ف ب ل ك ال) where
there is one, and a page is on topic when its main text holds at least ``min_hits`` matches. The filter runs on
pages read from WARC crawls only: txt, JSON Lines and HTML sources are chosen by the
maintainer.
"""

from __future__ import annotations

import hashlib
import html as html_module
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ceasefire_news.schema.errors import UsageError

#: The filter's version: what a cached result depends on, with the terms.
TOPIC_VERSION = "topic_v2"
DEFAULT_TOPIC = "ceasefire.topic"

#: Elements whose text is the site's, not the article's: their text is not read (nesting counted).
_CHROME = frozenset({"nav", "header", "footer", "aside", "select", "button"})
#: Elements whose content is not text at all: skipped to their end tag.
_RAW = frozenset({"script", "style", "noscript", "template", "svg", "textarea"})
#: Elements whose text is read: the title, headings and paragraphs.
_MAIN = frozenset({"title", "h1", "h2", "p"})
_BLOCKS = "div|li|ul|ol|dl|dd|dt|td|th|tr|table|section|article|main|body|blockquote|figure|figcaption|h3|h4|h5|h6"
#: The tags the reading stops at (an unclosed paragraph ends at the next block), and comments.
_TOKEN = re.compile(
    r"<!--|<(/?)(" + "|".join(sorted(_CHROME | _RAW | _MAIN)) + "|" + _BLOCKS + r")(?=[\s/>])[^>]*>",
    re.IGNORECASE,
)
_RAW_END = {name: re.compile(rf"</{name}\s*>", re.IGNORECASE) for name in _RAW}
_LINK = re.compile(r"<a\b[^>]*>.*?</a\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
#: Arabic writes "and", "in", "to", "like" and "the" onto the word: وحلب is "and Aleppo".
_ARABIC_PROCLITIC = "(?:[وف]?(?:[بلك]|ال|بال|لل|كال)?)"
_ARABIC = re.compile("[\u0600-\u06ff]")
#: Below this many characters of paragraph text, a page is read whole (less its chrome and links).
_MIN_PARAGRAPH_CHARS = 200


@dataclass(frozen=True, slots=True)
class Topic:
    """A query: terms, and how many matches make a page on topic."""

    name: str
    terms: tuple[str, ...]
    min_hits: int
    sha256: str
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # One pattern shaped as a trie of the lower-cased terms: at each word start the page's
        # text is compared a character at a time, not term after term.
        terms = [(term[1:-1].lower(), True) if _is_whole(term) else (term.lower(), False) for term in self.terms]
        arabic = [term for term in terms if _ARABIC.search(term[0])]
        other = [term for term in terms if not _ARABIC.search(term[0])]
        choices = [_trie_pattern(_trie(other))] if other else []
        if arabic:
            choices.append(_ARABIC_PROCLITIC + _trie_pattern(_trie(arabic)))
        object.__setattr__(self, "pattern", re.compile(rf"(?<!\w)(?:{'|'.join(choices)})"))

    def hits(self, text: str, enough: int | None = None) -> int:
        """Matches of the terms in ``text`` (counting stops at ``enough``)."""
        enough = self.min_hits if enough is None else enough
        count = 0
        for _ in self.pattern.finditer(text.lower()):
            count += 1
            if count >= enough:
                break
        return count

    def on_topic_text(self, text: str) -> bool:
        """True when ``text`` (an article's text, no markup) holds enough matches."""
        return self.hits(text) >= self.min_hits

    def on_topic_html(self, html: str) -> bool:
        """True when the main text of the page ``html`` holds enough matches."""
        return self.on_topic_text(main_text(html))

    def describe(self) -> dict[str, Any]:
        """The query, for the manifest."""
        return {
            "version": TOPIC_VERSION,
            "name": self.name,
            "terms": len(self.terms),
            "min_hits": self.min_hits,
            "sha256": self.sha256,
            "applies_to": "pages read from WARC crawls",
        }


def main_text(html: str) -> str:
    """A cheap reading of a page's own text: title, headings and paragraphs, without chrome.

    One pass over the block-level tags (linear in the page's length, unclosed tags included):
    a paragraph's text runs to the next block tag, the text of navigation, header, footer,
    sidebars and buttons is not read, scripts and styles are skipped whole.

    >>> main_text("<nav><p>Syria</p></nav><h1>Rain</h1><p>It rained.</p>")
    'Rain It rained.'
    """
    parts: list[tuple[str, str]] = []  # the title, headings and paragraphs: (tag, markup)
    outside: list[str] = []  # all text outside chrome, for a page without paragraph markup
    chrome = 0
    reading: str | None = None
    position = 0
    size = len(html)
    while position < size:
        token = _TOKEN.search(html, position)
        end = size if token is None else token.start()
        if chrome == 0:
            outside.append(html[position:end])
            if reading is not None:
                parts.append((reading, html[position:end]))
        if token is None:
            break
        reading = None
        position = token.end()
        if token.group(0) == "<!--":
            close = html.find("-->", position)
            position = size if close == -1 else close + 3
            continue
        closing, name = token.group(1) == "/", token.group(2).lower()
        if name in _RAW:
            if not closing:
                close_tag = _RAW_END[name].search(html, position)
                position = size if close_tag is None else close_tag.end()
        elif name in _CHROME:
            chrome = max(chrome - 1, 0) if closing else chrome + 1
        elif not closing and name in _MAIN:
            reading = name
    texts = [(tag, " ".join(_TAG.sub(" ", part).split())) for tag, part in parts]
    headlines = [text for tag, text in texts if tag == "h1" and text]
    # A title that repeats the headline adds only the site's name: read the headline once.
    texts = [(tag, text) for tag, text in texts if text and not (tag == "title" and _repeats(text, headlines))]
    return _joined([text for _, text in texts], outside)


def _repeats(title: str, headlines: list[str]) -> bool:
    return any(headline in title for headline in headlines)


def _joined(texts: list[str], outside: list[str]) -> str:
    if sum(len(text) for text in texts) >= _MIN_PARAGRAPH_CHARS:
        return _unescape("\n".join(texts))
    # A page without paragraph markup: its whole text, less links (menus are lists of links).
    return _unescape(" ".join(_TAG.sub(" ", _LINK.sub(" ", " ".join(outside))).split()))


def _unescape(text: str) -> str:
    return html_module.unescape(text) if "&" in text else text


_STEM_END, _WORD_END = 0, 1
_Trie = dict[str | int, "_Trie"]


def _trie(terms: list[tuple[str, bool]]) -> _Trie:
    """The terms as a trie of characters; a stem's end or a whole word's end is marked."""
    root: _Trie = {}
    for term, whole in terms:
        node = root
        for char in term:
            node = node.setdefault(char, {})
        node[_WORD_END if whole else _STEM_END] = {}
    return root


def _trie_pattern(node: _Trie) -> str:
    """A regular expression matching what the trie ``node`` holds."""
    if _STEM_END in node:
        return ""  # a stem ends here: any ending is a match, longer terms add nothing
    branches = [
        re.escape(char) + _trie_pattern(child)
        for char, child in sorted(node.items(), key=lambda item: str(item[0]))
        if isinstance(char, str)
    ]
    if _WORD_END in node:
        branches.append(r"(?!\w)")
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


def _is_whole(term: str) -> bool:
    return len(term) > 2 and term.startswith('"') and term.endswith('"')


def parse_topic(text: str, name: str) -> Topic:
    """A topic from its file's text: one term per line, ``#`` comments, ``min_hits = N``.

    A term in double quotes (``"Şam"``) matches the whole word only, not words it begins.
    """
    terms: list[str] = []
    min_hits = 1
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        key, equals, value = line.partition("=")
        if equals and key.strip() == "min_hits":
            if not value.strip().isdigit() or int(value) < 1:
                raise UsageError(f"{name}:{number}: min_hits is {value.strip()!r}; expected a whole number, 1 or more")
            min_hits = int(value)
        else:
            term = " ".join(line.split())
            if term.strip('"') == "" or term.count('"') not in (0, 2) or ('"' in term and not _is_whole(term)):
                raise UsageError(
                    f"{name}:{number}: {term!r} is not a term; write it bare, or in double quotes for a whole word"
                )
            terms.append(term)
    if not terms:
        raise UsageError(f"{name}: no terms in the topic file; write one term per line (see `build --help`)")
    canonical = "\n".join([str(min_hits), *sorted(set(terms))])
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return Topic(name=name, terms=tuple(dict.fromkeys(terms)), min_hits=min_hits, sha256=digest)


def default_topic() -> Topic:
    """The corpus's own topic: ceasefire diplomacy in the Syrian war, in four languages."""
    text = resources.files(__package__).joinpath(DEFAULT_TOPIC).read_text(encoding="utf-8")
    return parse_topic(text, DEFAULT_TOPIC)


def load_topic(choice: str | None) -> Topic | None:
    """The topic ``build --topic`` names: None or ``"default"`` for the default, ``"none"`` for no filter."""
    if choice is None or choice == "default":
        return default_topic()
    if choice == "none":
        return None
    path = Path(choice)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise UsageError(
            f"--topic {choice}: cannot read the topic file ({err}); give a UTF-8 text file with one "
            "term per line, or `--topic none` to keep every page"
        ) from err
    return parse_topic(text, path.name)
