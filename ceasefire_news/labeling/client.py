"""A small typed client for the parts of Label Studio's REST API this project uses.

Works with both kinds of token Label Studio 1.23 hands out: a legacy token (sent as
``Authorization: Token ...``) and a personal access token (a JWT refresh token, exchanged
at ``/api/token/refresh/`` for short-lived access tokens, sent as ``Bearer``). The token
is held in memory; no message of this module ever contains it.

Every failure is a :class:`~ceasefire_news.labeling.server.StudioError` (exit code 2) whose message
names the server, the request and the fix.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from ceasefire_news.labeling.server import StudioError

_RETRIES = 3
#: Fields a pull needs, of the task and of each annotation (the data manager's ``include``
#: applies to both levels).
PULL_FIELDS = (
    "id,data,annotations,updated_at,created_at,result,completed_by,created_username,"
    "was_cancelled,ground_truth,lead_time"
)
#: Seconds to wait for one answer of the server (``--timeout``): a large page of a big project
#: takes Label Studio tens of seconds, a server that accepts and never answers should not hold a pull for long.
DEFAULT_TIMEOUT = 120.0


def display_url(url: str) -> str:
    """``url`` without the user and password it may carry (``http://user:token@host``): safe to print.

    >>> display_url("http://me:s3cret@127.0.0.1:8080/")
    'http://127.0.0.1:8080'
    """
    parts = urlsplit(url.rstrip("/"))
    if parts.username is None and parts.password is None:
        return url.rstrip("/")
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


class _Waiting:
    """Says on stderr what is being waited for when a request takes longer than a few seconds."""

    def __init__(self, what: str, timeout: float) -> None:
        self.timer = threading.Timer(min(5.0, timeout / 2), self._say, args=(what, timeout))
        self.timer.daemon = True

    @staticmethod
    def _say(what: str, timeout: float) -> None:
        print(f"waiting for {what} (at most {timeout:g} s; --timeout sets it) ...", file=sys.stderr, flush=True)

    def __enter__(self) -> _Waiting:
        self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.timer.cancel()


def _looks_like_jwt(token: str) -> bool:
    parts = token.split(".")
    return len(parts) == 3 and token.startswith("eyJ")


class StudioClient:
    """Label Studio at ``url``, authenticated with ``token``."""

    def __init__(self, url: str, token: str, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        if not url.startswith(("http://", "https://")):
            raise StudioError(
                f"--url must be an http(s) address such as http://127.0.0.1:8080, got {display_url(url)!r}"
            )
        if not token:
            raise StudioError(
                "no Label Studio API token: set LABEL_STUDIO_API_KEY (or pass --token) to the token shown "
                "in Label Studio under Account & Settings"
            )
        #: The server's address as printed: never with the credentials ``url`` may carry.
        self.url = display_url(url)
        self.timeout = timeout
        self._token = token
        self._access: str | None = None
        self._http = httpx.Client(base_url=url.rstrip("/"), timeout=httpx.Timeout(timeout, connect=min(10.0, timeout)))
        #: Seconds spent waiting on the server, for reports.
        self.elapsed = 0.0

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> StudioClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- plumbing ------------------------------------------------------------------------

    def _auth_header(self, refresh: bool = False) -> dict[str, str]:
        if not _looks_like_jwt(self._token):
            return {"Authorization": f"Token {self._token}"}
        if self._access is None or refresh:
            try:
                answer = self._http.post("/api/token/refresh/", json={"refresh": self._token})
            except httpx.TransportError as err:
                raise StudioError(
                    f"could not reach Label Studio at {self.url} to refresh the access token ({type(err).__name__}); "
                    "is the server running, and the --url right? (--timeout sets how long to wait)"
                ) from err
            if answer.status_code != 200 or "access" not in answer.json():
                raise StudioError(
                    f"{self.url} refused the personal access token (HTTP {answer.status_code}); "
                    "create a new one under Account & Settings and set LABEL_STUDIO_API_KEY to it"
                )
            self._access = str(answer.json()["access"])
        return {"Authorization": f"Bearer {self._access}"}

    def request(self, method: str, path: str, *, expect: tuple[int, ...] = (200,), **kwargs: Any) -> Any:
        """One API call; returns the decoded JSON (or None for an empty body)."""
        headers = {**self._auth_header(), **kwargs.pop("headers", {})}
        attempt = 0
        while True:
            attempt += 1
            began = time.perf_counter()
            try:
                with _Waiting(f"Label Studio at {self.url} to answer {method} {path}", self.timeout):
                    answer = self._http.request(method, path, headers=headers, **kwargs)
            except httpx.TimeoutException as err:
                self.elapsed += time.perf_counter() - began
                raise self._no_answer(method, path, err) from err
            except httpx.TransportError as err:
                self.elapsed += time.perf_counter() - began
                # Only reads are retried: a write may have happened before the connection broke.
                if method == "GET" and attempt < _RETRIES:
                    time.sleep(0.5 * attempt)
                    continue
                raise StudioError(
                    f"could not reach Label Studio at {self.url} ({method} {path}: {err}); is the server running "
                    "and the --url right?"
                ) from err
            self.elapsed += time.perf_counter() - began
            if answer.status_code == 401 and _looks_like_jwt(self._token) and attempt == 1:
                headers = {**headers, **self._auth_header(refresh=True)}
                continue
            if answer.status_code in (502, 503, 504) and method == "GET" and attempt < _RETRIES:
                time.sleep(0.5 * attempt)
                continue
            break
        if answer.status_code in (401, 403):
            raise StudioError(
                f"{self.url} refused {method} {path} (HTTP {answer.status_code}): the API token is not valid "
                "for this server or lacks rights; set LABEL_STUDIO_API_KEY to an admin's token of this server"
            )
        if answer.status_code >= 500:
            # A server error's body is its traceback, which can hold tokens and passwords: never printed.
            raise StudioError(
                f"{method} {self.url}{path} answered HTTP {answer.status_code} (a server error; its body is not "
                "shown as it may hold secrets): see Label Studio's own log, then try again"
            )
        if answer.status_code not in expect:
            raise StudioError(
                f"{method} {self.url}{path} answered HTTP {answer.status_code} (expected {expect}): "
                f"{self._redact(answer.text[:500])}"
            )
        if not answer.content:
            return None
        try:
            return answer.json()
        except ValueError as err:
            raise StudioError(
                f"{method} {self.url}{path} did not answer JSON: {self._redact(answer.text[:200])!r}"
            ) from err

    def _no_answer(self, method: str, path: str, err: Exception) -> StudioError:
        return StudioError(
            f"Label Studio at {self.url} sent no answer to {method} {path} within {self.timeout:g} s "
            f"({type(err).__name__}); check that the server is not stuck or overloaded, or wait longer "
            "with --timeout SECONDS"
        )

    def _redact(self, text: str) -> str:
        for secret in (self._token, self._access):
            if secret:
                text = text.replace(secret, "***")
        return text

    def server_time(self) -> datetime | None:
        """The server's clock (its ``Date`` header, whole seconds, UTC), or None when not sent."""
        try:
            with _Waiting(f"Label Studio at {self.url} to answer GET /health", self.timeout):
                answer = self._http.get("/health")
        except httpx.TimeoutException as err:
            raise self._no_answer("GET", "/health", err) from err
        except httpx.TransportError as err:
            raise StudioError(f"could not reach Label Studio at {self.url} ({err}); is the server running?") from err
        stamp = answer.headers.get("date")
        if not stamp:
            return None
        try:
            return parsedate_to_datetime(stamp).astimezone(UTC).replace(tzinfo=None)
        except (TypeError, ValueError):
            return None

    # --- users -----------------------------------------------------------------------------

    def whoami(self) -> dict[str, Any]:
        data = self.request("GET", "/api/current-user/whoami")
        return dict(data)

    def users(self) -> dict[int, str]:
        """User id -> email for the organisation (empty when the token may not list users)."""
        try:
            listed = self.request("GET", "/api/users/")
        except StudioError:
            return {}
        return {int(u["id"]): str(u.get("email") or "") for u in listed if isinstance(u, dict) and "id" in u}

    # --- projects --------------------------------------------------------------------------

    def project(self, project_id: int) -> dict[str, Any] | None:
        """The project, or None when it does not exist on this server."""
        try:
            data = self.request("GET", f"/api/projects/{project_id}/", expect=(200,))
        except StudioError as err:
            if "HTTP 404" in str(err):
                return None
            raise
        return dict(data)

    def create_project(self, **fields: Any) -> dict[str, Any]:
        return dict(self.request("POST", "/api/projects/", json=fields, expect=(201,)))

    def update_project(self, project_id: int, **fields: Any) -> dict[str, Any]:
        return dict(self.request("PATCH", f"/api/projects/{project_id}/", json=fields))

    def import_tasks(self, project_id: int, tasks: list[dict[str, Any]] | bytes) -> list[int]:
        """Import tasks (with their predictions) in one request; the new task ids, in order."""
        body = tasks if isinstance(tasks, bytes) else json.dumps(tasks, ensure_ascii=False).encode("utf-8")
        answer = self.request(
            "POST",
            f"/api/projects/{project_id}/import",
            params={"return_task_ids": "true", "commit_to_project": "true"},
            content=body,
            headers={"Content-Type": "application/json"},
            expect=(200, 201),
        )
        ids = answer.get("task_ids") if isinstance(answer, dict) else None
        if not isinstance(ids, list):
            raise StudioError(f"{self.url} imported tasks but returned no task ids: {str(answer)[:200]}")
        return [int(i) for i in ids]

    def task(self, task_id: int) -> dict[str, Any]:
        return dict(self.request("GET", f"/api/tasks/{task_id}/"))

    def update_task_data(self, task_id: int, data: dict[str, Any]) -> dict[str, Any]:
        return dict(self.request("PATCH", f"/api/tasks/{task_id}/", json={"data": data}))

    def views(self, project_id: int) -> list[dict[str, Any]]:
        return list(self.request("GET", "/api/dm/views/", params={"project": project_id}))

    def create_view(self, project_id: int, title: str, filters: dict[str, Any]) -> dict[str, Any]:
        body = {"project": project_id, "data": {"title": title, "filters": filters}}
        return dict(self.request("POST", "/api/dm/views/", json=body, expect=(200, 201)))

    def update_view(self, view_id: int, project_id: int, title: str, filters: dict[str, Any]) -> dict[str, Any]:
        body = {"project": project_id, "data": {"title": title, "filters": filters}}
        return dict(self.request("PATCH", f"/api/dm/views/{view_id}/", json=body))

    # --- tasks through the data manager ----------------------------------------------------

    def task_page(
        self,
        project_id: int,
        *,
        updated_since: str | None = None,
        page: int = 1,
        page_size: int = 100,
        include: str = PULL_FIELDS,
    ) -> list[dict[str, Any]] | None:
        """One page of the project's tasks ordered by ``updated_at``, optionally only those
        updated at or after ``updated_since`` (an ISO timestamp with microseconds, UTC).

        The data manager filters in SQL, so the cost follows the number of tasks returned,
        not the size of the project. Annotations come with cancelled (skipped) and
        ground-truth ones. ``include`` names the fields kept, of tasks and of their
        annotations alike (see :data:`PULL_FIELDS`). None when the server answers 404.
        """
        query: dict[str, Any] = {"ordering": ["tasks:updated_at"]}
        if updated_since is not None:
            query["filters"] = {
                "conjunction": "and",
                "items": [
                    {
                        "filter": "filter:tasks:updated_at",
                        "operator": "greater_or_equal",
                        "type": "Datetime",
                        "value": updated_since,
                    }
                ],
            }
        answer = self.request(
            "GET",
            "/api/tasks/",
            params={
                "project": project_id,
                "fields": "all",
                "include": include,
                "page": page,
                "page_size": page_size,
                "query": json.dumps(query),
            },
            expect=(200, 404),
        )
        if not isinstance(answer, dict) or "tasks" not in answer:
            return None  # 404: no such project (or, past the last page, no such page)
        tasks = answer["tasks"]
        return [t for t in tasks if isinstance(t, dict)] if isinstance(tasks, list) else []

    def iter_all_tasks(
        self, project_id: int, *, include: str = "id,data", page_size: int = 1000
    ) -> Iterator[dict[str, Any]]:
        """Every task of the project (used only to repair a lost ``state.json``)."""
        page = 1
        while True:
            batch = self.task_page(project_id, page=page, page_size=page_size, include=include) or []
            yield from batch
            if len(batch) < page_size:
                return
            page += 1
