#!/usr/bin/env bash
# Set up a fresh machine for development and run the whole suite: lint, types, tests.
# Usage: scripts/test.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d ../shared/data/hotdog-dev ]; then
    echo "error: ../shared/data/hotdog-dev is missing (test data beside the checkout)" >&2
    exit 1
fi

# Debian's Chromium, Firefox ESR and WebKitGTK (Safari's engine) for the browser tests:
# Playwright drives Chromium, WebDriver BiDi drives Firefox, WebKitWebDriver drives
# MiniBrowser under Xvfb; no browser is downloaded. And Debian's PostgreSQL server.
missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v firefox-esr >/dev/null 2>&1 || missing="$missing firefox-esr"
command -v WebKitWebDriver >/dev/null 2>&1 || missing="$missing webkit2gtk-driver"
command -v Xvfb >/dev/null 2>&1 || missing="$missing xvfb"
# PostgreSQL's server binaries: the sightings tests start a private cluster of their own.
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql"
if [ -n "$missing" ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null
fi

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -c constraints.txt -e '.[test]'

echo "== ruff" && .venv/bin/ruff check src tests bench scripts
.venv/bin/ruff format --check --quiet src tests bench scripts
echo "== mypy" && .venv/bin/mypy
echo "== layers" && .venv/bin/lint-imports --no-cache
echo "== pytest" && .venv/bin/pytest "$@"
