#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL cluster of its own: Debian's PostgreSQL
# (scripts/setup.sh installs it), in a fresh directory under /tmp, on a free loopback port,
# trusting local connections, stopped and deleted when the command ends. The command sees
# TOCSIN_TEST_POSTGRES_URL (the cluster's `postgres` database, as the `postgres` superuser),
# which the Rust and end-to-end tests use to create a database of their own per test.
#
# Usage: scripts/with-postgres.sh COMMAND [ARGS...]
# The cluster runs with fsync=off (tests); TOCSIN_PG_OPTIONS adds postgres options after
# the defaults, e.g. TOCSIN_PG_OPTIONS="-c fsync=on" for benchmarks that must reach the disk.
# initdb refuses root, so as root (CI) the cluster runs as the `postgres` user.
set -euo pipefail

if [[ $# -eq 0 ]]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 2
fi
if [[ -n "${TOCSIN_TEST_POSTGRES_URL:-}" ]]; then
    exec "$@"
fi

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [[ -z "$bindir" || ! -x "$bindir/initdb" ]]; then
    echo "$0: no PostgreSQL under /usr/lib/postgresql (run scripts/setup.sh)" >&2
    exit 1
fi
dir=$(mktemp -d /tmp/tocsin-pg-XXXXXX)
as=()
if [[ $(id -u) -eq 0 ]]; then
    chown postgres:postgres "$dir"
    as=(runuser -u postgres --)
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
stop() {
    "${as[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap stop EXIT
"${as[@]}" "$bindir/initdb" -D "$dir/data" --auth=trust -U postgres -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
# max_connections: every e2e server holds a pool of 16 and a listener.
"${as[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=400 ${TOCSIN_PG_OPTIONS:-}" start >/dev/null
export TOCSIN_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
echo "with-postgres: cluster at $TOCSIN_TEST_POSTGRES_URL ($dir)" >&2
"$@"
