#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, kubelet (for
# the real node, real-node-up.sh), etcd and kwok from the Go module proxy at pinned versions. The binaries are cached outside
# the repo, keyed by version, so a warm run returns at once.
#   usage: test/cluster/build.sh            (prints the bin dir on the last line)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$HERE/versions.env"
HOME="${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}"
CACHE_ROOT="${VH_CLUSTER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vh-deploy-cluster}"
KEY="k8s-${K8S_VERSION}_etcd-${ETCD_VERSION}_kwok-${KWOK_VERSION}"
BIN_DIR="$CACHE_ROOT/$KEY/bin"
WORK="$CACHE_ROOT/$KEY/src"
ALL=(kube-apiserver kube-controller-manager kube-scheduler kubectl kubelet etcd kwok)

STAGES="$CACHE_ROOT/$KEY/stages"
have() { local b; for b in "$@"; do [ -x "$BIN_DIR/$b" ] || return 1; done; }
have_all() { have "${ALL[@]}"; }
# Warm path: every binary and kwok's stage files are there -> nothing to do.
if have_all && [ -d "$STAGES" ]; then echo "$BIN_DIR"; exit 0; fi

command -v go >/dev/null || { echo "build.sh: Go is required to build the control plane (see README, Development)" >&2; exit 1; }
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
mkdir -p "$BIN_DIR" "$WORK"
log() { echo "[cluster-build $(date +%H:%M:%S)] $*" >&2; }
t0=$(date +%s)

# --- Kubernetes: one wrapper module; staging modules replaced by their published v0.x.y
K8S_BINS=(kube-apiserver kube-controller-manager kube-scheduler kubectl kubelet)
if ! have "${K8S_BINS[@]}"; then
  STG="v0.${K8S_VERSION#v1.}"; MINOR=$(echo "$K8S_VERSION" | cut -d. -f2)
  D="$WORK/k8s"; mkdir -p "$D"; cd "$D"
  [ -f go.mod ] || go mod init vh-deploy.local/k8sbins >/dev/null 2>&1
  log "downloading k8s.io/kubernetes@$K8S_VERSION"
  GOMOD=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  for m in $(sed -n 's#^[[:space:]]*\(k8s\.io/[^ ]*\) => \./staging/src/.*#\1#p' "$GOMOD"); do
    go mod edit -replace="$m=$m@$STG"
  done
  grep -q '^godebug' go.mod || grep '^godebug' "$GOMOD" >> go.mod || true
  log "resolving dependencies"
  go get -tool "k8s.io/kubernetes/cmd/kube-apiserver@$K8S_VERSION" \
    "k8s.io/kubernetes/cmd/kube-controller-manager@$K8S_VERSION" \
    "k8s.io/kubernetes/cmd/kube-scheduler@$K8S_VERSION" \
    "k8s.io/kubernetes/cmd/kubectl@$K8S_VERSION" \
    "k8s.io/kubernetes/cmd/kubelet@$K8S_VERSION" >&2
  LDF="-s -w"
  for p in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
    LDF="$LDF -X '$p.gitVersion=$K8S_VERSION' -X '$p.gitMajor=1' -X '$p.gitMinor=$MINOR' -X '$p.gitTreeState=clean'"
  done
  for b in "${K8S_BINS[@]}"; do
    [ -x "$BIN_DIR/$b" ] && continue
    log "building $b (a cold build of the first one takes 10-15 min on 2 cores)"
    go build -trimpath -ldflags "$LDF" -o "$BIN_DIR/$b.tmp" "k8s.io/kubernetes/cmd/$b" >&2
    mv "$BIN_DIR/$b.tmp" "$BIN_DIR/$b"
  done
fi

# --- etcd: its module has local replaces, so build through a wrapper module
if ! [ -x "$BIN_DIR/etcd" ]; then
  D="$WORK/etcd"; mkdir -p "$D"; cd "$D"
  [ -f go.mod ] || go mod init vh-deploy.local/etcdbin >/dev/null 2>&1
  log "building etcd $ETCD_VERSION"
  go get -tool "go.etcd.io/etcd/server/v3@$ETCD_VERSION" >&2
  go build -trimpath -ldflags "-s -w" -o "$BIN_DIR/etcd.tmp" go.etcd.io/etcd/server/v3 >&2
  mv "$BIN_DIR/etcd.tmp" "$BIN_DIR/etcd"
fi

# --- kwok: no replaces, go install works; keep its stage files beside the binary
if ! [ -x "$BIN_DIR/kwok" ]; then
  log "building kwok $KWOK_VERSION"
  GOBIN="$BIN_DIR" go install "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" >&2
fi
if ! [ -d "$STAGES" ]; then
  SRC="$(go env GOMODCACHE)/sigs.k8s.io/kwok@$KWOK_VERSION/kustomize/stage"
  [ -d "$SRC" ] || go mod download "sigs.k8s.io/kwok@$KWOK_VERSION" >&2
  mkdir -p "$STAGES.tmp" && cp -r "$SRC"/. "$STAGES.tmp"/ && chmod -R u+w "$STAGES.tmp" && mv "$STAGES.tmp" "$STAGES"
fi

have_all || { echo "build.sh: some binaries are missing in $BIN_DIR" >&2; exit 1; }
log "done in $(( $(date +%s) - t0 ))s"
echo "$BIN_DIR"
