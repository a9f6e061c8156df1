#!/usr/bin/env bash
# Create .venv and build pywamp into it (release build of the Rust core, test extras).
# PYTHON=/path/to/python picks the interpreter of a new .venv (default: python3).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || "${PYTHON:-python3}" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip "maturin>=1.7,<2"
VIRTUAL_ENV="$PWD/.venv" .venv/bin/maturin develop --quiet --release --extras "${PYWAMP_EXTRAS:-test}"
