#!/usr/bin/env bash
# Regenerate constraints.txt: resolve the newest versions pyproject.toml allows in a fresh
# venv, install the test extras, and record what was installed. Run the suite before
# committing the result.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp="$(mktemp -d)"
python3 -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install --quiet --upgrade pip
"$tmp/venv/bin/pip" install --quiet '.[test]'
{
    echo "# The versions seefood is tested with (pip freeze of the test environment on Python 3.11)."
    echo "# The README's commands and CI install with -c constraints.txt, so a fresh machine gets these."
    echo "# Regenerate after a dependency change: scripts/lock.sh"
    "$tmp/venv/bin/pip" freeze --exclude-editable | grep -v '^seefood'
} > constraints.txt
rm -rf "$tmp"
echo "constraints.txt: $(grep -vc '^#' constraints.txt) packages"
