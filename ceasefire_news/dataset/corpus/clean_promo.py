"""Inline promotion lines: a call to action that points at another page.

A promotion line is a call to action and what it points at: a label that announces a link
("Read more", "Related", "Watch") and a separator, then a headline or a URL; or an imperative
that sends the reader elsewhere ("click here to", "subscribe to … newsletter", "follow us on",
"download the … app"), short, whatever follows it. A sentence of the article that starts the
same way ("Read more carefully, …", "Related: the talks were … . Both sides …") stays.
"""

from __future__ import annotations

import re

from ceasefire_news.dataset.corpus.clean_page import BULLET_CHARS, Page, word_count
from ceasefire_news.dataset.corpus.clean_rules import PROMO_LINES

_PROMO_LABEL = re.compile(
    rf"""(?:[{BULLET_CHARS}]\s*)?(?:
        (?:read|see|watch|listen|view)(?:\ (?:more|also|next|now|this|the\ full\ story))?
      | also\ (?:read|see|watch) | more\ (?:on|from|about)\b[^:|]{{1,40}}
      | related(?:\ (?:articles?|stories|story|news|coverage|videos?|content|reading))?
      | recommended | don['’]?t\ miss | must\ read | editor['’]?s\ picks? | trending(?:\ now)?
      | top\ stories | latest(?:\ news)? | more\ news
    )\s*(?::|\||»|›|>>|\ [–—-]\ )\s*(?P<rest>\S.*)""",
    re.IGNORECASE | re.VERBOSE,
)
_PROMO_IMPERATIVE = re.compile(
    rf"""(?:[{BULLET_CHARS}]\s*)?(?:
        (?:click|tap)\ here\b
      | (?:subscribe|sign\ up)\ (?:to|for)\b.*\bnewsletters?\b
      | follow\ us\ (?:on|at)\b
      | (?:download|get)\ (?:the|our)\b.*\bapp\b
      | (?:like|join)\ us\ on\ (?:facebook|twitter|telegram|whatsapp|instagram)\b
    ).*""",
    re.IGNORECASE | re.VERBOSE,
)
_PROMO_MAX_WORDS = 25
_PROMO_MAX_CHARS = 240

_PROMO_STARTS = frozenset(
    [
        "read",
        "see",
        "watch",
        "listen",
        "view",
        "also",
        "more",
        "related",
        "recommended",
        "don't",
        "don’t",
        "dont",
        "must",
        "editor's",
        "editor’s",
        "editors",
        "trending",
        "top",
        "latest",
        "click",
        "tap",
        "subscribe",
        "sign",
        "follow",
        "download",
        "get",
        "like",
        "join",
    ]
)


def _is_promo(line: str) -> bool:
    first = line.lstrip(BULLET_CHARS + " ").split(" ", 1)[0].rstrip(":|»›>").lower()
    if first not in _PROMO_STARTS or word_count(line) > _PROMO_MAX_WORDS or len(line) > _PROMO_MAX_CHARS:
        return False
    label = _PROMO_LABEL.fullmatch(line)
    if label is not None:
        rest = label.group("rest")
        # A headline or a link, not a sentence of the article that starts "Watch: the …".
        return rest.startswith(("http", "www.")) or ". " not in rest
    return _PROMO_IMPERATIVE.fullmatch(line) is not None


def strip_promo_lines(page: Page) -> None:
    """PROMO_LINES: inline calls to action that point at other pages."""
    stripped = page.stripped
    for i in page.open_lines():
        line = stripped[i]
        if _is_promo(line):
            page.claims[i] = PROMO_LINES.id
