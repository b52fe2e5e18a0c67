"""Make the README's screenshot of the labeling UI: a seed article with its pre-annotations.

    python -m ceasefire_news.labeling.screenshot --out docs/labeling-ui.png

Starts a fresh Label Studio (from its own virtual environment, see :mod:`ceasefire_news.labeling.server`)
on a free loopback port, builds the embedded seed corpus in a temporary workspace, pushes
it (project, config, instructions, tasks with pre-annotations), opens the seed article's
task in headless Chromium as the admin and saves the visible page as a PNG. Nothing is left
behind but the PNG. Needs Playwright for Python (the ``test`` extra) and Debian's
``chromium`` (or ``--chromium PATH``).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from ceasefire_news.dataset.corpus.build import build_corpus
from ceasefire_news.dataset.corpus.versions import load_corpus
from ceasefire_news.dataset.corpus.workspace import Workspace
from ceasefire_news.labeling.push import push
from ceasefire_news.labeling.server import StudioServer
from ceasefire_news.labeling.state import StudioState
from ceasefire_news.schema.errors import UsageError

#: The seed shown: a declared ceasefire, a phone call, loaded wording.
DEFAULT_SEED = "000_559dc2287e83f200.txt"
VIEWPORT_WIDTH, VIEWPORT_HEIGHT = 1400, 1000
#: Chromium switches that keep a headless run quiet and offline.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
    "--disable-quic",
)


def find_chromium(explicit: str | None = None) -> str:
    """The Chromium binary to drive: ``explicit``, else Debian's ``chromium`` on PATH."""
    found = explicit or shutil.which("chromium") or shutil.which("chromium-browser")
    if not found or not Path(found).exists():
        raise UsageError(
            f"no Chromium found (got {explicit!r}); install Debian's chromium (`apt-get install chromium`) "
            "or pass --chromium PATH"
        )
    return found


def take_screenshot(out: Path, *, seed: str = DEFAULT_SEED, chromium: str | None = None) -> Path:
    """Write a PNG of the labeling screen of ``seed`` (a file name in ``dataset/seeds``) to ``out``."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as err:
        raise UsageError("Playwright for Python is missing: pip install -e '.[test]'") from err

    executable = find_chromium(chromium)
    with tempfile.TemporaryDirectory(prefix="ceasefire-screenshot-") as tmp:
        root = Path(tmp)
        workspace = Workspace(root / "workspace")
        report = build_corpus(None, workspace, progress=False)
        corpus = load_corpus(workspace, report.version)
        matches = [row["article_id"] for row in corpus if Path(str(row["source_file"])).name == seed]
        if len(matches) != 1:
            names = sorted(Path(str(name)).name for name in corpus["source_file"])
            raise UsageError(f"seed {seed!r} is not one article of the embedded corpus; expected one of {names}")
        password = "screenshot-admin-1"
        with StudioServer(root / "studio", admin_email="admin@example.com", admin_password=password) as server:
            pushed = push(workspace, server.url, server.token)
            state = StudioState.load(workspace)
            task_id = next(task for task, entry in state.tasks.items() if entry.article_id == matches[0])
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS))
                try:
                    page = browser.new_page(viewport={"width": VIEWPORT_WIDTH, "height": VIEWPORT_HEIGHT})
                    page.set_default_timeout(120_000)
                    page.goto(f"{server.url}/user/login/")
                    page.fill("input[name=email]", server.admin_email)
                    page.fill("input[name=password]", password)
                    page.click("button[type=submit], input[type=submit]")
                    page.wait_for_url(lambda url: "/user/login" not in url)
                    page.goto(f"{server.url}/projects/{pushed.project_id}/data?task={task_id}")
                    # The text is drawn, then the pre-annotations are highlighted on it.
                    page.wait_for_selector(".lsf-richtext__line")
                    page.wait_for_selector(".htx-highlight")
                    page.wait_for_timeout(1000)
                    out.parent.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(out))
                finally:
                    browser.close()
    return out


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m ceasefire_news.labeling.screenshot --out docs/labeling-ui.png``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=Path("docs/labeling-ui.png"), help="PNG file to write")
    parser.add_argument("--seed", default=DEFAULT_SEED, help="file name of the seed article to show")
    parser.add_argument("--chromium", default=None, help="Chromium binary (default: chromium on PATH)")
    args = parser.parse_args(argv)
    try:
        path = take_screenshot(args.out, seed=args.seed, chromium=args.chromium)
    except UsageError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
