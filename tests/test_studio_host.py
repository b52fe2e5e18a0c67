"""``studio --host``: serving beyond loopback needs a real admin password and names the URL to share."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ceasefire_news.cli.app import main as cli_main
from ceasefire_news.dataset.corpus.workspace import Workspace
from ceasefire_news.labeling.server import STUDIO_VERSION, StudioError, installed_version
from ceasefire_news.labeling.studio import Login, check_shared_login, server_dir, shared_url


def test_a_weak_admin_password_is_refused_beyond_loopback() -> None:
    with pytest.raises(StudioError, match="at least 12 are required"):
        check_shared_login(Login("admin@x.org", "short-pw"), "0.0.0.0")
    check_shared_login(Login("admin@x.org", "a-long-enough-password"), "0.0.0.0")


def test_the_shared_url_names_this_machine_for_a_wildcard_host() -> None:
    assert shared_url("192.0.2.7", 8080) == "http://192.0.2.7:8080"
    wildcard = shared_url("0.0.0.0", 8081)
    assert wildcard.endswith(":8081")
    assert "0.0.0.0" not in wildcard


def test_studio_host_with_a_short_password_stops_before_starting_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    if installed_version() != STUDIO_VERSION:
        if os.environ.get("CI"):
            pytest.fail("Label Studio's environment is missing in CI: tests/run.sh installs it")
        pytest.skip("needs Label Studio's environment to get as far as the password check")
    monkeypatch.setenv("CEASEFIRE_STUDIO_PASSWORD", "too-short")
    workspace = Workspace(tmp_path / "workspace")
    code = cli_main(["studio", "--host", "0.0.0.0", "--no-progress", "--workspace", str(workspace.root)])
    assert code == 2
    assert "--host 0.0.0.0 serves Label Studio to the network" in capsys.readouterr().err
    assert not (server_dir(workspace) / "label_studio.sqlite3").exists()
    assert not workspace.corpus_versions()
