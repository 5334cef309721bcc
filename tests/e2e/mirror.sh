#!/usr/bin/env bash
# Serve the package-registry mirrors (target/e2e/mirror) to builds on the
# docker bridge, so e2e builds install real dependencies without the network.
#
#   tests/e2e/mirror.sh [start]   idempotent: no-op when it already answers
#   tests/e2e/mirror.sh stop
#   tests/e2e/mirror.sh url       print the base URL builds use (http://<docker0 ip>:PORT)
#
# Stand-in images point their package manager at it (npm, pip, ...), see
# tests/e2e/images/*.sh. The mirror's content is filled by those scripts.
# Env: DFSLIM_E2E_DIR (state dir), DFSLIM_E2E_MIRROR_PORT (default 8765).
set -euo pipefail
SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/../.." && pwd)
E2E_DIR=${DFSLIM_E2E_DIR:-$REPO_ROOT/target/e2e}
DIR=$E2E_DIR/mirror
PORT=${DFSLIM_E2E_MIRROR_PORT:-8765}
PID_FILE=$E2E_DIR/mirror.pid
LOG_FILE=$E2E_DIR/mirror.log

die() { printf 'mirror.sh: ERROR: %s\n' "$*" >&2; exit 1; }

bridge_ip() {
  local ip
  ip=$(ip -4 -o addr show docker0 2>/dev/null | awk '{print $4}' | cut -d/ -f1 | head -n1)
  [[ -n $ip ]] || die "no docker0 bridge (is the engine up? tests/e2e/engine.sh)"
  echo "$ip"
}

answers() { curl -fsS -o /dev/null --max-time 2 "http://$(bridge_ip):$PORT/"; }

start() {
  answers 2>/dev/null && return 0
  mkdir -p "$DIR"
  local ip
  ip=$(bridge_ip)
  setsid python3 "$SCRIPT_DIR/mirror.py" "$DIR" "$ip" "$PORT" >>"$LOG_FILE" 2>&1 </dev/null 9>&- &
  echo $! >"$PID_FILE"
  for _ in $(seq 1 50); do
    answers 2>/dev/null && return 0
    sleep 0.1
  done
  tail -n 20 "$LOG_FILE" >&2 || true
  die "the mirror did not answer on $ip:$PORT"
}

stop() {
  [[ -f $PID_FILE ]] || return 0
  kill "$(cat "$PID_FILE")" 2>/dev/null || true
  rm -f "$PID_FILE"
}

case ${1:-start} in
  start) start ;;
  stop) stop ;;
  url) echo "http://$(bridge_ip):$PORT" ;;
  *) die "usage: $0 [start|stop|url]" ;;
esac
