#!/usr/bin/env bash
# Stand-ins for the official Debian images (`debian:bookworm`, `debian:bookworm-slim`
# and their aliases), made the way the real ones are made by debuerreotype
# (github:debuerreotype/debuerreotype, examples/debian.sh):
#
#   1. `debootstrap --variant=minbase bookworm` (debian_minbase_tar in lib.sh, cached);
#   2. every package marked automatically installed (`apt-mark auto '.*'`), as
#      debuerreotype-init does, so `apt-get autoremove` behaves as in the real image;
#   3. debuerreotype-minimizing-config: /usr/sbin/policy-rc.d (exit 101),
#      /etc/dpkg/dpkg.cfg.d/docker-apt-speedup (force-unsafe-io) and, in
#      /etc/apt/apt.conf.d, docker-autoremove-suggests, docker-clean (no .deb left
#      after an install, no pkgcache.bin), docker-gzip-indexes (lists stay gzipped:
#      an `apt-get update` leaves ~18 MB of lists, not ~85 MB) and docker-no-languages;
#   4. /etc/apt/sources.list.d/debian.sources (deb822) with <suite>, <suite>-updates and
#      <suite>-security, as debuerreotype-debian-sources-list writes it, but pointing at
#      the mirror debootstrap used (and the machine's security mirror), so
#      `apt-get update && apt-get install ...` works in builds FROM these images;
#   5. `apt-get full-upgrade` (the real images are upgraded when built);
#   6. the fixups: no apt lists/caches, no dpkg/bootstrap logs, no /etc/machine-id,
#      empty /dev, /etc/hostname "debuerreotype", /etc/resolv.conf with 1.1.1.1
#      (docker replaces both at run time);
#   7. -slim only: debuerreotype-slimify: /etc/dpkg/dpkg.cfg.d/docker with
#      path-exclude for /usr/share/{doc,info,linda,lintian/overrides,locale,man}/* etc.
#      (keeping doc/*/copyright and a few locale files), and the files those match
#      removed from the root; the man/man<N> directories are kept (empty) so postinst
#      scripts that write there still work.
#
# Image config as the real one (`FROM scratch`, `ADD rootfs.tar.xz /`, `CMD ["bash"]`):
# ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin, CMD ["bash"],
# no WORKDIR (/), user root. One layer each.
#
# Differences from the real images: package versions are whatever the mirror serves
# today; `debian:latest` and `debian:stable-slim` are bookworm (12) here, while the
# real ones moved to trixie (13) in August 2025 (the machine only has a bookworm
# toolchain around, and the Go stand-ins are bookworm too).
set -euo pipefail

# ---- which tags exist --------------------------------------------------------
DEBIAN_TAGS=(debian:bookworm debian:12 debian:latest debian:stable)
# bullseye-slim and buster-slim are aliases of the bookworm content, as every
# golang:<v> stand-in is bookworm whatever its tag: dfslim gives a cgo binary
# built on golang:1.16 (bullseye, the release that tag defaults to) the runtime
# debian:bullseye-slim, and on the stand-ins the pair matches as it does for real.
DEBIAN_SLIM_TAGS=(debian:bookworm-slim debian:12-slim debian:stable-slim debian:bullseye-slim debian:11-slim debian:buster-slim debian:10-slim)
# Bump when the content changes (image label dfslim.e2e.rev + cached tar names).
REV_DEBIAN=1
# ------------------------------------------------------------------------------

E2E_NAME=debian
# shellcheck source=tests/e2e/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/../lib.sh"

MINBASE_TAR=$CACHE/debian-minbase-$SUITE.tar
FULL_TAR=$CACHE/debian-$SUITE-r$REV_DEBIAN.tar
SLIM_TAR=$CACHE/debian-$SUITE-slim-r$REV_DEBIAN.tar
((FORCE)) && rm -f "$FULL_TAR" "$SLIM_TAR"
for old in "$CACHE"/debian-"$SUITE"-r*.tar "$CACHE"/debian-"$SUITE"-slim-r*.tar; do
  case $old in "$FULL_TAR" | "$SLIM_TAR") ;; *) rm -f "$old" ;; esac
done

# The security archive: DFSLIM_E2E_SECURITY_MIRROR (empty = none), else the
# machine's own apt source for it, else none.
security_mirror() {
  if [[ -n ${DFSLIM_E2E_SECURITY_MIRROR+x} ]]; then
    echo "$DFSLIM_E2E_SECURITY_MIRROR"
    return
  fi
  grep -hsE '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null |
    grep -e debian-security | sed -E 's/^URIs:[[:space:]]*//; s/^deb[[:space:]]+//' | awk 'NR == 1 {print $1}' || true
}

write_sources() { # ROOT
  local mirror security keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  mirror=$(debian_mirror)
  security=$(security_mirror)
  rm -f "$1/etc/apt/sources.list"
  mkdir -p "$1/etc/apt/sources.list.d"
  {
    printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\nComponents: main\nSigned-By: %s\n' \
      "$mirror" "$SUITE" "$SUITE" "$keyring"
    if [[ -n $security ]]; then
      printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\nSigned-By: %s\n' \
        "$security" "$SUITE" "$keyring"
    fi
  } >"$1/etc/apt/sources.list.d/debian.sources"
  chmod 0644 "$1/etc/apt/sources.list.d/debian.sources"
}

# debuerreotype-minimizing-config, verbatim content.
minimizing_config() { # ROOT
  local root=$1
  cat >"$root/usr/sbin/policy-rc.d" <<'EOF'
#!/bin/sh

# For most Docker users, "apt-get install" only happens during "docker build",
# where starting services doesn't work and often fails in humorous ways. This
# prevents those failures by stopping the services from attempting to start.

exit 101
EOF
  chmod 0755 "$root/usr/sbin/policy-rc.d"
  cat >"$root/etc/dpkg/dpkg.cfg.d/docker-apt-speedup" <<'EOF'
# For most Docker users, package installs happen during "docker build", which
# doesn't survive power loss and gets restarted clean afterwards anyhow, so
# this minor tweak gives us a nice speedup (much nicer on spinning disks,
# obviously).

force-unsafe-io
EOF
  cat >"$root/etc/apt/apt.conf.d/docker-autoremove-suggests" <<'EOF'
# Since Docker users are looking for the smallest possible final images, the
# following emerges as a very common pattern:

#   RUN apt-get update \
#       && apt-get install -y <packages> \
#       && <do some compilation work> \
#       && apt-get purge -y --auto-remove <packages>

# By default, APT will actually _keep_ packages installed via Recommends or
# Depends if another package Suggests them, even and including if the package
# that originally caused them to be installed is removed.  Setting this to
# "false" ensures that APT is appropriately aggressive about removing the
# packages it added.

# https://www.debian.org/doc/manuals/aptitude/ch02s05s05.en.html#configApt-AutoRemove-SuggestsImportant
Apt::AutoRemove::SuggestsImportant "false";
EOF
  local clean='"rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true";'
  cat >"$root/etc/apt/apt.conf.d/docker-clean" <<EOF
# Since for most Docker users, package installs happen in "docker build" steps,
# they essentially become individual layers due to the way Docker handles
# layering, especially using CoW filesystems.  What this means for us is that
# the caches that APT keeps end up just wasting space in those layers, making
# our layers unnecessarily large (especially since we'll normally never use
# these caches again and will instead just "docker build" again and make a brand
# new image).

# Ideally, these would just be invoking "apt-get clean", but in our testing,
# that ended up being cyclic and we got stuck on APT's lock, so we get this fun
# creation that's essentially just "apt-get clean".
DPkg::Post-Invoke { $clean };
APT::Update::Post-Invoke { $clean };

Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";

# Note that we do realize this isn't the ideal way to do this, and are always
# open to better suggestions (https://github.com/debuerreotype/debuerreotype/issues).
EOF
  cat >"$root/etc/apt/apt.conf.d/docker-gzip-indexes" <<'EOF'
# Since Docker users using "RUN apt-get update && apt-get install -y ..." in
# their Dockerfiles don't go delete the lists files afterwards, we want them to
# be as small as possible on-disk, so we explicitly request that Apt keep them
# compressed on-disk too instead of decompressing them.

# For comparison, an "apt-get update" layer without this on a pristine
# "debian:wheezy" base image was "29.88 MB", where with this it was only
# "8.273 MB".

Acquire::GzipIndexes "true";
EOF
  cat >"$root/etc/apt/apt.conf.d/docker-no-languages" <<'EOF'
# In Docker, we don't often need the "Translations" files, so we're just wasting
# time and space by downloading them, and this inhibits that.  For users that do
# need them, it's a simple matter to delete this file and "apt-get update". :)

Acquire::Languages "none";
EOF
  chmod 0644 "$root"/etc/dpkg/dpkg.cfg.d/docker-apt-speedup "$root"/etc/apt/apt.conf.d/docker-*
}

# debuerreotype-fixup + debuerreotype-tar's exclusions.
fixup_root() { # ROOT
  local root=$1
  rm -f "$root"/var/log/{dpkg,bootstrap,alternatives}.log "$root"/var/cache/ldconfig/aux-cache \
    "$root"/var/log/apt/{history,term}.log "$root/etc/machine-id" "$root/run/mount/utab"
  rmdir "$root/run/mount" 2>/dev/null || :
  rm -rf "${root:?}"/var/cache/apt/* "${root:?}"/var/lib/apt/lists/* "${root:?}"/dev/*
  rm -f "$root/etc/hostname" "$root/etc/resolv.conf"
  echo debuerreotype >"$root/etc/hostname"
  printf '# https://1.1.1.1 (privacy-focused, highly-available DNS service)\nnameserver 1.1.1.1\nnameserver 1.0.0.1\n' \
    >"$root/etc/resolv.conf"
  chmod 0644 "$root/etc/hostname" "$root/etc/resolv.conf"
}

# debuerreotype-slimify (scripts/.slimify-excludes, .slimify-includes), run in a chroot
# as the original does (so absolute symlinks resolve inside the root).
SLIM_EXCLUDES=(
  '/usr/share/doc/*' '/usr/share/doc/kde/HTML/*/*' '/usr/share/gnome/help/*/*'
  '/usr/share/info/*' '/usr/share/linda/*' '/usr/share/lintian/overrides/*'
  '/usr/share/locale/*' '/usr/share/man/*' '/usr/share/omf/*/*-*.emf'
)
SLIM_INCLUDES=(
  '/usr/share/doc/*/copyright' '/usr/share/doc/kde/HTML/C/*' '/usr/share/gnome/help/*/C/*'
  '/usr/share/locale/all_languages' '/usr/share/locale/currency/*' '/usr/share/locale/l10n/*'
  '/usr/share/locale/languages' '/usr/share/locale/locale.alias' '/usr/share/omf/*/*-C.emf'
)
slimify_root() { # ROOT
  local root=$1 cfg=$1/etc/dpkg/dpkg.cfg.d/docker ex inc dir out
  local special=() match=()
  shopt -s nullglob
  for dir in "$root"/usr/share/man/man[0-9]/; do special+=("${dir#"$root"}"); done
  shopt -u nullglob
  for inc in "${SLIM_INCLUDES[@]}"; do
    ((${#match[@]})) && match+=(-o)
    match+=(-path "$inc")
  done
  {
    echo '# This is the "slim" variant of the Debian base image.'
    echo '# Many files which are normally unnecessary in containers are excluded,'
    echo '# and this configuration file keeps them that way.'
  } >"$cfg"
  for ex in "${SLIM_EXCLUDES[@]}"; do
    {
      echo
      echo "# dpkg -S '$ex'"
      if out=$(chroot "$root" dpkg -S "$ex" 2>&1); then
        echo "$out" | sed 's/: .*//g; s/, /\n/g' | sort -u | xargs
      else
        echo "$out"
      fi | fold -w 76 -s | sed 's/^/#  /'
      echo "path-exclude $ex"
    } >>"$cfg"
    dir=$(dirname "$ex")
    [[ -d $root$dir ]] || continue
    chroot "$root" find "$dir" -depth -mindepth 1 -not \( -type d -o -type l \) \
      -not \( "${match[@]}" \) -exec rm -f '{}' ';'
    while [[ $(chroot "$root" find "$dir" -depth -mindepth 1 \( -empty -o -xtype l \) \
      -exec rm -rf '{}' ';' -printf '.' | wc -c) -gt 0 ]]; do :; done
  done
  {
    echo
    for inc in "${SLIM_INCLUDES[@]}"; do echo "path-include $inc"; done
  } >>"$cfg"
  chmod 0644 "$cfg"
  for dir in "${special[@]}"; do mkdir -p "$root$dir"; done
}

build_debian_tars() {
  [[ -f $FULL_TAR && -f $SLIM_TAR ]] && return 0
  debian_minbase_tar "$MINBASE_TAR"
  local t0=$SECONDS root=$WORK/debian
  mkdir -p "$root"
  tar --numeric-owner -xpf "$MINBASE_TAR" -C "$root"
  write_sources "$root"
  minimizing_config "$root"
  # resolv.conf of the machine while apt runs in the chroot (no mounts needed:
  # debootstrap left /dev nodes in the root; they are dropped from the image).
  rm -f "$root/etc/resolv.conf"
  cp -L /etc/resolv.conf "$root/etc/resolv.conf"
  if ! chroot "$root" /usr/bin/env -i PATH="$BASE_PATH" DEBIAN_FRONTEND=noninteractive LC_ALL=C \
    sh -c 'apt-mark auto ".*" >/dev/null && apt-get update -qq && apt-get full-upgrade -yqq' \
    >"$E2E_DIR/debian-upgrade.log" 2>&1; then
    tail -n 20 "$E2E_DIR/debian-upgrade.log" >&2
    die "apt-get full-upgrade in the $SUITE root failed; log: $E2E_DIR/debian-upgrade.log"
  fi
  log "full-upgrade: $(grep -c '^Unpacking' "$E2E_DIR/debian-upgrade.log" || true) packages upgraded"
  cp -a "$root" "$root-slim"
  slimify_root "$root-slim"
  fixup_root "$root"
  fixup_root "$root-slim"
  tar_dir "$root" "$FULL_TAR"
  tar_dir "$root-slim" "$SLIM_TAR"
  rm -rf "$root" "$root-slim"
  log "debian $SUITE and $SUITE-slim rootfs built in $((SECONDS - t0)) s"
}

# shellcheck disable=SC2034 # used through a nameref in build_group
DEBIAN_CHANGES=("ENV PATH=$BASE_PATH" 'CMD ["bash"]')
if needs_build "${DEBIAN_TAGS[0]}" "$REV_DEBIAN" || needs_build "${DEBIAN_SLIM_TAGS[0]}" "$REV_DEBIAN"; then
  build_debian_tars
fi
build_group debian build_debian_tars "$FULL_TAR" "$REV_DEBIAN" DEBIAN_CHANGES "${DEBIAN_TAGS[@]}"
build_group debian-slim build_debian_tars "$SLIM_TAR" "$REV_DEBIAN" DEBIAN_CHANGES "${DEBIAN_SLIM_TAGS[@]}"

# The package repository behind the alpine stand-ins' emulated apk, made from
# Debian's packages (see images/debian/alpine/apk-repo.sh), in the mirror.
# shellcheck source=tests/e2e/images/debian/alpine/apk-repo.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/debian/alpine/apk-repo.sh"
make_apk_repo
log "done in $((SECONDS - T_START)) s"
