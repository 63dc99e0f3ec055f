#!/usr/bin/env bash
# `npm test`: everything a fresh machine needs, in order. Infrastructure up, build, static checks,
# unit and integration tests, the reference stack up, the acceptance suite in parallel, reports, stack down.
# The last line printed is the acceptance run's "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }
fail() { echo "npm test: $*" >&2; exit 1; }

if [ ! -d node_modules/@cucumber/cucumber ]; then
  step "installing dependencies (npm ci)"
  npm ci --no-audit --no-fund || fail "npm ci failed"
fi

step "infrastructure (PostgreSQL, RabbitMQ, database attune_e2e)"
bash scripts/ensure-infra.sh || fail "PostgreSQL/RabbitMQ are not available"

step "build the reference stack"
npm run --silent build || fail "the stack does not compile"

step "type-check and lint"
npm run --silent typecheck || fail "type errors"
npm run --silent lint || fail "feature lint failed"
bash scripts/check-compose.sh || fail "docker-compose.e2e.yaml does not pass the compose CLI's config check"

step "unit tests"
unit_status=0
bash scripts/run-unit-tests.sh || unit_status=$?

step "integration tests (their own isolated stack: start-up, AMQP, bad input and the fuzz)"
integration_status=0
ATTUNE_SKIP_BUILD=1 bash scripts/run-integration-tests.sh || integration_status=$?

if [ -n "${ATTUNE_API_URL:-}" ] && [ "${ATTUNE_E2E_START_STACK:-auto}" = "auto" ]; then
  echo "ATTUNE_API_URL is set: running against that target, not starting the reference stack"
  started_stack=0
else
  step "start the reference stack"
  bash scripts/stack-start.sh || fail "the reference stack did not start"
  started_stack=1
  # The stack is ours for this run, so scenarios may stop and start its services (@disruptive).
  export ATTUNE_SERVICE_CONTROL="${ATTUNE_SERVICE_CONTROL:-supervisor:http://127.0.0.1:${ATTUNE_SUPERVISOR_PORT:-18099}}"
  # Outage drills (@requires-infra-control): under CI=true the machine is the run's alone, so its RabbitMQ and
  # PostgreSQL really restart; elsewhere they are shared, and the drills only cut this stack's own connections
  # (its vhost and its database), which is what its services see of a restart (scripts/infra-control.sh).
  if [ "${CI:-}" = true ]; then infra_mode=restart; else infra_mode=scoped; fi
  export ATTUNE_INFRA_CONTROL="${ATTUNE_INFRA_CONTROL:-command:ATTUNE_INFRA_DRILL=$infra_mode ATTUNE_INFRA_VHOST=/ ATTUNE_INFRA_DB=attune_e2e bash scripts/infra-control.sh {action}}"
fi
stop_stack() { if [ "${started_stack:-0}" = 1 ]; then bash scripts/stack-stop.sh >/dev/null 2>&1; started_stack=0; fi; }
trap stop_stack EXIT INT TERM

step "generated API types match the target's OpenAPI document"
api_types_status=0
node scripts/gen-api.js --check || api_types_status=$?

step "acceptance suite"
accept_status=0
rm -rf reports/coverage # each worker writes what it touched of the contract here (support/coverage.ts)
# Bounded so that a hang can never eat a CI budget: the suite takes well under a minute.
timeout --kill-after=15 1200 npx cucumber-js --profile ci "$@" || accept_status=$?

# The benchmarks' smoke: it proves `npm run bench` works against this target, never how fast it is (figures from a
# loaded CI machine mean nothing; `npm run bench` alone measures).
step "benchmark smoke (npm run bench -- --quick)"
bench_status=0
timeout --kill-after=15 300 node bench/main.js --quick >reports/bench-smoke.txt 2>&1 || bench_status=$?
tail -3 reports/bench-smoke.txt
[ "$bench_status" -eq 0 ] || echo "npm test: the benchmark smoke failed (exit $bench_status); see reports/bench-smoke.txt" >&2

# The report asks the target for its version, so it is written while the stack still runs.
mkdir -p reports
node scripts/report.js >reports/summary-line.txt 2>&1 || true
node scripts/trace.js >reports/trace.txt 2>&1 || true
node scripts/coverage.js >reports/coverage.txt 2>&1 || true
node scripts/suite-power.js >/dev/null 2>&1 || true
stop_stack

step "the release report in headless Chromium, offline"
report_status=0
node scripts/check-report-in-browser.js || report_status=$?

cat reports/summary-line.txt
if [ "$unit_status" -ne 0 ] || [ "$integration_status" -ne 0 ] || [ "$accept_status" -ne 0 ] || [ "$api_types_status" -ne 0 ] || [ "$bench_status" -ne 0 ] || [ "$report_status" -ne 0 ]; then exit 1; fi
exit 0
