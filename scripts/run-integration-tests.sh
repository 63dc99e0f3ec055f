#!/usr/bin/env bash
# Integration tests of the reference stack (node's test runner, test/integration/*.test.ts). Each
# file starts its own isolated stack (ports 38080/38081/38099, database and vhost attune_itest,
# logs/itest, .attune/itest) and stops it afterwards; files run one after another, and concurrent
# runs wait for each other (lock /tmp/attune-itest-stack.lock). Builds the stack first unless
# ATTUNE_SKIP_BUILD=1.
set -uo pipefail
cd "$(dirname "$0")/.."
LOCK_DIR=/tmp/attune-itest-stack.lock
if [ "${ATTUNE_SKIP_BUILD:-0}" != "1" ]; then
  npx tsc -p stack/tsconfig.json || { echo "stack build failed" >&2; exit 1; }
fi
mapfile -t files < <(find test/integration -maxdepth 1 -name '*.test.ts' | sort)
[ "${#files[@]}" -gt 0 ] || { echo "no integration tests found" >&2; exit 1; }
status=0
# Bounded: no single test may hang the run (2 min each), nor the whole run (10 min).
timeout --kill-after=10 600 node --require ts-node/register/transpile-only --test --test-concurrency=1 --test-timeout=120000 --test-reporter=spec "${files[@]}" || status=$?

# Safety net for a test process that was killed before its `after` hook: with the lock free, an
# itest supervisor still running belongs to nobody, so stop it.
if mkdir "$LOCK_DIR" 2>/dev/null; then
  echo "$$" >"$LOCK_DIR/owner"
  if [ -s logs/itest/supervisor.pid ] && kill -0 "$(cat logs/itest/supervisor.pid)" 2>/dev/null; then
    echo "stopping a leftover integration-test stack" >&2
    ATTUNE__LOG__DIR=./logs/itest bash scripts/stack-stop.sh >/dev/null 2>&1 || true
  fi
  rm -rf "$LOCK_DIR"
fi
exit "$status"
