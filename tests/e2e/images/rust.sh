#!/usr/bin/env bash
# Stand-ins for the official Rust images (rust-lang/docker-rust, the source of
# Docker Hub's `rust`), and the crates.io + rustup mirrors their builds use.
#
#   rust:<v>, rust:<v>-bookworm            FROM buildpack-deps:bookworm (made by images/node.sh)
#   rust:<v>-slim, rust:<v>-slim-bookworm  FROM debian:bookworm-slim + ca-certificates gcc libc6-dev
#
# As in the real stable/bookworm{,/slim}/Dockerfile: rustup with the `minimal` profile
# (components rustc, cargo, rust-std for x86_64-unknown-linux-gnu; no clippy, rustfmt,
# docs, no musl target) under RUSTUP_HOME=/usr/local/rustup, the rustup binary and its
# proxies (hard links) in CARGO_HOME=/usr/local/cargo/bin, `chmod -R a+w` on both,
# ENV PATH=/usr/local/cargo/bin:$PATH, no WORKDIR, CMD ["bash"] from the Debian base, user root.
# The full image has what buildpack-deps:bookworm has (pkg-config, libssl-dev, libpq-dev,
# zlib1g-dev, ... git, curl); the slim one has only gcc, libc6-dev and ca-certificates, so a
# build through openssl-sys (pkg-config + libssl-dev) fails there, as on the real one.
#
# Which Rust: the machine's rustup toolchain (stable, 1.95 today) copied component by
# component, whatever the tag says (RUST_VERSION holds the real version). Debian's rustc
# 1.63 / cargo 0.66 would have been smaller but cannot read today's lock files' crates
# (MSRVs above 1.63), has no sparse registries (so no mirror without a vendor directory in
# the image or the app) and no `rustup`, so `rustup target add` could not be tested.
#
# Mirrors, served by tests/e2e/mirror.sh (http://<docker0>:8765/) and filled on the machine:
#   crates/  a static sparse registry (index/config.json, index/<prefix>/<name>,
#            dl/<name>/<name>-<version>.crate) holding exactly the crates locked by
#            tests/e2e/apps/*/Cargo.lock (`cargo fetch` into a private CARGO_HOME, then
#            images/rust/crates-mirror.py). The images' $CARGO_HOME/config.toml replaces
#            crates-io by it (source replacement keeps Cargo.lock's source and checksums), so
#            the apps' Dockerfiles and contexts stay exactly as people write them.
#   rustup/  the real rust-std component for x86_64-unknown-linux-musl of the same toolchain
#            (from static.rust-lang.org, checked against the toolchain's own channel
#            manifest); the images set RUSTUP_DIST_SERVER to it, so
#            `rustup target add x86_64-unknown-linux-musl` works inside builds as it does
#            with the real images and the network (a 38 MB download, 218 MB installed).
#
# Differences from the real images: Rust 1.95 inside every tag; RUSTUP_DIST_SERVER and
# $CARGO_HOME/config.toml point at the mirror; Debian packages as of today.
# rust:latest, rust:1, rust:slim, rust:1-slim are NOT made: the real ones are trixie (Debian
# 13) since 2025 (x.py's latest_debian_release), and a bookworm stand-in under those names
# would hide a wrong runtime choice (debian:bookworm-slim for a trixie-built binary). Set
# DFSLIM_E2E_RUST_LATEST=1 to tag them anyway (bookworm content).
set -euo pipefail

# ---- which tags exist --------------------------------------------------------
# rust:<v> tags whose default variant was bookworm (1.71 .. 1.88, before trixie); the first
# is the primary tag (cached image tar name), the others are aliases.
RUST_VERSIONS=(1.80 1.80.1 1.75 1.78 1.79 1.81 1.82 1.83 1.84 1.85 1.86 1.87 1.88 1-bookworm)
# Bump when the content changes (with the toolchain version and the mirror URL it makes the
# dfslim.e2e.rev label and the cached image tar names).
REV_RUST=2
REV_RUST_SLIM=2
# ------------------------------------------------------------------------------

E2E_NAME=rust
# shellcheck source=tests/e2e/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/../lib.sh"
HERE=$E2E_LIB_DIR/images/rust
APPS=$E2E_LIB_DIR/apps
HOST=x86_64-unknown-linux-gnu
MUSL=x86_64-unknown-linux-musl

FULL_TAGS=() SLIM_TAGS=()
for v in "${RUST_VERSIONS[@]}"; do
  case $v in
    *-bookworm) FULL_TAGS+=("rust:$v") SLIM_TAGS+=("rust:${v%-bookworm}-slim-bookworm") ;;
    *) FULL_TAGS+=("rust:$v" "rust:$v-bookworm") SLIM_TAGS+=("rust:$v-slim" "rust:$v-slim-bookworm") ;;
  esac
done
FULL_TAGS+=(rust:bookworm) SLIM_TAGS+=(rust:slim-bookworm)
if [[ ${DFSLIM_E2E_RUST_LATEST:-} == 1 ]]; then
  FULL_TAGS+=(rust:latest rust:1) SLIM_TAGS+=(rust:slim rust:1-slim)
fi

# ---- the machine's toolchain --------------------------------------------------
TOOLCHAIN=${DFSLIM_E2E_RUST_TOOLCHAIN:-stable}
command -v rustup >/dev/null || die "no rustup on the machine (the stand-ins copy its $TOOLCHAIN toolchain)"
SYSROOT=$(rustup run "$TOOLCHAIN" rustc --print sysroot) || die "no $TOOLCHAIN toolchain in rustup"
RUSTUP_BIN=$(readlink -f "$(command -v rustup)")
RUST_VER=$("$SYSROOT/bin/rustc" --version | awk '{print $2}')
RUSTLIB=$SYSROOT/lib/rustlib
for c in rustc cargo rust-std; do
  [[ -f $RUSTLIB/manifest-$c-$HOST ]] || die "$SYSROOT has no $c component manifest"
done

# ---- mirrors ------------------------------------------------------------------
bash "$E2E_LIB_DIR/mirror.sh" start
MIRROR_URL=$(bash "$E2E_LIB_DIR/mirror.sh" url)

# crates: every crates.io package locked by an app, fetched once with cargo.
fill_crates() {
  local t0=$SECONDS locks=() lock missing
  for lock in "$APPS"/*/Cargo.lock; do [[ -f $lock ]] && locks+=("$lock"); done
  ((${#locks[@]})) || return 0
  local cargo_home=$CACHE/cargo-home
  missing=$(python3 "$HERE/crates-mirror.py" missing "$MIRROR_DIR/crates" "${locks[@]}")
  if [[ -n $missing ]]; then
    command -v cargo >/dev/null || die "no cargo on the machine to fetch crates"
    log "fetching $(wc -l <<<"$missing") crates from crates.io"
    for lock in "${locks[@]}"; do
      CARGO_HOME=$cargo_home cargo fetch --locked --manifest-path "$(dirname "$lock")/Cargo.toml" \
        >>"$E2E_DIR/cargo-fetch.log" 2>&1 || {
        tail -n 20 "$E2E_DIR/cargo-fetch.log" >&2
        die "cargo fetch failed for $lock; log: $E2E_DIR/cargo-fetch.log"
      }
    done
  fi
  python3 "$HERE/crates-mirror.py" fill "$MIRROR_DIR/crates" "$cargo_home" "$CACHE/crates-index" \
    "$MIRROR_URL/crates" "${locks[@]}"
  log "crates mirror: $(find "$MIRROR_DIR/crates/dl" -name '*.crate' | wc -l) crates ($((SECONDS - t0)) s)"
}

# rustup: the musl rust-std of this very toolchain, where its channel manifest says.
fill_rustup() {
  local url hash rel
  read -r url hash < <(python3 - "$RUSTLIB/multirust-channel-manifest.toml" "$MUSL" <<'EOF'
import sys, tomllib
m = tomllib.load(open(sys.argv[1], "rb"))
t = m["pkg"]["rust-std"]["target"][sys.argv[2]]
print(t["xz_url"], t["xz_hash"])
EOF
  )
  rel=${url#https://static.rust-lang.org/}
  [[ $rel != "$url" ]] || die "unexpected component URL $url"
  local dest=$MIRROR_DIR/rustup/$rel
  if [[ -f $dest ]] && echo "$hash  $dest" | sha256sum -c --status; then
    return 0
  fi
  log "downloading $url"
  mkdir -p "$(dirname "$dest")"
  curl -fsS --retry 3 --max-time 600 -o "$dest.part" "$url" || die "downloading $url failed"
  echo "$hash  $dest.part" | sha256sum -c --status || die "$url: sha256 mismatch"
  mv "$dest.part" "$dest"
}

fill_crates
fill_rustup

# ---- the images -----------------------------------------------------------------
MIRROR_ID=${MIRROR_URL#http://}
MIRROR_ID=${MIRROR_ID//[:\/]/-}
TC=$RUST_VER-$HOST

# The build context: rustup/ and cargo/ as rustup-init --profile minimal leaves them.
CTX=""
make_context() {
  [[ -n $CTX ]] && return 0
  local t0=$SECONDS c b
  CTX=$WORK/rust-ctx
  local tc=$CTX/rustup/toolchains/$TC
  mkdir -p "$tc/lib/rustlib" "$CTX/rustup/downloads" "$CTX/rustup/tmp" "$CTX/rustup/update-hashes" "$CTX/cargo/bin"
  for c in rustc cargo rust-std; do
    sed -e 's/^file://' -e 's/^dir://' "$RUSTLIB/manifest-$c-$HOST"
    echo "lib/rustlib/manifest-$c-$HOST"
  done | (cd "$SYSROOT" && tar -cf - -T - lib/rustlib/multirust-channel-manifest.toml lib/rustlib/rust-installer-version) |
    tar -C "$tc" -xf -
  printf '%s\n' "cargo-$HOST" "rust-std-$HOST" "rustc-$HOST" >"$tc/lib/rustlib/components"
  printf 'config_version = "1"\n' >"$tc/lib/rustlib/multirust-config.toml"
  for c in cargo rust-std rustc; do
    printf '\n[[components]]\npkg = "%s"\ntarget = "%s"\nis_extension = false\n' "$c" "$HOST" >>"$tc/lib/rustlib/multirust-config.toml"
  done
  sha256sum "$RUSTLIB/multirust-channel-manifest.toml" | cut -d' ' -f1 >"$CTX/rustup/update-hashes/$TC"
  printf 'version = "12"\ndefault_toolchain = "%s"\nprofile = "minimal"\n\n[overrides]\n' "$TC" >"$CTX/rustup/settings.toml"
  cp "$RUSTUP_BIN" "$CTX/cargo/bin/rustup"
  for b in cargo cargo-clippy cargo-fmt cargo-miri clippy-driver rls rust-analyzer rust-gdb rust-gdbgui \
    rust-lldb rustc rustdoc rustfmt; do
    ln "$CTX/cargo/bin/rustup" "$CTX/cargo/bin/$b"
  done
  # rustup-init writes $CARGO_HOME/env even with --no-modify-path
  cat >"$CTX/cargo/env" <<'EOF'
#!/bin/sh
# rustup shell setup
# affix colons on either side of $PATH to simplify matching
case ":${PATH}:" in
    *:"/usr/local/cargo/bin":*)
        ;;
    *)
        # Prepending path in case a system-installed rustc needs to be overridden
        export PATH="/usr/local/cargo/bin:$PATH"
        ;;
esac
EOF
  # Not in the real image: crates.io replaced by the mirror (see the header).
  cat >"$CTX/cargo/config.toml" <<EOF
# dfslim e2e stand-in: crates.io is served by the machine's mirror (tests/e2e/images/rust.sh).
[source.crates-io]
replace-with = "dfslim-e2e-mirror"

[source.dfslim-e2e-mirror]
registry = "sparse+$MIRROR_URL/crates/index/"
EOF
  chmod -R a+w "$CTX/rustup" "$CTX/cargo"
  cp "$HERE/rust.Dockerfile" "$CTX/Dockerfile"
  log "toolchain context ($TC, $(du -sh "$CTX" | cut -f1)) in $((SECONDS - t0)) s"
}

build_rust() { # REV BASE APT_PACKAGES TAGS...
  local rev=$1 base=$2 apt=$3 tag=$4
  shift 3
  if needs_build "$tag" "$rev"; then
    [[ -f $CACHE/img-${tag//[\/:]/_}-r$rev.tar && $FORCE == 0 ]] || make_context
    [[ -n $CTX ]] || mkdir -p "$WORK/empty" # build_image loads the saved image; no context needed
    build_image "$tag" "$rev" "${CTX:-$WORK/empty}" --build-arg "BASE=$base" --build-arg "APT_PACKAGES=$apt" \
      --build-arg "RUST_VERSION=$RUST_VER" --build-arg "MIRROR=$MIRROR_URL"
    docker run --rm "$tag" sh -c 'rustup --version && cargo --version && rustc --version' >/dev/null 2>&1 ||
      die "$tag: rustup/cargo/rustc do not run"
  else
    log "$tag present; skipping"
  fi
  tag_aliases "$rev" "$@"
}

# The revision label: the script's REV, the toolchain, the mirror URL baked in, and the
# base image's id (a rebuilt base means a rebuilt stand-in).
rev_of() { # REV BASE
  local id
  id=$(docker image inspect -f '{{.Id}}' "$2" 2>/dev/null) || return 1
  id=${id#sha256:}
  echo "$1-$RUST_VER-$MIRROR_ID-${id:0:12}"
}

SLIM_REV=$(rev_of "$REV_RUST_SLIM" debian:bookworm-slim) || die "debian:bookworm-slim missing: run images/debian.sh"
build_rust "$SLIM_REV" debian:bookworm-slim "ca-certificates gcc libc6-dev" "${SLIM_TAGS[@]}"
RUST_REV=$(rev_of "$REV_RUST" buildpack-deps:bookworm) ||
  die "buildpack-deps:bookworm missing: it is made by images/node.sh (base-images.sh runs it first)"
build_rust "$RUST_REV" buildpack-deps:bookworm "" "${FULL_TAGS[@]}"

log "done in $((SECONDS - T_START)) s"
docker image ls --format '{{.Repository}}:{{.Tag}}\t{{.Size}}' | grep -E '^rust:1\.80(-slim)?\s' >&2 || true
