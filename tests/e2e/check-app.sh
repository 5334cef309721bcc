#!/usr/bin/env bash
# Build one of the e2e apps with a given Dockerfile, run it, and check it answers.
#
#   tests/e2e/check-app.sh APP [DOCKERFILE]   APP = a directory under tests/e2e/apps
#   tests/e2e/check-app.sh --all              every app with its own (naive) Dockerfile
#
# DOCKERFILE defaults to apps/APP/Dockerfile; the build context is always apps/APP.
# The expected answers come from apps/checks.tsv (port, path, body substring).
# The container's port is published on a free 127.0.0.1 port chosen by docker.
# Prints one line per check:
#   RESULT app=APP status=ok|build-failed|run-failed build_s=.. ready_s=.. size=BYTES image=TAG
# Exit: 0 ok, 2 build failed, 3 container did not answer as expected, 1 usage/infra.
#
# Env:
#   DFSLIM_E2E_DIR            logs go to $DFSLIM_E2E_DIR/logs (default <repo>/target/e2e)
#   DFSLIM_E2E_TAG            image tag to build (default dfslim-e2e/APP:check)
#   DFSLIM_E2E_KEEP=1         keep the image (default: removed after the check)
#   DFSLIM_E2E_CACHE_BUILD=1  allow the layer cache (default: docker build --no-cache)
#   DFSLIM_E2E_READY_TIMEOUT  seconds to wait for the answer (default 30)
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/../.." && pwd)
E2E_DIR=${DFSLIM_E2E_DIR:-$REPO_ROOT/target/e2e}
APPS=$SCRIPT_DIR/apps
LOGS=$E2E_DIR/logs
READY_TIMEOUT=${DFSLIM_E2E_READY_TIMEOUT:-30}

die() { printf 'check-app.sh: ERROR: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

check_one() {
  local app=$1 dockerfile=${2:-$SCRIPT_DIR/apps/$1/Dockerfile}
  local ctx=$APPS/$app
  [[ -d $ctx ]] || die "no app $app under $APPS"
  [[ -f $dockerfile ]] || die "no Dockerfile $dockerfile"
  dockerfile=$(cd -- "$(dirname -- "$dockerfile")" && pwd)/$(basename -- "$dockerfile")
  local tag=${DFSLIM_E2E_TAG:-dfslim-e2e/$app:check}
  mkdir -p "$LOGS"
  local log=$LOGS/$app.build.log cache=(--no-cache)
  [[ ${DFSLIM_E2E_CACHE_BUILD:-} == 1 ]] && cache=()

  local t0 t1 t2
  t0=$(now)
  if ! docker build --force-rm "${cache[@]}" -t "$tag" -f "$dockerfile" "$ctx" >"$log" 2>&1; then
    t1=$(now)
    tail -n 25 "$log" >&2
    echo "RESULT app=$app status=build-failed build_s=$(elapsed "$t0" "$t1") dockerfile=$dockerfile log=$log"
    return 2
  fi
  t1=$(now)
  local size
  size=$(docker image inspect -f '{{.Size}}' "$tag")

  local checks=() port="" line a p path want
  while IFS=$'\t' read -r a p path want; do
    [[ -z $a || $a == \#* || $a != "$app" ]] && continue
    port=$p
    checks+=("$path"$'\t'"$want")
  done <"$APPS/checks.tsv"
  ((${#checks[@]})) || die "no checks for $app in $APPS/checks.tsv"

  local cid hostport status=ok body="" code deadline bodyfile
  bodyfile=$(mktemp)
  cid=$(docker run -d -p "127.0.0.1::$port" "$tag")
  # A container that exits at once has no published port any more.
  hostport=$(docker port "$cid" "$port/tcp" 2>/dev/null | head -n 1) || true
  for line in "${checks[@]}"; do
    path=${line%%$'\t'*}
    want=${line#*$'\t'}
    deadline=$((SECONDS + READY_TIMEOUT))
    while :; do
      code=000
      if [[ -n $hostport ]]; then
        code=$(curl -sS --max-time 5 -o "$bodyfile" -w '%{http_code}' "http://$hostport$path" 2>/dev/null) || code=000
      fi
      if [[ $code != 000 ]]; then
        # The server answered: that answer is final, right or wrong.
        body=$(<"$bodyfile")
        [[ $code == 200 && $body == *"$want"* ]] || status=run-failed
        break
      fi
      if [[ $(docker inspect -f '{{.State.Running}}' "$cid") != true ]] || ((SECONDS >= deadline)); then
        status=run-failed
        break
      fi
      sleep 0.2
    done
    if [[ $status != ok ]]; then
      {
        echo "check-app.sh: $app: GET $path: want 200 with a body containing '$want', got $code '${body}'"
        docker inspect -f 'container running={{.State.Running}} exit={{.State.ExitCode}}' "$cid"
        docker logs --tail 20 "$cid" 2>&1 | sed 's/^/  container: /'
      } >&2
      break
    fi
  done
  t2=$(now)
  docker rm -f "$cid" >/dev/null
  rm -f "$bodyfile"
  [[ ${DFSLIM_E2E_KEEP:-} == 1 ]] || docker rmi "$tag" >/dev/null 2>&1 || true
  echo "RESULT app=$app status=$status build_s=$(elapsed "$t0" "$t1") ready_s=$(elapsed "$t1" "$t2") size=$size image=$tag dockerfile=$dockerfile"
  [[ $status == ok ]] || return 3
}

docker info >/dev/null 2>&1 || die "docker engine not answering; run tests/e2e/engine.sh first"
command -v curl >/dev/null || die "curl missing; run tests/e2e/engine.sh"

case ${1:-} in
  "" | -h | --help) sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 1 ;;
  --all)
    rc=0
    for d in "$APPS"/*/; do
      app=$(basename "$d")
      [[ -f $d/Dockerfile ]] || continue
      check_one "$app" || rc=$?
    done
    exit "$rc"
    ;;
  *) check_one "$1" "${2:-}" ;;
esac
