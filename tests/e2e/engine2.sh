#!/usr/bin/env bash
# A SECOND Docker engine on this machine, for the tests that spread
# `dfslim verify` over several engines (tests/e2e_verify.rs).
#
#   tests/e2e/engine2.sh start           start it (idempotent); prints its DOCKER_HOST
#   tests/e2e/engine2.sh stop            stop it (by PID) and remove its bridge
#   tests/e2e/engine2.sh host            print its DOCKER_HOST (unix://...)
#   tests/e2e/engine2.sh status          exit 0 if it answers
#   tests/e2e/engine2.sh load IMAGE...   copy images from the first engine (docker save | load)
#
# It shares nothing with the first engine (tests/e2e/engine.sh): its own socket,
# --data-root, --exec-root and pidfile under $DFSLIM_E2E_DIR/engine2, and its
# own bridge. The bridge is made here (`ip link add ... type bridge`) and given
# to dockerd with --bridge, because dockerd only makes docker0 itself.
# --iptables=false: a second dockerd that managed iptables would rewrite the
# DOCKER chains the first one owns. Without it, published ports still work
# (docker-proxy, the userland proxy, forwards 127.0.0.1:PORT to the container)
# and containers reach the host's own addresses (the registry mirror on
# docker0's address, tests/e2e/mirror.sh), but not the internet (no NAT).
#
# The data root is kept between runs, so images loaded once stay; `load`
# skips an image the engine already has under the same id, and caches the
# `docker save` tar in $DFSLIM_E2E_DIR/cache (keyed by the images' ids).
#
# Env: DFSLIM_E2E_DIR (default <repo>/target/e2e),
#      DFSLIM_E2E2_BRIDGE (default dfslim-e2e2), DFSLIM_E2E2_CIDR (default 10.213.213.1/24),
#      DFSLIM_E2E_ENGINE_TIMEOUT (default 60).
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/../.." && pwd)
E2E_DIR=${DFSLIM_E2E_DIR:-$REPO_ROOT/target/e2e}
DIR=$E2E_DIR/engine2
SOCK=$DIR/docker.sock
PID_FILE=$DIR/dockerd.pid
LOG_FILE=$DIR/dockerd.log
BRIDGE=${DFSLIM_E2E2_BRIDGE:-dfslim-e2e2}
CIDR=${DFSLIM_E2E2_CIDR:-10.213.213.1/24}
TIMEOUT=${DFSLIM_E2E_ENGINE_TIMEOUT:-60}
HOST=unix://$SOCK

log() { printf 'engine2.sh: %s\n' "$*" >&2; }
die() { printf 'engine2.sh: ERROR: %s\n' "$*" >&2; exit 1; }

up() { docker -H "$HOST" version --format '{{.Server.Version}}' >/dev/null 2>&1; }

pid_alive() {
  local pid=${1:-}
  [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null &&
    [[ $(cat "/proc/$pid/comm" 2>/dev/null) == dockerd ]]
}

# The dockerd just started in the background ($!) is still there: until it
# has exec'd, its name is still bash's or setsid's (on a loaded machine that
# can outlast the first `docker version`).
launched_alive() {
  local pid=$1
  kill -0 "$pid" 2>/dev/null || return 1
  case $(cat "/proc/$pid/comm" 2>/dev/null) in
    dockerd | setsid | bash) [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) != Z ]] ;;
    *) return 1 ;;
  esac
}

bridge_up() {
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add name "$BRIDGE" type bridge || die "cannot make the bridge $BRIDGE"
  fi
  if ! ip -4 -o addr show dev "$BRIDGE" | grep -q " ${CIDR%/*}/"; then
    ip addr add "$CIDR" dev "$BRIDGE" || die "cannot give $BRIDGE the address $CIDR"
  fi
  ip link set "$BRIDGE" up
}

start() {
  if up; then
    echo "$HOST"
    return 0
  fi
  command -v dockerd >/dev/null || die "no dockerd (run tests/e2e/engine.sh first)"
  [[ $(id -u) == 0 ]] || die "a second engine needs root"
  mkdir -p "$DIR/data" "$DIR/exec"
  local pid=""
  [[ -f $PID_FILE ]] && pid=$(<"$PID_FILE")
  if ! pid_alive "$pid"; then
    rm -f "$PID_FILE" "$SOCK"
    bridge_up
    [[ -f $LOG_FILE ]] && mv -f "$LOG_FILE" "$LOG_FILE.old"
    log "starting a second dockerd (log: $LOG_FILE)"
    setsid dockerd \
      --host "$HOST" \
      --data-root "$DIR/data" \
      --exec-root "$DIR/exec" \
      --pidfile "$PID_FILE" \
      --bridge "$BRIDGE" \
      --iptables=false --ip-masq=false \
      --storage-driver overlay2 \
      >>"$LOG_FILE" 2>&1 </dev/null 9>&- &
    pid=$!
  fi
  local deadline=$((SECONDS + TIMEOUT))
  until up; do
    if ! launched_alive "$pid"; then
      tail -n 30 "$LOG_FILE" >&2 || true
      die "the second dockerd (pid $pid) exited during start-up; log: $LOG_FILE"
    fi
    if ((SECONDS >= deadline)); then
      tail -n 30 "$LOG_FILE" >&2 || true
      kill -TERM "$pid" 2>/dev/null || true
      die "the second engine did not answer within $TIMEOUT s"
    fi
    sleep 0.3
  done
  echo "$HOST"
}

stop() {
  local pid=""
  [[ -f $PID_FILE ]] && pid=$(<"$PID_FILE")
  if pid_alive "$pid"; then
    kill -TERM "$pid"
    local deadline=$((SECONDS + 30))
    while pid_alive "$pid"; do
      if ((SECONDS >= deadline)); then
        log "dockerd pid $pid still alive after 30 s; SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        sleep 1
        break
      fi
      sleep 0.2
    done
  fi
  rm -f "$PID_FILE"
  if ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link delete "$BRIDGE" type bridge 2>/dev/null || true
  fi
}

# load IMAGE...: the images (tags) of the first engine, into the second one.
load() {
  up || die "the second engine is not running (start it first)"
  local missing=() ids=() t id
  for t in "$@"; do
    id=$(docker image inspect -f '{{.Id}}' "$t" 2>/dev/null) || die "the first engine has no $t"
    ids+=("$t=$id")
    [[ $(docker -H "$HOST" image inspect -f '{{.Id}}' "$t" 2>/dev/null) == "$id" ]] || missing+=("$t")
  done
  ((${#missing[@]} == 0)) && return 0
  mkdir -p "$E2E_DIR/cache"
  local key tar
  key=$(printf '%s\n' "${ids[@]}" | sort | sha256sum | cut -c1-16)
  tar=$E2E_DIR/cache/engine2-images-$key.tar
  if [[ ! -s $tar ]]; then
    rm -f "$E2E_DIR"/cache/engine2-images-*.tar
    log "docker save ${*} -> $tar"
    docker save -o "$tar.part" "$@"
    mv "$tar.part" "$tar"
  fi
  log "loading ${missing[*]} into the second engine"
  docker -H "$HOST" load -q -i "$tar" >/dev/null
}

lock() {
  exec 9>"${DFSLIM_E2E_LOCK_DIR:-/tmp}/dfslim-e2e-engine2.lock"
  flock -w 300 9 || die "timed out waiting for another engine2.sh"
}

case ${1:-start} in
  start) lock && start ;;
  stop) lock && stop ;;
  host) echo "$HOST" ;;
  status) up ;;
  load) shift && lock && load "$@" ;;
  *) die "usage: $0 [start|stop|host|status|load IMAGE...]" ;;
esac
