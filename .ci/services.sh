#!/usr/bin/env bash
# Starts a throw-away PostgreSQL and Redis on loopback for tests and benchmarks, and prints the
# variables to use them. Usage: source <(bash .ci/services.sh [DIR])
set -euo pipefail
pg_port=${PASS_TEST_PG_PORT:-55432}
redis_port=${PASS_TEST_REDIS_PORT:-56379}
dir=${1:-/tmp/pass-services-$pg_port}
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
mkdir -p "$dir"

if ! "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$pg_port" 2>/dev/null; then
  rm -rf "$dir/pg"
  mkdir -p "$dir/pg"
  as_pg=()
  if [ "$(id -u)" = 0 ]; then chown postgres "$dir/pg" "$dir"; as_pg=(runuser -u postgres --); fi
  "${as_pg[@]}" "$pg_bin/initdb" -D "$dir/pg" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$dir/pg" -l "$dir/pg.log" -w \
    -o "-h 127.0.0.1 -p $pg_port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" start >/dev/null
fi
if ! redis-cli -p "$redis_port" ping >/dev/null 2>&1; then
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes --logfile "$dir/redis.log" >/dev/null
fi
for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done

# pcscd for the card-reader tests (test/card/pcsc): as this user, as a daemon (it detaches and
# closes this script's output, so `source <(…)` does not wait on it), with the vpcd virtual reader
# from /etc/reader.conf.d, its socket at /run/pcscd/pcscd.comm where libpcsclite looks. Where
# pcscd is not installed the tests skip (and fail in CI); messages go to stderr, stdout is sourced.
pcscd_bin=$(command -v pcscd || echo /usr/sbin/pcscd)
if [ -x "$pcscd_bin" ]; then
  pcscd_pid=$(tr -dc 0-9 </run/pcscd/pcscd.pid 2>/dev/null || true)
  if [ -z "$pcscd_pid" ] || ! kill -0 "$pcscd_pid" 2>/dev/null; then
    rm -f /run/pcscd/pcscd.pid /run/pcscd/pcscd.comm 2>/dev/null || true
    "$pcscd_bin" || echo "services.sh: pcscd did not start (it needs to write /run/pcscd)" >&2
  fi
  for _ in $(seq 50); do [ -S /run/pcscd/pcscd.comm ] && break; sleep 0.1; done
fi

echo "export TEST_DATABASE_URL=postgres://postgres@127.0.0.1:$pg_port/postgres"
echo "export TEST_REDIS_URL=redis://127.0.0.1:$redis_port"
echo "export PASS_TEST_PG_BIN=$pg_bin PASS_TEST_PG_DIR=$dir/pg"
