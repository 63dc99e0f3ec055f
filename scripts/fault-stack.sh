#!/usr/bin/env bash
# A second, isolated reference stack with named faults switched on (stack/common/faults.ts), for
# proving that scenarios fail when the behaviour they guard is broken. It never touches the main
# stack: its own ports (28080 api, 28081 notifier, 28099 control), database attune_faults, RabbitMQ
# vhost attune_faults, logs in logs/faults/ and pack folders under .attune/faults/.
#   scripts/fault-stack.sh start <fault>[,<fault>…]   (waits for a running fault stack to be stopped)
#   scripts/fault-stack.sh start none                 the same isolated stack with no fault (the control run)
#   scripts/fault-stack.sh stop
#   scripts/fault-stack.sh env        prints the suite's target variables for this stack
set -euo pipefail
cd "$(dirname "$0")/.."
LOCK_DIR="/tmp/attune-fault-stack.lock"
DB=attune_faults
VHOST=attune_faults

export ATTUNE__SERVER__PORT=28080
export ATTUNE__NOTIFIER__PORT=28081
export ATTUNE_SUPERVISOR_PORT=28099
export ATTUNE__DATABASE__URL="postgresql://postgres@127.0.0.1:5432/$DB"
export ATTUNE__MESSAGE_QUEUE__URL="amqp://guest:guest@127.0.0.1:5672/$VHOST"
export ATTUNE__LOG__DIR=./logs/faults
export ATTUNE__PACKS_BASE_DIR=./.attune/faults/packs
export ATTUNE__RUNTIME_ENVS_DIR=./.attune/faults/runtime_envs
export ATTUNE__ARTIFACTS_DIR=./.attune/faults/artifacts

suite_env() {
  cat <<ENV
ATTUNE_API_URL=http://127.0.0.1:28080
ATTUNE_WS_URL=ws://127.0.0.1:28081/ws
ATTUNE_DB_URL=postgresql://postgres@127.0.0.1:5432/$DB
ATTUNE_AMQP_URL=amqp://guest:guest@127.0.0.1:5672/$VHOST
ATTUNE_SERVICE_CONTROL=supervisor:http://127.0.0.1:28099
ATTUNE_INFRA_CONTROL=command:ATTUNE_INFRA_DRILL=scoped ATTUNE_INFRA_VHOST=$VHOST ATTUNE_INFRA_DB=$DB bash scripts/infra-control.sh {action}
ATTUNE_E2E_LOG_DIR=logs/faults
ENV
}

case "${1:-}" in
  start)
    faults="${2:?usage: fault-stack.sh start <fault>[,<fault>…]}"
    got_lock=0
    for _ in $(seq 1 600); do
      if mkdir "$LOCK_DIR" 2>/dev/null; then echo "$$ $faults" >"$LOCK_DIR/owner"; got_lock=1; break; fi
      holder="$(cat "$LOCK_DIR/owner" 2>/dev/null || true)"
      pid="${holder%% *}"
      # stale only when its owner is gone AND no fault stack answers: the owner's `start` exits once its stack is up,
      # and that stack may belong to another checkout of this repository (its pid file is not ours to see)
      if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null && ! (exec 3<>/dev/tcp/127.0.0.1/28099) 2>/dev/null; then rm -rf "$LOCK_DIR"; continue; fi
      sleep 1
    done
    # the lock is someone else's when the wait ran out: leave it (and their stack) alone
    [ "$got_lock" = 1 ] || { echo "another fault stack is still running (lock $LOCK_DIR)" >&2; exit 1; }
    # Nothing destructive before we know the fault stack's ports are free: a stack left running (e.g. by a run
    # that was killed) must not lose its database and logs to a newcomer, nor be mistaken for the new one.
    for port in 28080 28081 28099; do
      if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        echo "port $port already answers: a fault stack is still running without its lock (stop it first)" >&2
        rm -rf "$LOCK_DIR"
        exit 1
      fi
    done
    rabbitmqctl -q add_vhost "$VHOST" >/dev/null 2>&1 || true
    rabbitmqctl -q set_permissions -p "$VHOST" guest '.*' '.*' '.*' >/dev/null
    psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null
    rm -rf .attune/faults logs/faults
    mkdir -p logs/faults
    echo "$$ $faults" >"$LOCK_DIR/owner"
    faults_env="$faults"; [ "$faults" = none ] && faults_env=""
    ATTUNE_FAULTS="$faults_env" ATTUNE_SKIP_BUILD="${ATTUNE_SKIP_BUILD:-1}" bash scripts/stack-start.sh || { rm -rf "$LOCK_DIR"; exit 1; }
    echo "fault stack up with ATTUNE_FAULTS=$faults; point the suite at it with:"
    suite_env
    ;;
  stop)
    bash scripts/stack-stop.sh >/dev/null 2>&1 || true
    rm -rf "$LOCK_DIR"
    echo "fault stack stopped"
    ;;
  env)
    suite_env
    ;;
  *)
    echo "usage: fault-stack.sh start <fault>[,…] | stop | env" >&2
    exit 2
    ;;
esac
