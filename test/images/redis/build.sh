#!/usr/bin/env bash
# Contract image of redis:6.2.7-alpine (the Redis vh-deploy pins for PostHog), from
# docker-library/redis 6.2/alpine (Dockerfile, docker-entrypoint.sh) and Redis 6.2's
# server.c. README.md in test/images lists each rule and its source.
#   vh-contract.local/redis:6.2.7-alpine
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
R="$WORK/redis"
base_rootfs "$R"
# Dockerfile: addgroup -S -g 1000 redis && adduser -S -G redis -u 999 redis
add_user "$R" redis 999 1000 /home/redis
# Dockerfile: RUN mkdir /data && chown redis:redis /data; WORKDIR /data
mkdir -p "$R/data" "$R/usr/local/bin" "$R/usr/share/redis-contract"
chown 999:1000 "$R/data"
install -m 0755 "$HERE/docker-entrypoint.sh" "$R/usr/local/bin/docker-entrypoint.sh"
install -m 0755 "$HERE/redis-server" "$R/usr/local/bin/redis-server"
install -m 0755 "$HERE/redis-cli" "$R/usr/local/bin/redis-cli"
# Dockerfile: ENTRYPOINT ["docker-entrypoint.sh"], EXPOSE 6379, CMD ["redis-server"]
oci "$R" vh-contract.local/redis:6.2.7-alpine \
  '{"WorkingDir":"/data","Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","REDIS_VERSION=6.2.7"],"Entrypoint":["docker-entrypoint.sh"],"Cmd":["redis-server"],"ExposedPorts":{"6379/tcp":{}}}'
