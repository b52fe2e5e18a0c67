"""Annotator pseudonyms: the one name a release, ``team list`` and ``status`` give an annotator.

``annotator-`` + 16 hex digits of the HMAC-SHA256 of the annotator's login (lower-cased) under a
key made once per workspace (``annotations/pseudonym.key``, readable by its owner only, never
released): stable across releases of one workspace, not reversible without the key, and not
testable against a guessed e-mail by anyone who lacks it. Losing the key gives every annotator
a new pseudonym in the next release: back it up with the log.

>>> pseudonym_of(bytes(32), "admin@example.org")
'annotator-5c9edfcb52c084d5'
"""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path

from ceasefire_news.dataset.corpus.workspace import Workspace
from ceasefire_news.schema.errors import UsageError

PREFIX = "annotator-"
KEY_BYTES = 32


def key_path(workspace: Workspace) -> Path:
    return workspace.log_path.with_name("pseudonym.key")


def workspace_key(workspace: Workspace) -> bytes:
    """The workspace's pseudonym key, made (mode 0600) on first use."""
    path = key_path(workspace)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        text = path.read_text(encoding="ascii", errors="replace").strip()
        try:
            key = bytes.fromhex(text)
        except ValueError:
            key = b""
        if len(key) != KEY_BYTES:
            raise UsageError(
                f"{path} holds {text[:12]!r}...; expected {2 * KEY_BYTES} hex digits (the pseudonym key). Restore it "
                "from your backup; deleting it gives every annotator a new pseudonym in the next release."
            ) from None
        return key
    key = secrets.token_bytes(KEY_BYTES)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(key.hex() + "\n")
    return key


def pseudonym_of(key: bytes, annotator: str) -> str:
    """The pseudonym of ``annotator`` under ``key``; an e-mail's case does not matter."""
    return PREFIX + hmac.new(key, annotator.strip().lower().encode("utf-8"), "sha256").hexdigest()[:16]


def pseudonym(workspace: Workspace, annotator: str) -> str:
    """The pseudonym of ``annotator`` in ``workspace`` (the one its releases use)."""
    return pseudonym_of(workspace_key(workspace), annotator)
