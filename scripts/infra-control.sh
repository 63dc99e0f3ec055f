#!/usr/bin/env bash
# Infrastructure control for the outage drills (`@requires-infra-control`, features/tier3/infrastructure-outages.feature):
#   scripts/infra-control.sh restart-broker     RabbitMQ: stop_app, start_app, await_startup (every connection drops;
#                                               durable queues and persistent messages survive)
#   scripts/infra-control.sh restart-database   PostgreSQL: the local cluster restarted in fast mode (every session ends)
#   scripts/infra-control.sh stop-database      PostgreSQL away until start-database (every session ends; none is let in)
#   scripts/infra-control.sh start-database     PostgreSQL back
# These restart the MACHINE'S servers, which everything on it shares: the suite uses this script only when told to
# (ATTUNE_INFRA_CONTROL, which `npm test` sets only under CI=true, on a machine that is the run's alone).
# ATTUNE_INFRA_DRILL=scoped asks for the same drills without touching anyone else: the broker connections of one vhost
# are closed (ATTUNE_INFRA_VHOST) and the database sessions of one database are ended (ATTUNE_INFRA_DB), which is what
# the stack's services see of a restart, on a machine shared with other work; "away" there means that database takes
# no connection (ALLOW_CONNECTIONS false) until start-database.
set -uo pipefail
action="${1:-}"
mode="${ATTUNE_INFRA_DRILL:-restart}"
case "$action" in
  restart-broker)
    if [ "$mode" = scoped ]; then
      vhost="${ATTUNE_INFRA_VHOST:?ATTUNE_INFRA_VHOST names the vhost of the stack in scoped mode}"
      rabbitmqctl -q close_all_connections --vhost "$vhost" "outage drill" >/dev/null
    else
      rabbitmqctl -q stop_app && rabbitmqctl -q start_app && rabbitmqctl -q await_startup
    fi ;;
  restart-database)
    if [ "$mode" = scoped ]; then
      db="${ATTUNE_INFRA_DB:?ATTUNE_INFRA_DB names the database of the stack in scoped mode}"
      psql -h 127.0.0.1 -U postgres -d postgres -qAtc \
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '$db' AND pid <> pg_backend_pid()" >/dev/null
    else
      version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)"
      [ -n "$version" ] || { echo "infra-control: no local PostgreSQL cluster (/etc/postgresql)" >&2; exit 1; }
      pg_ctlcluster --skip-systemctl-redirect "$version" main restart -m fast
    fi ;;
  stop-database|start-database)
    if [ "$mode" = scoped ]; then
      db="${ATTUNE_INFRA_DB:?ATTUNE_INFRA_DB names the database of the stack in scoped mode}"
      case "$db" in *[!a-z0-9_]*) echo "infra-control: unexpected database name '$db'" >&2; exit 2 ;; esac
      if [ "$action" = stop-database ]; then
        psql -h 127.0.0.1 -U postgres -d postgres -qAtc "ALTER DATABASE $db WITH ALLOW_CONNECTIONS false" >/dev/null &&
          psql -h 127.0.0.1 -U postgres -d postgres -qAtc \
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '$db' AND pid <> pg_backend_pid()" >/dev/null
      else
        psql -h 127.0.0.1 -U postgres -d postgres -qAtc "ALTER DATABASE $db WITH ALLOW_CONNECTIONS true" >/dev/null
      fi
    else
      version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)"
      [ -n "$version" ] || { echo "infra-control: no local PostgreSQL cluster (/etc/postgresql)" >&2; exit 1; }
      if [ "$action" = stop-database ]; then
        pg_ctlcluster --skip-systemctl-redirect "$version" main stop -m fast
      else
        pg_ctlcluster --skip-systemctl-redirect "$version" main start
      fi
    fi ;;
  *) echo "usage: scripts/infra-control.sh restart-broker|restart-database|stop-database|start-database" >&2; exit 2 ;;
esac
