"""The local server's lifecycle, offline: a stand-in ``label-studio`` script plays the server.

The real server is exercised by the tests marked ``studio``; these check what is hard to
provoke there: a busy port, a server that silently moves to the next port, one that
dies while starting, the environment it is given, and the install check.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import textwrap
import time
from pathlib import Path

import pytest

from ceasefire_news.labeling import server as server_module
from ceasefire_news.labeling.server import (
    STUDIO_VERSION,
    StudioError,
    StudioServer,
    ensure_studio_venv,
    free_port,
    installed_version,
    missing_message,
    studio_venv_path,
)


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _closes(port: int, *, within: float = 10.0) -> bool:
    """Whether nothing listens on ``port`` any more, polled until ``within`` seconds have passed:
    a stopped process's socket closes a moment after it exits."""
    deadline = time.monotonic() + within
    while _listening(port):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


FAKE = textwrap.dedent(
    """\
    #!{python}
    # Stand-in for `label-studio start`: behaves as MODE says.
    import http.server, json, os, sys, threading
    args = sys.argv[1:]
    port = int(args[args.index("--port") + 1])
    mode = os.environ.get("FAKE_MODE", "ok")
    with open(os.environ["FAKE_ENV_OUT"], "w") as fh:
        json.dump({{"env": dict(os.environ), "argv": args}}, fh)
    if mode == "crash":
        print("boom: database is locked", flush=True)
        sys.exit(3)
    if mode == "moved":
        print("*** WARNING! ***\\n* Port %d is in use.\\n* Trying to start at %d" % (port, port + 1), flush=True)
        port += 1
    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = b'{{"status": "UP"}}'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        def log_message(self, *a):
            pass
    httpd = http.server.HTTPServer(("127.0.0.1", port), Health)
    print("Starting development server at http://127.0.0.1:%d/" % port, flush=True)
    httpd.serve_forever()
    """
)


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    script = tmp_path / "venv" / "bin" / "label-studio"
    script.parent.mkdir(parents=True)
    script.write_text(FAKE.format(python=sys.executable), encoding="utf-8")
    script.chmod(0o755)
    monkeypatch.setenv("FAKE_ENV_OUT", str(tmp_path / "seen.json"))
    return script


def test_starts_waits_on_health_and_stops_the_whole_group(
    fake: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOST", "https://elsewhere.example")
    monkeypatch.setenv("LABEL_STUDIO_BASE_DATA_DIR", "/somewhere/else")
    server = StudioServer(tmp_path / "data", executable=fake, admin_email="a@example.com", admin_password="pw-12345")
    with server:
        assert server.running
        pid = server._process.pid  # type: ignore[union-attr]
    assert not server.running
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    seen = json.loads((tmp_path / "seen.json").read_text(encoding="utf-8"))
    env, argv = seen["env"], seen["argv"]
    assert env["LABEL_STUDIO_USERNAME"] == "a@example.com"
    assert env["LABEL_STUDIO_PASSWORD"] == "pw-12345"
    assert env["LATEST_VERSION_CHECK"] == "false"
    assert "HOST" not in env
    assert "LABEL_STUDIO_BASE_DATA_DIR" not in env
    assert "pw-12345" not in argv
    assert argv[argv.index("--internal-host") + 1] == "127.0.0.1"
    assert argv[argv.index("--data-dir") + 1] == str((tmp_path / "data").resolve())
    assert "--enable-legacy-api-token" in argv  # fresh data folder


def test_a_busy_port_is_refused_before_starting(fake: Path, tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        server = StudioServer(tmp_path / "data", port=port, executable=fake)
        with pytest.raises(StudioError, match=rf"port {port} on 127\.0\.0\.1 is already in use.*--port N"):
            server.start()
    assert not (tmp_path / "seen.json").exists()


def test_a_server_that_took_another_port_is_stopped(
    fake: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_MODE", "moved")
    server = StudioServer(tmp_path / "data", executable=fake, startup_timeout=30)
    with pytest.raises(StudioError, match=rf"did not get port {server.port}"):
        server.start()
    assert not server.running
    stray = server.port + 1
    assert _closes(stray), f"the server that took port {stray} instead of {server.port} is still listening"


def test_a_server_that_dies_while_starting_shows_its_log(
    fake: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_MODE", "crash")
    server = StudioServer(tmp_path / "data", executable=fake, startup_timeout=30)
    with pytest.raises(StudioError, match=r"exited with code 3 while starting(.|\n)*database is locked"):
        server.start()


def test_missing_label_studio_says_how_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CEASEFIRE_STUDIO_VENV", str(tmp_path / "nowhere"))
    assert studio_venv_path() == tmp_path / "nowhere"
    assert installed_version() is None
    assert "python -m ceasefire_news.labeling.server --install" in missing_message()
    with pytest.raises(StudioError, match=r"python -m ceasefire_news\.labeling\.server --install"):
        StudioServer(tmp_path / "data").start()
    assert server_module.main(["--where"]) == 1


def test_default_venv_is_in_the_user_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CEASEFIRE_STUDIO_VENV", raising=False)
    assert studio_venv_path() == Path.home() / ".cache" / "ceasefire-news" / f"label-studio-{STUDIO_VERSION}"


def test_an_installed_environment_is_reused_without_pip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "venv"
    (root / "bin").mkdir(parents=True)
    (root / "bin" / "label-studio").write_text("", encoding="utf-8")
    (root / "lib" / "python3.11" / "site-packages" / f"label_studio-{STUDIO_VERSION}.dist-info").mkdir(parents=True)

    def no_pip(*args: object, **kwargs: object) -> None:
        raise AssertionError("pip must not run for an installed environment")

    monkeypatch.setattr(server_module.subprocess, "run", no_pip)
    assert ensure_studio_venv(root, progress=False) == root / "bin" / "label-studio"


def test_free_port_is_free() -> None:
    port = free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))
