#!/usr/bin/env bash
# Shared by tests/e2e/base-images.sh and tests/e2e/images/*.sh: where state
# lives, the machine-wide lock, and the helpers that make, cache, label and tag
# stand-in images. Source it; do not run it.
#
# Every stand-in carries the label dfslim.e2e.rev=<its script's REV>: an image
# of ours with another revision is rebuilt, one without the label (a real image
# from `docker load`) is left alone. Root filesystems and saved images are
# cached under $CACHE, so a later run re-imports them in seconds.
#
# Env:
#   DFSLIM_E2E_DIR      state dir (default <repo>/target/e2e)
#   DFSLIM_E2E_CACHE    rootfs/image tar cache (default $DFSLIM_E2E_DIR/cache)
#   DFSLIM_E2E_MIRROR   Debian mirror for debootstrap (default: first URI in apt sources)
#   DFSLIM_E2E_SUITE    Debian suite (default bookworm)
#   DFSLIM_E2E_LOCK_DIR where the machine-wide lock file lives (default /tmp)
#   DFSLIM_E2E_FORCE=1  rebuild every stand-in the calling script makes

E2E_LIB_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$E2E_LIB_DIR/../.." && pwd)
E2E_DIR=${DFSLIM_E2E_DIR:-$REPO_ROOT/target/e2e}
CACHE=${DFSLIM_E2E_CACHE:-$E2E_DIR/cache}
SUITE=${DFSLIM_E2E_SUITE:-bookworm}
FORCE=${DFSLIM_E2E_FORCE:-0}
[[ $FORCE == 1 ]] || FORCE=0
# Mirrors of the package registries the e2e builds use, filled on the machine
# (tests/e2e/images/<ecosystem>.sh) and served to builds over HTTP by
# tests/e2e/mirror.sh on the docker bridge.
MIRROR_DIR=$E2E_DIR/mirror

HOST_CA=/etc/ssl/certs/ca-certificates.crt
HOST_LIBC=/lib/x86_64-linux-gnu/libc.so.6
HOST_LD=/lib64/ld-linux-x86-64.so.2 # resolved with cp -L
BASE_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

T_START=$SECONDS
E2E_NAME=${E2E_NAME:-$(basename -- "$0" .sh)}
log() { printf '[%s %4ds] %s\n' "$E2E_NAME" "$((SECONDS - T_START))" "$*" >&2; }
die() { printf '%s: ERROR: %s\n' "$E2E_NAME" "$*" >&2; exit 1; }

docker info >/dev/null 2>&1 || die "docker engine not answering; run tests/e2e/engine.sh first"
# The images are machine-wide: serialize concurrent callers (parallel tests,
# CI). base-images.sh holds the lock while it runs the per-ecosystem scripts.
if [[ -z ${DFSLIM_E2E_LOCKED:-} ]]; then
  exec 9>"${DFSLIM_E2E_LOCK_DIR:-/tmp}/dfslim-e2e-images.lock"
  flock -w 1800 9 || die "timed out waiting for another base-images.sh"
  export DFSLIM_E2E_LOCKED=1
fi
mkdir -p "$CACHE" "$MIRROR_DIR"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/dfslim-base.XXXXXX")
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT

# image_state TAG REV -> ours (label = REV) | stale (other dfslim rev) | foreign | missing
image_state() {
  local rev
  if ! rev=$(docker image inspect -f '{{index .Config.Labels "dfslim.e2e.rev"}}' "$1" 2>/dev/null); then
    echo missing
  elif [[ $rev == "$2" ]]; then
    echo ours
  elif [[ -z $rev || $rev == "<no value>" ]]; then
    echo foreign
  else
    echo stale
  fi
}

# needs_build TAG REV -> 0 when TAG must be (re)imported
needs_build() {
  ((FORCE)) && return 0
  case $(image_state "$1" "$2") in ours | foreign) return 1 ;; *) return 0 ;; esac
}

# tag_aliases REV PRIMARY ALIAS... : point missing/stale aliases at PRIMARY
tag_aliases() {
  local rev=$1 primary=$2 t
  shift 2
  for t in "$@"; do
    [[ $t == "$primary" ]] && continue
    if ((!FORCE)); then
      case $(image_state "$t" "$rev") in ours | foreign) continue ;; esac
    fi
    docker tag "$primary" "$t"
  done
}

# tar_dir DIR OUT.tar : deterministic-ish, root-owned tar, written atomically
tar_dir() {
  tar --numeric-owner --owner=0 --group=0 -C "$1" -cf "$2.part" .
  mv "$2.part" "$2"
}

import_tar() { # TAR TAG REV change...
  local tar=$1 tag=$2 rev=$3 t0=$SECONDS
  shift 3
  local args=() c
  for c in "$@" "LABEL dfslim.e2e.rev=$rev"; do args+=(--change "$c"); done
  docker import "${args[@]}" "$tar" "$tag" >/dev/null
  log "imported $tag in $((SECONDS - t0)) s ($(du -h "$tar" | cut -f1) tar)"
}

# build_image TAG REV DIR [docker build args...]: `docker build` DIR (its
# Dockerfile) as TAG with the rev label; the image is saved to the cache so a
# later run after `docker rmi` loads it instead of building again.
build_image() {
  local tag=$1 rev=$2 dir=$3 t0=$SECONDS
  shift 3
  local saved=$CACHE/img-${tag//[\/:]/_}-r$rev.tar
  if [[ -f $saved && $FORCE == 0 ]]; then
    docker load -i "$saved" >/dev/null && {
      log "loaded $tag from $saved in $((SECONDS - t0)) s"
      return 0
    }
  fi
  mkdir -p "$E2E_DIR/logs"
  local blog=$E2E_DIR/logs/image-${tag//[\/:]/_}.log
  if ! docker build --force-rm --label "dfslim.e2e.rev=$rev" -t "$tag" "$@" "$dir" >"$blog" 2>&1; then
    tail -n 30 "$blog" >&2
    die "building $tag failed; log: $blog"
  fi
  rm -f "$CACHE"/img-${tag//[\/:]/_}-r*.tar
  docker save -o "$saved.part" "$tag" && mv "$saved.part" "$saved"
  log "built $tag in $((SECONDS - t0)) s"
}

debian_mirror() {
  if [[ -n ${DFSLIM_E2E_MIRROR:-} ]]; then
    echo "$DFSLIM_E2E_MIRROR"
    return
  fi
  local m
  m=$(grep -hsE '^(URIs:|deb )' /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list 2>/dev/null |
    grep -v -e security -e '\[' | sed -E 's/^URIs:[[:space:]]*//; s/^deb[[:space:]]+//' | awk '{print $1; exit}')
  echo "${m:-http://deb.debian.org/debian}"
}

# debian_minbase_tar OUT.tar: `debootstrap --variant=minbase $SUITE`, cached
# (shared by every stand-in made from Debian).
debian_minbase_tar() {
  local tar=$1 root=$WORK/minbase-$SUITE
  [[ -f $tar ]] && return 0
  command -v debootstrap >/dev/null || die "debootstrap missing; run tests/e2e/engine.sh"
  local t0=$SECONDS mirror
  mirror=$(debian_mirror)
  mkdir -p "$CACHE/debs"
  if ! debootstrap --variant=minbase --cache-dir="$CACHE/debs" "$SUITE" "$root" "$mirror" \
    >"$E2E_DIR/debootstrap-minbase.log" 2>&1; then
    tail -n 20 "$E2E_DIR/debootstrap-minbase.log" >&2
    die "debootstrap failed; log: $E2E_DIR/debootstrap-minbase.log"
  fi
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/var/log/*.log
  tar_dir "$root" "$tar"
  rm -rf "$root"
  log "debian $SUITE minbase rootfs built in $((SECONDS - t0)) s"
}

build_group() { # NAME TAR-BUILDER TAR REV CHANGES-ARRAY-NAME TAGS...
  local name=$1 builder=$2 tar=$3 rev=$4 changes_name=$5
  shift 5
  local -n changes=$changes_name
  if needs_build "$1" "$rev"; then
    "$builder" "$tar"
    import_tar "$tar" "$1" "$rev" "${changes[@]}"
  else
    log "$1 present ($name); skipping"
  fi
  tag_aliases "$rev" "$@"
}

