"""Choosing the build engine: the local engine needs no Ray, and wrong choices are one-line errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ceasefire_news.cli.app import main
from tests.ray_support import require_ray


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["build", "--no-progress", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_local_build_does_not_import_ray(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from ceasefire_news.cli.app import main\n"
        f"code = main(['build', '--no-progress', '--workspace', {str(tmp_path / 'ws')!r}])\n"
        "assert code == 0, code\n"
        "print('ray' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "False"


def test_ray_engine_without_ray_is_a_one_line_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` raises ImportError
    code, _, err = run(capsys, "--engine", "ray", "--workspace", str(tmp_path / "ws"))
    assert code == 2
    assert err.startswith("error: --engine ray needs Ray")
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "ws" / "corpus" / "1.0.0").exists()


def test_ray_address_without_the_ray_engine_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--ray-address", "127.0.0.1:6379", "--workspace", str(tmp_path / "ws"))
    assert code == 2
    assert "--ray-address is for --engine ray" in err


def test_unknown_engine_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--engine", "spark", "--workspace", str(tmp_path / "ws"))
    assert code == 2
    assert "expected local or ray" in err


def test_unreachable_cluster_is_a_one_line_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    require_ray()
    code, _, err = run(capsys, "--engine", "ray", "--ray-address", "127.0.0.1:1", "--workspace", str(tmp_path / "ws"))
    assert code == 2
    assert err.startswith("error: cannot join the Ray cluster at 127.0.0.1:1")
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "ws" / "corpus" / "1.0.0").exists()
