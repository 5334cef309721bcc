#!/usr/bin/env bash
# Stand-ins for the Node.js images, made the way the real ones are made, plus the
# npm part of the registry mirror the e2e builds install from.
#
#   buildpack-deps:bookworm(-curl,-scm)  docker-library/buildpack-deps debian/bookworm/*,
#       verbatim (images/node/buildpack-deps/*/Dockerfile): debian:bookworm + curl, wget,
#       gnupg, ca-certificates; + git, mercurial, openssh-client, subversion, procps;
#       + gcc, g++, make, autoconf, libc6-dev, python3 (through mercurial and
#       libglib2.0-dev-bin), the usual -dev libraries, imagemagick ... (the real full image).
#   node:20, node:20-bookworm (and 18, 22)   nodejs/docker-node 20/bookworm/Dockerfile:
#       FROM buildpack-deps:bookworm, group/user `node` (1000:1000, /home/node, bash),
#       ENV NODE_VERSION, the official tarball's layout under /usr/local (bin/node,
#       bin/npm -> ../lib/node_modules/npm/bin/npm-cli.js, bin/npx, bin/corepack,
#       bin/nodejs -> node, include/node, lib/node_modules/{npm,corepack}, share/...),
#       ENV YARN_VERSION=1.22.22 with yarn classic in /opt/yarn-v1.22.22 and
#       /usr/local/bin/{yarn,yarnpkg}, docker-entrypoint.sh (verbatim) as ENTRYPOINT,
#       CMD ["node"], no WORKDIR (/), user root.
#   node:20-slim, node:20-bookworm-slim (and 18, 22)   20/bookworm-slim/Dockerfile:
#       FROM debian:bookworm-slim, the same user, node, npm, corepack, yarn and entrypoint;
#       include/node/openssl/archs trimmed to linux-x86_64 as the real one does; and,
#       as in the real one (its build tools are purged with `apt-get purge --auto-remove`),
#       NO ca-certificates, curl, wget, git, python3, make, gcc/g++.
#   gcr.io/distroless/nodejs20-debian12 (:latest, :nonroot, :debug, :debug-nonroot; and
#       nodejs18/nodejs22 aliases)   GoogleContainerTools/distroless nodejs/nodejs.bzl
#       (debian12 era): gcr.io/distroless/cc-debian12(:<variant>) + /nodejs/bin/node and
#       /nodejs/LICENSE only (no npm, no npx, no corepack, no shell outside :debug),
#       ENTRYPOINT ["/nodejs/bin/node"], no CMD; nonroot = USER 65532, WORKDIR /home/nonroot
#       (inherited from cc). PATH does not contain /nodejs/bin.
#
# What differs from the real images (say it wherever a rewrite could care):
#   - The Node.js inside every tag (18, 20, 22) is the machine's own Node.js build
#     (/usr/bin/node, nodesource 20.20.2 on these machines: the official binary, glibc,
#     dynamically linked to libstdc++), with npm 10.8.2 (what Node 20.20.2 bundles, from
#     the npm registry) and the machine's corepack (0.34.x); NODE_VERSION says the real
#     version inside, whatever the tag. Node 18/22 tags are aliases of the 20 images.
#   - Only bookworm-based tags: no -bullseye/-trixie, no -alpine (no musl Node.js can be
#     had offline).
#   - The e2e network: the images carry three ENV lines the real ones do not, pointing
#     the tools at the machine's mirror (tests/e2e/mirror.sh) instead of the Internet:
#       NPM_CONFIG_REGISTRY=<mirror>/npm/     npm, npx and pnpm use it
#       YARN_REGISTRY=<mirror>/npm/           yarn classic (it ignores NPM_CONFIG_REGISTRY);
#                                             but yarn classic fetches the full URLs written
#                                             in yarn.lock (registry.yarnpkg.com) as they
#                                             are, so an app with a yarn.lock cannot install
#                                             from the mirror (measured: TLS error)
#       COREPACK_NPM_REGISTRY=<mirror>/npm    corepack downloads pnpm from there
#       COREPACK_INTEGRITY_KEYS=0             the registry this machine reaches serves
#                                             no dist.signatures, so corepack's check
#                                             of them is off (integrity still checked)
#       NODEJS_ORG_MIRROR=<mirror>/nodejs/dist  node-gyp downloads the headers from there
#     The distroless images carry none (they have no package manager).
#
# The npm mirror (target/e2e/mirror/npm, served as <mirror>/npm/): filled ON THE MACHINE
# by images/node/npm-mirror.py from the apps' lock files (tests/e2e/apps/node-*/
# package-lock.json, pnpm-lock.yaml, yarn.lock) and the package managers the images use,
# from the real registry, once; packuments are rendered again on every run for the
# current mirror URL. The node headers tarball for node-gyp is made from the machine's
# /usr/include/node (target/e2e/mirror/nodejs/dist/v<version>/).
set -euo pipefail

# ---- which tags exist --------------------------------------------------------
BUILDPACK_TAGS=(buildpack-deps:bookworm-curl buildpack-deps:bookworm-scm buildpack-deps:bookworm)
NODE_TAGS=(node:20 node:20-bookworm node:18 node:18-bookworm node:22 node:22-bookworm)
NODE_SLIM_TAGS=(node:20-slim node:20-bookworm-slim node:18-slim node:18-bookworm-slim
  node:22-slim node:22-bookworm-slim)
DISTROLESS_NODE_MAJORS=(20 18 22) # the first one is built, the others are aliases
DISTROLESS_VARIANTS=(latest nonroot debug debug-nonroot)
# The package managers the images (npm) and the apps (pnpm through corepack) use.
NPM_VERSION=10.8.2 # what Node.js 20.20.2 bundles
YARN_VERSION=1.22.22
PNPM_VERSIONS=(9.15.9)
# Bump one when the content of that stand-in changes.
REV_BUILDPACK=1
REV_NODE=2
REV_NODE_SLIM=2
REV_DISTROLESS_NODE=1
# ------------------------------------------------------------------------------

E2E_NAME=node
[[ ${1:-} == --force ]] && export DFSLIM_E2E_FORCE=1
# shellcheck source=tests/e2e/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/../lib.sh"
IMG_DIR=$E2E_LIB_DIR/images/node
APPS_DIR=$E2E_LIB_DIR/apps

for t in debian:bookworm debian:bookworm-slim gcr.io/distroless/cc-debian12:latest; do
  docker image inspect "$t" >/dev/null 2>&1 || die "$t missing: images/debian.sh and images/distroless.sh run first"
done
HOST_NODE=${DFSLIM_E2E_NODE:-/usr/bin/node}
[[ -x $HOST_NODE ]] || die "no Node.js at $HOST_NODE on the machine (set DFSLIM_E2E_NODE)"
NODE_VERSION=$("$HOST_NODE" --version)
NODE_VERSION=${NODE_VERSION#v}
HOST_NODE_PREFIX=$(cd -- "$(dirname -- "$(readlink -f "$HOST_NODE")")/.." && pwd)
HOST_INCLUDE=$HOST_NODE_PREFIX/include/node
HOST_COREPACK=$HOST_NODE_PREFIX/lib/node_modules/corepack
[[ -f $HOST_INCLUDE/node.h ]] || die "no Node.js headers at $HOST_INCLUDE"
[[ -f $HOST_COREPACK/package.json ]] || die "no corepack at $HOST_COREPACK"

# ---- the mirror ----------------------------------------------------------------
bash "$E2E_LIB_DIR/mirror.sh" start
MIRROR_URL=$(bash "$E2E_LIB_DIR/mirror.sh" url)
NPM_MIRROR=$MIRROR_DIR/npm
t0=$SECONDS
lock_args=()
shopt -s nullglob
for f in "$APPS_DIR"/node-*/{package-lock.json,pnpm-lock.yaml,yarn.lock}; do lock_args+=(--lock "$f"); done
shopt -u nullglob
spec_args=(--spec "npm@$NPM_VERSION" --spec "yarn@$YARN_VERSION")
for v in "${PNPM_VERSIONS[@]}"; do spec_args+=(--spec "pnpm@$v"); done
python3 "$IMG_DIR/npm-mirror.py" "$NPM_MIRROR" "$MIRROR_URL/npm" "${lock_args[@]}" "${spec_args[@]}"
log "npm mirror ready in $((SECONDS - t0)) s ($(du -sh "$NPM_MIRROR" | cut -f1))"

# node-gyp's headers (what https://nodejs.org/dist/v<version>/ serves), from the machine's
headers_dir=$MIRROR_DIR/nodejs/dist/v$NODE_VERSION
headers_tgz=node-v$NODE_VERSION-headers.tar.gz
if [[ ! -f $headers_dir/SHASUMS256.txt ]]; then
  mkdir -p "$WORK/headers/node-v$NODE_VERSION/include" "$headers_dir"
  cp -a "$HOST_INCLUDE" "$WORK/headers/node-v$NODE_VERSION/include/node"
  tar --numeric-owner --owner=0 --group=0 -C "$WORK/headers" -czf "$headers_dir/$headers_tgz" "node-v$NODE_VERSION"
  (cd "$headers_dir" && sha256sum "$headers_tgz" >SHASUMS256.txt)
  log "node headers $headers_tgz made from $HOST_INCLUDE"
fi

# The mirror URL is baked into the images' ENV: a new URL means new images.
url_tag=$(printf '%s' "$MIRROR_URL" | md5sum | cut -c1-8)

# ---- buildpack-deps:bookworm ---------------------------------------------------
if needs_build buildpack-deps:bookworm "$REV_BUILDPACK"; then
  build_image buildpack-deps:bookworm-curl "$REV_BUILDPACK" "$IMG_DIR/buildpack-deps/curl"
  build_image buildpack-deps:bookworm-scm "$REV_BUILDPACK" "$IMG_DIR/buildpack-deps/scm"
  build_image buildpack-deps:bookworm "$REV_BUILDPACK" "$IMG_DIR/buildpack-deps/full"
else
  log "buildpack-deps:bookworm present; skipping"
fi

# ---- node payload: the official tarball's layout, from the machine's Node.js ----
# make_node_root DIR slim|full: DIR becomes what the real image has under /usr/local.
make_node_root() {
  local root=$1 kind=$2 npm_tgz=$NPM_MIRROR/npm/-/npm-$NPM_VERSION.tgz
  [[ -f $npm_tgz ]] || die "npm $NPM_VERSION missing from the mirror ($npm_tgz)"
  mkdir -p "$root"/{bin,include,lib/node_modules/npm,share/doc/node,share/man/man1}
  cp "$HOST_NODE" "$root/bin/node"
  cp -a "$HOST_INCLUDE" "$root/include/node"
  if [[ $kind == slim ]]; then
    find "$root/include/node/openssl/archs" -mindepth 1 -maxdepth 1 ! -name linux-x86_64 -exec rm -rf {} +
  fi
  tar -xzf "$npm_tgz" -C "$root/lib/node_modules/npm" --strip-components=1 --no-same-owner
  cp -a "$HOST_COREPACK" "$root/lib/node_modules/corepack"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/bin/npx"
  ln -s ../lib/node_modules/corepack/dist/corepack.js "$root/bin/corepack"
  local doc=/usr/share/doc/nodejs f
  for f in CHANGELOG.md LICENSE README.md; do [[ -f $doc/$f ]] && cp "$doc/$f" "$root/$f"; done
  [[ -f /usr/share/man/man1/node.1.gz ]] && gunzip -c /usr/share/man/man1/node.1.gz >"$root/share/man/man1/node.1"
  for f in gdbinit lldb_commands.py; do
    [[ -f /usr/share/doc/node/$f.gz ]] && gunzip -c "/usr/share/doc/node/$f.gz" >"$root/share/doc/node/$f"
  done
  chmod -R u+rwX,go+rX,go-w "$root"
}

make_node_context() { # DIR slim|full
  local ctx=$1 kind=$2
  mkdir -p "$ctx/yarn"
  make_node_root "$ctx/node" "$kind"
  tar -xzf "$NPM_MIRROR/yarn/-/yarn-$YARN_VERSION.tgz" -C "$ctx/yarn" --strip-components=1 --no-same-owner
  rm -f "$ctx/yarn/preinstall.js" # npm-package only; the yarnpkg.com tarball has none
  cp "$IMG_DIR/docker-entrypoint.sh" "$ctx/"
  cp "$IMG_DIR/node.Dockerfile" "$ctx/Dockerfile"
}

node_build_args() { # BASE
  printf '%s\n' --build-arg "BASE=$1" --build-arg "NODE_VERSION=$NODE_VERSION" \
    --build-arg "YARN_VERSION=$YARN_VERSION" --build-arg "MIRROR=$MIRROR_URL"
}

rev_node=$REV_NODE-$NODE_VERSION-$url_tag
if needs_build "${NODE_TAGS[0]}" "$rev_node"; then
  make_node_context "$WORK/node-full" full
  mapfile -t args < <(node_build_args buildpack-deps:bookworm)
  build_image "${NODE_TAGS[0]}" "$rev_node" "$WORK/node-full" "${args[@]}"
  rm -rf "$WORK/node-full"
else
  log "${NODE_TAGS[0]} present; skipping"
fi
tag_aliases "$rev_node" "${NODE_TAGS[@]}"

rev_slim=$REV_NODE_SLIM-$NODE_VERSION-$url_tag
if needs_build "${NODE_SLIM_TAGS[0]}" "$rev_slim"; then
  make_node_context "$WORK/node-slim" slim
  mapfile -t args < <(node_build_args debian:bookworm-slim)
  build_image "${NODE_SLIM_TAGS[0]}" "$rev_slim" "$WORK/node-slim" "${args[@]}"
  rm -rf "$WORK/node-slim"
else
  log "${NODE_SLIM_TAGS[0]} present; skipping"
fi
tag_aliases "$rev_slim" "${NODE_SLIM_TAGS[@]}"

# ---- gcr.io/distroless/nodejs<major>-debian12 ---------------------------------------
rev_dl=$REV_DISTROLESS_NODE-$NODE_VERSION
ctx=$WORK/distroless-node
for variant in "${DISTROLESS_VARIANTS[@]}"; do
  primary=gcr.io/distroless/nodejs${DISTROLESS_NODE_MAJORS[0]}-debian12:$variant
  base=gcr.io/distroless/cc-debian12:$variant
  docker image inspect "$base" >/dev/null 2>&1 || die "$base missing (images/distroless.sh)"
  if needs_build "$primary" "$rev_dl"; then
    if [[ ! -d $ctx ]]; then
      mkdir -p "$ctx"
      cp "$HOST_NODE" "$ctx/node"
      cp /usr/share/doc/nodejs/LICENSE "$ctx/LICENSE" 2>/dev/null || cp "$HOST_INCLUDE/../../share/doc/nodejs/LICENSE" "$ctx/LICENSE"
      cp "$IMG_DIR/distroless-nodejs.Dockerfile" "$ctx/Dockerfile"
    fi
    build_image "$primary" "$rev_dl" "$ctx" --build-arg "BASE=$base"
  else
    log "$primary present; skipping"
  fi
  aliases=()
  for major in "${DISTROLESS_NODE_MAJORS[@]}"; do
    aliases+=("gcr.io/distroless/nodejs$major-debian12:$variant")
  done
  tag_aliases "$rev_dl" "$primary" "${aliases[@]}"
done
rm -rf "$ctx"

log "done in $((SECONDS - T_START)) s"
docker image ls --format '{{.Repository}}:{{.Tag}}\t{{.Size}}' |
  grep -E '^(node|buildpack-deps|gcr.io/distroless/nodejs[0-9]+-debian12):' | sort >&2
