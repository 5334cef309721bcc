#!/usr/bin/env bash
# Builds dfslim as the README's install commands do and prints the binary's
# path: the `dist` profile (fat LTO), and on x86_64 Linux with glibc a
# static-pie binary (`+crt-static`: no dynamic loader, no symbol lookups at
# start, ASLR kept), which starts about 0.3 ms sooner (docs/performance.md).
# DFSLIM_DYNAMIC=1 builds the plain `cargo install --profile dist` binary.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
host="$(rustc -vV | sed -n 's/^host: //p')"
if [ "$host" = "x86_64-unknown-linux-gnu" ] && [ -z "${DFSLIM_DYNAMIC:-}" ]; then
    # --target keeps the flag off build scripts and proc-macros (which must
    # stay dynamic libraries).
    RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" \
        cargo build --profile dist --target "$host" --quiet >&2
    echo "$repo/target/$host/dist/dfslim"
else
    cargo build --profile dist --quiet >&2
    echo "$repo/target/dist/dfslim"
fi
