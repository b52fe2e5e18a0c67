"""Annotator pseudonyms: the name a release and ``team list`` give an annotator.

``annotator-`` + the hex HMAC-SHA256 of the annotator's login under a key kept in the
workspace: stable across releases of one workspace, not reversible without its key, and
not guessable from a list of emails.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from ceasefire_news.dataset.corpus.workspace import Workspace, atomic_write_text

PREFIX = "annotator-"


def _key(workspace: Workspace) -> bytes:
    path = workspace.root / "annotations" / "pseudonym.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, secrets.token_hex(32) + "\n")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip().encode("ascii")


def pseudonym(workspace: Workspace, annotator: str) -> str:
    """The pseudonym of ``annotator`` (an email) in ``workspace``."""
    digest = hmac.new(_key(workspace), annotator.strip().lower().encode("utf-8"), hashlib.sha256).hexdigest()
    return PREFIX + digest[:16]
