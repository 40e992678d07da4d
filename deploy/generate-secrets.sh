#!/usr/bin/env bash
# Writes the secrets deploy/compose.yaml reads, once, into deploy/secrets/ (or DIR):
#   postgres-password, pass-db-owner-password, pass-db-app-password  database passwords
#   redis.conf                 Redis's requirepass and appendonly
#   pass-config.json           PASS's secret settings, DATABASE_URL as pass_app (the PASS nodes)
#   pass-migrate-config.json   the same with DATABASE_URL as pass_owner (the migration service)
# The keys and salts are random (openssl rand): PASS_COOKIE_KEYS (48 bytes), PASS_ENCRYPTION_KEYS
# (`<id>:` + 32 bytes in base64), PASS_PAIRWISE_SALT and PASS_IDENTITY_HASH_KEY (32 bytes each).
# Keep a copy where you keep other keys: losing PASS_ENCRYPTION_KEYS loses the signing keys, client
# secrets and face templates sealed with it; changing PASS_PAIRWISE_SALT changes every pairwise subject.
#
# Usage: PASS_SMTP_URL=smtps://user:password@mail.example.jp:465 [PASS_SMS_GATEWAY_TOKEN=…] \
#          deploy/generate-secrets.sh [DIR]
# It refuses to overwrite: rotate a key by editing the JSON files (newest first, see README).
set -euo pipefail

dir=${1:-"$(dirname "$0")/secrets"}
smtp_url=${PASS_SMTP_URL:?set PASS_SMTP_URL to the SMTP server, e.g. smtps://user:password@mail.example.jp:465}
sms_token=${PASS_SMS_GATEWAY_TOKEN:-}

if [ -e "$dir/pass-config.json" ]; then
  echo "generate-secrets: $dir/pass-config.json exists; not overwriting keys PASS already uses" >&2
  exit 1
fi
command -v openssl >/dev/null || { echo "generate-secrets: openssl is needed" >&2; exit 1; }

random() { openssl rand -base64 "$1" | tr -d '\n'; }
password() { openssl rand -hex 24; }
# A JSON string: backslashes and double quotes escaped (values hold no control characters).
json() { local v=${1//\\/\\\\}; printf '"%s"' "${v//\"/\\\"}"; }

# The folder is the operator's alone; the files in it are world-readable so that the containers'
# own users (postgres, redis, PASS's uid 1000) can read their bind-mounted copies.
mkdir -p "$dir"
chmod 700 "$dir"
umask 022

postgres_password=$(password)
owner_password=$(password)
app_password=$(password)
redis_password=$(password)
printf '%s' "$postgres_password" > "$dir/postgres-password"
printf '%s' "$owner_password" > "$dir/pass-db-owner-password"
printf '%s' "$app_password" > "$dir/pass-db-app-password"
printf 'requirepass %s\nappendonly yes\nappendfsync everysec\ndir /data\n' "$redis_password" > "$dir/redis.conf"

cookie_key=$(random 48)
encryption_key="k$(date -u +%Y%m%d):$(random 32)"
pairwise_salt=$(random 32)
identity_hash_key=$(random 32)
metrics_token=$(openssl rand -hex 32)

config() { # $1: DATABASE_URL
  printf '{\n'
  printf '  "DATABASE_URL": %s,\n' "$(json "$1")"
  printf '  "REDIS_URL": %s,\n' "$(json "redis://:$redis_password@redis:6379/0")"
  printf '  "PASS_COOKIE_KEYS": %s,\n' "$(json "$cookie_key")"
  printf '  "PASS_ENCRYPTION_KEYS": %s,\n' "$(json "$encryption_key")"
  printf '  "PASS_PAIRWISE_SALT": %s,\n' "$(json "$pairwise_salt")"
  printf '  "PASS_IDENTITY_HASH_KEY": %s,\n' "$(json "$identity_hash_key")"
  printf '  "METRICS_TOKEN": %s,\n' "$(json "$metrics_token")"
  if [ -n "$sms_token" ]; then printf '  "SMS_GATEWAY_TOKEN": %s,\n' "$(json "$sms_token")"; fi
  printf '  "SMTP_URL": %s\n' "$(json "$smtp_url")"
  printf '}\n'
}
config "postgres://pass_app:$app_password@postgres:5432/pass" > "$dir/pass-config.json"
config "postgres://pass_owner:$owner_password@postgres:5432/pass" > "$dir/pass-migrate-config.json"

echo "generate-secrets: wrote $(cd "$dir" && echo *) into $dir"
