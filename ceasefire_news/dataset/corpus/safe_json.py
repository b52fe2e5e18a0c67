"""JSON from untrusted input without a RecursionError: nesting is bounded.

``json.loads`` recurses once per level of nesting, so a line of 100,000 ``[`` (or 1,100
levels inside one field) raises ``RecursionError``, which is no ``ValueError`` and escapes
every ``except json.JSONDecodeError``; a value just under the interpreter's limit parses
and then breaks the next recursive step (``repr``, a schema conversion). :func:`loads_bounded`
turns both into :class:`JSONTooDeep`, a ``ValueError`` whose message says what to do.
"""

from __future__ import annotations

import json
from typing import Any

#: Deepest nesting accepted. An article record is an object of strings (depth 1); the
#: bound leaves room for any honest export and stays far from the interpreter's limit.
MAX_DEPTH = 64


class JSONTooDeep(ValueError):
    """The JSON text nests arrays or objects deeper than the bound."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"JSON nested more than {limit} levels deep; expected a flat object such as "
            '{"text": "..."}: flatten the value or remove it'
        )
        self.limit = limit


def depth(value: Any) -> int:
    """How deeply ``value`` nests lists and dicts (a scalar: 0), without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        level += 1
        deepest = max(deepest, level)
        stack.extend((child, level) for child in children if isinstance(child, (dict, list)))
    return deepest


def loads_bounded(text: str | bytes, max_depth: int = MAX_DEPTH) -> Any:
    """``json.loads(text)``, refusing nesting deeper than ``max_depth`` with :class:`JSONTooDeep`.

    Other malformed JSON raises ``json.JSONDecodeError`` as ``json.loads`` does.

    >>> loads_bounded('{"text": "talks"}')
    {'text': 'talks'}
    >>> loads_bounded("[" * 100_000 + "]" * 100_000)
    Traceback (most recent call last):
    ...
    ceasefire_news.dataset.corpus.safe_json.JSONTooDeep: JSON nested more than 64 levels deep; ...
    """
    try:
        value = json.loads(text)
    except RecursionError:
        raise JSONTooDeep(max_depth) from None
    if depth(value) > max_depth:
        raise JSONTooDeep(max_depth)
    return value
