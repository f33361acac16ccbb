#!/bin/bash
# Self-test of the Odoo stand-in: a throwaway PostgreSQL 15 on a free loopback port, a role with
# CREATEDB (Odoo refuses to run as 'postgres'), then selftest.py against it. Always cleans up.
#
#   tests/odoo_standin/selftest.sh            # all tests
#   tests/odoo_standin/selftest.sh -k Prefork # unittest's -k filter
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
pgbin=/usr/lib/postgresql/15/bin
tmp="$(mktemp -d /tmp/odoo-standin-selftest.XXXXXX)"
pgdata="$tmp/pgdata"
sock="$tmp/sock"
started=""

cleanup() {
  if [ -n "$started" ]; then
    runuser -u postgres -- "$pgbin/pg_ctl" -D "$pgdata" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# PostgreSQL refuses to run as root: its directories belong to the postgres user.
mkdir -p "$pgdata" "$sock"
chown postgres: "$tmp" "$pgdata" "$sock"
chmod 755 "$tmp" "$sock"
port="$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
runuser -u postgres -- "$pgbin/initdb" -D "$pgdata" -U postgres -A peer --auth-host=scram-sha-256 \
  -E UTF8 --locale=C.UTF-8 >"$tmp/initdb.log" 2>&1 || { cat "$tmp/initdb.log"; exit 1; }
# Password logins for everyone but postgres, over TCP and over the socket, as a hosting setup has.
cat >"$pgdata/pg_hba.conf" <<EOF
local all postgres peer
local all all scram-sha-256
host all all 127.0.0.1/32 scram-sha-256
EOF
runuser -u postgres -- "$pgbin/pg_ctl" -D "$pgdata" -w -l "$tmp/postgres.log" \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $sock -c fsync=off -c full_page_writes=off" start >/dev/null
started=1
runuser -u postgres -- "$pgbin/psql" -h "$sock" -p "$port" -U postgres -qAt -v ON_ERROR_STOP=1 \
  -c "CREATE ROLE standin LOGIN CREATEDB PASSWORD 'standin-pw'" \
  -c "CREATE ROLE other LOGIN CREATEDB PASSWORD 'other-pw'"

export STANDIN_PGPORT="$port" STANDIN_PGSOCK="$sock" STANDIN_TMP="$tmp"
export PATH="$pgbin:$PATH"  # pg_dump and psql of the server's own major version
start=$(date +%s.%N)
set +e
/usr/bin/python3 "$here/selftest.py" "$@"
rc=$?
set -e
elapsed=$(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $start }")
echo "odoo stand-in self-test: $([ $rc -eq 0 ] && echo PASSED || echo FAILED) in ${elapsed} s"
exit $rc
