#!/usr/bin/env bash
# Start (or stop) a local Docker engine for dfslim's end-to-end tests.
#
#   tests/e2e/engine.sh [start]   idempotent: no-op if `docker info` already works
#   tests/e2e/engine.sh stop      stop the dockerd that this script started (by PID)
#   tests/e2e/engine.sh status    exit 0 if the engine answers, 1 otherwise
#
# Env:
#   DFSLIM_E2E_DIR             state dir (default: <repo>/target/e2e); holds dockerd.log, dockerd.pid
#   DFSLIM_E2E_ENGINE_TIMEOUT  seconds to wait for `docker info` (default 60)
#   DFSLIM_E2E_NO_INSTALL=1    never run apt-get; fail if something is missing
#   DFSLIM_E2E_LOCK_DIR        where the machine-wide lock file lives (default /tmp)
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/../.." && pwd)
E2E_DIR=${DFSLIM_E2E_DIR:-$REPO_ROOT/target/e2e}
LOG_FILE=$E2E_DIR/dockerd.log
PID_FILE=$E2E_DIR/dockerd.pid
TIMEOUT=${DFSLIM_E2E_ENGINE_TIMEOUT:-60}

# Debian packages the e2e suite needs, with a file that proves each is there.
PACKAGES=(
  "docker.io:/usr/sbin/dockerd"
  "busybox-static:/bin/busybox"
  "golang-go:/usr/bin/go"
  "iptables:/usr/sbin/iptables"
  "debootstrap:/usr/sbin/debootstrap"
  "ca-certificates:/etc/ssl/certs/ca-certificates.crt"
  "tzdata:/usr/share/zoneinfo/Europe/Berlin"
  "curl:/usr/bin/curl"
)

log() { printf 'engine.sh: %s\n' "$*" >&2; }
die() { printf 'engine.sh: ERROR: %s\n' "$*" >&2; exit 1; }

engine_up() { docker info >/dev/null 2>&1; }

# pid_alive PID: a live (not zombie) dockerd with that PID
pid_alive() {
  local pid=${1:-} stat
  [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  [[ $(cat "/proc/$pid/comm" 2>/dev/null) == dockerd ]] || return 1
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat%% *} != Z ]]
}

ensure_packages() {
  local missing=() entry pkg file
  for entry in "${PACKAGES[@]}"; do
    pkg=${entry%%:*}
    file=${entry#*:}
    [[ -e $file ]] || missing+=("$pkg")
  done
  ((${#missing[@]} == 0)) && return 0
  [[ ${DFSLIM_E2E_NO_INSTALL:-} == 1 ]] && die "missing packages: ${missing[*]} (DFSLIM_E2E_NO_INSTALL=1)"
  [[ $(id -u) == 0 ]] || die "missing packages: ${missing[*]}; run as root or install them by hand"
  command -v apt-get >/dev/null || die "missing packages: ${missing[*]} and no apt-get"
  log "installing: ${missing[*]}"
  local t0=$SECONDS
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || die "apt-get update failed"
  # policy-rc.d keeps the package scripts from starting a daemon we don't own.
  local policy=/usr/sbin/policy-rc.d created_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created_policy=1
  fi
  local rc=0
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || rc=$?
  ((created_policy)) && rm -f "$policy"
  ((rc == 0)) || die "apt-get install ${missing[*]} failed (rc=$rc)"
  log "packages installed in $((SECONDS - t0)) s"
}

wait_ready() {
  local pid=${1:-} deadline=$((SECONDS + TIMEOUT))
  until engine_up; do
    if [[ -n $pid ]] && ! pid_alive "$pid"; then
      [[ -n ${2:-} ]] && rm -f "$PID_FILE"
      tail -n 30 "$LOG_FILE" >&2 2>/dev/null || true
      die "dockerd (pid $pid) exited during startup; log: $LOG_FILE"
    fi
    if ((SECONDS >= deadline)); then
      tail -n 30 "$LOG_FILE" >&2 2>/dev/null || true
      if [[ -n ${2:-} ]] && pid_alive "$pid"; then # we started it: don't leave it half-up
        kill -TERM "$pid" 2>/dev/null || true
        rm -f "$PID_FILE"
      fi
      die "docker engine not ready after ${TIMEOUT} s; log: $LOG_FILE"
    fi
    sleep 0.5
  done
}

start() {
  if engine_up; then
    log "engine already answering; nothing to do"
    return 0
  fi
  ensure_packages
  mkdir -p "$E2E_DIR"

  # Our own dockerd still starting up?
  local pid=""
  [[ -f $PID_FILE ]] && pid=$(<"$PID_FILE")
  if pid_alive "$pid"; then
    log "dockerd pid $pid (ours) is running; waiting for it"
    wait_ready "$pid"
    return 0
  fi
  rm -f "$PID_FILE"
  # Someone else's dockerd holding the default pid file?
  if [[ -f /var/run/docker.pid ]] && pid_alive "$(cat /var/run/docker.pid)"; then
    log "a dockerd not started by this script is running (pid $(cat /var/run/docker.pid)); waiting for it"
    wait_ready "$(cat /var/run/docker.pid)"
    return 0
  fi

  [[ -f $LOG_FILE ]] && mv -f "$LOG_FILE" "$LOG_FILE.old"
  log "starting dockerd (log: $LOG_FILE)"
  local t0=$SECONDS
  # setsid: own session, so the engine outlives the caller's process group.
  setsid dockerd --storage-driver overlay2 >>"$LOG_FILE" 2>&1 </dev/null 9>&- &
  pid=$!
  echo "$pid" >"$PID_FILE"
  wait_ready "$pid" started
  log "engine ready (pid $pid) in $((SECONDS - t0)) s"
}

stop() {
  if [[ ! -f $PID_FILE ]]; then
    log "no $PID_FILE: no engine started by this script; nothing to stop"
    return 0
  fi
  local pid
  pid=$(<"$PID_FILE")
  if ! pid_alive "$pid"; then
    log "dockerd pid $pid is not running"
    rm -f "$PID_FILE"
    return 0
  fi
  log "stopping dockerd pid $pid"
  kill -TERM "$pid"
  local deadline=$((SECONDS + 30))
  while pid_alive "$pid"; do
    if ((SECONDS >= deadline)); then
      log "dockerd pid $pid still alive after 30 s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 1
      break
    fi
    sleep 0.5
  done
  rm -f "$PID_FILE"
  log "stopped"
}

# One engine per machine: serialize concurrent callers (parallel tests, CI).
lock() {
  exec 9>"${DFSLIM_E2E_LOCK_DIR:-/tmp}/dfslim-e2e-engine.lock"
  flock -w 180 9 || die "timed out waiting for another engine.sh"
}

case ${1:-start} in
  start) lock && start ;;
  stop) lock && stop ;;
  status) engine_up ;;
  *) die "usage: $0 [start|stop|status]" ;;
esac
