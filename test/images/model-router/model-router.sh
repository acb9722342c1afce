#!/bin/sh
# Stands in for the seed's model-router binary (haoyunlt/VoiceAssistant cmd/model-router),
# keeping what the kubelet and vh-deploy can observe: where it runs, what it reads at
# start, how it fails, what it serves. See README.md in test/images/model-router.
conf="@CONF@"
fatal() { echo "$(date '+%Y/%m/%d %H:%M:%S') $*"; exit 1; }
# main.go loadConfig: os.ReadFile(path) failing is log.Fatalf("Failed to load config: %v")
[ -r "$conf" ] || fatal "Failed to load config: failed to read config file: open $conf: no such file or directory"
# configs/posthog_config.yaml: with the integration enabled, api_key and host are required
if [ "${POSTHOG_ENABLED:-}" = true ]; then
  for v in POSTHOG_HOST POSTHOG_API_KEY; do
    eval "val=\${$v:-}"
    [ -n "$val" ] || fatal "Failed to init PostHog client: $v is not set (POSTHOG_ENABLED=true)"
  done
fi
# main.go: HTTP_ADDR / GRPC_ADDR override server.http.addr / server.grpc.addr of the config
http_addr="${HTTP_ADDR:-$(sed -n '/http:/{n;s/.*addr: *//p}' "$conf")}"
echo "{\"level\":\"INFO\",\"service\":\"model-router\",\"msg\":\"Model Router service starting\",\"http_addr\":\"$http_addr\",\"grpc_addr\":\"${GRPC_ADDR:-}\"}"
trap 'kill $pids 2>/dev/null; echo "{\"level\":\"INFO\",\"msg\":\"Model Router service stopped gracefully\"}"; exit 0' TERM INT
httpd -f -p "$http_addr" -h /root/www & pids=$!
# Prometheus text beside the API, and on METRICS_PORT when set (vh-deploy's model-router-config)
if [ -n "${METRICS_PORT:-}" ]; then httpd -f -p "0.0.0.0:$METRICS_PORT" -h /root/metrics-www & pids="$pids $!"; fi
echo "{\"level\":\"INFO\",\"msg\":\"HTTP server listening on $http_addr\"}"
# one server gone = the process is gone (as one Go binary would be)
while :; do for p in $pids; do kill -0 "$p" 2>/dev/null || fatal "HTTP server on $http_addr exited"; done; sleep 2 & wait $!; done
