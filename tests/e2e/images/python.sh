#!/usr/bin/env bash
# Stand-ins for the official Python images and distroless python3, plus the PyPI
# part of the e2e registry mirror. Run by tests/e2e/base-images.sh (after
# debian.sh and distroless.sh, whose images these build on); idempotent.
#
#   python:3.1x, python:3.1x-bookworm            images/python/Dockerfile (full311/full312)
#       debian:bookworm + buildpack-deps:bookworm's package lists (gcc, g++, make,
#       libpq-dev, libssl-dev, libffi-dev, libxml2-dev, imagemagick, git, ...)
#       + libbluetooth-dev tk-dev uuid-dev + CPython in /usr/local.
#   python:3.1x-slim, python:3.1x-slim-bookworm  (slim311/slim312)
#       debian:bookworm-slim + ca-certificates netbase tzdata + the libraries
#       CPython links (found with ldd, like the real slim Dockerfile) + CPython in
#       /usr/local. No gcc, no make, no headers of any library, no libpq.
#   gcr.io/distroless/python3-debian12(:latest, :nonroot)   images/python/distroless.Dockerfile
#       gcr.io/distroless/cc-debian12 + Debian's python3.11 (/usr/bin/python3.11,
#       python/python3 symlinks), ENTRYPOINT ["/usr/bin/python3.11"], no shell, no pip.
#
# The CPython in every python:* tag is 3.11.2 (python.org is out of reach; the
# source is Debian's pristine upstream tarball, python3.11_3.11.2.orig.tar.gz), so
# python:3.12 and python:3.10 hold 3.11 too: fine for testing rewrites, which
# must decide by the TAG's minor (distroless python3-debian12 is Debian's 3.11).
# pip/setuptools/wheel follow the tag (3.10/3.11: pip 24.0 + setuptools 79.0.1 +
# wheel 0.45.1; 3.12: pip 25.0.1, no setuptools, no wheel), see the Dockerfile.
#
# PyPI mirror: $MIRROR_DIR/pypi (files/ + simple/<name>/index.html, PEP 503),
# filled on the machine by images/python/pypi_mirror.py from the apps' lock files
# (apps/python-*/requirements*.txt, apps/python-*/uv.lock,
# apps/hygiene-pip/requirements.txt) and images/python/tools.txt; served by
# tests/e2e/mirror.sh. The images carry ENV PIP_INDEX_URL=<mirror>/pypi/simple/,
# PIP_TRUSTED_HOST=<bridge ip>, UV_DEFAULT_INDEX=<same>, UV_INSECURE_HOST=<ip>
# (set at image build time from `mirror.sh url`).
set -euo pipefail

# ---- tags (aliases of one image each) -----------------------------------------
PY_FULL_311_TAGS=(python:3.11 python:3.11-bookworm python:3.10 python:3.10-bookworm)
PY_FULL_312_TAGS=(python:3.12 python:3.12-bookworm)
PY_SLIM_311_TAGS=(python:3.11-slim python:3.11-slim-bookworm python:3.10-slim python:3.10-slim-bookworm)
PY_SLIM_312_TAGS=(python:3.12-slim python:3.12-slim-bookworm)
DISTROLESS_PY_TAGS=(gcr.io/distroless/python3-debian12:latest gcr.io/distroless/python3-debian12)
DISTROLESS_PY_NONROOT_TAGS=(gcr.io/distroless/python3-debian12:nonroot)
# Bump when the content changes (image label dfslim.e2e.rev + cached image tars).
REV_PYTHON=1
REV_DISTROLESS_PYTHON=1
# -------------------------------------------------------------------------------

E2E_NAME=python
# shellcheck source=tests/e2e/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/../lib.sh"
PY_DIR=$E2E_LIB_DIR/images/python
APPS=$E2E_LIB_DIR/apps
PYPI=$MIRROR_DIR/pypi
CPY_SRC=python3.11_3.11.2.orig.tar.gz
CPY_SHA256=2411c74bda5bbcfcddaf4531f66d1adc73f247f529aee981b029513aefdbf849

for img in debian:bookworm debian:bookworm-slim gcr.io/distroless/cc-debian12:latest gcr.io/distroless/cc-debian12:nonroot; do
  docker image inspect "$img" >/dev/null 2>&1 || die "$img missing (images/debian.sh, images/distroless.sh make it)"
done
command -v python3 >/dev/null || die "python3 missing on the machine"
python3 -m pip --version >/dev/null 2>&1 || die "pip missing on the machine (apt-get install python3-pip)"

# ---- the PyPI mirror --------------------------------------------------------------
fill_pypi() {
  local locks=() f t0=$SECONDS
  for f in "$PY_DIR/tools.txt" "$APPS"/python-*/requirements*.txt "$APPS"/python-*/uv.lock \
    "$APPS"/hygiene-pip/requirements*.txt; do
    [[ -f $f ]] && locks+=("$f")
  done
  python3 "$PY_DIR/pypi_mirror.py" "$PYPI" "${locks[@]}" || die "filling the PyPI mirror failed"
  log "PyPI mirror ready in $((SECONDS - t0)) s ($(du -sh "$PYPI" | cut -f1))"
}
fill_pypi
bash "$E2E_LIB_DIR/mirror.sh" start
MIRROR_URL=$(bash "$E2E_LIB_DIR/mirror.sh" url)
MIRROR_HOST=${MIRROR_URL#http://}
MIRROR_HOST=${MIRROR_HOST%%:*}

# ---- the CPython source: Debian's copy of the upstream tarball --------------------
fetch_cpython_src() {
  local out=$CACHE/python/$CPY_SRC
  mkdir -p "$CACHE/python"
  if [[ ! -f $out ]]; then
    curl -fsSL -o "$out.part" "$(debian_mirror)/pool/main/p/python3.11/$CPY_SRC" || die "downloading $CPY_SRC failed"
    mv "$out.part" "$out"
  fi
  echo "$CPY_SHA256  $out" | sha256sum -c --quiet - || {
    rm -f "$out"
    die "$CPY_SRC: checksum mismatch"
  }
}

# ---- python:* ------------------------------------------------------------------------
need_py=0
for t in "${PY_FULL_311_TAGS[0]}" "${PY_FULL_312_TAGS[0]}" "${PY_SLIM_311_TAGS[0]}" "${PY_SLIM_312_TAGS[0]}"; do
  needs_build "$t" "$REV_PYTHON" && need_py=1
done
if ((need_py)); then
  ctx=$WORK/python-ctx
  mkdir -p "$ctx/wheels"
  cp "$PY_DIR/Dockerfile" "$ctx/Dockerfile"
  fetch_cpython_src
  ln -f "$CACHE/python/$CPY_SRC" "$ctx/$CPY_SRC" 2>/dev/null || cp "$CACHE/python/$CPY_SRC" "$ctx/$CPY_SRC"
  cp "$PYPI"/files/pip-24.0-*.whl "$PYPI"/files/pip-25.0.1-*.whl "$PYPI"/files/setuptools-79.0.1-*.whl \
    "$PYPI"/files/wheel-0.45.1-*.whl "$ctx/wheels/"
  args=(--build-arg "MIRROR_URL=$MIRROR_URL" --build-arg "MIRROR_HOST=$MIRROR_HOST")
  # slim first: it needs only the CPython stage; the full ones add buildpack-deps' packages.
  for spec in slim311:PY_SLIM_311_TAGS slim312:PY_SLIM_312_TAGS full311:PY_FULL_311_TAGS full312:PY_FULL_312_TAGS; do
    target=${spec%%:*}
    declare -n tags=${spec#*:}
    if needs_build "${tags[0]}" "$REV_PYTHON"; then
      build_image "${tags[0]}" "$REV_PYTHON" "$ctx" --target "$target" "${args[@]}"
    else
      log "${tags[0]} present; skipping"
    fi
    tag_aliases "$REV_PYTHON" "${tags[@]}"
    unset -n tags
  done
else
  log "python:* present; skipping"
  tag_aliases "$REV_PYTHON" "${PY_FULL_311_TAGS[@]}"
  tag_aliases "$REV_PYTHON" "${PY_FULL_312_TAGS[@]}"
  tag_aliases "$REV_PYTHON" "${PY_SLIM_311_TAGS[@]}"
  tag_aliases "$REV_PYTHON" "${PY_SLIM_312_TAGS[@]}"
fi

# ---- gcr.io/distroless/python3-debian12 -------------------------------------------------
for spec in latest:DISTROLESS_PY_TAGS nonroot:DISTROLESS_PY_NONROOT_TAGS; do
  variant=${spec%%:*}
  declare -n tags=${spec#*:}
  if needs_build "${tags[0]}" "$REV_DISTROLESS_PYTHON"; then
    ctx=$WORK/distroless-python-ctx
    mkdir -p "$ctx"
    cp "$PY_DIR/distroless.Dockerfile" "$ctx/Dockerfile"
    build_image "${tags[0]}" "$REV_DISTROLESS_PYTHON" "$ctx" \
      --build-arg "BASE=gcr.io/distroless/cc-debian12:$variant"
  else
    log "${tags[0]} present; skipping"
  fi
  tag_aliases "$REV_DISTROLESS_PYTHON" "${tags[@]}"
  unset -n tags
done

log "done in $((SECONDS - T_START)) s"
docker image ls --format '{{.Repository}}:{{.Tag}}\t{{.Size}}' | grep -E '^(python|gcr.io/distroless/python3-debian12):' | sort >&2
