#!/usr/bin/env bash
# A streaming hot standby of the local PostgreSQL 15 server, for the replica tests and
# bench/replica.sh.
#   .ci/standby.sh start DIR PORT   base backup of 127.0.0.1:5432 into DIR, started on PORT
#   .ci/standby.sh stop DIR         stops it and removes DIR
# Run as root or as postgres; the server runs as postgres.
set -euo pipefail

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
HBA=$(ls /etc/postgresql/*/main/pg_hba.conf | sort -V | tail -n 1)

# The primary keeps the WAL a standby has not received in a replication slot named after the
# standby's directory, so that a standby stopped for a while (or slowed by a bulk load on the
# primary) catches up instead of finding its WAL removed.
slot_of() {
  echo "ucr_standby_$(printf '%s' "$1" | md5sum | cut -c1-16)"
}

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  local dir=$1 port=$2
  # Base backups and streaming need a replication line on the primary.
  if ! grep -Eq '^[[:space:]]*host[[:space:]]+replication[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$HBA"; then
    echo 'host replication all 127.0.0.1/32 trust' >>"$HBA"
    psql -h 127.0.0.1 -U postgres -qAtc 'SELECT pg_reload_conf()' >/dev/null
  fi
  mkdir -p "$dir"
  chown postgres:postgres "$dir" 2>/dev/null || true
  chmod 700 "$dir"
  # -R writes standby.signal, primary_conninfo and primary_slot_name; -X stream copies the
  # WAL of the backup; -C -S creates the slot.
  as_postgres "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p 5432 -U postgres -D "$dir" -R -X stream \
    -C -S "$(slot_of "$dir")"
  # Debian keeps the configuration outside the data directory: the standby gets its own.
  as_postgres tee "$dir/postgresql.conf" >/dev/null <<CONF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
hot_standby = on
# Long reads on the standby (building the search index) are not cancelled by the cleanup
# the primary replays.
hot_standby_feedback = on
CONF
  as_postgres tee "$dir/pg_hba.conf" >/dev/null <<HBA
local all all trust
host all all 127.0.0.1/32 trust
HBA
  as_postgres "$PG_BIN/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 start >/dev/null
}

stop() {
  local dir=$1
  if [ -f "$dir/postmaster.pid" ]; then
    as_postgres "$PG_BIN/pg_ctl" -D "$dir" -m fast -w -t 60 stop >/dev/null || true
  fi
  rm -rf "$dir"
  # The slot is free once the standby's WAL sender has gone.
  local slot
  slot=$(slot_of "$dir")
  for _ in $(seq 1 20); do
    psql -h 127.0.0.1 -U postgres -qAtc \
      "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '$slot'" \
      >/dev/null 2>&1 && break
    sleep 0.5
  done
}

case "${1:-}" in
  start) start "$2" "$3" ;;
  stop) stop "$2" ;;
  pg_ctl) echo "$PG_BIN/pg_ctl" ;;
  *) echo "usage: $0 start DIR PORT | stop DIR | pg_ctl" >&2; exit 2 ;;
esac
