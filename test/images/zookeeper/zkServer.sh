#!/bin/sh
# Stands in for zkServer.sh start-foreground of ZooKeeper 3.7.0: creates version-2 in the
# data and log-data directories (FileTxnSnapLog; failing -> the server exits), then serves
# the four-letter words on 2181 (ruok -> imok when whitelisted).
cfg="${ZOOCFGDIR:-/conf}/zoo.cfg"
echo "ZooKeeper JMX enabled by default"
echo "Using config: $cfg"
get() { sed -n "s/^$1=//p" "$cfg" | tail -n 1; }
for d in "$(get dataDir)" "$(get dataLogDir)"; do
  if ! mkdir -p "$d/version-2" 2>/dev/null; then
    echo "$(date -u '+%Y-%m-%d %H:%M:%S,000') [myid:] - ERROR [main:o.a.z.s.ZooKeeperServerMain@91] - Unable to access datadir, exiting abnormally"
    echo "org.apache.zookeeper.server.persistence.FileTxnSnapLog\$DatadirException: Unable to create data directory $d/version-2"
    exit 3
  fi
done
echo "$(date -u '+%Y-%m-%d %H:%M:%S,000') [myid:1] - INFO  [main:o.a.z.s.NIOServerCnxnFactory@660] - binding to port 0.0.0.0/0.0.0.0:2181"
export ZOO_4LW="$(get 4lw.commands.whitelist)"
exec nc -ll -p 2181 -e /usr/local/bin/zk-4lw
