#!/usr/bin/env bash
# Stops the stack started by scripts/stack-start.sh: SIGTERM to the supervisor (which stops its
# children in order), then waits until it is gone (SIGKILL after 30 s as a last resort).
set -uo pipefail
cd "$(dirname "$0")/.."
LOG_DIR="${ATTUNE__LOG__DIR:-logs}"; case "$LOG_DIR" in /*) ;; *) LOG_DIR="$(pwd)/${LOG_DIR#./}" ;; esac
PID_FILE="$LOG_DIR/supervisor.pid"
WAIT_SECONDS="${ATTUNE_STACK_STOP_TIMEOUT:-30}"

if [ ! -f "$PID_FILE" ]; then
  echo "no $PID_FILE: the stack is not running (or was not started by stack-start.sh)"
  exit 0
fi
PID="$(cat "$PID_FILE" 2>/dev/null || true)"
if [ -z "$PID" ] || ! kill -0 "$PID" 2>/dev/null; then
  echo "supervisor (pid ${PID:-?}) is not running"
  rm -f "$PID_FILE" "$LOG_DIR/stack.json"
  exit 0
fi

echo "stopping the stack (supervisor pid $PID)"
kill -TERM "$PID"
DEADLINE=$(( $(date +%s) + WAIT_SECONDS ))
while kill -0 "$PID" 2>/dev/null; do
  if [ "$(date +%s)" -ge "$DEADLINE" ]; then
    echo "supervisor did not stop within ${WAIT_SECONDS}s; killing it" >&2
    kill -KILL "$PID" 2>/dev/null || true
    sleep 0.5
    # The supervisor could not clean up: kill the services it had started (still ours by cmdline).
    if [ -f "$LOG_DIR/stack.json" ]; then
      for CPID in $(node -e 'try{const s=require(process.argv[1]);for(const v of Object.values(s.services||{}))if(v&&v.pid)console.log(v.pid)}catch{}' "$LOG_DIR/stack.json"); do
        if tr '\0' ' ' <"/proc/$CPID/cmdline" 2>/dev/null | grep -q 'stack/dist/'; then kill -KILL "$CPID" 2>/dev/null || true; fi
      done
    fi
    break
  fi
  sleep 0.2
done
rm -f "$PID_FILE" "$LOG_DIR/stack.json"
echo "stack stopped"
