#!/usr/bin/env bash
# PostgreSQL roles and database for PASS, run once by the postgres image on an empty data directory
# (mounted into /docker-entrypoint-initdb.d by deploy/compose.yaml). Two roles, as docs/security.md asks:
#   pass_owner  owns the database and its tables; the migration service connects as it;
#   pass_app    what the PASS nodes connect as: it reads and writes rows but owns no table, so it
#               cannot disable the audit_log triggers that refuse UPDATE, DELETE and TRUNCATE.
# Passwords come from files (Compose secrets). test/deploy/database-roles.test.ts runs this script
# against a throw-away database, migrates as the owner and starts PASS as the app role.
set -euo pipefail

db=${PASS_DB_NAME:-pass}
owner=${PASS_DB_OWNER:-pass_owner}
app=${PASS_DB_APP:-pass_app}
owner_password=$(cat "${PASS_OWNER_PASSWORD_FILE:-/run/secrets/pass_db_owner_password}")
app_password=$(cat "${PASS_APP_PASSWORD_FILE:-/run/secrets/pass_db_app_password}")

psql -v ON_ERROR_STOP=1 --no-psqlrc --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" \
  -v db="$db" -v owner="$owner" -v app="$app" -v owner_password="$owner_password" -v app_password="$app_password" <<'SQL'
CREATE ROLE :"owner" LOGIN PASSWORD :'owner_password';
CREATE ROLE :"app" LOGIN PASSWORD :'app_password';
CREATE DATABASE :"db" OWNER :"owner" ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO :"app";
\connect :"db"
-- The owner creates the tables (migrations); the app role may use every table and sequence the
-- owner creates, now and in later migrations, but may not create or alter any.
ALTER SCHEMA public OWNER TO :"owner";
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO :"app";
SQL
