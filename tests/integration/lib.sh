# Helpers for integration tests. Source it; $CISTERN is the binary.
set -uo pipefail
CISTERN=${1:?usage: $0 path/to/cistern}
TMP=$(mktemp -d /tmp/cistern-it-XXXXXX)
PIDS=()
PASSED=0
FAILED=0
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null; done
  rm -rf "$TMP"
}
trap cleanup EXIT

pass() { echo "ok: $1"; PASSED=$((PASSED + 1)); }
fail() { echo "FAIL: $1"; FAILED=$((FAILED + 1)); }
check() {  # check "description" command...
  local what=$1; shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}

# A free TCP port on 127.0.0.1.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_for URL [seconds]: until the URL answers 200.
wait_for() {
  local url=$1 secs=${2:-20} i
  for ((i = 0; i < secs * 10; i++)); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# wait_exit PID SECONDS: waits for the child to exit; sets EXIT_CODE (or "timeout").
# Not for use in $(...): the process must be a child of this shell.
wait_exit() {
  local pid=$1 secs=$2 i
  for ((i = 0; i < secs * 10; i++)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      wait "$pid"; EXIT_CODE=$?; return 0
    fi
    sleep 0.1
  done
  EXIT_CODE=timeout
}

finish() {
  echo "$PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ]
}
