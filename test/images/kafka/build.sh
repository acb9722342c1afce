#!/usr/bin/env bash
# Contract image of bitnamilegacy/kafka:2.8.1 (the broker vh-deploy pins for PostHog),
# from bitnami/containers bitnami/kafka/2.8/debian-10 (Dockerfile, rootfs/opt/bitnami/scripts/kafka/setup.sh).
# README.md in this folder lists each rule and its source.
#   vh-contract.local/kafka:2.8.1
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
R="$WORK/kafka"
base_rootfs "$R"
# Dockerfile: USER 1001 (no passwd entry in the image), ENV HOME="/"
# Dockerfile: RUN chmod g+rwX /opt/bitnami (group root), so uid 1001 with gid 0 writes there
mkdir -p "$R/opt/bitnami/scripts/kafka" "$R/opt/bitnami/kafka/config" "$R/opt/bitnami/kafka/logs" "$R/bitnami"
install -m 0755 "$HERE/entrypoint.sh" "$R/opt/bitnami/scripts/kafka/entrypoint.sh"
chmod -R g+rwX "$R/opt/bitnami"
# Dockerfile: EXPOSE 9092, USER 1001, ENTRYPOINT /opt/bitnami/scripts/kafka/entrypoint.sh, CMD run.sh
oci "$R" vh-contract.local/kafka:2.8.1 \
  '{"User":"1001","Env":["HOME=/","PATH=/opt/bitnami/kafka/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","BITNAMI_APP_NAME=kafka","APP_VERSION=2.8.1"],"Entrypoint":["/opt/bitnami/scripts/kafka/entrypoint.sh"],"Cmd":["/opt/bitnami/scripts/kafka/run.sh"],"ExposedPorts":{"9092/tcp":{}}}'
