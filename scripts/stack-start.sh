#!/usr/bin/env bash
# Starts the reference stack in the background (supervisor with --quiet) and waits until
# logs/stack.json reports it ready. Builds first unless ATTUNE_SKIP_BUILD=1.
#   scripts/stack-start.sh [--workers N]   exit 0 = ready, 1 = failed (log tails printed)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
LOG_DIR="${ATTUNE__LOG__DIR:-logs}"; case "$LOG_DIR" in /*) ;; *) LOG_DIR="$ROOT/${LOG_DIR#./}" ;; esac
PID_FILE="$LOG_DIR/supervisor.pid"
STACK_JSON="$LOG_DIR/stack.json"
WAIT_SECONDS="${ATTUNE_STACK_START_TIMEOUT:-90}"
mkdir -p "$LOG_DIR"

stack_ready() {
  node -e '
    const fs = require("fs");
    try {
      const s = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
      const ok = s.ready === true && String(s.pid) === process.argv[2] &&
        Object.values(s.services || {}).every((v) => v && v.ready === true);
      process.exit(ok ? 0 : 1);
    } catch { process.exit(1); }' "$STACK_JSON" "$1"
}

print_tails() {
  for f in "$LOG_DIR"/supervisor.log "$LOG_DIR"/api.log "$LOG_DIR"/executor.log "$LOG_DIR"/worker.log "$LOG_DIR"/sensor.log "$LOG_DIR"/notifier.log; do
    [ -s "$f" ] || continue
    echo "----- tail of ${f#$ROOT/} -----" >&2
    tail -n 25 "$f" >&2
  done
}

if [ -f "$PID_FILE" ]; then
  OLD_PID="$(cat "$PID_FILE" 2>/dev/null || true)"
  if [ -n "$OLD_PID" ] && kill -0 "$OLD_PID" 2>/dev/null; then
    if stack_ready "$OLD_PID"; then
      echo "attune stack already running (supervisor pid $OLD_PID)"
      exit 0
    fi
    echo "a supervisor (pid $OLD_PID) is running but not ready; stop it first with scripts/stack-stop.sh" >&2
    exit 1
  fi
  rm -f "$PID_FILE"
fi

if [ "${ATTUNE_SKIP_BUILD:-0}" != "1" ]; then
  echo "building the stack ..."
  if ! npx tsc -p stack/tsconfig.json; then
    echo "stack build failed" >&2
    exit 1
  fi
fi

# Refuse to start beside a stack that this checkout does not own (e.g. one started from another clone).
API_PORT="$(node -e 'process.stdout.write(String(require("./stack/dist/common/config").config().server.port))' 2>/dev/null || true)"
if [ -n "$API_PORT" ] && (exec 3<>"/dev/tcp/127.0.0.1/$API_PORT") 2>/dev/null; then
  echo "port $API_PORT already answers: another stack is running (stop it with scripts/stack-stop.sh in the checkout that started it, or set ATTUNE__SERVER__PORT)" >&2
  exit 1
fi

# The container runtime's root filesystem (docs/runtimes.md "Container runner"), built locally from busybox-static; a
# no-op when it is up to date. Without it the worker does not offer the container runtime, and the scenarios that
# need one are skipped with that reason.
ROOTFS="$(node -e 'const c = require("./stack/dist/common/config").config(); process.stdout.write(String(c.worker?.container?.rootfs ?? ""))' 2>/dev/null || true)"
bash scripts/build-container-rootfs.sh ${ROOTFS:+"$ROOTFS"} \
  || echo "warning: the container rootfs could not be built; the worker will not offer the container runtime" >&2

rm -f "$STACK_JSON"
nohup node stack/dist/supervisor.js --quiet "$@" >"$LOG_DIR/supervisor.log" 2>&1 </dev/null &
PID=$!
echo "$PID" >"$PID_FILE"
echo "supervisor started (pid $PID); waiting up to ${WAIT_SECONDS}s for the stack"

DEADLINE=$(( $(date +%s) + WAIT_SECONDS ))
while :; do
  if stack_ready "$PID"; then
    grep -h 'attune stack ready' "$LOG_DIR/supervisor.log" 2>/dev/null | tail -n 1 || true
    exit 0
  fi
  if ! kill -0 "$PID" 2>/dev/null; then
    echo "the supervisor exited before the stack became ready" >&2
    rm -f "$PID_FILE"
    print_tails
    exit 1
  fi
  if [ "$(date +%s)" -ge "$DEADLINE" ]; then
    echo "the stack did not become ready within ${WAIT_SECONDS}s; stopping it" >&2
    print_tails
    kill -TERM "$PID" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$PID" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$PID" 2>/dev/null || true
    rm -f "$PID_FILE"
    exit 1
  fi
  sleep 0.5
done
