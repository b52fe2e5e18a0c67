"""Annotator accounts of a Label Studio server, and who did what (``ceasefire-news team``).

:func:`add_members` makes each email a member of the admin's organisation, the way Label
Studio's community edition lets people join: by signing up through the organisation's
invite link. It either signs them up with a fresh password (shown once, never stored) or
only hands back the invite link for them to sign up themselves. An email already a member
is left alone, so running it twice creates nothing.

:func:`activity` counts, from the annotation log (the last pull), each annotator's done and
skipped tasks and last activity.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import httpx

from ceasefire_news.dataset.corpus.workspace import Workspace, read_jsonl
from ceasefire_news.labeling.client import StudioClient
from ceasefire_news.labeling.pseudonym import pseudonym
from ceasefire_news.labeling.server import StudioError
from ceasefire_news.schema.errors import UsageError

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True, slots=True)
class MemberAdded:
    """One email of ``team add``: ``created`` (with its password), ``invited`` (with the link) or ``exists``."""

    email: str
    outcome: str
    password: str | None = None
    invite_url: str | None = None

    def line(self) -> str:
        if self.outcome == "created":
            return f"{self.email}: created; one-time password {self.password} (shown once: pass it on, then forget it)"
        if self.outcome == "invited":
            return f"{self.email}: not created; send them the invite link {self.invite_url}"
        return f"{self.email}: already a member, left as it is"


def _check_emails(emails: Sequence[str]) -> list[str]:
    bad = [e for e in emails if not _EMAIL.match(e)]
    if not emails or bad:
        raise UsageError(
            f"team add needs email addresses, got {', '.join(map(repr, bad)) or 'none'}; "
            "e.g. `ceasefire-news team add ana@example.org ben@example.org`"
        )
    return list(dict.fromkeys(e.strip().lower() for e in emails))


def invite_url(client: StudioClient) -> str:
    """The organisation's sign-up link (anyone holding it can join)."""
    answer = client.request("GET", "/api/invite")
    token = answer.get("token") if isinstance(answer, dict) else None
    if not token:
        raise StudioError(f"{client.url} gave no invite link (GET /api/invite answered {str(answer)[:200]})")
    return f"{client.url}/user/signup/?token={token}"


def _sign_up(base: str, link: str, email: str, password: str) -> None:
    token = link.rsplit("token=", 1)[1]
    with httpx.Client(base_url=base, timeout=120.0, follow_redirects=False) as browser:
        try:
            browser.get("/user/signup/", params={"token": token})
            answer = browser.post(
                "/user/signup/",
                params={"token": token},
                data={
                    "email": email,
                    "password": password,
                    "csrfmiddlewaretoken": browser.cookies.get("csrftoken") or "",
                    "allow_newsletters": "false",
                },
                headers={"Referer": base + "/user/signup/"},
            )
        except httpx.HTTPError as err:
            raise StudioError(f"could not reach {base} to sign up {email} ({err}); is the server running?") from err
    if answer.status_code != 302:
        raise StudioError(
            f"signing up {email} on {base} failed (HTTP {answer.status_code}, expected a redirect); "
            "check the address, or sign them up with the invite link (`team add --invite-link`)"
        )


def add_members(
    client: StudioClient, emails: Sequence[str], *, invite_only: bool = False, public_url: str | None = None
) -> list[MemberAdded]:
    """Make each of ``emails`` a member of the organisation of ``client``'s (admin) token.

    ``public_url`` is the server's address as annotators reach it, for the invite links
    printed (the client may talk to it through loopback or a wildcard address).
    """
    wanted = _check_emails(emails)
    client.whoami()
    known = {email.lower() for email in client.users().values()}
    link = invite_url(client)
    added: list[MemberAdded] = []
    for email in wanted:
        if email in known:
            added.append(MemberAdded(email, "exists"))
        elif invite_only:
            shown = link.replace(client.url, public_url.rstrip("/"), 1) if public_url else link
            added.append(MemberAdded(email, "invited", invite_url=shown))
        else:
            password = secrets.token_urlsafe(12)
            _sign_up(client.url, link, email, password)
            if email not in {e.lower() for e in client.users().values()}:
                raise StudioError(f"{client.url} accepted the sign-up of {email} but does not list it among its users")
            added.append(MemberAdded(email, "created", password=password))
    return added


@dataclass(slots=True)
class Activity:
    """What one annotator did, as far as the last pull knows."""

    annotator: str
    pseudonym: str
    done: int = 0
    skipped: int = 0
    last: str = ""


def activity(workspace: Workspace, members: Iterable[str] = ()) -> list[Activity]:
    """Per annotator (plus ``members`` with nothing pulled yet): tasks done, skipped, last activity.

    Counts each annotation once, in its newest logged version; a task is done by an
    annotator when their annotation of it is not cancelled, skipped when it is.
    """
    newest: dict[str, dict[str, object]] = {}
    for _, record in read_jsonl(workspace.log_path):
        if record.get("provenance", "human") != "human" or not isinstance(record.get("annotator"), str):
            continue
        newest[str(record.get("annotation_id"))] = record
    people: dict[str, Activity] = {}
    for email in members:
        people.setdefault(email.lower(), Activity(email.lower(), pseudonym(workspace, email)))
    for record in newest.values():
        name = str(record["annotator"]).lower()
        person = people.setdefault(name, Activity(name, pseudonym(workspace, name)))
        if record.get("was_cancelled"):
            person.skipped += 1
        else:
            person.done += 1
        stamp = str(record.get("updated_at") or record.get("created_at") or "")
        person.last = max(person.last, stamp)
    return sorted(people.values(), key=lambda a: a.annotator)


def activity_table(rows: Sequence[Activity]) -> str:
    """``team list``'s table (emails are shown: this is the maintainer's own view)."""
    lines = [f"{'annotator':<32} {'pseudonym':<26} {'done':>5} {'skipped':>7}  last activity"]
    for row in rows:
        lines.append(f"{row.annotator:<32} {row.pseudonym:<26} {row.done:>5} {row.skipped:>7}  {row.last[:19] or '-'}")
    if not rows:
        lines.append("(no annotators yet: `ceasefire-news team add EMAIL...`, then `pull`)")
    return "\n".join(lines)
