#!/usr/bin/env bash
# Run the Python test suite on other CPython versions: for each version given (default
# 3.10 3.12 3.13), a clone of this checkout's HEAD gets its own .venv built with that
# interpreter (python3.X on PATH, or pyenv's), then the whole suite runs there. CI runs
# the suite on the default python3 only; this is for the versions pyproject.toml claims.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(3.10 3.12 3.13)

interpreter() {
    # python3.X on PATH (not a pyenv shim of a version that is not selected), else pyenv's
    local v=$1 candidate
    for candidate in "$(command -v "python$v" || true)" \
        $(ls -d "${PYENV_ROOT:-$HOME/.pyenv}/versions/$v"*/bin/python 2> /dev/null | sort -V -r); do
        if [ -n "$candidate" ] && "$candidate" -c \
            "import sys; sys.exit(f'{sys.version_info[0]}.{sys.version_info[1]}' != '$v')" \
            2> /dev/null; then
            echo "$candidate"
            return
        fi
    done
}

status=0
for v in "${versions[@]}"; do
    python=$(interpreter "$v")
    if [ -z "$python" ]; then
        echo "python $v: no interpreter found (python$v on PATH or pyenv)" >&2
        status=1
        continue
    fi
    work=$(mktemp -d "/tmp/pywamp-py$v-XXXX")
    git clone -q "$root" "$work/pywamp"
    [ -d "$root/target" ] && cp -r --reflink=auto "$root/target" "$work/pywamp/target"
    # Crossbar runs in its own venv whatever the version under test (the tests make one
    # when it is missing)
    [ -e "$root/.venv-crossbar" ] && ln -s "$root/.venv-crossbar" "$work/pywamp/.venv-crossbar"
    echo "python $v ($python): building in $work/pywamp"
    # (set -e does not hold inside a subshell run as the left side of ||: chain with &&)
    (
        cd "$work/pywamp" &&
            PYTHON="$python" bash scripts/setup.sh &&
            PYWAMP_TESTVECTORS="${PYWAMP_TESTVECTORS:-$root/../shared/wamp-testvectors}" \
                .venv/bin/python -m pytest tests -q -p no:cacheprovider -o faulthandler_timeout=120
    ) || status=1
done
exit $status
