"""``ceasefire-news studio``: a local Label Studio with the project ready, in one command.

On first use it installs Label Studio into its own virtual environment (never the
project's), builds the embedded corpus if the workspace has none, starts the server on
loopback with its data in ``<workspace>/labelstudio/server/``, creates the admin and a
token without prompts, creates the project and pushes the current corpus. It prints the
URL and the login, and runs until Ctrl-C. A second run reuses all of it.

The admin's login is kept in ``<workspace>/labelstudio/server/admin.json`` (readable by
its owner only), beside the server's own database; the API token is never written: it
is obtained by logging in, each time it is needed (also by ``pull`` when it talks to this
local server and no token is given).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from ceasefire_news.dataset.corpus.build import build_corpus
from ceasefire_news.dataset.corpus.lock import workspace_lock
from ceasefire_news.dataset.corpus.workspace import Workspace, atomic_write_text
from ceasefire_news.labeling.push import PushReport, push
from ceasefire_news.labeling.server import (
    DEFAULT_ADMIN_EMAIL,
    LOOPBACK,
    StudioError,
    StudioServer,
    ensure_studio_venv,
    login_session,
    session_token,
)
from ceasefire_news.labeling.state import StudioState

DEFAULT_PORT = 8080
PASSWORD_ENV = "CEASEFIRE_STUDIO_PASSWORD"
#: Serving beyond loopback puts the admin login on the network: it must be a real password.
MIN_SHARED_PASSWORD = 12


@dataclass(frozen=True, slots=True)
class Login:
    """The admin account of the workspace's local server."""

    email: str
    password: str


def server_dir(workspace: Workspace) -> Path:
    """Label Studio's data folder (database, media) for this workspace."""
    return workspace.labelstudio_dir / "server"


def _login_path(workspace: Workspace) -> Path:
    return server_dir(workspace) / "admin.json"


def admin_login(workspace: Workspace, *, create: bool = False) -> Login | None:
    """The admin login of the local server; made up once (``create``) and kept owner-readable."""
    path = _login_path(workspace)
    if path.exists():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return Login(str(data["email"]), str(data["password"]))
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise StudioError(
                f"{path} is damaged ({err}); delete {server_dir(workspace)} to start a fresh local server "
                "(pulled annotations stay in annotations/log.jsonl; unpulled ones are lost)"
            ) from err
    if not create:
        return None
    if (server_dir(workspace) / "label_studio.sqlite3").exists():
        raise StudioError(
            f"{server_dir(workspace)} holds a Label Studio database but no admin.json; delete the folder to start a "
            "fresh local server, or restore admin.json"
        )
    login = Login(DEFAULT_ADMIN_EMAIL, os.environ.get(PASSWORD_ENV) or secrets.token_urlsafe(12))
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps({"email": login.email, "password": login.password}, indent=2) + "\n")
    path.chmod(0o600)
    return login


def is_local(url: str) -> bool:
    """True for a loopback URL (the kind ``studio`` serves)."""
    host = urlparse(url).hostname or ""
    return host in {LOOPBACK, "localhost", "::1"}


def _served_path(workspace: Workspace) -> Path:
    return server_dir(workspace) / "served_at.txt"


def _own_server(workspace: Workspace, url: str) -> bool:
    """True when ``url`` is where ``studio`` last served this workspace (loopback or ``--host``)."""
    if is_local(url):
        return True
    path = _served_path(workspace)
    return path.exists() and path.read_text(encoding="utf-8").strip() == url.rstrip("/")


def local_token(workspace: Workspace, url: str) -> str | None:
    """An API token for the workspace's own local server at ``url``, by logging in as its admin.

    None when ``url`` is not the workspace's own server or the workspace has no local server.
    """
    if not _own_server(workspace, url):
        return None
    login = admin_login(workspace)
    if login is None:
        return None
    client = login_session(url, login.email, login.password)
    try:
        return session_token(client, enable_legacy=True)
    finally:
        client.close()


def _ensure_corpus(workspace: Workspace, progress: bool) -> str:
    if workspace.corpus_versions():
        return workspace.latest_corpus_version()

    print(f"No corpus in {workspace.corpus_root} yet: building one from the embedded articles...")
    with workspace_lock(workspace, "studio (build)", create=True):
        report = build_corpus(None, workspace, progress=progress)
    print(f"built corpus {report.version} ({report.kept} articles)")
    return str(report.version)


@dataclass(slots=True)
class StudioSession:
    """A started local studio: the server (stop it when done) and what the push did."""

    server: StudioServer
    login: Login
    push: PushReport | None

    @property
    def project_url(self) -> str:
        return f"{self.server.url}/projects/{self.push.project_id}/data" if self.push else self.server.url


def shared_url(host: str, port: int) -> str:
    """The address annotators on other machines open: a wildcard host becomes this machine's name."""
    if host in {"0.0.0.0", "::", ""}:
        host = socket.getfqdn() or socket.gethostname()
    return f"http://{host}:{port}"


def check_shared_login(login: Login, host: str) -> None:
    """Refuse to serve beyond loopback with a weak admin password."""
    if len(login.password) < MIN_SHARED_PASSWORD:
        raise StudioError(
            f"--host {host} serves Label Studio to the network, and the admin password of this workspace has "
            f"{len(login.password)} characters; at least {MIN_SHARED_PASSWORD} are required. Set "
            f"{PASSWORD_ENV} to a longer one before the first `studio`, or change it under Account & Settings "
            "and in WORKSPACE/labelstudio/server/admin.json."
        )


def start_studio(
    workspace: Workspace,
    *,
    port: int = DEFAULT_PORT,
    progress: bool = True,
    push_corpus: bool = True,
    host: str = LOOPBACK,
) -> StudioSession:
    """Everything ``studio`` does before it waits: install, build, start, log in, push."""
    executable = ensure_studio_venv(progress=progress)
    login = admin_login(workspace, create=True)
    assert login is not None
    if host != LOOPBACK:
        check_shared_login(login, host)
    if push_corpus:
        _ensure_corpus(workspace, progress)
    server = StudioServer(
        server_dir(workspace),
        host=host,
        port=port,
        admin_email=login.email,
        admin_password=login.password,
        executable=executable,
    )
    if progress:
        print(f"Starting Label Studio on {server.url} (data in {server_dir(workspace)}; a first start takes a minute)")
    server.start()
    try:
        state = StudioState.load(workspace)
        moved = bool(state.server) and state.server != server.url and _own_server(workspace, state.server or "")
        atomic_write_text(_served_path(workspace), server.url + "\n")
        if moved:
            # Same local server (its data lives in this workspace), on another address this time.
            state.server = server.url
            state.save(workspace)
        report = None
        if push_corpus:
            with workspace_lock(workspace, "studio (push)"):
                report = push(workspace, server.url, server.token, progress=progress)
    except BaseException:
        server.stop()
        raise
    return StudioSession(server=server, login=login, push=report)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@contextlib.contextmanager
def _stopped_by_signals() -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP stop ``studio`` as Ctrl-C does, so Label Studio is stopped too.

    Label Studio runs in its own process group (Ctrl-C in the terminal reaches only ``studio``);
    without this a ``kill`` or a closed terminal would leave it running, adopted by init.
    SIGINT is handled explicitly because a process started as a script's background job
    (``studio &`` in a non-interactive shell) inherits it ignored, and Python keeps it so.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    stops = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {sig: signal.signal(sig, _interrupt) for sig in stops}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run_studio(workspace: Workspace, *, port: int = DEFAULT_PORT, progress: bool = True, host: str = LOOPBACK) -> int:
    """The ``studio`` command: start, print the login, serve until Ctrl-C (or SIGINT, SIGTERM, SIGHUP), stop
    cleanly."""
    with _stopped_by_signals():
        return _run_studio(workspace, port=port, progress=progress, host=host)


def _run_studio(workspace: Workspace, *, port: int, progress: bool, host: str) -> int:
    session = start_studio(workspace, port=port, progress=progress, host=host)
    server = session.server
    try:
        if session.push is not None:
            print(session.push.summary())
        print()
        print(f"Label Studio is running at {server.url}")
        print(f"  project:  {session.project_url}")
        print(f"  log in:   {session.login.email} / {session.login.password}")
        if host != LOOPBACK:
            print(
                f"WARNING: serving on {host}, beyond this machine: anyone who can reach port {port} sees the login "
                "page. Use it on a trusted network (or behind a VPN / TLS proxy), and stop it when the session ends."
            )
            print(f"  annotators open: {shared_url(host, port)}/user/login/")
        print("  annotators: `ceasefire-news team add EMAIL...` creates their accounts and prints their passwords")
        print("  then, in another terminal: ceasefire-news pull   (no token needed for this local server)")
        print("Press Ctrl-C to stop.")
        code = server.wait()
        print(f"Label Studio stopped by itself (exit code {code}); its log is {server.log_path}")
        return 1
    except KeyboardInterrupt:
        print("\nStopping Label Studio...")
        return 0
    finally:
        server.stop()
