#!/usr/bin/env bash
# Starts the reference stack in the background and waits until it is ready (an action posted now will run).
#   scripts/start-services.sh [--workers N]     (extra arguments go to the supervisor)
# Infrastructure first (PostgreSQL, RabbitMQ, tools: scripts/ensure-infra.sh), then the build, then the stack.
# Exit codes: 0 ready; 1 infrastructure missing; 2 the stack did not start (see logs/supervisor.log).
set -uo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in -h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
bash scripts/ensure-infra.sh || exit 1
bash scripts/stack-start.sh "$@" || exit 2
