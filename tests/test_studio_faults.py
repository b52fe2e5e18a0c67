"""A Label Studio that never answers, or answers 500: a bounded wait, one line, no token echoed."""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator

import pytest

from ceasefire_news.cli.app import main
from ceasefire_news.dataset.corpus.build import build_corpus
from ceasefire_news.dataset.corpus.workspace import Workspace
from ceasefire_news.labeling.state import StudioState

TOKEN = "tok-1234567890abcdef"
SECRET = "pa55w0rd-in-url"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    ws = Workspace(tmp_path_factory.mktemp("studio-faults") / "ws")
    build_corpus(None, ws, progress=False)
    state = StudioState()
    state.project_id = 1  # as if pushed: pull asks the server at once
    state.save(ws)
    return ws


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port on 127.0.0.1 that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


class _Fails(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = f"Internal error: token {TOKEN} and password {SECRET} in the traceback".encode()
        self.send_response(500)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def failing_server() -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Fails)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def run(args: list[str], workspace: Workspace, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main([*args, "--token", TOKEN, "--workspace", str(workspace.root)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.mark.parametrize("command", [["pull"], ["export", "--no-progress"]])
def test_a_server_that_never_answers_is_waited_for_a_bounded_time(
    command: list[str], workspace: Workspace, silent_server: int, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"http://annotator:{SECRET}@127.0.0.1:{silent_server}"
    code, output = run([*command, "--url", url, "--timeout", "1"], workspace, capsys)
    assert code == 2
    assert "Traceback" not in output
    assert f"127.0.0.1:{silent_server}" in output
    assert "no answer" in output
    assert "--timeout" in output
    # While it waits, it says what for, before the bound ends the wait.
    notice = next(line for line in output.splitlines() if line.startswith("waiting for "))
    assert "at most 1 s" in notice, notice
    assert SECRET not in output
    assert TOKEN not in output


@pytest.mark.parametrize("command", [["pull"], ["export", "--no-progress"]])
def test_a_server_error_body_and_url_credentials_are_never_echoed(
    command: list[str], workspace: Workspace, failing_server: int, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"http://annotator:{SECRET}@127.0.0.1:{failing_server}"
    code, output = run([*command, "--url", url], workspace, capsys)
    assert code == 2
    assert "Traceback" not in output
    assert "HTTP 500" in output
    assert SECRET not in output
    assert TOKEN not in output
