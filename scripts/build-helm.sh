#!/usr/bin/env bash
# Builds Helm v4 (the peer in `npm run bench`) from the Go module proxy at a pinned
# version. Cached outside the repo beside the control-plane binaries, keyed by version,
# so a warm run returns at once. Not needed by the tests or CI; only the bench uses it.
#   usage: scripts/build-helm.sh          (prints the path of the helm binary on the last line)
set -euo pipefail
# Newest v4 release the proxy served when pinned (`go list -m -versions helm.sh/helm/v4`).
HELM_VERSION=v4.3.2
HOME="${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}"
CACHE_ROOT="${VH_CLUSTER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vh-deploy-cluster}"
BIN="$CACHE_ROOT/helm-$HELM_VERSION/bin/helm"
if [ -x "$BIN" ]; then echo "$BIN"; exit 0; fi

command -v go >/dev/null || { echo "build-helm.sh: Go is required to build helm (see README, Development)" >&2; exit 1; }
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
log() { echo "[helm-build $(date +%H:%M:%S)] $*" >&2; }
t0=$(date +%s)
WORK="$CACHE_ROOT/helm-$HELM_VERSION/src"
mkdir -p "$(dirname "$BIN")" "$WORK"
cd "$WORK"
# A wrapper module, as for etcd: `go build` then uses helm's own go.mod requirements.
[ -f go.mod ] || go mod init vh-deploy.local/helmbin >/dev/null 2>&1
log "resolving helm.sh/helm/v4@$HELM_VERSION"
go get -tool "helm.sh/helm/v4/cmd/helm@$HELM_VERSION" >&2
log "building helm $HELM_VERSION (a cold build takes several minutes on 2 cores)"
# The release Makefile sets the version through these ldflags; without them `helm version`
# reports a dev build.
go build -trimpath -ldflags "-s -w -X helm.sh/helm/v4/internal/version.version=$HELM_VERSION -X helm.sh/helm/v4/internal/version.gitTreeState=clean" \
  -o "$BIN.tmp" helm.sh/helm/v4/cmd/helm >&2
mv "$BIN.tmp" "$BIN"
log "done in $(( $(date +%s) - t0 ))s"
echo "$BIN"
