#!/bin/sh
# Stands in for Bitnami's Kafka 2.8 entrypoint + setup.sh + run.sh: the checks and writes
# that decide whether the broker starts, then a listener on 9092. See README.md here.
# bitnami liblog.sh: "kafka HH:MM:SS.ss LEVEL ==> message", the level padded to 5
log() { printf 'kafka %s %-5s ==> %s\n' "$(date +%H:%M:%S.00)" "$1" "$2"; }
log INFO "** Starting Kafka setup **"
# libkafka.sh kafka_validate: a PLAINTEXT listener needs ALLOW_PLAINTEXT_LISTENER=yes
case "${KAFKA_CFG_LISTENERS:-PLAINTEXT://:9092}" in
  *PLAINTEXT://*)
    if [ "${ALLOW_PLAINTEXT_LISTENER:-no}" != yes ]; then
      log ERROR "The KAFKA_CFG_LISTENERS environment variable does not configure a secure listener. Set the environment variable ALLOW_PLAINTEXT_LISTENER=yes to allow the container to be started with a plaintext listener. This is only recommended for development."
      exit 1
    fi ;;
esac
# setup.sh: ensure_dir_exists for KAFKA_LOG_DIR, KAFKA_CONF_DIR, KAFKA_VOLUME_DIR, KAFKA_DATA_DIR
# (set -o errexit: the first mkdir that fails ends the container)
for d in /opt/bitnami/kafka/logs /opt/bitnami/kafka/config /bitnami/kafka /bitnami/kafka/data; do
  # GNU mkdir's words, with the errno text of the failure
  err="$(mkdir -p "$d" 2>&1)" || { echo "mkdir: cannot create directory '$d': ${err##*: }"; exit 1; }
done
# Kafka writes meta.properties into its log.dirs on first start
if ! echo "broker.id=${KAFKA_CFG_BROKER_ID:--1}" >/bitnami/kafka/data/meta.properties 2>/tmp/err; then
  log ERROR "Error while writing meta.properties: $(cat /tmp/err)"
  exit 1
fi
log INFO "** Kafka setup finished! **"
log INFO "** Starting Kafka **"
exec httpd -f -p 0.0.0.0:9092 -h /opt/bitnami/kafka
