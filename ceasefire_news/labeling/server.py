"""A local Label Studio server, run from Label Studio's own virtual environment.

Label Studio pins its own ``pyarrow`` and ``label-studio-sdk``, so it never shares the
project's environment: :func:`ensure_studio_venv` creates a separate one (default
``~/.cache/ceasefire-news/label-studio-1.23.2``, or ``$CEASEFIRE_STUDIO_VENV``) and
:class:`StudioServer` starts ``label-studio start`` from it, on loopback, with a known
admin, and obtains an API token without any prompt. The token lives in memory only.

Install the server once (about three minutes; the test setup and CI run this)::

    python -m ceasefire_news.labeling.server --install

>>> with StudioServer(Path("workspace/labelstudio/server")) as server:  # doctest: +SKIP
...     print(server.url, server.token[:4])
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import venv
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from ceasefire_news.schema.errors import UsageError

STUDIO_VERSION = "1.23.2"
STUDIO_PACKAGE = f"label-studio=={STUDIO_VERSION}"
VENV_ENV = "CEASEFIRE_STUDIO_VENV"
DEFAULT_ADMIN_EMAIL = "admin@ceasefire-news.local"
LOOPBACK = "127.0.0.1"
INSTALL_HINT = "python -m ceasefire_news.labeling.server --install"

# Environment variables Label Studio reads without a prefix (server.py: get_env tries
# LABEL_STUDIO_X, HEARTEX_X, then X). Inherited values would move its data or its URLs.
_UNPREFIXED = ("HOST", "PORT", "DEBUG", "DATABASE_NAME", "DJANGO_DB", "BASE_DATA_DIR", "USERNAME", "PASSWORD")
_STARTED_RE = re.compile(r"Starting development server at https?://([^:/\s]+):(\d+)/")
_MOVED_RE = re.compile(r"Port (\d+) is in use")


def studio_venv_path() -> Path:
    """Where Label Studio's own virtual environment lives (``$CEASEFIRE_STUDIO_VENV`` wins)."""
    override = os.environ.get(VENV_ENV)
    if override:
        return Path(override).expanduser()
    return Path.home() / ".cache" / "ceasefire-news" / f"label-studio-{STUDIO_VERSION}"


def studio_executable(path: Path | None = None) -> Path:
    """The ``label-studio`` command inside the virtual environment ``path``."""
    root = path or studio_venv_path()
    return root / ("Scripts" if os.name == "nt" else "bin") / "label-studio"


def installed_version(path: Path | None = None) -> str | None:
    """The Label Studio version installed in ``path``, or None when there is none."""
    root = path or studio_venv_path()
    if not studio_executable(root).exists():
        return None
    for info in sorted(root.glob("lib/python*/site-packages/label_studio-*.dist-info")):
        return info.name.removeprefix("label_studio-").removesuffix(".dist-info")
    return None


def missing_message(path: Path | None = None) -> str:
    """What to run when Label Studio is not installed where it is looked for."""
    root = path or studio_venv_path()
    found = installed_version(root)
    what = f"Label Studio {found}" if found else "no Label Studio"
    return (
        f"{what} in {root} (expected label-studio {STUDIO_VERSION} in its own virtual environment). "
        f"Install it with `{INSTALL_HINT}` (about 3 minutes), or point ${VENV_ENV} at an existing one."
    )


def ensure_studio_venv(path: Path | None = None, *, progress: bool = True) -> Path:
    """Create Label Studio's own virtual environment if needed; return its ``label-studio``.

    Never touches the project's environment. Takes about three minutes the first time,
    nothing afterwards. Raises :class:`~ceasefire_news.schema.errors.UsageError` when pip fails, with
    the end of pip's output.
    """
    root = (path or studio_venv_path()).expanduser()
    executable = studio_executable(root)
    if installed_version(root) == STUDIO_VERSION:
        return executable
    if progress:
        print(f"Installing Label Studio {STUDIO_VERSION} into {root} (its own environment, about 3 minutes)...")
    python = root / ("Scripts" if os.name == "nt" else "bin") / "python"
    if not python.exists():
        root.parent.mkdir(parents=True, exist_ok=True)
        venv.EnvBuilder(with_pip=True, clear=False).create(root)
    command = [str(python), "-m", "pip", "install", "--disable-pip-version-check", STUDIO_PACKAGE]
    completed = subprocess.run(
        command,
        stdout=None if progress else subprocess.PIPE,
        stderr=subprocess.STDOUT if not progress else None,
        text=True,
        check=False,
    )
    if completed.returncode != 0 or installed_version(root) != STUDIO_VERSION:
        tail = (completed.stdout or "")[-2000:]
        raise UsageError(
            f"installing {STUDIO_PACKAGE} into {root} failed (pip exit code {completed.returncode}). {tail}\n"
            f"Check the network access to PyPI, remove {root} and run `{INSTALL_HINT}` again."
        )
    if progress:
        print(f"Label Studio {STUDIO_VERSION} installed: {executable}")
    return executable


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def port_in_use(port: int, host: str = LOOPBACK) -> bool:
    """True when something accepts connections on ``host:port`` (as Label Studio checks)."""
    for target in {host, "localhost"}:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.settimeout(0.5)
            if sock.connect_ex((target, port)) == 0:
                return True
    return False


class StudioError(UsageError):
    """The local Label Studio server could not be started or used."""


class StudioServer:
    """A Label Studio server process on loopback, as a context manager.

    ``data_dir`` holds its database and media: a fresh folder gives a fresh server, an
    existing one is reused. The admin (``admin_email`` / ``admin_password``) is created at
    first start from ``LABEL_STUDIO_USERNAME`` / ``LABEL_STUDIO_PASSWORD``. The API token
    (:attr:`token`) is obtained by logging in, never written anywhere.
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        port: int | None = None,
        host: str = LOOPBACK,
        admin_email: str = DEFAULT_ADMIN_EMAIL,
        admin_password: str | None = None,
        executable: Path | None = None,
        log_path: Path | None = None,
        startup_timeout: float = 300.0,
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.host = host
        self.port = port or free_port(host)
        self.admin_email = admin_email
        self.admin_password = admin_password or secrets.token_urlsafe(16)
        self.executable = executable or studio_executable()
        self.log_path = log_path or self.data_dir / "server.log"
        self.startup_timeout = startup_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._token: str | None = None
        self._log_offset = 0

    # --- lifecycle -----------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> StudioServer:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    def _environment(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("LABEL_STUDIO_", "HEARTEX_")) and key not in _UNPREFIXED
        }
        env.update(
            {
                "LABEL_STUDIO_USERNAME": self.admin_email,
                "LABEL_STUDIO_PASSWORD": self.admin_password,
                # Only people with the organisation's invite link may sign up.
                "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true",
                # Offline and quiet: no version check against PyPI, no error reports sent out.
                "LATEST_VERSION_CHECK": "false",
                "SENTRY_DSN": "",
                "FRONTEND_SENTRY_DSN": "",
                "PYTHONUNBUFFERED": "1",
            }
        )
        return env

    def start(self) -> None:
        """Start the server and wait until it answers on the port asked for."""
        if self._process is not None:
            return
        if not self.executable.exists():
            raise StudioError(missing_message(self.executable.parent.parent))
        if port_in_use(self.port, self.host):
            raise StudioError(
                f"port {self.port} on {self.host} is already in use; Label Studio would silently take "
                "another one. Stop what listens there or choose another port (--port N)."
            )
        fresh = not (self.data_dir / "label_studio.sqlite3").exists()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        command = [
            str(self.executable),
            "start",
            "--no-browser",
            "--port",
            str(self.port),
            "--internal-host",
            self.host,
            "--data-dir",
            str(self.data_dir),
            "--log-level",
            "WARNING",
        ]
        if fresh:
            command.append("--enable-legacy-api-token")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            self._log_offset = self.log_path.stat().st_size
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child process keeps writing to it
        try:
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self._environment(),
                cwd=self.data_dir,
                start_new_session=True,  # its own process group: stop() ends all of it
            )
        finally:
            log.close()
        try:
            self._wait_until_up()
        except BaseException:
            self.stop()
            raise

    def _log_text(self) -> str:
        try:
            with open(self.log_path, "rb") as fh:
                fh.seek(self._log_offset)
                return fh.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def _log_tail(self, lines: int = 25) -> str:
        return "\n".join(self._log_text().splitlines()[-lines:])

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        assert self._process is not None
        with httpx.Client(timeout=5.0) as client:
            while time.monotonic() < deadline:
                code = self._process.poll()
                if code is not None:
                    raise StudioError(
                        f"Label Studio exited with code {code} while starting; its log {self.log_path} ends with:\n"
                        f"{self._log_tail()}"
                    )
                log = self._log_text()
                moved = _MOVED_RE.search(log)
                started = _STARTED_RE.search(log)
                if moved or (started and int(started.group(2)) != self.port):
                    actual = started.group(2) if started else "another port"
                    raise StudioError(
                        f"Label Studio did not get port {self.port} (it took {actual}): something else "
                        "started listening there. Choose another port (--port N)."
                    )
                if started:
                    with contextlib.suppress(httpx.HTTPError, ValueError):
                        answer = client.get(f"{self.url}/health")
                        if answer.status_code == 200 and answer.json().get("status") == "UP":
                            return
                time.sleep(0.5)
        raise StudioError(
            f"Label Studio did not answer {self.url}/health within {self.startup_timeout:.0f} s; "
            f"its log {self.log_path} ends with:\n{self._log_tail()}"
        )

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def wait(self) -> int:
        """Block until the server process ends (for ``studio``: until Ctrl-C)."""
        if self._process is None:
            return 0
        return self._process.wait()

    def stop(self, timeout: float = 20.0) -> None:
        """Terminate the server's process group; kill it if it does not stop in ``timeout`` s."""
        process, self._process = self._process, None
        self._token = None
        if process is None:
            return
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=timeout)
        # Children left in the group (none expected) go too.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)

    # --- accounts and tokens -----------------------------------------------------------

    def login(self, email: str, password: str) -> httpx.Client:
        """A browser-like session (cookies + CSRF token) logged in as ``email``."""
        return login_session(self.url, email, password)

    @property
    def token(self) -> str:
        """The admin's API token (obtained once per start, kept in memory only)."""
        if self._token is None:
            self._token = session_token(self.login(self.admin_email, self.admin_password), enable_legacy=True)
        return self._token

    def user_token(self, email: str, password: str) -> str:
        """An API token for another user, by logging in as that user."""
        return session_token(self.login(email, password))

    def create_user(self, email: str, password: str, *, first_name: str = "", last_name: str = "") -> dict[str, Any]:
        """Create a user who can log in with ``email`` and ``password``, member of the organisation.

        Users are signed up through the organisation's invite link (the way Label Studio
        lets people join an organisation with a password); returns the user as the API
        lists it (``id``, ``email``, ...).
        """
        return create_user(self.url, self.token, email, password, first_name=first_name, last_name=last_name)


# --- helpers over HTTP (also usable against a server someone else started) --------------------


def _csrf_headers(client: httpx.Client, base: str) -> dict[str, str]:
    return {"X-CSRFToken": client.cookies.get("csrftoken") or "", "Referer": base + "/"}


def login_session(url: str, email: str, password: str) -> httpx.Client:
    """Log in through Label Studio's login form; the returned client carries the session."""
    base = url.rstrip("/")
    client = httpx.Client(base_url=base, timeout=30.0, follow_redirects=False)
    try:
        client.get("/user/login/")
        answer = client.post(
            "/user/login/",
            data={"email": email, "password": password, "csrfmiddlewaretoken": client.cookies.get("csrftoken") or ""},
            headers={"Referer": base + "/user/login/"},
        )
    except httpx.HTTPError as err:
        client.close()
        raise StudioError(f"could not reach Label Studio at {base} to log in ({err}); is it running?") from err
    if answer.status_code != 302:
        client.close()
        raise StudioError(
            f"logging in to {base} as {email} failed (HTTP {answer.status_code}, expected a redirect): "
            "wrong email or password for this server's data folder."
        )
    return client


def session_token(client: httpx.Client, *, enable_legacy: bool = False) -> str:
    """The user's API token, from a logged-in session.

    Label Studio 1.23 disables legacy tokens for new organisations, and allows one
    personal access token per user, which can't be read back once created. The legacy
    token can: so an admin session enables legacy tokens for the organisation (on our own
    loopback server) and every user reads theirs.
    """
    base = str(client.base_url).rstrip("/")
    if enable_legacy:
        settings = client.get("/api/jwt/settings")
        if settings.status_code == 200 and not settings.json().get("legacy_api_tokens_enabled"):
            changed = client.post(
                "/api/jwt/settings",
                json={"api_tokens_enabled": True, "legacy_api_tokens_enabled": True},
                headers=_csrf_headers(client, base),
            )
            if changed.status_code not in (200, 201):
                raise StudioError(f"could not enable API tokens on {base} (HTTP {changed.status_code})")
    answer = client.get("/api/current-user/token")
    if answer.status_code != 200 or "token" not in answer.json():
        raise StudioError(f"could not read the API token from {base} (HTTP {answer.status_code})")
    return str(answer.json()["token"])


def create_user(
    url: str, admin_token: str, email: str, password: str, *, first_name: str = "", last_name: str = ""
) -> dict[str, Any]:
    """Sign ``email`` up through the invite link of the admin's organisation; return the user."""
    base = url.rstrip("/")
    headers = {"Authorization": f"Token {admin_token}"}
    with httpx.Client(base_url=base, timeout=30.0, headers=headers) as admin:
        invite = admin.get("/api/invite")
        if invite.status_code != 200:
            raise StudioError(f"could not read the invite link of {base} (HTTP {invite.status_code})")
        invite_token = invite.json()["token"]
        with httpx.Client(base_url=base, timeout=30.0, follow_redirects=False) as browser:
            browser.get("/user/signup/", params={"token": invite_token})
            answer = browser.post(
                "/user/signup/",
                params={"token": invite_token},
                data={
                    "email": email,
                    "password": password,
                    "csrfmiddlewaretoken": browser.cookies.get("csrftoken") or "",
                    "allow_newsletters": "false",
                },
                headers={"Referer": base + "/user/signup/"},
            )
        users = admin.get("/api/users/").json()
        found = next((u for u in users if isinstance(u, dict) and u.get("email") == email), None)
        if found is None:
            raise StudioError(
                f"signing up {email} on {base} failed (HTTP {answer.status_code}): "
                "Label Studio needs a valid email and a password of at least 8 characters."
            )
        if first_name or last_name:
            admin.patch(f"/api/users/{found['id']}/", json={"first_name": first_name, "last_name": last_name})
            found = {**found, "first_name": first_name, "last_name": last_name}
        return dict(found)


def main(argv: list[str] | None = None) -> int:
    """``python -m ceasefire_news.labeling.server --install``: create Label Studio's own environment."""
    parser = argparse.ArgumentParser(
        prog="python -m ceasefire_news.labeling.server",
        description=(
            f"Label Studio {STUDIO_VERSION} in its own virtual environment "
            f"(default {studio_venv_path()}, override with ${VENV_ENV})."
        ),
    )
    parser.add_argument("--install", action="store_true", help="create the environment and install Label Studio")
    parser.add_argument("--path", type=Path, default=None, help="where the environment goes")
    parser.add_argument("--where", action="store_true", help="print the path of the label-studio command")
    args = parser.parse_args(argv)
    try:
        if args.install:
            print(ensure_studio_venv(args.path))
            return 0
        if args.where:
            executable = studio_executable(args.path)
            if not executable.exists():
                print(missing_message(args.path), file=sys.stderr)
                return 1
            print(executable)
            return 0
    except UsageError as err:
        print(f"error: {err}", file=sys.stderr)
        return err.exit_code
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())


__all__ = [
    "STUDIO_VERSION",
    "StudioError",
    "StudioServer",
    "create_user",
    "ensure_studio_venv",
    "free_port",
    "login_session",
    "missing_message",
    "session_token",
    "studio_executable",
    "studio_venv_path",
]
