#!/usr/bin/env bash
# Makes sure the infrastructure of the e2e environment answers before the stack or the suite starts:
#   PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth) with database attune_e2e,
#   RabbitMQ on 127.0.0.1:5672; curl and jq for the suite's shell actions, bubblewrap and busybox-static for the
#   container runtime, Chromium for the report's browser check (installed when missing).
# Starts a server that is installed but stopped; waits up to 60 s for each; exits non-zero with a clear message when
# something cannot be had. Safe to run repeatedly.
set -uo pipefail

PG_HOST=127.0.0.1
PG_PORT=5432
PG_USER=postgres
PG_DB=attune_e2e
MQ_HOST=127.0.0.1
MQ_PORT=5672
WAIT_SECONDS=60

say() { printf 'ensure-infra: %s\n' "$*"; }
die() { printf 'ensure-infra: ERROR: %s\n' "$*" >&2; exit 1; }

pg_answers() { pg_isready -h "$PG_HOST" -p "$PG_PORT" -q >/dev/null 2>&1; }
mq_answers() { bash -c "</dev/tcp/$MQ_HOST/$MQ_PORT" >/dev/null 2>&1; }

# wait_for <description> <check-function>
wait_for() {
  local what=$1 check=$2 waited=0
  until "$check"; do
    if (( waited >= WAIT_SECONDS )); then return 1; fi
    sleep 1
    waited=$((waited + 1))
  done
  say "$what answers (after ${waited} s)"
}

ensure_postgres() {
  command -v pg_isready >/dev/null 2>&1 || die "pg_isready not found: install the PostgreSQL client (apt-get install postgresql-client) or start PostgreSQL on $PG_HOST:$PG_PORT yourself"
  if pg_answers; then
    say "PostgreSQL answers on $PG_HOST:$PG_PORT"
  else
    if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ] && [ -n "$(ls /etc/postgresql 2>/dev/null)" ]; then
      local version
      version=$(ls /etc/postgresql | sort -V | tail -n 1)
      say "PostgreSQL is not answering; starting cluster $version/main"
      pg_ctlcluster --skip-systemctl-redirect "$version" main start \
        || die "pg_ctlcluster $version main start failed (see /var/log/postgresql/postgresql-$version-main.log)"
    else
      die "PostgreSQL is not answering on $PG_HOST:$PG_PORT and no local cluster is installed (no /etc/postgresql); start one or install postgresql"
    fi
    wait_for "PostgreSQL" pg_answers || die "PostgreSQL did not answer on $PG_HOST:$PG_PORT within ${WAIT_SECONDS} s"
  fi

  local exists
  exists=$(psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -tAc "select 1 from pg_database where datname='$PG_DB'" 2>&1) \
    || die "cannot query PostgreSQL as $PG_USER on $PG_HOST:$PG_PORT: $exists (the e2e setup expects trust auth for $PG_USER)"
  if printf '%s' "$exists" | grep -q 1; then
    say "database $PG_DB exists"
  else
    createdb -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" "$PG_DB" || die "could not create database $PG_DB"
    say "database $PG_DB created"
  fi
}

ensure_rabbitmq() {
  if mq_answers; then
    say "RabbitMQ answers on $MQ_HOST:$MQ_PORT"
    return
  fi
  command -v rabbitmq-server >/dev/null 2>&1 \
    || die "RabbitMQ is not answering on $MQ_HOST:$MQ_PORT and rabbitmq-server is not installed; start a broker or install rabbitmq-server"
  say "RabbitMQ is not answering; starting rabbitmq-server -detached (this takes several seconds)"
  rabbitmq-server -detached >/dev/null 2>&1 || die "rabbitmq-server -detached failed (see /var/log/rabbitmq/)"
  wait_for "RabbitMQ" mq_answers || die "RabbitMQ did not answer on $MQ_HOST:$MQ_PORT within ${WAIT_SECONDS} s (see /var/log/rabbitmq/)"
}

# The reference stack's worker runs the suite's shell actions on this machine; some of them use curl (to call
# the API with their execution token) and jq (to read their JSON input). Installed from Debian when missing.
ensure_action_tools() {
  local missing=()
  for tool in curl jq; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
  [ ${#missing[@]} -eq 0 ] && { say "action tools present (curl, jq)"; return; }
  command -v apt-get >/dev/null 2>&1 || die "the suite's actions need ${missing[*]}; install them (no apt-get here)"
  say "installing ${missing[*]} for the suite's actions (apt-get)"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; } >/dev/null 2>&1 \
    || die "apt-get install ${missing[*]} failed"
}

# The container runtime (docs/runtimes.md "Container runner") sandboxes actions with bubblewrap in a root filesystem
# built from busybox-static (scripts/build-container-rootfs.sh). Installed from Debian when missing; without them the
# worker simply does not offer the container runtime (its scenarios skip with the reason), so failing here only warns.
static_busybox() {
  local b
  for b in /usr/bin/busybox /bin/busybox; do
    [ -x "$b" ] || continue
    ldd "$b" >/dev/null 2>&1 || return 0 # "not a dynamic executable": static
  done
  return 1
}
ensure_container_tools() {
  local missing=()
  command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
  static_busybox || missing+=(busybox-static)
  [ ${#missing[@]} -eq 0 ] && { say "container runtime tools present (bwrap, static busybox)"; return; }
  if ! command -v apt-get >/dev/null 2>&1; then
    say "WARNING: ${missing[*]} missing and no apt-get here: the container runtime will be unavailable"
    return
  fi
  say "installing ${missing[*]} for the container runtime (apt-get)"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; } >/dev/null 2>&1; then
    say "WARNING: apt-get install ${missing[*]} failed: the container runtime will be unavailable"
  fi
}

# The release report is checked in a real browser (scripts/check-report-in-browser.js: Debian's chromium driven by
# playwright-core). Installed from Debian when missing; `npm test` needs it, so failing here is an error.
ensure_browser() {
  local chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
  [ -x "$chromium" ] && { say "browser present ($chromium)"; return; }
  command -v apt-get >/dev/null 2>&1 || die "the report's browser check needs Chromium at $chromium (set CHROMIUM_PATH) and there is no apt-get here"
  say "installing chromium for the report's browser check (apt-get; about a minute)"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >/dev/null 2>&1 \
    || die "apt-get install chromium failed"
}

ensure_postgres
ensure_rabbitmq
ensure_action_tools
ensure_container_tools
ensure_browser
say "infrastructure ready"
