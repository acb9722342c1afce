#!/usr/bin/env bash
# Contract image of zookeeper:3.7.0 (the official image, 31z4/zookeeper-docker 3.7.0:
# Dockerfile, docker-entrypoint.sh). README.md in test/images lists each rule and its source.
#   vh-contract.local/zookeeper:3.7.0
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
R="$WORK/zookeeper"
base_rootfs "$R"
# Dockerfile: groupadd -r zookeeper --gid=1000; useradd -r -g zookeeper --uid=1000 zookeeper
add_user "$R" zookeeper 1000 1000 /home/zookeeper
# Dockerfile: mkdir -p and chown zookeeper:zookeeper of /datalog /data /conf /logs
mkdir -p "$R/datalog" "$R/data" "$R/conf" "$R/logs" "$R/apache-zookeeper-3.7.0-bin/bin" "$R/usr/local/bin"
chown 1000:1000 "$R/datalog" "$R/data" "$R/conf" "$R/logs"
install -m 0755 "$HERE/docker-entrypoint.sh" "$R/docker-entrypoint.sh"
install -m 0755 "$HERE/zkServer.sh" "$R/apache-zookeeper-3.7.0-bin/bin/zkServer.sh"
install -m 0755 "$HERE/zk-4lw" "$R/usr/local/bin/zk-4lw"
chown -R 1000:1000 "$R/apache-zookeeper-3.7.0-bin"
# Dockerfile: WORKDIR, EXPOSE 2181 2888 3888 8080, ENTRYPOINT ["/docker-entrypoint.sh"], CMD ["zkServer.sh", "start-foreground"]
oci "$R" vh-contract.local/zookeeper:3.7.0 \
  '{"WorkingDir":"/apache-zookeeper-3.7.0-bin","Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/apache-zookeeper-3.7.0-bin/bin","ZOO_CONF_DIR=/conf","ZOO_DATA_DIR=/data","ZOO_DATA_LOG_DIR=/datalog","ZOO_LOG_DIR=/logs","ZOO_TICK_TIME=2000","ZOO_STANDALONE_ENABLED=true","ZOOCFGDIR=/conf"],"Entrypoint":["/docker-entrypoint.sh"],"Cmd":["zkServer.sh","start-foreground"],"ExposedPorts":{"2181/tcp":{},"2888/tcp":{},"3888/tcp":{},"8080/tcp":{}}}'
