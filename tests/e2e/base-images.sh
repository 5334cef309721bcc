#!/usr/bin/env bash
# Build local stand-ins for the base images dfslim's Dockerfiles use, since no
# registry can be reached (`docker pull` fails). See /work/shared/docker-engine.md.
#
#   tests/e2e/base-images.sh          idempotent: builds only the images that are missing
#   tests/e2e/base-images.sh --force  rebuild (and re-tag) every stand-in image
#
# An image is left alone when it exists and is not one of ours (no dfslim.e2e.rev
# label, e.g. a real image loaded with `docker load`), or is ours with the current
# revision. Root filesystems are cached as tar files, so a later run re-imports
# them in seconds even after `docker rmi`. Needs tests/e2e/engine.sh first.
#
# Env:
#   DFSLIM_E2E_DIR      state dir (default <repo>/target/e2e)
#   DFSLIM_E2E_CACHE    rootfs tar cache (default $DFSLIM_E2E_DIR/cache)
#   DFSLIM_E2E_MIRROR   Debian mirror for debootstrap (default: first URI in apt sources)
#   DFSLIM_E2E_SUITE    Debian suite (default bookworm)
#   DFSLIM_E2E_LOCK_DIR where the machine-wide lock file lives (default /tmp)
set -euo pipefail

# ---- which tags exist (aliases of one stand-in each) -------------------------
# alpine runtime (busybox + CA bundle + a C library standing in for musl)
ALPINE_TAGS=(alpine:latest alpine:3.22 alpine:3.21 alpine:3.20 alpine:3.19 alpine:3.18 alpine:3)
# golang:*-alpine builders (Debian's Go 1.19 whatever the tag says; no gcc)
GOLANG_ALPINE_TAGS=(
  golang:alpine
  golang:1.16-alpine golang:1.17-alpine golang:1.18-alpine golang:1.19-alpine
  golang:1.20-alpine golang:1.21-alpine golang:1.22-alpine golang:1.23-alpine
  golang:1.16-alpine3.13 golang:1.22-alpine3.20
)
# golang:<v> Debian-based builders (Go 1.19, gcc, git, tzdata, CA certificates)
GOLANG_DEBIAN_TAGS=(
  golang:1.16 golang:1.17 golang:1.18 golang:1.19 golang:1.20
  golang:1.21 golang:1.22 golang:1.23 golang:latest
)
# Bump one when the content of that stand-in changes: its cached tar and image are
# rebuilt (the value is stored in the image label dfslim.e2e.rev and the tar name).
REV_ALPINE=6
REV_GOLANG_ALPINE=6
REV_GOLANG_DEBIAN=4
# ------------------------------------------------------------------------------

E2E_NAME=base-images
[[ ${1:-} == --force ]] && export DFSLIM_E2E_FORCE=1
# shellcheck source=tests/e2e/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
SCRIPT_DIR=$E2E_LIB_DIR
GO_ENV=(GOPATH=/go GOTOOLCHAIN=local GOPROXY=off GOSUMDB=off)

for f in /bin/busybox "$HOST_CA" "$HOST_LIBC" "$HOST_LD" /usr/share/zoneinfo/Europe/Berlin; do
  [[ -e $f ]] || die "missing $f on the host; run tests/e2e/engine.sh (it installs the packages)"
done
command -v go >/dev/null || die "no go on the host; run tests/e2e/engine.sh"

# ---- alpine-like root: busybox, /etc basics, CA bundle, glibc as "musl" ------
# Real alpine has musl at /lib/ld-musl-x86_64.so.1 and no /lib64. The stand-in puts
# the host's glibc loader under that musl name (and libc.so.6 in /lib), so binaries
# linked by the golang-alpine stand-in (whose linker is patched to use that
# interpreter, see patch_interp) run, while glibc binaries from a Debian builder
# fail with "no such file or directory", exactly as on real alpine.
MUSL_LD=/lib/ld-musl-x86_64.so.1
GLIBC_LD=/lib64/ld-linux-x86-64.so.2
make_busybox_root() {
  local root=$1 applet
  mkdir -p "$root"/{bin,sbin,lib,usr/bin,usr/sbin,usr/local/bin,etc/ssl/certs,root,home,var/tmp,tmp,proc,sys,dev}
  chmod 1777 "$root/tmp" "$root/var/tmp"
  chmod 700 "$root/root"
  cp /bin/busybox "$root/bin/busybox"
  while read -r applet; do
    [[ $applet == bin/busybox || -e $root/$applet ]] && continue
    ln -s /bin/busybox "$root/$applet"
  done < <(/bin/busybox --list-full)
  add_alpine_accounts "$root"
  printf 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.20.0\nPRETTY_NAME="dfslim e2e stand-in for Alpine (busybox + glibc as musl)"\n' >"$root/etc/os-release"
  cp "$HOST_CA" "$root/etc/ssl/certs/ca-certificates.crt"
  ln -s certs/ca-certificates.crt "$root/etc/ssl/cert.pem"
  cp -L "$HOST_LIBC" "$root/lib/libc.so.6"
  cp -L "$HOST_LD" "$root$MUSL_LD"
  add_apk_emulation "$root"
}

# /etc/passwd and /etc/group as alpine-baselayout-data 3.6 has them (so `adduser -S`
# picks uid 100 and `addgroup -S` gid 101, as on Alpine: gid 100 is "users"), and
# /etc/shells.
add_alpine_accounts() {
  local root=$1
  cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
bin:x:1:1:bin:/bin:/sbin/nologin
daemon:x:2:2:daemon:/sbin:/sbin/nologin
lp:x:4:7:lp:/var/spool/lpd:/sbin/nologin
sync:x:5:0:sync:/sbin:/bin/sync
shutdown:x:6:0:shutdown:/sbin:/sbin/shutdown
halt:x:7:0:halt:/sbin:/sbin/halt
mail:x:8:12:mail:/var/mail:/sbin/nologin
news:x:9:13:news:/usr/lib/news:/sbin/nologin
uucp:x:10:14:uucp:/var/spool/uucppublic:/sbin/nologin
cron:x:16:16:cron:/var/spool/cron:/sbin/nologin
ftp:x:21:21::/var/lib/ftp:/sbin/nologin
sshd:x:22:22:sshd:/dev/null:/sbin/nologin
games:x:35:35:games:/usr/games:/sbin/nologin
ntp:x:123:123:NTP:/var/empty:/sbin/nologin
guest:x:405:100:guest:/dev/null:/sbin/nologin
nobody:x:65534:65534:nobody:/:/sbin/nologin
EOF
  cat >"$root/etc/group" <<'EOF'
root:x:0:root
bin:x:1:root,bin,daemon
daemon:x:2:root,bin,daemon
sys:x:3:root,bin
adm:x:4:root,daemon
tty:x:5:
disk:x:6:root
lp:x:7:lp
kmem:x:9:
wheel:x:10:root
floppy:x:11:root
mail:x:12:mail
news:x:13:news
uucp:x:14:uucp
cron:x:16:cron
audio:x:18:
cdrom:x:19:
dialout:x:20:root
ftp:x:21:
sshd:x:22:
input:x:23:
tape:x:26:root
video:x:27:root
netdev:x:28:
kvm:x:34:kvm
games:x:35:
shadow:x:42:
www-data:x:82:
users:x:100:games
ntp:x:123:
abuild:x:300:
utmp:x:406:
ping:x:999:
nogroup:x:65533:
nobody:x:65534:
EOF
  printf '# valid login shells\n/bin/sh\n/bin/ash\n' >"$root/etc/shells"
}

# Emulated apk and user applets (real Alpine has apk-tools, and busybox's
# adduser/addgroup/deluser/delgroup applets, which Debian's busybox-static lacks).
# `apk` is a busybox-sh script (tests/e2e/images/debian/alpine/apk says what it does
# and what it can install) that installs from a repository tests/e2e/images/debian.sh
# makes from Debian packages, served by tests/e2e/mirror.sh: only the scripts and a
# small apk database are baked into the image (~25 KB). /etc/apk/repositories names
# the mirror (main, community), /lib/apk/db/installed lists Alpine 3.20's base
# packages (never removed), /etc/apk/world the base world, /var/cache/apk is there
# and empty, as on Alpine.
APK_EMU_DIR=$SCRIPT_DIR/images/debian/alpine
add_apk_emulation() {
  local root=$1 mirror t p n v i
  mirror=$(bash "$SCRIPT_DIR/mirror.sh" url) || die "cannot tell the mirror URL (tests/e2e/mirror.sh url)"
  mkdir -p "$root/etc/apk/keys" "$root/lib/apk/db" "$root/var/cache/apk" "$root/usr/sbin"
  install -m 0755 "$APK_EMU_DIR/apk" "$root/sbin/apk"
  install -m 0755 "$APK_EMU_DIR/usertools" "$root/usr/sbin/.dfslim-usertools"
  for t in adduser addgroup deluser delgroup; do
    rm -f "$root/usr/sbin/$t" "$root/bin/$t" "$root/sbin/$t"
    ln -s .dfslim-usertools "$root/usr/sbin/$t"
  done
  printf '%s/alpine/v3.20/main\n%s/alpine/v3.20/community\n' "$mirror" "$mirror" >"$root/etc/apk/repositories"
  echo x86_64 >"$root/etc/apk/arch"
  printf '%s\n' alpine-baselayout alpine-keys apk-tools busybox ca-certificates-bundle >"$root/etc/apk/world"
  for p in alpine-baselayout:3.6.5-r0:8000 alpine-baselayout-data:3.6.5-r0:20000 alpine-keys:2.4-r1:14000 \
    apk-tools:2.14.4-r1:300000 busybox:1.36.1-r29:950000 busybox-binsh:1.36.1-r29:1 \
    ca-certificates-bundle:20240705-r0:230000 libcrypto3:3.3.2-r0:4500000 libssl3:3.3.2-r0:800000 \
    musl:1.2.5-r0:650000 musl-utils:1.2.5-r0:120000 scanelf:1.3.7-r2:80000 ssl_client:1.36.1-r29:14000 \
    zlib:1.3.1-r1:100000; do
    IFS=: read -r n v i <<<"$p"
    printf 'P:%s\nV:%s\nA:x86_64\nI:%s\nx:base\n\n' "$n" "$v" "$i"
  done >"$root/lib/apk/db/installed"
}

# patch_interp FILE: rewrite the glibc loader path to the musl one, in place and
# at the same length, padded with slashes ("/lib////ld-musl-x86_64.so.1", 27 bytes
# like "/lib64/ld-linux-x86-64.so.2"): the PT_INTERP of Debian's dynamically linked
# `go`, the default interpreter inside cmd/link, and the quoted cgo_dynamic_linker
# directive in the precompiled runtime/cgo.a, which is what a program linked with
# cgo on (any net/http server, by default) gets as its interpreter.
patch_interp() {
  GLIBC_LD=$GLIBC_LD MUSL_LD=$MUSL_LD perl -0777 -pi -e '
    my ($from, $to) = ($ENV{GLIBC_LD}, $ENV{MUSL_LD});
    $to =~ s{^/lib/}{"/lib/" . ("/" x (length($from) - length($to)))}e;
    die "patch_interp: length mismatch\n" unless length($to) == length($from);
    my $n = s/\Q$from\E/$to/g;
    die "patch_interp: expected 1 occurrence of $from, found $n\n" unless $n == 1;
  ' "$1"
}

# zoneinfo.zip as the official Go distribution ships it in $GOROOT/lib/time
# (Debian's golang-go drops it); made from the host's tzdata, stored entries only.
make_zoneinfo_zip() {
  local out=$1 d
  d=$(mktemp -d "$WORK/mkzip.XXXXXX")
  cat >"$d/main.go" <<'EOF'
package main

import (
	"archive/zip"
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	src, out := os.Args[1], os.Args[2]
	var names []string
	filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			if rel == "posix" || rel == "right" {
				return filepath.SkipDir
			}
			return nil
		}
		b, err := os.ReadFile(p)
		if err == nil && bytes.HasPrefix(b, []byte("TZif")) && !strings.HasPrefix(rel, "posixrules") {
			names = append(names, rel)
		}
		return nil
	})
	sort.Strings(names)
	f, err := os.Create(out)
	if err != nil {
		panic(err)
	}
	w := zip.NewWriter(f)
	for _, n := range names {
		b, _ := os.ReadFile(filepath.Join(src, n))
		h := &zip.FileHeader{Name: n, Method: zip.Store}
		zw, err := w.CreateHeader(h)
		if err != nil {
			panic(err)
		}
		zw.Write(b)
	}
	if err := w.Close(); err != nil {
		panic(err)
	}
	f.Close()
}
EOF
  (cd "$d" && GO111MODULE=off GOFLAGS='' go run main.go /usr/share/zoneinfo "$out")
}

build_alpine_tar() {
  local tar=$1 root=$WORK/alpine
  [[ -f $tar ]] && return 0
  local t0=$SECONDS
  make_busybox_root "$root"
  tar_dir "$root" "$tar"
  log "alpine rootfs built in $((SECONDS - t0)) s"
}

build_golang_alpine_tar() {
  local tar=$1 root=$WORK/golang-alpine
  [[ -f $tar ]] && return 0
  local t0=$SECONDS goroot
  goroot=$(go env GOROOT)
  make_busybox_root "$root"
  mkdir -p "$root/usr/local/go" "$root/go/src" "$root/go/bin"
  chmod -R 1777 "$root/go"
  # -h: Debian's GOROOT is mostly symlinks into /usr/share/go-1.x
  tar -C "$goroot" -ch --exclude=./test . | tar -C "$root/usr/local/go" -x
  patch_interp "$root/usr/local/go/bin/go"
  patch_interp "$root/usr/local/go/pkg/tool/linux_amd64/link"
  patch_interp "$root/usr/local/go/pkg/linux_amd64/runtime/cgo.a"
  mkdir -p "$root/usr/local/go/lib/time"
  make_zoneinfo_zip "$root/usr/local/go/lib/time/zoneinfo.zip"
  tar_dir "$root" "$tar"
  log "golang-alpine rootfs built in $((SECONDS - t0)) s"
}

build_golang_debian_tar() {
  local tar=$1 root=$WORK/golang-debian
  [[ -f $tar ]] && return 0
  command -v debootstrap >/dev/null || die "debootstrap missing; run tests/e2e/engine.sh"
  local t0=$SECONDS mirror
  mirror=$(debian_mirror)
  log "debootstrap $SUITE from $mirror (minbase + golang-go gcc libc6-dev git tzdata ca-certificates)"
  mkdir -p "$CACHE/debs"
  if ! debootstrap --variant=minbase --cache-dir="$CACHE/debs" \
    --include=golang-go,gcc,libc6-dev,ca-certificates,git,tzdata \
    "$SUITE" "$root" "$mirror" >"$E2E_DIR/debootstrap.log" 2>&1; then
    tail -n 20 "$E2E_DIR/debootstrap.log" >&2
    die "debootstrap failed; log: $E2E_DIR/debootstrap.log"
  fi
  [[ -x $root/usr/bin/go ]] || die "debootstrap finished but $root/usr/bin/go is missing"
  local gover
  gover=$(basename "$(readlink -f "$root/usr/lib/go")")
  ln -s "/usr/lib/$gover" "$root/usr/local/go"
  mkdir -p "$root/usr/lib/$gover/lib/time" "$root/go/src" "$root/go/bin"
  chmod -R 1777 "$root/go"
  make_zoneinfo_zip "$root/usr/lib/$gover/lib/time/zoneinfo.zip"
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/var/log/*.log
  tar_dir "$root" "$tar"
  log "golang-debian rootfs built in $((SECONDS - t0)) s"
}

go_env_changes() { # PATH element for go
  local e out=("ENV PATH=/go/bin:$1:$BASE_PATH")
  for e in "${GO_ENV[@]}"; do out+=("ENV $e"); done
  out+=("WORKDIR /go")
  printf '%s\n' "${out[@]}"
}

# shellcheck disable=SC2034 # used through a nameref in build_group
ALPINE_CHANGES=("ENV PATH=$BASE_PATH" 'CMD ["/bin/sh"]')
mapfile -t GOLANG_ALPINE_CHANGES < <(go_env_changes /usr/local/go/bin)
GOLANG_ALPINE_CHANGES+=('CMD ["/bin/sh"]')
mapfile -t GOLANG_DEBIAN_CHANGES < <(go_env_changes /usr/local/go/bin)
GOLANG_DEBIAN_CHANGES+=('CMD ["bash"]')

ALPINE_TAR=$CACHE/alpine-r$REV_ALPINE.tar
GOLANG_ALPINE_TAR=$CACHE/golang-alpine-r$REV_GOLANG_ALPINE.tar
DEB_TAR=$CACHE/golang-debian-$SUITE-r$REV_GOLANG_DEBIAN.tar
((FORCE)) && rm -f "$ALPINE_TAR" "$GOLANG_ALPINE_TAR" "$DEB_TAR"
# drop tars of older revisions
for old in "$CACHE"/alpine-r*.tar "$CACHE"/golang-alpine-r*.tar "$CACHE"/golang-debian-*-r*.tar; do
  case $old in "$ALPINE_TAR" | "$GOLANG_ALPINE_TAR" | "$DEB_TAR") ;; *) rm -f "$old" ;; esac
done

# The Debian rootfs is the slow one (network + dpkg): start it first, in parallel.
DEB_PID=""
if needs_build "${GOLANG_DEBIAN_TAGS[0]}" "$REV_GOLANG_DEBIAN" && [[ ! -f $DEB_TAR ]]; then
  build_golang_debian_tar "$DEB_TAR" &
  DEB_PID=$!
fi

build_group alpine build_alpine_tar "$ALPINE_TAR" "$REV_ALPINE" ALPINE_CHANGES "${ALPINE_TAGS[@]}"
build_group golang-alpine build_golang_alpine_tar "$GOLANG_ALPINE_TAR" "$REV_GOLANG_ALPINE" \
  GOLANG_ALPINE_CHANGES "${GOLANG_ALPINE_TAGS[@]}"
if [[ -n $DEB_PID ]]; then
  wait "$DEB_PID" || die "building the golang Debian rootfs failed"
fi
build_group golang-debian build_golang_debian_tar "$DEB_TAR" "$REV_GOLANG_DEBIAN" \
  GOLANG_DEBIAN_CHANGES "${GOLANG_DEBIAN_TAGS[@]}"

log "done in $((SECONDS - T_START)) s"
docker image ls --format '{{.Repository}}:{{.Tag}}\t{{.Size}}' | grep -E '^(alpine|golang):' | sort >&2

# The other ecosystems' stand-ins, one script each (they share lib.sh and the lock).
for script in "$SCRIPT_DIR"/images/*.sh; do
  [[ -e $script ]] || continue
  log "running images/$(basename "$script")"
  bash "$script" || die "images/$(basename "$script") failed"
done
log "all stand-ins ready in $((SECONDS - T_START)) s"
