#!/usr/bin/env bash
# Contract image of the seed's Model Router (haoyunlt/VoiceAssistant, cmd/model-router).
# Each rule below names the upstream line it reproduces; README.md in this folder lists them.
#   vh-contract.local/model-router:seed       the contract
#   vh-contract.local/model-router:no-config  the seed's own Dockerfile + main.go as they stand:
#                                             the config is copied to /etc/voiceassistant but read
#                                             from configs/model-router.yaml -> exits 1 at start
#   vh-contract.local/model-router:not-ready  /ready answers 404 (a readiness probe that fails)
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

build() { # TAG
  local R="$WORK/model-router-$1"
  base_rootfs "$R"
  # Dockerfile: FROM alpine (user root, /root 0700), WORKDIR /root/, COPY model-router .
  mkdir -p "$R/root/www" "$R/root/metrics-www"
  # internal/server/http.go: GET /health {"status":"healthy","service":"model-router"}, GET /ready
  printf '{"status":"healthy","service":"model-router"}\n' >"$R/root/www/health"
  [ "$1" = not-ready ] || printf '{"status":"ready"}\n' >"$R/root/www/ready"
  cp "$HERE/metrics.txt" "$R/root/metrics-www/metrics"
  cp "$HERE/metrics.txt" "$R/root/www/metrics"
  # Dockerfile: COPY configs/app/model-router.yaml /etc/voiceassistant/model-router.yaml
  mkdir -p "$R/etc/voiceassistant"
  cp "$HERE/model-router.yaml" "$R/etc/voiceassistant/model-router.yaml"
  local conf=/etc/voiceassistant/model-router.yaml
  # main.go: flag -conf defaults to configs/model-router.yaml (relative to WORKDIR /root/)
  [ "$1" = no-config ] && conf=configs/model-router.yaml
  sed "s#@CONF@#$conf#" "$HERE/model-router.sh" >"$R/root/model-router" && chmod 0755 "$R/root/model-router"
  # Dockerfile: no USER (root), WORKDIR /root/, EXPOSE 9004 8004, CMD ["./model-router"]
  oci "$R" "vh-contract.local/model-router:$1" \
    '{"WorkingDir":"/root/","Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["./model-router"],"ExposedPorts":{"9004/tcp":{},"8004/tcp":{}}}'
}
build seed
build no-config
build not-ready
