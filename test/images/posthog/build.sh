#!/usr/bin/env bash
# Contract image of posthog/posthog:release-1.43.0 (web, worker, plugins, migrate): the
# image's user and working directory, the Django start's checks (required env, the
# service version requirements and SKIP_SERVICE_VERSION_REQUIREMENTS), the health
# endpoints vh-deploy checks. README.md in test/images lists each rule and its source.
#   vh-contract.local/posthog:release-1.43.0
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
R="$WORK/posthog"
base_rootfs "$R"
# Dockerfile: groupadd -g 1000 posthog && useradd -u 999 -r -g posthog posthog && chown posthog:posthog /code; USER posthog
add_user "$R" posthog 999 1000 /home/posthog
mkdir -p "$R/code/bin" "$R/code/www" "$R/usr/local/bin"
for f in django.sh migrate docker-server docker-worker-celery plugin-server; do install -m 0755 "$HERE/$f" "$R/code/bin/$f"; done
install -m 0755 "$HERE/python" "$R/usr/local/bin/python"
printf '%s' '{"http":true}' >"$R/code/www/_livez"
printf '%s' '{"http":true,"postgres":true,"kafka":true,"clickhouse":true,"celery_broker":true,"cache":true}' >"$R/code/www/_readyz"
printf '%s' '{"django":true,"redis":true,"plugins":true,"celery":true,"clickhouse":true,"kafka":true,"db":true,"initiated":true}' >"$R/code/www/_preflight"
chown -R 999:1000 "$R/code"
# Dockerfile: WORKDIR /code, USER posthog, EXPOSE 8000, CMD ["./bin/docker"]
oci "$R" vh-contract.local/posthog:release-1.43.0 \
  '{"User":"posthog","WorkingDir":"/code","Env":["PATH=/code/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["./bin/docker-server"],"ExposedPorts":{"8000/tcp":{}}}'
