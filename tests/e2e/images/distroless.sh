#!/usr/bin/env bash
# Stand-ins for Google's distroless images (gcr.io/distroless/{static,base-nossl,base,cc}
# -debian12 and the unversioned aliases), assembled from Debian .deb files the way
# github:GoogleContainerTools/distroless builds them (static/static.bzl, base/base.bzl,
# cc/cc.bzl, common/BUILD.bazel, private/repos/deb/bookworm.yaml; rules_distroless for
# cacerts/os_release/dpkg_statusd). Packages are unpacked with `dpkg-deb -x` (no
# maintainer scripts run, as with the real build), each with its
# /var/lib/dpkg/status.d/<pkg> (+ .md5sums) entry for scanners.
#
#   static     base-files netbase tzdata media-types; /etc/ssl/certs/ca-certificates.crt
#              (the PEMs of ca-certificates' /usr/share/ca-certificates concatenated, as
#              rules_distroless' cacerts does; no per-certificate files, no
#              /usr/share/ca-certificates) + /usr/share/doc/ca-certificates/copyright;
#              /etc/passwd root(0) nobody(65534) nonroot(65532), all /sbin/nologin;
#              /etc/group root nobody tty staff nonroot; /root (700), /home,
#              /home/nonroot (700, 65532:65532); /tmp (1777); /etc/nsswitch.conf;
#              /usr/lib/os-release PRETTY_NAME="Distroless" (/etc/os-release is base-files'
#              symlink to it). No shell, no libc, no /etc/localtime (tzdata's postinst never
#              runs), no ld.so.cache (no libc-bin).
#   base-nossl static + libc6 (bookworm is not merged-/usr: /lib/x86_64-linux-gnu,
#              /lib64/ld-linux-x86-64.so.2)
#   base       static + libc6 + libssl3 (no `openssl` package, hence no
#              /usr/lib/ssl/openssl.cnf, exactly like the real base-debian12)
#   cc         base + libgomp1 libstdc++6 libgcc-s1 gcc-12-base
#
# Config as the real images: ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin,
# SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt, no ENTRYPOINT, no CMD;
# :latest USER 0 + WORKDIR /; :nonroot USER 65532 + WORKDIR /home/nonroot;
# :debug / :debug-nonroot add /busybox/busybox with its applets linked in /busybox,
# ENTRYPOINT ["/busybox/sh"], PATH=...:/busybox.
#
# Differences from the real images: one layer instead of one per package; package
# versions are today's bookworm (+ security) ones; the debug busybox is Debian's
# busybox-static 1.35 (glibc, static) instead of docker-library's musl 1.37, with
# Debian's applet list; the unversioned gcr.io/distroless/{static,base,cc} point at
# the debian12 content here, while the real ones moved to debian13 (trixie).
set -euo pipefail

# ---- which images and tags exist ------------------------------------------------
DISTROLESS_FLAVOURS=(static base-nossl base cc)
declare -A DISTROLESS_PACKAGES=(
  [static]="base-files netbase tzdata media-types"
  [base-nossl]="libc6"
  [base]="libc6 libssl3"
  [cc]="libc6 libssl3 libgomp1 libstdc++6 libgcc-s1 gcc-12-base"
)
# Every flavour gets -debian12:{latest,nonroot,debug,debug-nonroot}; these also get
# the unversioned name (gcr.io/distroless/static:latest, ...).
UNVERSIONED=(static base cc)
# Bump when the content changes (image label dfslim.e2e.rev + cached tar names).
REV_DISTROLESS=1
# ----------------------------------------------------------------------------------

E2E_NAME=distroless
# shellcheck source=tests/e2e/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/../lib.sh"

DEB_DIR=$CACHE/distroless-debs-$SUITE
NONROOT=65532
SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
ALL_DEBS="ca-certificates base-files netbase tzdata media-types libc6 libssl3 libgomp1 libstdc++6 libgcc-s1 gcc-12-base"

tar_of() { echo "$CACHE/distroless-$1-$SUITE-r$REV_DISTROLESS.tar"; }
if ((FORCE)); then
  for f in "${DISTROLESS_FLAVOURS[@]}"; do rm -f "$(tar_of "$f")" "$(tar_of "$f-debug")"; done
fi
for old in "$CACHE"/distroless-*-r*.tar; do
  [[ -e $old ]] || continue
  [[ $old == *-r$REV_DISTROLESS.tar ]] || rm -f "$old"
done

# .deb files, fetched once with apt-get download inside the debian stand-in (so the
# same mirror and suites as debian:bookworm, security updates included).
fetch_debs() {
  local p missing=()
  for p in $ALL_DEBS; do
    compgen -G "$DEB_DIR/${p}_*.deb" >/dev/null || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  local img=debian:$SUITE t0=$SECONDS
  docker image inspect "$img" >/dev/null 2>&1 || die "$img missing (images/debian.sh makes it)"
  mkdir -p "$DEB_DIR"
  if ! docker run --rm -v "$DEB_DIR:/out" -w /out "$img" sh -c \
    'apt-get update -qq && apt-get download -qq "$@" && chown -R '"$(id -u):$(id -g)"' /out' \
    sh "${missing[@]}" >"$E2E_DIR/distroless-debs.log" 2>&1; then
    tail -n 20 "$E2E_DIR/distroless-debs.log" >&2
    die "apt-get download failed; log: $E2E_DIR/distroless-debs.log"
  fi
  log "downloaded ${missing[*]} in $((SECONDS - t0)) s"
}

deb_of() {
  local f
  f=$(compgen -G "$DEB_DIR/${1}_*.deb" | sort -V | tail -n 1)
  [[ -n $f ]] || die "no .deb for $1 in $DEB_DIR"
  echo "$f"
}

# deb_into ROOT PKG: data + /var/lib/dpkg/status.d/PKG(.md5sums)
deb_into() {
  local root=$1 pkg=$2 deb ctl
  deb=$(deb_of "$pkg")
  dpkg-deb -x "$deb" "$root"
  statusd_into "$root" "$pkg" "$deb"
}
statusd_into() {
  local root=$1 pkg=$2 deb=$3 ctl
  ctl=$(mktemp -d "$WORK/ctl.XXXXXX")
  dpkg-deb -e "$deb" "$ctl"
  mkdir -p "$root/var/lib/dpkg/status.d"
  install -m 0644 "$ctl/control" "$root/var/lib/dpkg/status.d/$pkg"
  [[ -f $ctl/md5sums ]] && install -m 0644 "$ctl/md5sums" "$root/var/lib/dpkg/status.d/$pkg.md5sums"
  rm -rf "$ctl"
}

make_static_root() {
  local root=$1 p x
  mkdir -p "$root"
  chmod 0755 "$root"
  for p in ${DISTROLESS_PACKAGES[static]}; do deb_into "$root" "$p"; done
  # common:passwd / group / home / tmp
  mkdir -p "$root/etc" "$root/root" "$root/home/nonroot" "$root/tmp"
  printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' \
    'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin' \
    "nonroot:x:$NONROOT:$NONROOT:nonroot:/home/nonroot:/sbin/nologin" >"$root/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nobody:x:65534:' 'tty:x:5:' 'staff:x:50:' "nonroot:x:$NONROOT:" >"$root/etc/group"
  chmod 0644 "$root/etc/passwd" "$root/etc/group"
  chmod 0700 "$root/root" "$root/home/nonroot"
  chmod 0755 "$root/home"
  chown "$NONROOT:$NONROOT" "$root/home/nonroot"
  chmod 1777 "$root/tmp"
  # static/nsswitch.conf
  cat >"$root/etc/nsswitch.conf" <<'EOF'
# /etc/nsswitch.conf
#
# Example configuration of GNU Name Service Switch functionality.
# If you have the `glibc-doc-reference' and `info' packages installed, try:
# `info libc "Name Service Switch"' for information about this file.

passwd:         compat
group:          compat
shadow:         compat
gshadow:        files

hosts:          files dns
networks:       files

protocols:      db files
services:       db files
ethers:         db files
rpc:            db files

netgroup:       nis
EOF
  chmod 0644 "$root/etc/nsswitch.conf"
  # common:os_release_debian12 (rules_distroless os_release: /usr/lib/os-release, 0555)
  mkdir -p "$root/usr/lib"
  rm -f "$root/usr/lib/os-release"
  cat >"$root/usr/lib/os-release" <<'EOF'
PRETTY_NAME="Distroless"
NAME="Debian GNU/Linux"
ID="debian"
VERSION_ID="12"
VERSION="Debian GNU/Linux 12 (bookworm)"
HOME_URL="https://github.com/GoogleContainerTools/distroless"
SUPPORT_URL="https://github.com/GoogleContainerTools/distroless/blob/master/README.md"
BUG_REPORT_URL="https://github.com/GoogleContainerTools/distroless/issues/new"
EOF
  chmod 0555 "$root/usr/lib/os-release"
  [[ -e $root/etc/os-release || -L $root/etc/os-release ]] || ln -s ../usr/lib/os-release "$root/etc/os-release"
  # common:cacerts_debian12 (rules_distroless cacerts.sh: every file under
  # /usr/share/ca-certificates, recursively, in glob order)
  x=$(mktemp -d "$WORK/cacerts.XXXXXX")
  dpkg-deb -x "$(deb_of ca-certificates)" "$x"
  mkdir -p "$root/etc/ssl/certs" "$root/usr/share/doc/ca-certificates"
  : >"$root$SSL_CERT_FILE"
  add_cert() {
    local c
    for c in "$1"/*; do
      if [[ -d $c ]]; then add_cert "$c"; else cat "$c" >>"$root$SSL_CERT_FILE"; fi
    done
  }
  add_cert "$x/usr/share/ca-certificates"
  install -m 0555 "$x/usr/share/doc/ca-certificates/copyright" "$root/usr/share/doc/ca-certificates/copyright"
  chmod 0555 "$root$SSL_CERT_FILE"
  statusd_into "$root" ca-certificates "$(deb_of ca-certificates)"
  rm -rf "$x"
}

add_busybox() { # ROOT
  local root=$1 a
  mkdir -p "$root/busybox"
  install -m 0755 /bin/busybox "$root/busybox/busybox"
  for a in $(/bin/busybox --list); do
    [[ $a == busybox ]] || ln -sf /busybox/busybox "$root/busybox/$a"
  done
}

# tar with the owners as they are on disk (/home/nonroot is 65532:65532)
tar_root() {
  tar --numeric-owner --sort=name -C "$1" -cf "$2.part" .
  mv "$2.part" "$2"
}

build_distroless_tars() {
  local f todo=0
  for f in "${DISTROLESS_FLAVOURS[@]}"; do
    [[ -f $(tar_of "$f") && -f $(tar_of "$f-debug") ]] || todo=1
  done
  ((todo)) || return 0
  fetch_debs
  local t0=$SECONDS static=$WORK/dl-static root p
  make_static_root "$static"
  for f in "${DISTROLESS_FLAVOURS[@]}"; do
    root=$WORK/dl-$f-root
    cp -a "$static" "$root"
    if [[ $f != static ]]; then
      for p in ${DISTROLESS_PACKAGES[$f]}; do deb_into "$root" "$p"; done
    fi
    tar_root "$root" "$(tar_of "$f")"
    add_busybox "$root"
    tar_root "$root" "$(tar_of "$f-debug")"
    rm -rf "$root"
  done
  rm -rf "$static"
  log "distroless roots built in $((SECONDS - t0)) s"
}

COMMON=("ENV PATH=$BASE_PATH" "ENV SSL_CERT_FILE=$SSL_CERT_FILE")
ROOT_CHANGES=("${COMMON[@]}" 'USER 0' 'WORKDIR /')
NONROOT_CHANGES=("${COMMON[@]}" "USER $NONROOT" 'WORKDIR /home/nonroot')
DEBUG=("ENV PATH=$BASE_PATH:/busybox" 'ENTRYPOINT ["/busybox/sh"]')

import_variant() { # TAR TAG ALIAS-TAGS... -- CHANGES...
  local tar=$1 tag=$2 aliases=()
  shift 2
  while [[ $1 != -- ]]; do aliases+=("$1"); shift; done
  shift
  if needs_build "$tag" "$REV_DISTROLESS"; then
    build_distroless_tars
    import_tar "$tar" "$tag" "$REV_DISTROLESS" "$@"
  fi
  tag_aliases "$REV_DISTROLESS" "$tag" "${aliases[@]}"
}

for f in "${DISTROLESS_FLAVOURS[@]}"; do
  img=gcr.io/distroless/$f-debian12
  plain=()
  for u in "${UNVERSIONED[@]}"; do [[ $u == "$f" ]] && plain=("gcr.io/distroless/$f"); done
  al() { local t=$1 p; for p in "${plain[@]}"; do echo "$p:$t"; done; }
  mapfile -t a < <(al latest)
  import_variant "$(tar_of "$f")" "$img:latest" "${a[@]}" -- "${ROOT_CHANGES[@]}"
  mapfile -t a < <(al nonroot)
  import_variant "$(tar_of "$f")" "$img:nonroot" "${a[@]}" -- "${NONROOT_CHANGES[@]}"
  mapfile -t a < <(al debug)
  import_variant "$(tar_of "$f-debug")" "$img:debug" "${a[@]}" -- "${ROOT_CHANGES[@]}" "${DEBUG[@]}"
  mapfile -t a < <(al debug-nonroot)
  import_variant "$(tar_of "$f-debug")" "$img:debug-nonroot" "${a[@]}" -- "${NONROOT_CHANGES[@]}" "${DEBUG[@]}"
done
log "done in $((SECONDS - T_START)) s"
