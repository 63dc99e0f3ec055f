#!/usr/bin/env bash
# Validates docker-compose.e2e.yaml with the compose CLI's own config check (no engine needed: our CI machine runs
# none). Uses `docker compose` or `docker-compose` when present; otherwise installs Debian's docker-compose (the CLI
# only). Exits non-zero when the file is invalid or no CLI can be had.
set -uo pipefail
cd "$(dirname "$0")/.."
FILE=docker-compose.e2e.yaml
if docker compose version >/dev/null 2>&1; then cli=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then cli=(docker-compose)
elif command -v apt-get >/dev/null 2>&1; then
  echo "check-compose: installing Debian's docker-compose (the CLI only) to validate $FILE"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose; } >/dev/null 2>&1 \
    || { echo "check-compose: apt-get install docker-compose failed" >&2; exit 1; }
  cli=(docker-compose)
else
  echo "check-compose: no compose CLI and no apt-get: $FILE cannot be validated here" >&2; exit 1
fi
if out=$("${cli[@]}" -f "$FILE" config -q 2>&1); then
  echo "check-compose: $FILE is valid (${cli[*]} config)"
else
  echo "check-compose: $FILE is invalid:" >&2; echo "$out" >&2; exit 1
fi
