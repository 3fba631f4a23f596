#!/usr/bin/env bash
# Starts Debian's PostgreSQL cluster (a no-op when it is up) and makes the test role and database.
# Prints the database URL on the last line. Fails loudly if PostgreSQL cannot start.
set -euo pipefail
line=$(pg_lsclusters --no-header | head -n1)
if [ -z "$line" ]; then
  echo "no PostgreSQL cluster found (pg_lsclusters is empty); install the postgresql package" >&2
  exit 1
fi
read -r ver cluster port status _ <<<"$line"
if [ "$status" != "online" ]; then
  pg_ctlcluster "$ver" "$cluster" start || { echo "PostgreSQL $ver/$cluster failed to start" >&2; exit 1; }
fi
for _ in $(seq 1 50); do
  runuser -u postgres -- psql -p "$port" -qAtc 'select 1' >/dev/null 2>&1 && break
  sleep 0.2
done
runuser -u postgres -- psql -p "$port" -qAtc 'select 1' >/dev/null || { echo "PostgreSQL is not answering on port $port" >&2; exit 1; }
runuser -u postgres -- psql -p "$port" -qAt <<'SQL' >/dev/null
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'hotline') THEN
    CREATE ROLE hotline LOGIN PASSWORD 'hotline' CREATEDB;
  END IF;
END $$;
SQL
db="${HOTLINE_TEST_DB:-hotline_test}"
for db in "$db"; do
  exists=$(runuser -u postgres -- psql -p "$port" -qAtc "select 1 from pg_database where datname='$db'")
  [ "$exists" = "1" ] || runuser -u postgres -- createdb -p "$port" -O hotline "$db"
done
echo "postgresql+psycopg://hotline:hotline@127.0.0.1:$port/$db"
