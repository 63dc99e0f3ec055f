#!/usr/bin/env bash
# A private reference stack for one line of development work, beside the main one (which `npm test` uses on
# 8080/8081/18099): its own ports, database, RabbitMQ vhost, logs and folders, all named after <name>.
#   scripts/dev-stack.sh <name> <port-base> start    e.g. `dev-stack.sh runtimes 31000 start`: api 31080,
#                                                   notifier 31081, supervisor 31099; database/vhost attune_<name>
#   scripts/dev-stack.sh <name> <port-base> stop
#   scripts/dev-stack.sh <name> <port-base> env     the suite's target variables (eval "$(… env)")
# `start` rebuilds nothing (ATTUNE_SKIP_BUILD=1 unless set) and starts from an empty database.
set -euo pipefail
cd "$(dirname "$0")/.."
name="${1:?usage: dev-stack.sh <name> <port-base> start|stop|env}"
base="${2:?usage: dev-stack.sh <name> <port-base> start|stop|env}"
case "$name" in *[!a-z0-9_]*) echo "name must be [a-z0-9_]" >&2; exit 2 ;; esac
DB="attune_$name"; VHOST="attune_$name"
export ATTUNE__SERVER__PORT=$((base + 80))
export ATTUNE__NOTIFIER__PORT=$((base + 81))
export ATTUNE_SUPERVISOR_PORT=$((base + 99))
export ATTUNE__DATABASE__URL="postgresql://postgres@127.0.0.1:5432/$DB"
export ATTUNE__MESSAGE_QUEUE__URL="amqp://guest:guest@127.0.0.1:5672/$VHOST"
export ATTUNE__LOG__DIR="./logs/$name"
export ATTUNE__PACKS_BASE_DIR="./.attune/$name/packs"
export ATTUNE__RUNTIME_ENVS_DIR="./.attune/$name/runtime_envs"
export ATTUNE__ARTIFACTS_DIR="./.attune/$name/artifacts"

suite_env() {
  cat <<ENV
export ATTUNE_API_URL=http://127.0.0.1:$((base + 80))
export ATTUNE_WS_URL=ws://127.0.0.1:$((base + 81))/ws
export ATTUNE_DB_URL=postgresql://postgres@127.0.0.1:5432/$DB
export ATTUNE_AMQP_URL=amqp://guest:guest@127.0.0.1:5672/$VHOST
export ATTUNE_SERVICE_CONTROL=supervisor:http://127.0.0.1:$((base + 99))
export ATTUNE_INFRA_CONTROL='command:ATTUNE_INFRA_DRILL=scoped ATTUNE_INFRA_VHOST=$VHOST ATTUNE_INFRA_DB=$DB bash scripts/infra-control.sh {action}'
export ATTUNE_E2E_LOG_DIR=logs/$name
ENV
}

case "${3:-}" in
  start)
    rabbitmqctl -q add_vhost "$VHOST" >/dev/null 2>&1 || true
    rabbitmqctl -q set_permissions -p "$VHOST" guest '.*' '.*' '.*' >/dev/null
    bash scripts/stack-stop.sh >/dev/null 2>&1 || true
    psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null
    rm -rf ".attune/$name" "logs/$name"
    mkdir -p "logs/$name"
    ATTUNE_SKIP_BUILD="${ATTUNE_SKIP_BUILD:-1}" bash scripts/stack-start.sh
    suite_env
    ;;
  stop) bash scripts/stack-stop.sh ;;
  env) suite_env ;;
  *) echo "usage: dev-stack.sh <name> <port-base> start|stop|env" >&2; exit 2 ;;
esac
