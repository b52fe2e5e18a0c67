"""Bring back from Label Studio the annotations changed since the last pull.

The data manager filters on the tasks' ``updated_at``, so a pull's cost follows what
changed; every annotation goes through :class:`~ceasefire_news.labeling.ingest.Ingest`.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from ceasefire_news.dataset.corpus.workspace import Workspace
from ceasefire_news.labeling.client import DEFAULT_TIMEOUT, StudioClient, display_url
from ceasefire_news.labeling.ingest import Ingest, SyncReport
from ceasefire_news.labeling.state import StudioState
from ceasefire_news.schema.errors import UsageError

#: A pull asks again for tasks updated this long before its cursor (the time the last
#: pull started): a transaction that committed late is still seen; what was already
#: logged counts as unchanged.
CURSOR_OVERLAP = timedelta(seconds=2)
PULL_PAGE_SIZE = 500
_LS_TIME = "%Y-%m-%dT%H:%M:%S.%fZ"


def _parse_time(stamp: str) -> datetime | None:
    for fmt in (_LS_TIME, "%Y-%m-%dT%H:%M:%SZ"):
        try:
            return datetime.strptime(stamp, fmt)
        except ValueError:
            continue
    return None


def pull(workspace: Workspace, url: str | None, token: str, *, timeout: float = DEFAULT_TIMEOUT) -> SyncReport:
    """Bring the annotations changed since the last pull into ``annotations/log.jsonl``.

    Asks Label Studio's data manager only for tasks updated since the cursor in
    ``state.json`` (keyset pages ordered by ``updated_at``), so its cost follows what
    changed, not the size of the project. Brings ground-truth, cancelled and skipped
    annotations too. An edited annotation is appended again (newer ``updated_at``) and
    supersedes its older line for readers of the log; pulling twice changes nothing.
    ``timeout``: seconds to wait for each answer of the server.
    """
    state = StudioState.load(workspace)
    if state.project_id is None:
        raise UsageError(
            f"{workspace.state_path} names no Label Studio project; run `ceasefire-news export --url URL` "
            "(or `ceasefire-news studio`) first"
        )
    full_url = (url or state.server or "").rstrip("/")
    url = display_url(full_url)  # printable: without the credentials the address may carry
    if not url:
        raise UsageError("no server: pass --url URL")
    if state.server and state.server.rstrip("/") != url:
        raise UsageError(
            f"this workspace is linked to project {state.project_id} on {state.server}, not {url}; "
            "pull from that server (or leave --url out)"
        )
    began = time.perf_counter()
    ingest = Ingest(workspace, state, "pull")
    with StudioClient(full_url, token, timeout=timeout) as client:
        users = client.users()
        state.users.update(users)
        # The next pull starts where this one started, by the server's clock (less one
        # second for the header's rounding): what changes while it runs is read next time.
        started = client.server_time()
        since: str | None = None
        if state.cursor:
            parsed = _parse_time(state.cursor)
            since = (parsed - CURSOR_OVERLAP).strftime(_LS_TIME) if parsed else None
        newest = state.cursor
        seen_versions: set[tuple[int, str]] = set()
        page_size = PULL_PAGE_SIZE
        while True:
            found = client.task_page(state.project_id, updated_since=since, page_size=page_size)
            if found is None:
                raise UsageError(
                    f"project {state.project_id} recorded in {workspace.state_path} does not exist on {url} "
                    "(deleted?); annotations already pulled stay in annotations/log.jsonl"
                )
            page = found
            progressed = False
            for task in page:
                stamp = str(task.get("updated_at") or "")
                key = (int(task.get("id") or 0), stamp)
                if key in seen_versions:
                    continue
                seen_versions.add(key)
                progressed = True
                ingest.task(task, state.users)
                if stamp and (newest is None or stamp > newest):
                    newest = stamp
            if len(page) < page_size:
                break
            last = str(page[-1].get("updated_at") or "")
            if not progressed or last == since:
                # A full page of one timestamp: widen the page instead of looping on it.
                page_size *= 2
                continue
            since = last
        ingest.report.server_seconds = client.elapsed
    if started is not None:
        state.cursor = (started - timedelta(seconds=1)).strftime(_LS_TIME)
    else:
        state.cursor = newest
    ingest.recheck_pending()
    ingest.flush()
    ingest.report.seconds = time.perf_counter() - began
    return ingest.report
