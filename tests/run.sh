#!/usr/bin/env bash
# Install everything the test suite needs, then run it:
#   - the project in .venv (with its test extras),
#   - Label Studio 1.23.2 in its own virtual environment (python -m ceasefire_news.labeling.server --install),
#   - Debian's chromium for the browser test (apt-get, as root or through sudo).
# Arguments are passed to pytest, e.g. `bash tests/run.sh -k integrity`.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  echo "== installing chromium (Debian package) for the browser test"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  # Only the browser and the fonts the screenshot renders with (Liberation for Latin text,
  # Noto for emoji): Chromium's recommended packages add some 490 MB, a print and a
  # discovery daemon, none of which a headless browser uses.
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends chromium fonts-liberation fonts-noto-color-emoji
fi

if [ ! -x .venv/bin/python ]; then
  echo "== creating .venv"
  python3 -m venv .venv
fi
echo "== installing ceasefire-news with its test extras"
.venv/bin/python -m pip install -q -e '.[test]'

echo "== installing Label Studio in its own virtual environment"
.venv/bin/python -m ceasefire_news.labeling.server --install

echo "== running the tests"
exec .venv/bin/python -m pytest "$@"
