# shellcheck shell=bash
# Sourced by tests/e2e/images/debian.sh (after lib.sh, once debian:$SUITE exists):
# make_apk_repo fills the package repository the emulated `apk` of the alpine
# stand-ins installs from (tests/e2e/images/debian/alpine/apk), under
# $MIRROR_DIR/alpine/v3.20/{main,community}/x86_64/, served by tests/e2e/mirror.sh.
#
# Packages are made from Debian bookworm's .debs (fetched once with apt-get download
# inside debian:$SUITE, cached in $CACHE/apk-debs-$SUITE), laid out where Alpine puts
# them; Debian's dynamically linked binaries get their ELF interpreter rewritten to the
# stand-in's "musl" loader (/lib////ld-musl-x86_64.so.1, same length, as base-images.sh
# does for Go), so they run on the stand-in as Alpine's own would:
#   main/ca-certificates  Debian's /usr/share/ca-certificates/mozilla/*.crt,
#                         /etc/ca-certificates.conf, an update-ca-certificates script run
#                         after install, and this machine's own extra CAs in
#                         /usr/local/share/ca-certificates (the stand-in's bundle is the
#                         machine's, so the regenerated one must still trust them)
#   main/tzdata           Debian's /usr/share/zoneinfo
#   main/bash             Debian's /bin/bash + /usr/lib/libtinfo.so.6, /etc/bash/bashrc;
#                         adds /bin/bash to /etc/shells
#   main/libc6-compat     /lib64/ld-linux-x86-64.so.2 -> the loader (on Alpine it points
#                         glibc programs at musl; here the loader is glibc's, so a glibc
#                         program then always runs, where on Alpine most simple ones do)
#   community/tini        /sbin/tini; community/tini-static /sbin/tini-static
#   community/dumb-init   /usr/bin/dumb-init
# Not made: curl (Debian has no static curl, and its libcurl pulls ~15 MB of libraries);
# the emulated apk refuses it with that reason, like any package not listed here.
#
# Each APKINDEX.tar.gz holds DESCRIPTION, APKINDEX and a deterministic incompressible
# padding member so that it weighs about what Alpine's do (main ~1.0 MB, community
# ~1.5 MB; Alpine 3.5's were 0.73 MB and 0.29 MB in 2017 and both have grown since):
# `apk update` or `apk add` without --no-cache leaves them in /var/cache/apk, which is
# the size effect a hygiene rewrite removes.

REV_APK_REPO=2
APK_REPO=$MIRROR_DIR/alpine/v3.20
APK_DEBS="ca-certificates tzdata bash libtinfo6 tini dumb-init"
APK_SRC_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)

apk_version() { # Debian version -> Alpine-looking version
  local v=${1#*:}
  v=${v%%[-+~]*}
  echo "$v-r0"
}

# same rewrite as base-images.sh's patch_interp (kept in sync by hand)
apk_patch_interp() {
  GLIBC_LD=/lib64/ld-linux-x86-64.so.2 MUSL_LD=/lib/ld-musl-x86_64.so.1 perl -0777 -pi -e '
    my ($from, $to) = ($ENV{GLIBC_LD}, $ENV{MUSL_LD});
    $to =~ s{^/lib/}{"/lib/" . ("/" x (length($from) - length($to)))}e;
    my $n = s/\Q$from\E/$to/g;
    die "apk_patch_interp: expected 1 occurrence of $from, found $n\n" unless $n == 1;
  ' "$1"
}

apk_fetch_debs() {
  local dir=$1 p missing=()
  for p in $APK_DEBS; do compgen -G "$dir/${p}_*.deb" >/dev/null || missing+=("$p"); done
  ((${#missing[@]})) || return 0
  mkdir -p "$dir"
  if ! docker run --rm -v "$dir:/out" -w /out "debian:$SUITE" sh -c \
    'apt-get update -qq && apt-get download -qq "$@" && chown -R '"$(id -u):$(id -g)"' /out' \
    sh "${missing[@]}" >"$E2E_DIR/apk-debs.log" 2>&1; then
    tail -n 20 "$E2E_DIR/apk-debs.log" >&2
    die "apt-get download for the apk repository failed; log: $E2E_DIR/apk-debs.log"
  fi
}

# apk_pack STAGE REPO NAME VERSION DESC URL LICENSE DEPS: STAGE -> NAME-VERSION.apk
# (a gzipped tar of the files, without a ./ entry so extracting it into / leaves
# / alone) and its APKINDEX entry appended to REPO/APKINDEX.txt
apk_pack() {
  local stage=$1 repo=$2 name=$3 ver=$4 desc=$5 url=$6 lic=$7 deps=$8
  local out=$repo/x86_64/$name-$ver.apk isize sum
  mkdir -p "$repo/x86_64"
  (cd "$stage" && find . -mindepth 1 -maxdepth 1 -printf '%P\n' | sort) >"$WORK/apk-top"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$stage" -cf - -T "$WORK/apk-top" |
    gzip -n -9 >"$out"
  isize=$(find "$stage" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
  sum=$(python3 -c 'import base64, hashlib, sys; print(base64.b64encode(hashlib.sha1(open(sys.argv[1], "rb").read()).digest()).decode())' "$out")
  {
    echo "C:Q1$sum"
    echo "P:$name"
    echo "V:$ver"
    echo "A:x86_64"
    echo "S:$(stat -c %s "$out")"
    echo "I:$isize"
    echo "T:$desc"
    echo "U:$url"
    echo "L:$lic"
    echo "o:$name"
    [[ -n $deps ]] && echo "D:$deps"
    echo
  } >>"$repo/APKINDEX.txt"
}

apk_post_install() { # STAGE NAME VERSION SCRIPT
  mkdir -p "$1/lib/apk/exec"
  printf '#!/bin/sh\n%s\n' "$4" >"$1/lib/apk/exec/$2-$3.post-install"
  chmod 0755 "$1/lib/apk/exec/$2-$3.post-install"
}

apk_index() { # REPO TARGET-BYTES
  local repo=$1 target=$2 d=$WORK/apkindex size pad
  rm -rf "$d"
  mkdir -p "$d"
  cp "$repo/APKINDEX.txt" "$d/APKINDEX"
  echo "v3.20.0-dfslim-e2e (packages made from Debian $SUITE)" >"$d/DESCRIPTION"
  : >"$d/.dfslim-padding"
  tar --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$d" -cf - DESCRIPTION APKINDEX .dfslim-padding | gzip -n -9 >"$WORK/idx.tgz"
  size=$(stat -c %s "$WORK/idx.tgz")
  pad=$((target - size - 600))
  ((pad > 0)) || pad=0
  python3 -c 'import random, sys; random.seed(20240705); sys.stdout.buffer.write(random.randbytes(int(sys.argv[1])))' "$pad" \
    >"$d/.dfslim-padding"
  tar --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$d" -cf - DESCRIPTION APKINDEX .dfslim-padding |
    gzip -n -9 >"$repo/x86_64/APKINDEX.tar.gz"
  rm -f "$repo/APKINDEX.txt"
}

make_apk_repo() {
  local stamp=$APK_REPO/.dfslim-rev
  if [[ $FORCE == 0 && -f $stamp && $(<"$stamp") == "$REV_APK_REPO" ]]; then
    return 0
  fi
  local t0=$SECONDS debs=$CACHE/apk-debs-$SUITE s v x
  apk_fetch_debs "$debs"
  rm -rf "$APK_REPO"
  mkdir -p "$APK_REPO/main/x86_64" "$APK_REPO/community/x86_64"
  deb() { compgen -G "$debs/${1}_*.deb" | sort -V | tail -n 1; }
  debver() { apk_version "$(dpkg-deb -f "$(deb "$1")" Version)"; }
  x=$WORK/apk-x
  rm -rf "$x"

  # ca-certificates
  s=$WORK/apk-ca
  v=$(debver ca-certificates)
  mkdir -p "$x" "$s/usr/share/ca-certificates" "$s/usr/local/share/ca-certificates" \
    "$s/usr/sbin" "$s/etc/ca-certificates/update.d" "$s/etc/ssl/certs"
  dpkg-deb -x "$(deb ca-certificates)" "$x"
  cp -a "$x/usr/share/ca-certificates/mozilla" "$s/usr/share/ca-certificates/"
  (cd "$s/usr/share/ca-certificates" && find mozilla -name '*.crt' | sort) >"$s/etc/ca-certificates.conf"
  if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$s/usr/local/share/ca-certificates/"
  fi
  install -m 0755 "$APK_SRC_DIR/update-ca-certificates" "$s/usr/sbin/update-ca-certificates"
  apk_post_install "$s" ca-certificates "$v" 'exec /usr/sbin/update-ca-certificates'
  apk_pack "$s" "$APK_REPO/main" ca-certificates "$v" "Common CA certificates PEM files from Mozilla" \
    https://www.mozilla.org/en-US/about/governance/policies/security-group/certs/ 'MPL-2.0 AND MIT' ''
  rm -rf "$s" "$x"

  # tzdata
  s=$WORK/apk-tz
  v=$(debver tzdata)
  mkdir -p "$x" "$s/usr/share"
  dpkg-deb -x "$(deb tzdata)" "$x"
  cp -a "$x/usr/share/zoneinfo" "$s/usr/share/"
  apk_pack "$s" "$APK_REPO/main" tzdata "$v" "Timezone data" https://www.iana.org/time-zones Public-Domain ''
  rm -rf "$s" "$x"

  # bash (+ the libtinfo it links)
  s=$WORK/apk-bash
  v=$(debver bash)
  mkdir -p "$x" "$s/bin" "$s/usr/lib" "$s/etc/bash"
  dpkg-deb -x "$(deb bash)" "$x"
  dpkg-deb -x "$(deb libtinfo6)" "$x"
  install -m 0755 "$x/bin/bash" "$s/bin/bash"
  apk_patch_interp "$s/bin/bash"
  cp -L "$x/lib/x86_64-linux-gnu/libtinfo.so.6" "$s/usr/lib/libtinfo.so.6"
  printf '# /etc/bash/bashrc (dfslim e2e stand-in)\nif [ -f /etc/profile ]; then . /etc/profile; fi\nPS1='"'"'\\h:\\w\\$ '"'"'\n' >"$s/etc/bash/bashrc"
  apk_post_install "$s" bash "$v" 'grep -qx /bin/bash /etc/shells 2>/dev/null || echo /bin/bash >>/etc/shells'
  apk_pack "$s" "$APK_REPO/main" bash "$v" "The GNU Bourne Again shell" https://www.gnu.org/software/bash/bash.html GPL-3.0-or-later ''
  rm -rf "$s" "$x"

  # libc6-compat
  s=$WORK/apk-compat
  mkdir -p "$s/lib64"
  ln -s /lib/ld-musl-x86_64.so.1 "$s/lib64/ld-linux-x86-64.so.2"
  apk_pack "$s" "$APK_REPO/main" libc6-compat 1.2.5-r0 "compatibility libraries for glibc" https://musl.libc.org/ MIT ''
  rm -rf "$s"

  # tini, tini-static, dumb-init (community)
  mkdir -p "$x"
  dpkg-deb -x "$(deb tini)" "$x"
  dpkg-deb -x "$(deb dumb-init)" "$x"
  s=$WORK/apk-tini
  v=$(debver tini)
  mkdir -p "$s/sbin"
  install -m 0755 "$x/usr/bin/tini" "$s/sbin/tini"
  apk_patch_interp "$s/sbin/tini"
  apk_pack "$s" "$APK_REPO/community" tini "$v" "A tiny but valid init for containers" https://github.com/krallin/tini MIT ''
  rm -rf "$s"
  s=$WORK/apk-tini-static
  mkdir -p "$s/sbin"
  install -m 0755 "$x/usr/bin/tini-static" "$s/sbin/tini-static"
  apk_pack "$s" "$APK_REPO/community" tini-static "$v" "A tiny but valid init for containers (static)" https://github.com/krallin/tini MIT ''
  rm -rf "$s"
  s=$WORK/apk-dumb-init
  v=$(debver dumb-init)
  mkdir -p "$s/usr/bin"
  install -m 0755 "$x/usr/bin/dumb-init" "$s/usr/bin/dumb-init"
  apk_patch_interp "$s/usr/bin/dumb-init"
  apk_pack "$s" "$APK_REPO/community" dumb-init "$v" "minimal init system for Linux containers" https://github.com/Yelp/dumb-init MIT ''
  rm -rf "$s" "$x"

  apk_index "$APK_REPO/main" 1000000
  apk_index "$APK_REPO/community" 1500000
  echo "$REV_APK_REPO" >"$stamp"
  log "apk repository made in $((SECONDS - t0)) s: $(find "$APK_REPO" -name '*.apk' | wc -l) packages, indexes $(du -b "$APK_REPO"/*/x86_64/APKINDEX.tar.gz | awk '{ printf "%s ", $1 }')bytes"
}
