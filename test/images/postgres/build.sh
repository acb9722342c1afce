#!/usr/bin/env bash
# Contract image of postgres:11.7-alpine (the PostgreSQL vh-deploy pins for PostHog),
# from docker-library/postgres 11/alpine (Dockerfile, docker-entrypoint.sh).
# README.md in test/images lists each rule and its source.
#   vh-contract.local/postgres:11.7-alpine
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
R="$WORK/postgres"
base_rootfs "$R"
# Dockerfile: addgroup -g 70 -S postgres; adduser -u 70 ... -h /var/lib/postgresql -s /bin/sh postgres
echo "postgres:x:70:70:postgres:/var/lib/postgresql:/bin/sh" >>"$R/etc/passwd"
echo "postgres:x:70:" >>"$R/etc/group"
# Dockerfile: /var/run/postgresql postgres-owned 2777; PGDATA postgres-owned 777
mkdir -p "$R/var/run/postgresql" "$R/var/lib/postgresql/data" "$R/usr/local/bin" "$R/docker-entrypoint-initdb.d"
chown -R 70:70 "$R/var/run/postgresql" "$R/var/lib/postgresql"
chmod 2777 "$R/var/run/postgresql"; chmod 777 "$R/var/lib/postgresql/data"
install -m 0755 "$HERE/docker-entrypoint.sh" "$R/usr/local/bin/docker-entrypoint.sh"
install -m 0755 "$HERE/pg_isready" "$R/usr/local/bin/pg_isready"
# Dockerfile: ENV PGDATA, ENTRYPOINT ["docker-entrypoint.sh"], EXPOSE 5432, CMD ["postgres"]
oci "$R" vh-contract.local/postgres:11.7-alpine \
  '{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","PG_MAJOR=11","PG_VERSION=11.7","PGDATA=/var/lib/postgresql/data"],"Entrypoint":["docker-entrypoint.sh"],"Cmd":["postgres"],"ExposedPorts":{"5432/tcp":{}},"StopSignal":"SIGINT"}'
