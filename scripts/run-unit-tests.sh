#!/usr/bin/env bash
# Unit and conformance tests (node's test runner) of the stack's pure parts and the suite's support code.
set -uo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(find test/unit test/conformance -name '*.test.ts' 2>/dev/null | sort)
[ "${#files[@]}" -gt 0 ] || { echo "no unit tests found" >&2; exit 1; }
exec node --require ts-node/register/transpile-only --test --test-reporter=spec "${files[@]}"
