#!/usr/bin/env bash
# Runs the acceptance suite: against the reference stack (started and stopped around the run when none answers) or
# against a target profile.
#   scripts/run-e2e-tests.sh [--tier smoke|1|2|3] [--tags EXPR] [--target NAME] [--shard K/N] [--workers N] [-- cucumber args]
# Examples:
#   scripts/run-e2e-tests.sh --tier 1
#   scripts/run-e2e-tests.sh --target staging --tags '@webhooks and not @slow'
# Writes reports/ (acceptance.html, junit.xml, cucumber.json) and prints `N passed, N failed` last.
# Exit codes: 0 every scenario passed (skips allowed); 1 a scenario failed; 2 bad arguments; 3 no target could be had.
set -uo pipefail
cd "$(dirname "$0")/.."
usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; }
args=(-p ci)
accept=()
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --tier) case "${2:-}" in smoke) args+=(--tags @smoke) ;; 1|2|3) args+=(--tags "@tier$2") ;; *) echo "--tier wants smoke, 1, 2 or 3" >&2; exit 2 ;; esac; shift 2 ;;
    --tags) [ -n "${2:-}" ] || { echo "--tags wants an expression" >&2; exit 2; }; args+=(--tags "$2"); shift 2 ;;
    --target) [ -n "${2:-}" ] || { echo "--target wants a profile name" >&2; exit 2; }; accept+=(--target "$2"); export ATTUNE_TARGET="$2"; shift 2 ;;
    --shard) [ -n "${2:-}" ] || { echo "--shard wants K/N" >&2; exit 2; }; accept+=(--shard "$2"); shift 2 ;;
    --workers) [[ "${2:-}" =~ ^[0-9]+$ ]] || { echo "--workers wants a number" >&2; exit 2; }; export ATTUNE_E2E_PARALLEL="$2"; shift 2 ;;
    --) shift; args+=("$@"); break ;;
    *) echo "unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
started=0
if [ -z "${ATTUNE_TARGET:-}" ] && [ -z "${ATTUNE_API_URL:-}" ]; then
  if ! curl -fsS -m 3 "http://127.0.0.1:${ATTUNE__SERVER__PORT:-18080}/health/ready" >/dev/null 2>&1; then
    bash scripts/start-services.sh || exit 3
    started=1
  fi
  export ATTUNE_SERVICE_CONTROL="${ATTUNE_SERVICE_CONTROL:-supervisor:http://127.0.0.1:${ATTUNE_SUPERVISOR_PORT:-18099}}"
fi
status=0
node scripts/accept.js "${accept[@]}" "${args[@]}" || status=$?
node scripts/report.js
[ "$started" = 1 ] && bash scripts/stop-services.sh >/dev/null 2>&1
[ "$status" -eq 0 ] && exit 0
[ "$status" -eq 2 ] && exit 2
exit 1
