#!/bin/sh
# Stands in for 31z4/zookeeper-docker 3.7.0/docker-entrypoint.sh (bash, set -e): as root it
# takes the data, log-data and log directories for zookeeper and re-runs itself as it
# (gosu; busybox su here); then zoo.cfg when missing, then myid in the data directory.
set -e
# bash's words for a failed redirection under set -e (the image's entrypoint is bash)
write_or_die() { # LINE FILE TEXT
  if ! (printf '%s\n' "$3" >>"$2") 2>/dev/null; then echo "/docker-entrypoint.sh: line $1: $2: Permission denied" >&2; exit 1; fi
}
# Allow the container to be started with `--user`
if [ "$1" = 'zkServer.sh' ] && [ "$(id -u)" = '0' ]; then
  chown -R zookeeper "$ZOO_DATA_DIR" "$ZOO_DATA_LOG_DIR" "$ZOO_LOG_DIR"
  q=''; for a in "$@"; do q="$q '$a'"; done
  exec su -p -s /bin/sh zookeeper -c "exec /docker-entrypoint.sh$q"
fi
# Generate the config only if it doesn't exist
if [ ! -f "$ZOO_CONF_DIR/zoo.cfg" ]; then
  CONFIG="$ZOO_CONF_DIR/zoo.cfg"
  {
    echo "dataDir=$ZOO_DATA_DIR"
    echo "dataLogDir=$ZOO_DATA_LOG_DIR"
    echo "tickTime=$ZOO_TICK_TIME"
    echo "standaloneEnabled=$ZOO_STANDALONE_ENABLED"
    echo "server.1=localhost:2888:3888;2181"
    [ -z "${ZOO_4LW_COMMANDS_WHITELIST:-}" ] || echo "4lw.commands.whitelist=$ZOO_4LW_COMMANDS_WHITELIST"
  } >>"$CONFIG"
fi
export ZOOCFGDIR=$ZOO_CONF_DIR
# Write myid only if it doesn't exist
if [ ! -f "$ZOO_DATA_DIR/myid" ]; then
  write_or_die 49 "$ZOO_DATA_DIR/myid" "${ZOO_MY_ID:-1}"
fi
exec "$@"
