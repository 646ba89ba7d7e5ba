#!/bin/bash
# The entrypoint of the postgres:<version>-bookworm stand-in (base-images.sh),
# for the part of the official image's documented interface that
# docker-compose.yml uses, and nothing more:
#
#   POSTGRES_PASSWORD or POSTGRES_PASSWORD_FILE   the superuser's password (required)
#   POSTGRES_USER                                 the superuser (default postgres)
#   POSTGRES_DB                                   a database made on first start (default: the user)
#   PGDATA                                        /var/lib/postgresql/data
#
# On an empty data folder it runs initdb, once; then it runs the server in
# the foreground, listening on every address on 5432, with password
# (scram-sha-256) authentication over TCP. Runs as the image's user postgres.
set -euo pipefail

if [ "${1:-postgres}" != postgres ]; then
  exec "$@"
fi

if [ -n "${POSTGRES_PASSWORD_FILE:-}" ]; then
  if [ -n "${POSTGRES_PASSWORD:-}" ]; then
    echo "error: both POSTGRES_PASSWORD and POSTGRES_PASSWORD_FILE are set" >&2
    exit 1
  fi
  POSTGRES_PASSWORD="$(<"$POSTGRES_PASSWORD_FILE")"
fi
user="${POSTGRES_USER:-postgres}"
db="${POSTGRES_DB:-$user}"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ]; then
    echo "error: the database is uninitialized and POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE) is empty" >&2
    exit 1
  fi
  # The password reaches initdb through a file only this process can read,
  # never the command line.
  pwfile="$(mktemp)"
  printf '%s' "$POSTGRES_PASSWORD" >"$pwfile"
  initdb --pgdata="$PGDATA" --username="$user" --pwfile="$pwfile" \
    --encoding=UTF8 --locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f "$pwfile"
  # initdb's pg_hba.conf allows loopback only; the service is on the compose network.
  echo 'host all all all scram-sha-256' >>"$PGDATA/pg_hba.conf"
  if [ "$db" != postgres ]; then
    # Single-user mode: no server, no socket, nothing listening before it is ready.
    echo "CREATE DATABASE \"$db\" OWNER \"$user\";" | postgres --single -D "$PGDATA" -j postgres >/dev/null
  fi
  echo "initialised $PGDATA: user $user, database $db"
fi

# Arguments after `postgres` go to the server, as with the official image
# (`command: postgres -c ...`); PostgreSQL's own default port is 5432.
exec postgres -D "$PGDATA" -c listen_addresses='*' "${@:2}"
