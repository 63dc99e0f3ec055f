#!/usr/bin/env bash
# Stops the reference stack started by scripts/start-services.sh (or npm test); PostgreSQL and RabbitMQ keep running.
#   scripts/stop-services.sh
# Exit codes: 0 stopped (or nothing was running).
set -uo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in -h|--help) sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
bash scripts/stack-stop.sh
