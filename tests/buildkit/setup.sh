#!/usr/bin/env bash
# Make <repo>/target/buildkit-venv with the pinned `dockerfile` package
# (BuildKit v0.12.5's parser) and print the venv's python as the last line
# of stdout.  Idempotent: an existing venv whose python can import the
# pinned version is reused; a missing or broken one is rebuilt.
# Progress goes to stderr.  Needs python3 with the venv module (Debian:
# python3-venv).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="$repo/target/buildkit-venv"
py="$venv/bin/python"
req="$here/requirements.txt"
want="$(sed -n 's/^dockerfile==//p' "$req")"

healthy() {
    [ -x "$py" ] && "$py" - "$want" >/dev/null 2>&1 <<'EOF'
import sys
from importlib.metadata import version
import dockerfile
assert version("dockerfile") == sys.argv[1]
dockerfile.parse_string("FROM scratch\n")
EOF
}

mkdir -p "$repo/target"
# Tests may run this concurrently: let one of them build the venv.
exec 9>"$repo/target/buildkit-venv.lock"
flock 9

if ! healthy; then
    echo "setup.sh: creating $venv" >&2
    rm -rf "$venv"
    python3 -m venv "$venv" >&2
    "$py" -m pip install --disable-pip-version-check -q -r "$req" >&2
    if ! healthy; then
        echo "setup.sh: $venv is still unusable after install" >&2
        exit 1
    fi
fi
echo "$py"
