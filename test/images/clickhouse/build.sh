#!/usr/bin/env bash
# Contract image of clickhouse/clickhouse-server:22.8.11.15 (ClickHouse/ClickHouse
# docker/server: Dockerfile, entrypoint.sh, the default config.xml paths).
# README.md in test/images lists each rule and its source.
#   vh-contract.local/clickhouse-server:22.8.11.15
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
R="$WORK/clickhouse"
base_rootfs "$R"
# Dockerfile: groupadd -r clickhouse --gid=101; useradd -r -g clickhouse --uid=101 --home-dir=/var/lib/clickhouse clickhouse
add_user "$R" clickhouse 101 101 /var/lib/clickhouse
# Dockerfile: /var/lib/clickhouse and /var/log/clickhouse-server owned by clickhouse; config in /etc/clickhouse-server
mkdir -p "$R/var/lib/clickhouse" "$R/var/log/clickhouse-server" "$R/etc/clickhouse-server/config.d" "$R/etc/clickhouse-server/users.d" \
  "$R/usr/share/clickhouse-contract/http" "$R/usr/share/clickhouse-contract/native" "$R/docker-entrypoint-initdb.d"
chown 101:101 "$R/var/lib/clickhouse" "$R/var/log/clickhouse-server"
printf 'Ok.\n' >"$R/usr/share/clickhouse-contract/http/ping"
install -m 0644 "$HERE/config.xml" "$R/etc/clickhouse-server/config.xml"
install -m 0755 "$HERE/entrypoint.sh" "$R/entrypoint.sh"
install -m 0755 "$HERE/clickhouse-server" "$R/usr/bin/clickhouse-server"
# Dockerfile: EXPOSE 9000 8123 9009, VOLUME /var/lib/clickhouse, ENV CLICKHOUSE_CONFIG, ENTRYPOINT ["/entrypoint.sh"]
oci "$R" vh-contract.local/clickhouse-server:22.8.11.15 \
  '{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","CLICKHOUSE_CONFIG=/etc/clickhouse-server/config.xml"],"Entrypoint":["/entrypoint.sh"],"ExposedPorts":{"9000/tcp":{},"8123/tcp":{},"9009/tcp":{}}}'
