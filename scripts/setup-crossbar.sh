#!/usr/bin/env bash
# Install Crossbar.io (the reference router) into its own .venv-crossbar: its pins must not
# meet pywamp's test dependencies. Prints the python of that venv.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! .venv-crossbar/bin/python -c "import crossbar" >/dev/null 2>&1; then
    python3 -m venv .venv-crossbar
    .venv-crossbar/bin/python -m pip install --quiet --upgrade pip
    .venv-crossbar/bin/python -m pip install --quiet "crossbar>=23.1" >&2
fi
echo "$PWD/.venv-crossbar/bin/python"
