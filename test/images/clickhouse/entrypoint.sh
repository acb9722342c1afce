#!/bin/sh
# Stands in for ClickHouse/ClickHouse docker/server/entrypoint.sh (bash, set -e): as root it
# creates and chowns the server's directories for clickhouse (101:101); as any other user
# it only creates them; a directory it cannot create ends the container. Then the server.
set -e
CLICKHOUSE_UID=101; CLICKHOUSE_GID=101
DO_CHOWN=1
[ "${CLICKHOUSE_DO_NOT_CHOWN:-0}" = 1 ] && DO_CHOWN=0
if [ "$(id -u)" = 0 ]; then USER=$CLICKHOUSE_UID; GROUP=$CLICKHOUSE_GID; else USER="$(id -u)"; GROUP="$(id -g)"; DO_CHOWN=0; fi
CLICKHOUSE_CONFIG="${CLICKHOUSE_CONFIG:-/etc/clickhouse-server/config.xml}"
# clickhouse extract-from-config: the last value of KEY in config.xml and config.d/*.xml
key() { cat "$CLICKHOUSE_CONFIG" /etc/clickhouse-server/config.d/*.xml 2>/dev/null | sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" | tail -n 1; }
DATA_DIR="$(key path)"; TMP_DIR="$(key tmp_path)"; USER_PATH="$(key user_files_path)"
LOG_DIR="$(dirname "$(key log)")"; ERROR_LOG_DIR="$(dirname "$(key errorlog)")"; FORMAT_SCHEMA_PATH="$(key format_schema_path)"
for dir in "$DATA_DIR" "$ERROR_LOG_DIR" "$LOG_DIR" "$TMP_DIR" "$USER_PATH" "$FORMAT_SCHEMA_PATH"; do
  [ -z "$dir" ] && continue
  if ! mkdir -p "$dir" 2>/dev/null; then
    echo "Couldn't create necessary directory: $dir"
    exit 1
  fi
  if [ "$DO_CHOWN" = 1 ]; then
    if [ "$(stat -c %u "$dir")" != "$USER" ] || [ "$(stat -c %g "$dir")" != "$GROUP" ]; then chown -R "$USER:$GROUP" "$dir"; fi
  fi
done
# a password for the default user: written into users.d (the image's, root-owned)
if [ -n "${CLICKHOUSE_PASSWORD:-}" ] && [ "$(id -u)" = 0 ]; then
  echo "$0: create new user '${CLICKHOUSE_USER:-default}' instead 'default'"
  : >/etc/clickhouse-server/users.d/default-user.xml
fi
if [ $# -lt 1 ] || [ "${1#--}" != "$1" ]; then
  # exec /usr/bin/clickhouse su "${USER}:${GROUP}" /usr/bin/clickhouse-server --config-file="$CLICKHOUSE_CONFIG" "$@"
  if [ "$(id -u)" = 0 ]; then exec su -p -s /bin/sh clickhouse -c "exec /usr/bin/clickhouse-server --config-file=$CLICKHOUSE_CONFIG"; fi
  exec /usr/bin/clickhouse-server --config-file="$CLICKHOUSE_CONFIG" "$@"
fi
exec "$@"
